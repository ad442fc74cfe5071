//! The Yew component, the widget's one renderer: Yew apps use `<AccountLink … />`
//! directly, and `mount()` and the `<auth0-account-link>` element render this same
//! component with `yew::Renderer::with_root_and_props`.
//!
//! ```ignore
//! html! { <AccountLink {config} {token} on_linked={on_linked} on_error={on_error} /> }
//! ```
//!
//! The session (the core's [`auth0_account_link_core::session::Session`]) decides everything;
//! [`use_account_link`] drives it and keeps its view in one reducer
//! ([`state::WidgetState`]). The parts are small function components, one per file,
//! sharing the texts and the command callback through a context ([`context::Ui`]). Every
//! IdP or user string is rendered as text, never parsed as markup.

mod clock;
mod common;
pub mod confirm_dialog;
pub mod context;
mod hook;
pub mod identity_list;
pub mod identity_row;
pub mod link_actions;
pub mod notice_bar;
pub mod recovery;
pub mod state;
pub mod status_line;
pub mod unlink_dialog;

pub use clock::use_clock;
pub use hook::{use_account_link, Events};

use crate::browser::focus;
use crate::messages::{Messages, Texts};
use crate::runner::{MergeUserMetadata, TokenSource};
use auth0_account_link_core::config::{CarryUserMetadata, LinkConfig, ViewOptions};
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::flow::Linked;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{Asked, Notice, Question};
use auth0_account_link_core::LinkError;
use confirm_dialog::ConfirmDialog;
use context::Ui;
use identity_list::IdentityList;
use link_actions::LinkActions;
use notice_bar::NoticeBar;
use recovery::Recovery;
use state::{Action, WidgetState};
use status_line::StatusLine;
use unlink_dialog::UnlinkDialog;
use yew::prelude::*;

pub use crate::host::{ask_before_link, BeforeLink, MessageLoader, Reply};

#[derive(Properties, Clone, PartialEq, Debug)]
pub struct AccountLinkProps {
    /// **Required.** What to link against (`LinkConfig::new` checks the options). Another
    /// tenant or client starts a new session; anything else (a locale, a label, a
    /// redirect URI) is taken by the next attempt, and a popup in flight survives it.
    pub config: LinkConfig,
    /// **Required.** Resolves to the primary user's Management API access token (audience
    /// `https://{domain}/api/v2/`, scopes `read:current_user
    /// update:current_user_identities`). Replacing it never restarts the widget: the next
    /// request uses the new one.
    pub token: TokenSource,
    /// A link succeeded: the primary user's identities now (the new one among them), the
    /// former secondary user's id, and what was carried of its settings.
    #[prop_or_default]
    pub on_linked: Callback<Linked>,
    /// An unlink succeeded: the identities that remain.
    #[prop_or_default]
    pub on_unlinked: Callback<Vec<Identity>>,
    /// Every failure and cancel, with its stable code (`LinkError::code`), and
    /// `session_changed` when a secondary login took the tenant's session without a link
    /// (sign the primary user in again).
    #[prop_or_default]
    pub on_error: Callback<LinkError>,
    /// Texts replacing the catalog's, by key (see the package README for the keys).
    #[prop_or_default]
    pub messages: Messages,
    /// Loads the catalog of a locale other than English. Without one, English shows under
    /// `messages`.
    #[prop_or_default]
    pub load_messages: Option<MessageLoader>,
    /// Asked with the verified secondary once the user confirmed, before the link call:
    /// [`Answer::No`](auth0_account_link_core::session::Answer::No) stops the link (with words for the user, or none).
    #[prop_or_default]
    pub before_link: Option<BeforeLink>,
    /// The secondary's saved settings (`user_metadata`) carried to the primary before the
    /// link by the host's function: the primary's and the secondary's in, the primary's
    /// new one out (what differs is written). For the primary-wins rule without a
    /// function, set it in the options (`Options::carry_user_metadata`).
    #[prop_or_default]
    pub carry_user_metadata: Option<MergeUserMetadata>,
    /// The colour scheme and the heading level (`ViewOptions::new` reads them from the
    /// same options object).
    #[prop_or_default]
    pub view: ViewOptions,
}

/// Loads `locale`'s catalog into the widget's state (each widget asks its loader: the
/// package's loader imports a module, which the browser fetches once per page).
fn load_catalog(locale: String, loader: MessageLoader, widget: UseReducerDispatcher<WidgetState>) {
    let asked = locale.clone();
    loader.emit((
        asked,
        Box::new(move |answer| {
            let catalog = match answer {
                Ok(Some(catalog)) => catalog,
                Ok(None) => {
                    crate::browser::warn(&format!(
                        "no catalog for locale \"{locale}\": English is shown"
                    ));
                    Messages::default()
                }
                Err(why) => {
                    crate::browser::warn(&format!(
                        "the catalog for locale \"{locale}\" failed ({why}): English is shown"
                    ));
                    Messages::default()
                }
            };
            widget.dispatch(Action::Catalog(locale, catalog));
        }),
    ));
}

