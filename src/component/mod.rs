//! The Yew component, the widget's one renderer: Yew apps use `<AccountLink … />`
//! directly, and `mount()` and the `<auth0-account-link>` element render this same
//! component with `yew::Renderer::with_root_and_props`.
//!
//! ```ignore
//! html! { <AccountLink {config} {token} on_linked={on_linked} on_error={on_error} /> }
//! ```
//!
//! State lives in one reducer ([`crate::widget::WidgetState`]) behind
//! [`use_account_link`], which owns the runner; the parts are small function components
//! in [`parts`]. Every IdP or user string is rendered as text, never parsed as markup.

mod hook;
pub mod parts;

pub use hook::use_account_link;

use crate::browser::focus;
use crate::messages::{Messages, Texts};
use crate::runner::{Status, TokenSource};
use crate::widget::{Action, Notice, WidgetState};
use account_link_core::config::LinkConfig;
use account_link_core::error::ErrorCode;
use account_link_core::management::Identity;
use account_link_core::LinkError;
use parts::{
    use_clock, ConfirmDialog, IdentityList, LinkActions, NoticeBar, Recovery, StatusLine,
    UnlinkDialog,
};
use std::rc::Rc;
use yew::prelude::*;

/// Loads the catalog of a locale and gives it to the continuation: `Ok(None)` when there
/// is none (English is shown), `Err` with the reason it could not be loaded.
pub type MessageLoader = Rc<dyn Fn(String, Box<dyn FnOnce(Result<Option<Messages>, String>)>)>;

#[derive(Properties, Clone)]
pub struct AccountLinkProps {
    /// What to link against. A new configuration that needs a new flow (another tenant,
    /// client, redirect…) restarts the widget; a new locale, theme or label does not.
    pub config: LinkConfig,
    /// Resolves to the primary user's Management API access token. Replacing it never
    /// restarts the widget: the next request uses the new one.
    pub token: TokenSource,
    #[prop_or_default]
    pub on_linked: Callback<Vec<Identity>>,
    #[prop_or_default]
    pub on_unlinked: Callback<Vec<Identity>>,
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
    /// `Err` stops the link (with words for the user, or none).
    #[prop_or_default]
    pub before_link: Option<crate::widget::BeforeLink>,
}

impl std::fmt::Debug for AccountLinkProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountLinkProps")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PartialEq for AccountLinkProps {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config
            && Rc::ptr_eq(&self.token, &other.token)
            && self.on_linked == other.on_linked
            && self.on_unlinked == other.on_unlinked
            && self.on_error == other.on_error
            && self.messages == other.messages
            && match (&self.load_messages, &other.load_messages) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
            && match (&self.before_link, &other.before_link) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

fn is_english(locale: &str) -> bool {
    crate::messages::language(locale).eq_ignore_ascii_case("en")
}

/// Loads `locale`'s catalog into the widget's state (each widget asks its loader: the
/// package's loader imports a module, which the browser fetches once per page).
fn load_catalog(locale: String, loader: MessageLoader, widget: UseReducerDispatcher<WidgetState>) {
    let asked = locale.clone();
    loader(
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
    );
}

/// The widget's texts: `None` while the locale's catalog loads (the widget shows nothing
/// rather than flash English). A catalog that cannot be loaded leaves English, with a
/// console warning naming the locale and the reason.
#[hook]
fn use_texts(props: &AccountLinkProps, state: &UseReducerHandle<WidgetState>) -> Option<Texts> {
    let locale = props.config.locale();
    let loader = props.load_messages.clone().filter(|_| !is_english(locale));
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
    Some(Texts::new(locale, catalog, props.messages.clone()))
}

/// The account-linking widget.
#[function_component(AccountLink)]
pub fn account_link(props: &AccountLinkProps) -> Html {
    let (state, on_command) = use_account_link(props);
    let config = &props.config;
    let texts = use_texts(props, &state);

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
    let listing = state.identities.is_none() && !state.list_failed;
    let wait = match &state.notice {
        Some(Notice::Error(e)) if e.code() == ErrorCode::RateLimited => e.retry_after_seconds(),
        _ => None,
    };
    let (slow, retry_in) = use_clock(listing || state.status == Status::Preparing, wait);
    let theme = config.theme().as_str();
    let Some(texts) = texts else {
        return html! {
            <section class="aal" aria-busy="true" data-theme={theme} tabindex="-1" ref={root} />
        };
    };
    let title = texts.get("title");
    // Static tags: a dynamic tag (`<@{tag}>`, `VTag::new`) brings Yew's dynamic-tag
    // code, 2 KB gzip more than five branches.
    let heading = match config.heading_level() {
        3 => html! { <h3 class="aal-title">{ title.clone() }</h3> },
        4 => html! { <h4 class="aal-title">{ title.clone() }</h4> },
        5 => html! { <h5 class="aal-title">{ title.clone() }</h5> },
        6 => html! { <h6 class="aal-title">{ title.clone() }</h6> },
        _ => html! { <h2 class="aal-title">{ title.clone() }</h2> },
    };

    let list = match &state.identities {
        Some(ids) => html! {
            <IdentityList
                identities={ids.clone()}
                unlinking={state.unlinking}
                texts={texts.clone()}
                on_command={on_command.clone()}
            />
        },
        None if state.list_failed => html! {},
        None => html! { <p class="aal-loading">{ texts.get("loading") }</p> },
    };
    html! {
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
            <StatusLine status={state.status.clone()} texts={texts.clone()} />
            if let Some(notice) = &state.notice {
                <NoticeBar notice={notice.clone()} texts={texts.clone()} on_command={on_command.clone()} />
            }
            if state.session_changed {
                // Said apart from the notice: the host may now see the user as the other
                // account, whatever the outcome was.
                <p class="aal-session-changed" role="alert" data-code="session_changed">
                    { texts.get("error.session_changed") }
                </p>
            }
            { list }
            if let Some(identity) = &state.confirm_unlink {
                <UnlinkDialog
                    identity={identity.clone()}
                    unlinking={state.unlinking}
                    texts={texts.clone()}
                    on_command={on_command.clone()}
                />
            }
            if let Status::Confirming(profile) = &state.status {
                <ConfirmDialog profile={profile.clone()} texts={texts.clone()} on_command={on_command.clone()} />
            }
            <LinkActions
                config={config.clone()}
                ready={state.status == Status::Ready && retry_in == 0}
                texts={texts.clone()}
                on_command={on_command.clone()}
            />
            <Recovery
                status={state.status.clone()}
                list_failed={state.list_failed}
                {slow}
                {retry_in}
                can_continue_in_tab={config.redirect_fallback_uri().is_some()}
                {texts}
                {on_command}
            />
        </section>
    }
}
