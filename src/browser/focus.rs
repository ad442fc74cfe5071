//! Keeping keyboard users in the widget when a render takes their focused control away
//! (a dialog that closes, buttons disabled while a link runs): the focus moves to the
//! first enabled action, or to the widget's root (`tabindex="-1"`), never to the page body.

/// Where the focus goes when a render takes the focused control away: the first enabled
/// action (else the root, which is focusable from script).
pub const FOCUS_FALLBACK: &str = ".aal-actions button:not([disabled])";
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Whether the focus is on an element inside `root` that can keep it.
pub fn is_within(root: &Element) -> bool {
    let Some(active) = super::window().document().and_then(|d| d.active_element()) else {
        return false;
    };
    root.contains(Some(&active)) && !active.has_attribute("disabled")
}

/// After a render: if the focus was inside `root` before (`had_focus`) and is not any
/// more, moves it to the first enabled action or to `root` itself. Never while another
/// window (the popup) has the focus.
pub fn restore(root: &Element, had_focus: bool) {
    if !had_focus || is_within(root) {
        return;
    }
    // While the sign-in popup has the focus, leave it there: the page's focused element
    // is only put right when the user comes back.
    let page_has_focus = super::window()
        .document()
        .is_some_and(|d| d.has_focus().unwrap_or(false));
    if !page_has_focus {
        return;
    }
    let target = root
        .query_selector(FOCUS_FALLBACK)
        .ok()
        .flatten()
        .unwrap_or_else(|| root.clone());
    give(&target);
}

/// Moves the focus to `target` (a failure is reported on the console, nothing more can
/// be done about it).
pub fn give(target: &Element) {
    let moved = target
        .dyn_ref::<HtmlElement>()
        .is_some_and(|t| t.focus().is_ok());
    if !moved {
        super::warn("could not move the focus");
    }
}
