//! Browser adapters: thin, RAII wrappers over the web APIs the runner needs. No protocol
//! decisions here: they only move bytes and events between the browser and the core.

pub mod crypto;
pub mod de;
pub mod env;
pub mod focus;
pub mod http;
pub mod popup;
pub mod storage;

use wasm_bindgen::UnwrapThrowExt;
use wasm_bindgen::{JsCast, JsValue};

/// The page's window. Every widget entry point runs in a window context.
pub fn window() -> web_sys::Window {
    js_sys::global()
        .dyn_into::<web_sys::Window>()
        .expect_throw("unreachable: auth0-account-link runs in a browser window")
}

/// A short description of a thrown JS value (an `Error`'s message, or its string form).
pub fn describe(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(value)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_else(|| "an unknown JavaScript value".to_owned())
}

/// `console.warn("auth0-account-link: …")`, for what the host's developer should see but
/// no flow outcome carries (a storage or window call that failed).
pub fn warn(message: &str) {
    console("warn", message);
}

/// `console.debug("auth0-account-link: …")`: what the session dropped or refused (a late
/// answer, a cancel once the link request is out).
pub fn debug(message: &str) {
    console("debug", message);
}

fn console(level: &str, message: &str) {
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into());
    let log = console
        .as_ref()
        .ok()
        .and_then(|c| js_sys::Reflect::get(c, &level.into()).ok());
    if let (Ok(console), Some(log)) = (console, log) {
        if let Some(f) = log.dyn_ref::<js_sys::Function>() {
            // If the console itself throws there is nowhere left to report it.
            let _ignored = f.call1(&console, &format!("auth0-account-link: {message}").into());
        }
    }
}
