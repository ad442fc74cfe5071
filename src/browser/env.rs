//! The core's `Env` in the browser: `Date.now()`, `crypto.getRandomValues`, and
//! `JSON.parse` + [`super::de`] (no JSON parser in the wasm).

use auth0_account_link_core::env::{Env, JsonParser};
use serde::de::DeserializeOwned;
use wasm_bindgen::UnwrapThrowExt;

#[derive(Debug, Default, Clone, Copy)]
pub struct JsJson;

impl JsonParser for JsJson {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_owned())?;
        super::de::from_value(value).map_err(|e| format!("unexpected shape: {e}"))
    }
    fn stringify<T: serde::Serialize>(&self, value: &T) -> String {
        let value = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .unwrap_or(wasm_bindgen::JsValue::NULL);
        js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct BrowserEnv {
    json: JsJson,
}

impl Env for BrowserEnv {
    type Json = JsJson;

    fn now(&self) -> u64 {
        (js_sys::Date::now() / 1000.0) as u64
    }

    fn fill_random(&mut self, buf: &mut [u8]) {
        super::window()
            .crypto()
            .and_then(|c| c.get_random_values_with_u8_array(buf))
            .expect_throw("unreachable: crypto.getRandomValues exists in every supported browser");
    }

    fn json(&self) -> &JsJson {
        &self.json
    }
}
