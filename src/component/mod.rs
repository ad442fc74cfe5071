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
use crate::messages::{text, Msg};
use crate::runner::{Status, TokenSource};
use account_link_core::config::LinkConfig;
use account_link_core::error::ErrorCode;
use account_link_core::management::Identity;
use account_link_core::LinkError;
use parts::{
    ConfirmDialog, IdentityList, LinkActions, NoticeBar, Recovery, StatusLine, UnlinkDialog,
};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, Clone)]
pub struct AccountLinkProps {
    /// What to link against. A new configuration that needs a new flow (another tenant,
    /// client, redirect…) restarts the widget; a new locale or label does not.
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
    }
}

/// The account-linking widget.
#[function_component(AccountLink)]
pub fn account_link(props: &AccountLinkProps) -> Html {
    let (state, on_command) = use_account_link(props);
    let config = &props.config;
    let locale = AttrValue::from(config.locale().to_owned());
    let title = text(Msg::Title, &locale);

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

    let list = match &state.identities {
        Some(ids) => html! {
            <IdentityList
                identities={ids.clone()}
                unlinking={state.unlinking}
                locale={locale.clone()}
                on_command={on_command.clone()}
            />
        },
        None if state.list_failed => html! {},
        None => html! { <p class="aal-loading">{ text(Msg::LoadingIdentities, &locale) }</p> },
    };
    html! {
        // tabindex -1: focusable from script only, where the focus goes when a render
        // removes the focused control and no action is enabled.
        <section class="aal" aria-label={title} tabindex="-1" ref={root}>
            <h2 class="aal-title">{ title }</h2>
            <StatusLine status={state.status.clone()} locale={locale.clone()} />
            if let Some(notice) = &state.notice {
                <NoticeBar notice={notice.clone()} locale={locale.clone()} on_command={on_command.clone()} />
            }
            if state.session_changed {
                // Said apart from the notice: the host may now see the user as the other
                // account, whatever the outcome was.
                <p class="aal-session-changed" role="alert" data-code="session_changed">
                    { ErrorCode::SessionChanged.user_message() }
                </p>
            }
            { list }
            if let Some(identity) = &state.confirm_unlink {
                <UnlinkDialog
                    identity={identity.clone()}
                    unlinking={state.unlinking}
                    locale={locale.clone()}
                    on_command={on_command.clone()}
                />
            }
            if let Status::Confirming(profile) = &state.status {
                <ConfirmDialog profile={profile.clone()} locale={locale.clone()} on_command={on_command.clone()} />
            }
            <LinkActions
                config={config.clone()}
                ready={state.status == Status::Ready}
                on_command={on_command.clone()}
            />
            <Recovery
                status={state.status.clone()}
                listing={state.identities.is_none() && !state.list_failed}
                list_failed={state.list_failed}
                can_continue_in_tab={config.redirect_fallback_uri().is_some()}
                locale={locale}
                {on_command}
            />
        </section>
    }
}