/// The widget's texts: `None` while the locale's catalog loads (the widget shows nothing
/// rather than flash English). A catalog that cannot be loaded leaves English, with a
/// console warning naming the locale and the reason.
#[hook]
fn use_texts(
    locale: &str,
    loader: Option<MessageLoader>,
    messages: &Messages,
    state: &UseReducerHandle<WidgetState>,
) -> Option<Texts> {
    let loader = loader.filter(|_| !crate::messages::is_english(locale));
    let wanted = loader.is_some();
    {
        let widget = state.dispatcher();
        use_effect_with(locale.to_owned(), move |locale| {
            if let Some(loader) = loader {
                load_catalog(locale.clone(), loader, widget);
            }
        });
    }
    let catalog = match &state.catalog {
        _ if !wanted => Messages::default(),
        Some((loaded, catalog)) if loaded == locale => catalog.clone(),
        _ => return None,
    };
    Some(Texts::new(locale, catalog, messages.clone()))
}

/// The account-linking widget.
#[function_component(AccountLink)]
pub fn account_link(props: &AccountLinkProps) -> Html {
    let events = Events {
        on_linked: props.on_linked.clone(),
        on_unlinked: props.on_unlinked.clone(),
        on_error: props.on_error.clone(),
        before_link: props.before_link.clone(),
        merge_user_metadata: props.carry_user_metadata.clone(),
    };
    let config = match props.carry_user_metadata {
        Some(_) => props.config.clone().merging_user_metadata_with_host(),
        None => props.config.clone(),
    };
    let (state, on_command) = use_account_link(&config, &props.token, &events);
    let config = &config;
    let texts = use_texts(
        config.locale(),
        props.load_messages.clone(),
        &props.messages,
        &state,
    );

    // A render that takes the focused control away (a dialog closing, buttons disabled
    // while a link runs) puts the focus back inside the widget, never on the page body.
    let root = use_node_ref();
    let had_focus = root
        .cast::<web_sys::Element>()
        .is_some_and(|r| focus::is_within(&r));
    {
        let root = root.clone();
        use_effect(move || {
            if let Some(r) = root.cast::<web_sys::Element>() {
                focus::restore(&r, had_focus);
            }
        });
    }
    let view = &state.view;
    let wait = match &view.notice {
        Some(Notice::Error(e)) if e.code() == ErrorCode::RateLimited => e.retry_after_seconds(),
        _ => None,
    };
    let (slow, retry_in) = use_clock(view.waiting, wait);
    let theme = props.view.theme().as_str();
    let Some(texts) = texts else {
        return html! {
            <section class="aal" aria-busy="true" data-theme={theme} tabindex="-1" ref={root} />
        };
    };
    let title = texts.get("title");
    // Static tags: a dynamic tag (`<@{tag}>`, `VTag::new`) brings Yew's dynamic-tag
    // code, which five branches do without (docs/size.md).
    let heading = match props.view.heading_level() {
        3 => html! { <h3 class="aal-title">{ title.clone() }</h3> },
        4 => html! { <h4 class="aal-title">{ title.clone() }</h4> },
        5 => html! { <h5 class="aal-title">{ title.clone() }</h5> },
        6 => html! { <h6 class="aal-title">{ title.clone() }</h6> },
        _ => html! { <h2 class="aal-title">{ title.clone() }</h2> },
    };
    let list = match &view.identities {
        Some(ids) => {
            html! { <IdentityList identities={ids.clone()} can_unlink={view.offers.unlink} /> }
        }
        None if view.listing => html! { <p class="aal-loading">{ texts.get("loading") }</p> },
        None => html! {},
    };
    let ui = Ui {
        texts: texts.clone(),
        on_command,
    };
    html! {
        <ContextProvider<Ui> context={ui}>
            // tabindex -1: focusable from script only, where the focus goes when a render
            // removes the focused control and no action is enabled.
            <section
                class="aal"
                aria-label={title.clone()}
                lang={texts.locale().to_owned()}
                dir={texts.dir()}
                data-theme={theme}
                tabindex="-1"
                ref={root}
            >
                { heading }
                <StatusLine position={view.position} text={texts.status(view)} />
                if let Some(notice) = &view.notice {
                    <NoticeBar notice={notice.clone()} />
                }
                if view.session_changed {
                    // Said apart from the notice: the host may now see the user as the
                    // other account, whatever the outcome was.
                    <p class="aal-session-changed" role="alert" data-code="session_changed">
                        { texts.get("error.session_changed") }
                    </p>
                }
                { list }
                { dialog(view.question.as_ref(), view.unlinking, config.carry_user_metadata() != CarryUserMetadata::Off) }
                <LinkActions
                    connections={config.connections().to_vec()}
                    ready={view.offers.link && retry_in == 0}
                />
                <Recovery offers={view.offers} {slow} {retry_in} />
            </section>
        </ContextProvider<Ui>>
    }
}

/// The dialog of the user's open question (the host's `beforeLink` has none).
fn dialog(asked: Option<&Asked>, unlinking: bool, carries_settings: bool) -> Html {
    match asked {
        Some(Asked {
            id,
            question: Question::Confirm(profile),
        }) => {
            html! { <ConfirmDialog question={*id} profile={profile.clone()} {carries_settings} /> }
        }
        Some(Asked {
            id,
            question: Question::Unlink(identity),
        }) => html! { <UnlinkDialog question={*id} identity={identity.clone()} {unlinking} /> },
        _ => html! {},
    }
}
