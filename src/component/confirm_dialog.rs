//! "Link this account?" with the verified secondary's provider, name and email; for an
//! existing user with other logins (when the host allows merging), the merge screen: its
//! logins, that all of them move, and what does not. The focus starts on the question, not
//! on the button: an Enter still held from the sign-in window must not confirm a link the
//! user has not read. Escape declines.

use super::common::{on_escape, use_focus_on_mount};
use super::context::use_ui;
use crate::messages::who;
use auth0_account_link_core::id_token::SecondaryProfile;
use auth0_account_link_core::session::{Answer, Command, QuestionId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    /// The question this dialog answers: its buttons name it.
    pub question: QuestionId,
    pub profile: SecondaryProfile,
    /// The host carries the account's saved settings to the primary before the link
    /// (`carryUserMetadata`): they are named as carried, not as lost.
    #[prop_or_default]
    pub carries_settings: bool,
}

#[function_component(ConfirmDialog)]
pub fn confirm_dialog(props: &ConfirmDialogProps) -> Html {
    let ui = use_ui();
    let title_ref = use_node_ref();
    use_focus_on_mount(title_ref.clone());
    let texts = &ui.texts;
    let profile = &props.profile;
    let email = match (&profile.email, profile.email_verified) {
        (Some(e), Some(true)) => e.clone(),
        (Some(e), _) => format!("{e} ({})", texts.get("email_unverified_mark")),
        (None, _) => texts.get("no_email"),
    };
    let no = Command::Answer(props.question, Answer::No(None));
    let accept = ui.send::<MouseEvent>(Command::Answer(props.question, Answer::Yes));
    let decline = ui.send::<MouseEvent>(no.clone());
    let merge = profile.merge.as_ref();
    let title = texts.get(if merge.is_some() {
        "merge_title"
    } else {
        "confirm_title"
    });
    let merge_block = merge.map(|facts| {
        html! {
            <>
                <p class="aal-merge-label">{ texts.get("merge_logins_label") }</p>
                <ul class="aal-merge-logins">
                    { for facts.identities.iter().map(|i| html! {
                        <li key={i.full_user_id()} data-provider={i.provider.clone()} data-user-id={i.user_id.clone()}>
                            { format!("{} · {}", texts.provider(&i.provider), who(i)) }
                        </li>
                    }) }
                </ul>
                <p class="aal-merge-not-moved">{ texts.get("merge_not_moved") }</p>
            </>
        }
    });
    // What the link discards: the account's saved settings (its `user_metadata`, by
    // name; or carried over, when the host asked for it) and what this app keeps on it,
    // which stays with that account.
    let data_block = profile.holds_data().then(|| {
        let settings = profile
            .user_metadata
            .as_ref()
            .filter(|m| m.has_properties())
            .map(|m| settings_names(&m.keys()));
        html! {
            <div class="aal-discard">
                if let Some(settings) = settings {
                    if props.carries_settings {
                        <p class="aal-carry-settings">{ texts.fill("carry_settings", &[("settings", &settings)]) }</p>
                    } else {
                        <p class="aal-discard-settings">{ texts.fill("discard_settings", &[("settings", &settings)]) }</p>
                    }
                }
                <p class="aal-discard-app-data">{ texts.get("discard_app_data") }</p>
            </div>
        }
    });
    let confirm_label = texts.get(if merge.is_some() {
        "merge_confirm"
    } else {
        "confirm_link"
    });
    let label = title.clone();
    let keys = on_escape(&ui, no);
    let body = html! {
        <>
            <p class="aal-dialog-title" tabindex="-1" ref={title_ref}>{ title }</p>
            <dl>
                <dt>{ texts.get("provider_label") }</dt>
                <dd class="aal-confirm-provider">{ texts.provider(&profile.provider) }</dd>
                <dt>{ texts.get("name_label") }</dt>
                <dd class="aal-confirm-name">{ profile.name.clone().unwrap_or_default() }</dd>
                <dt>{ texts.get("email_label") }</dt>
                <dd class="aal-confirm-email">{ email }</dd>
            </dl>
            { merge_block }
            { data_block }
            <div class="aal-dialog-actions">
                <button type="button" class="aal-confirm-link" onclick={accept}>
                    { confirm_label }
                </button>
                <button type="button" class="aal-cancel" onclick={decline}>{ texts.get("cancel") }</button>
            </div>
        </>
    };
    // Static class strings in two branches: a computed `class` goes through Yew's
    // `Classes` (whitespace splitting into an index set), which no part needs otherwise
    // (docs/size.md).
    if merge.is_some() {
        html! {
            <div class="aal-dialog aal-confirm aal-merge" role="dialog" aria-modal="false" aria-label={label} onkeydown={keys}>
                { body }
            </div>
        }
    } else {
        html! {
            <div class="aal-dialog aal-confirm" role="dialog" aria-modal="false" aria-label={label} onkeydown={keys}>
                { body }
            </div>
        }
    }
}

/// The settings' names as the user reads them: cleaned, the first few, and how many more.
fn settings_names(keys: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut names: Vec<String> = keys
        .iter()
        .take(SHOWN)
        .map(|k| auth0_account_link_core::encoding::display_text(k))
        .collect();
    if keys.len() > SHOWN {
        names.push(format!("+{}", keys.len() - SHOWN));
    }
    names.join(", ")
}
