//! The login popup and the `message` listener that receives its authorization response.
//! Both are RAII: dropping the popup closes it, dropping the listener removes it.

use super::window;
use account_link_core::encoding::base64url_encode;
use account_link_core::env::Env;
use account_link_core::transaction::{CallbackResponse, WebMessage};
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessageEvent;

/// The window name's prefix; each popup gets a random suffix, so that no other widget,
/// headless call or frame can reach (retarget, close) this login window by its name.
const NAME_PREFIX: &str = "auth0-account-link-";
const WIDTH: i32 = 480;
const HEIGHT: i32 = 680;

pub struct Popup {
    window: web_sys::Window,
}

impl std::fmt::Debug for Popup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Popup")
    }
}

fn features() -> String {
    let w = window();
    let number = |v: Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>, default: f64| {
        v.ok().and_then(|v| v.as_f64()).unwrap_or(default) as i32
    };
    let left = number(w.screen_x(), 0.0) + (number(w.outer_width(), 1024.0) - WIDTH) / 2;
    let top = number(w.screen_y(), 0.0) + (number(w.outer_height(), 768.0) - HEIGHT) / 2;
    format!(
        "popup=yes,width={WIDTH},height={HEIGHT},left={},top={}",
        left.max(0),
        top.max(0)
    )
}

impl Popup {
    /// `window.open`; `None` when the browser blocked it. Must run inside the click handler.
    pub fn open(url: &str) -> Option<Self> {
        let mut random = [0u8; 12];
        super::env::BrowserEnv::default().fill_random(&mut random);
        let name = format!("{NAME_PREFIX}{}", base64url_encode(&random));
        window()
            .open_with_url_and_target_and_features(url, &name, &features())
            .ok()
            .flatten()
            .map(|window| Popup { window })
    }

    /// A window the host opened (blank) inside the click, handed over before the wasm was
    /// loaded; `None` when it is already closed.
    pub fn adopt(window: web_sys::Window) -> Option<Self> {
        let popup = Popup { window };
        (!popup.is_closed()).then_some(popup)
    }

    /// Points an already open popup at `url` (headless API: opened blank on the click).
    pub fn navigate(&self, url: &str) -> Result<(), String> {
        self.window
            .location()
            .set_href(url)
            .map_err(|e| super::describe(&e))
    }

    pub fn is_closed(&self) -> bool {
        self.window.closed().unwrap_or(true)
    }

    pub fn window_value(&self) -> JsValue {
        self.window.clone().into()
    }
}

impl Drop for Popup {
    fn drop(&mut self) {
        if !self.is_closed() {
            if let Err(e) = self.window.close() {
                crate::browser::warn(&super::describe(&e));
            }
        }
    }
}

/// Whether a `message` event is the authorization response we wait for: from exactly
/// `expected_origin`, from exactly the popup's window, shaped as
/// `{type: "authorization_response", response}`. Anything else is ignored (`None`).
pub fn accept(
    event: &MessageEvent,
    expected_origin: &str,
    expected_source: &JsValue,
) -> Option<CallbackResponse> {
    if event.origin() != expected_origin {
        return None;
    }
    let source: JsValue = event.source().map(JsValue::from).unwrap_or(JsValue::NULL);
    if !js_sys::Object::is(&source, expected_source) {
        return None;
    }
    super::de::from_value::<WebMessage>(event.data())
        .ok()?
        .into_callback()
}

/// A `message` listener on the page's window (a gloo-events handle: removed on drop).
pub struct MessageListener {
    _listener: EventListener,
}

impl std::fmt::Debug for MessageListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageListener")
    }
}

impl MessageListener {
    pub fn new(
        expected_origin: String,
        expected_source: JsValue,
        mut on_response: impl FnMut(CallbackResponse) + 'static,
    ) -> Self {
        let listener = EventListener::new(&window(), "message", move |event| {
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            if let Some(response) = accept(event, &expected_origin, &expected_source) {
                on_response(response);
            }
        });
        MessageListener {
            _listener: listener,
        }
    }
}
