//! The login popup, the hidden frame of the sign-in ahead of the click, and the `message`
//! listener that receives their authorization responses. All RAII: dropping the popup
//! closes it, dropping the frame removes it, dropping the listener removes it.

use auth0_account_link_core::transaction::{CallbackResponse, WebMessage};
use gloo_events::EventListener;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessageEvent;

// The one way a login window is opened, shared with the package's entry, which opens it
// before the wasm has loaded (name, size and position are there).
#[wasm_bindgen(module = "/js/popup.js")]
extern "C" {
    #[wasm_bindgen(js_name = openLoginWindow, catch)]
    fn open_login_window(url: &str) -> Result<Option<web_sys::Window>, JsValue>;
    #[wasm_bindgen(js_name = loginWindowGone)]
    fn login_window_gone(window: &web_sys::Window) -> Option<String>;

    type HiddenFrame;
    #[wasm_bindgen(constructor, catch)]
    fn new(url: &str, on_refused: &js_sys::Function) -> Result<HiddenFrame, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn window(this: &HiddenFrame) -> JsValue;
    #[wasm_bindgen(method)]
    fn remove(this: &HiddenFrame);
}

/// A hidden frame on a URL of the tenant (`prompt=none`), removed on drop.
pub struct Frame {
    frame: HiddenFrame,
    _on_refused: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Frame")
    }
}

impl Frame {
    /// Appends the frame; `on_refused` runs when the page's Content-Security-Policy
    /// refuses its origin. `None` when the page has no body to hold it.
    pub fn open(url: &str, on_refused: impl FnMut() + 'static) -> Option<Self> {
        let on_refused = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(on_refused);
        let frame = HiddenFrame::new(url, on_refused.as_ref().unchecked_ref()).ok()?;
        Some(Frame {
            frame,
            _on_refused: on_refused,
        })
    }

    /// The frame's window: its answer is accepted from it alone.
    pub fn window_value(&self) -> JsValue {
        self.frame.window()
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        self.frame.remove();
    }
}

pub struct Popup {
    window: web_sys::Window,
}

impl std::fmt::Debug for Popup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Popup")
    }
}

impl Popup {
    /// `window.open`; `None` when the browser blocked it. Must run inside the click handler.
    pub fn open(url: &str) -> Option<Self> {
        open_login_window(url)
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

    /// `None` while the window is open; once it reads as closed, this page's
    /// `Cross-Origin-Opener-Policy` ("" when none), read the first time (until then, `None`).
    pub fn gone(&self) -> Option<String> {
        login_window_gone(&self.window)
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
        let listener = EventListener::new(&super::window(), "message", move |event| {
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
