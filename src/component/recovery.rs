//! The way forward: after a blocked popup (continue in this tab), a failure or a cancel
//! (try again), after a rate limit (the seconds until the widget may try again), and
//! while getting ready takes long (a token source that hangs): cancel.

use super::context::use_ui;
use account_link_core::session::{Command, Position};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RecoveryProps {
    pub position: Position,
    /// The identity list could not be read (or reading it was cancelled).
    pub list_failed: bool,
    pub can_continue_in_tab: bool,
    /// Getting ready (or the first list) has taken long: offer to stop waiting.
    pub slow: bool,
    /// Seconds before a rate-limited widget may try again.
    pub retry_in: u64,
}

#[function_component(Recovery)]
pub fn recovery(props: &RecoveryProps) -> Html {
    let ui = use_ui();
    let texts = &ui.texts;
    if props.retry_in > 0 {
        let seconds = props.retry_in.to_string();
        return html! {
            <button type="button" class="aal-retry-wait" disabled={true} data-retry-in={seconds.clone()}>
                { texts.fill("try_again_in", &[("seconds", &seconds)]) }
            </button>
        };
    }
    let (class, label, command) = match &props.position {
        _ if props.slow => ("aal-cancel-prepare", texts.get("cancel"), Command::Cancel),
        Position::PopupBlocked if props.can_continue_in_tab => (
            "aal-continue-in-tab",
            texts.get("continue_in_tab"),
            Command::ContinueInTab,
        ),
        Position::PopupBlocked | Position::Failed | Position::Cancelled => {
            ("aal-retry", texts.get("try_again"), Command::Retry)
        }
        Position::Idle if props.list_failed => {
            ("aal-retry", texts.get("try_again"), Command::Retry)
        }
        _ => return html! {},
    };
    let onclick = ui.send::<MouseEvent>(command);
    html! {
        <button type="button" {class} {onclick}>{ label }</button>
    }
}
