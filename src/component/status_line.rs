//! The live region that says where the session is.

use super::context::use_ui;
use crate::messages::Texts;
use auth0_account_link_core::session::Position;
use yew::prelude::*;

/// The live-region text for a position. An outcome (linked, failed, cancelled) is said by
/// the notice alone, so nothing is said twice.
fn status_text(position: &Position, account: &str, texts: &Texts) -> String {
    let key = match position {
        Position::Idle | Position::Preparing => "status.preparing",
        Position::Ready => "status.ready",
        Position::PopupBlocked => "status.popup_blocked",
        // Why the window asks the signed-in user to sign in again, naming them.
        Position::Reauthenticating => {
            return texts.fill("status.reauthenticating", &[("account", account)])
        }
        Position::AwaitingLogin => "status.awaiting_login",
        Position::Verifying => "status.verifying",
        Position::Confirming => "status.confirming",
        Position::Linking => "status.linking",
        Position::Unlinking => "status.unlinking",
        Position::Linked | Position::Failed | Position::Cancelled => return String::new(),
    };
    texts.get(key)
}

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub position: Position,
    /// The signed-in (primary) user as the list names them: their email, else their name.
    #[prop_or_default]
    pub account: AttrValue,
}

#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    let ui = use_ui();
    html! {
        <p class="aal-status" role="status" aria-live="polite" data-status={props.position.name()}>
            { status_text(&props.position, &props.account, &ui.texts) }
        </p>
    }
}
