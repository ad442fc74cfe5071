//! One identity: its mark, provider, who it is, and "Unlink" (never for the primary).

use super::common::badge;
use super::context::use_ui;
use crate::messages::who;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::Command;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IdentityRowProps {
    pub identity: Identity,
    pub primary: bool,
    /// The session offers an unlink now.
    pub can_unlink: bool,
}

#[function_component(IdentityRow)]
pub fn identity_row(props: &IdentityRowProps) -> Html {
    let ui = use_ui();
    let identity = &props.identity;
    let texts = &ui.texts;
    let label = texts.provider(&identity.provider);
    let account = who(identity);
    // The picture (https only: the core drops any other), over the badge: a picture that
    // fails to load hides itself and the badge shows (no state, no re-render).
    let picture = identity
        .profile_data
        .as_ref()
        .and_then(|p| p.picture.clone())
        .map(|src| {
            let onerror = Callback::from(|e: Event| {
                if let Some(img) = e.target_dyn_into::<web_sys::Element>() {
                    let _hidden = img.set_attribute("hidden", "");
                }
            });
            html! { <img class="aal-picture" {src} alt="" referrerpolicy="no-referrer" {onerror} /> }
        });
    let mark = html! { <>{ picture }{ badge(&identity.provider, &label) }</> };
    let action = if props.primary {
        html! { <span class="aal-primary">{ texts.get("primary") }</span> }
    } else {
        let ask = ui.send::<MouseEvent>(Command::AskUnlink(identity.clone()));
        let name = texts.fill(
            "unlink_label",
            &[("provider", &label), ("account", &account)],
        );
        html! {
            <button type="button" class="aal-unlink" aria-label={name} disabled={!props.can_unlink} onclick={ask}>
                { texts.get("unlink") }
            </button>
        }
    };
    html! {
        <li class="aal-identity" data-provider={identity.provider.clone()} data-user-id={identity.user_id.clone()}>
            { mark }
            <span class="aal-provider">{ label }</span>
            <span class="aal-who">{ account }</span>
            { action }
        </li>
    }
}
