//! "Link this account?" with the verified secondary's provider, name and email. The focus
//! starts on the question, not on "Link this account": an Enter still held from the
//! sign-in window must not confirm a link the user has not read. Escape declines.

use super::common::{on_escape, use_focus_on_mount};
use super::context::use_ui;
use account_link_core::id_token::SecondaryProfile;
use account_link_core::session::Command;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub profile: SecondaryProfile,
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
    let accept = ui.send::<MouseEvent>(Command::Confirm(true));
    let decline = ui.send::<MouseEvent>(Command::Confirm(false));
    let title = texts.get("confirm_title");
    html! {
        <div
            class="aal-dialog aal-confirm"
            role="dialog"
            aria-modal="false"
            aria-label={title.clone()}
            onkeydown={on_escape(&ui, Command::Confirm(false))}
        >
            <p class="aal-dialog-title" tabindex="-1" ref={title_ref}>{ title }</p>
            <dl>
                <dt>{ texts.get("provider_label") }</dt>
                <dd class="aal-confirm-provider">{ texts.provider(&profile.provider) }</dd>
                <dt>{ texts.get("name_label") }</dt>
                <dd class="aal-confirm-name">{ profile.name.clone().unwrap_or_default() }</dd>
                <dt>{ texts.get("email_label") }</dt>
                <dd class="aal-confirm-email">{ email }</dd>
            </dl>
            <div class="aal-dialog-actions">
                <button type="button" class="aal-confirm-link" onclick={accept}>
                    { texts.get("confirm_link") }
                </button>
                <button type="button" class="aal-cancel" onclick={decline}>{ texts.get("cancel") }</button>
            </div>
        </div>
    }
}
