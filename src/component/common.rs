//! Small helpers the parts share: focus on mount, Escape as "no", the provider's badge.

use super::context::Ui;
use crate::browser::focus;
use auth0_account_link_core::session::Command;
use yew::prelude::*;

/// Focuses the element behind `target` once, when the component that owns it mounts.
#[hook]
pub fn use_focus_on_mount(target: NodeRef) {
    use_effect_with((), move |_| {
        if let Some(el) = target.cast::<web_sys::Element>() {
            focus::give(&el);
        }
    });
}

/// A keydown handler that sends `command` on Escape (a dialog's "no").
pub fn on_escape(ui: &Ui, command: Command) -> Callback<KeyboardEvent> {
    let on_command = ui.on_command.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            on_command.emit(command.clone());
        }
    })
}

/// The provider's mark: its logo (drawn by the stylesheet for the providers it knows,
/// over the letter) or the first letter of its name, capitalised by the stylesheet
/// (`text-transform`: `char::to_uppercase` would bring Unicode's case tables into the wasm).
pub fn badge(provider: &str, label: &str) -> Html {
    let initial: String = label.chars().take(1).collect();
    html! {
        <span class="aal-badge" aria-hidden="true" data-provider={provider.to_owned()}>{ initial }</span>
    }
}
