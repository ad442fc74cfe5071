//! A `LinkError` as a JS `Error` with the stable fields of the public contract.

use super::set;
use crate::messages::Texts;
use auth0_account_link_core::LinkError;
use js_sys::Object;
use wasm_bindgen::JsValue;

/// The fields an error and an `account-link:error` detail share: `code`, `actor`,
/// `reason`, `retryAfterSeconds`, `userMessage`.
pub(crate) fn set_stable_fields(target: &JsValue, e: &LinkError) {
    set(target, "code", e.code().as_str());
    set(target, "actor", e.actor().as_str());
    if let Some(r) = e.reason() {
        set(target, "reason", r.as_str());
    }
    if let Some(s) = e.retry_after_seconds() {
        set(target, "retryAfterSeconds", s as f64);
    }
    set(target, "userMessage", e.user_message());
}

/// [`js_error`] with its `userMessage` in the caller's language (`locale`, `messages`).
pub(crate) fn js_error_in(e: &LinkError, texts: &Texts) -> JsValue {
    let v = js_error(e);
    set(&v, "userMessage", texts.error(e));
    v
}

/// A `LinkError` as a JS `Error` with the stable fields of the public contract (its
/// `userMessage` in English: [`js_error_in`] where the caller's texts are known).
pub fn js_error(e: &LinkError) -> JsValue {
    let error = js_sys::Error::new(e.detail());
    error.set_name("AccountLinkError");
    let v: JsValue = error.into();
    set_stable_fields(&v, e);
    if let Some(status) = e.http_status() {
        set(&v, "status", f64::from(status));
    }
    if let Some(account) = e.account() {
        set(&v, "account", account);
    }
    if let Some(body) = e.api_error() {
        let api = Object::new();
        if let Some(m) = &body.message {
            set(&api, "message", m.as_str());
        }
        if let Some(c) = &body.error_code {
            set(&api, "errorCode", c.as_str());
        }
        if let Some(er) = &body.error {
            set(&api, "error", er.as_str());
        }
        set(&v, "apiError", api);
    }
    if let Some((error, description)) = e.idp_error() {
        let idp = Object::new();
        set(&idp, "error", error);
        if let Some(d) = description {
            set(&idp, "errorDescription", d);
        }
        set(&v, "idpError", idp);
    }
    v
}
