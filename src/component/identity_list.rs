//! The user's identities, the primary first (it can never be unlinked here).

use super::context::use_ui;
use super::identity_row::IdentityRow;
use auth0_account_link_core::management::Identity;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IdentityListProps {
    pub identities: Vec<Identity>,
    /// The session offers an unlink now.
    pub can_unlink: bool,
}

#[function_component(IdentityList)]
pub fn identity_list(props: &IdentityListProps) -> Html {
    let ui = use_ui();
    html! {
        <ul class="aal-identities" aria-label={ui.texts.get("identities_label")}>
            { for props.identities.iter().enumerate().map(|(index, identity)| html! {
                <IdentityRow
                    key={format!("{}|{}", identity.provider, identity.user_id)}
                    identity={identity.clone()}
                    primary={index == 0}
                    can_unlink={props.can_unlink}
                />
            }) }
        </ul>
    }
}
