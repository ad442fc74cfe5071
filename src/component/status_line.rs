//! The live region that says where the session is.

use auth0_account_link_core::session::Position;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub position: Position,
    /// What it says (`Texts::status`).
    pub text: AttrValue,
}

#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    html! {
        <p class="aal-status" role="status" aria-live="polite" data-status={props.position.name()}>
            { props.text.clone() }
        </p>
    }
}
