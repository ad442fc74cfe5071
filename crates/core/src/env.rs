//! What the core needs from its host, injected: time, randomness, a JSON parser.
//! (The HTTP transport is not here: the core only prepares requests and reads responses.)

use serde::de::DeserializeOwned;

/// Cryptographically secure randomness (`crypto.getRandomValues` in the browser).
pub trait RandomSource {
    fn fill(&mut self, buf: &mut [u8]);
}

/// Parses JSON text into a typed value. The browser uses `JSON.parse` and the widget's
/// JS-value deserializer (`src/browser/de.rs`) so that no JSON parser ships in the wasm;
/// native hosts use
/// `SerdeJson` (feature `serde_json`; no link: the item exists only with the feature).
pub trait JsonParser {
    /// `Err` carries a short description of what was wrong (never the input).
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, String>;
    /// The JSON text of `value` (a request body): `JSON.stringify` in the browser, so the
    /// wasm carries no number formatting of its own.
    fn stringify<T: serde::Serialize>(&self, value: &T) -> String;
}

/// Everything the flow's `step` needs from the host.
pub trait Env {
    type Json: JsonParser;
    fn now(&self) -> u64;
    fn fill_random(&mut self, buf: &mut [u8]);
    fn json(&self) -> &Self::Json;
}

/// serde_json-backed parser for native hosts and tests.
#[cfg(feature = "serde_json")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SerdeJson;

#[cfg(feature = "serde_json")]
impl JsonParser for SerdeJson {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "invalid JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                e.classify_name()
            )
        })
    }
    fn stringify<T: serde::Serialize>(&self, value: &T) -> String {
        serde_json::to_string(value).unwrap_or_default()
    }
}

#[cfg(feature = "serde_json")]
trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

#[cfg(feature = "serde_json")]
impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "unexpected end",
        }
    }
}
