//! The way forward, as the session offers it: after a blocked popup (continue in this
//! tab), a failure or a cancel (try again), after a rate limit (the seconds until the
//! widget may try again), and while getting ready takes long (a token source that hangs):
//! cancel.

use super::context::use_ui;
use auth0_account_link_core::session::{Command, Offers};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RecoveryProps {
    /// What the session offers now.
    pub offers: Offers,
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
    let offers = props.offers;
    let (class, label, command) = if props.slow && offers.cancel {
        ("aal-cancel-prepare", texts.get("cancel"), Command::Cancel)
    } else if offers.continue_in_tab {
        (
            "aal-continue-in-tab",
            texts.get("continue_in_tab"),
            Command::ContinueInTab,
        )
    } else if offers.retry {
        ("aal-retry", texts.get("try_again"), Command::Retry)
    } else {
        return html! {};
    };
    let onclick = ui.send::<MouseEvent>(command);
    html! {
        <button type="button" {class} {onclick}>{ label }</button>
    }
}
