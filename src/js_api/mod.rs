//! The JS API (`--target web` ES module): `mount`, `linkWithPopup`, `listIdentities`,
//! `unlink`, `resumeRedirect`. Errors are `Error`s with the stable `code` (plus `reason`,
//! `retryAfterSeconds`, `userMessage`); events are dispatched on the host element.
//!
//! - `options`: the options object read into the core's configuration and the host's
//!   functions (`getAccessToken`, `beforeLink`, `loadMessages`, `messages`);
//! - `errors`: a `LinkError` as a JS `Error` with the public contract's fields;
//! - `mount`: `mount()` and its handle (the Yew widget rendered from JS);
//! - `headless`: the promise functions, each driving a session like the widget's;
//! - `store`: `createAccountLink`, the session's view as a store for apps' own UIs.

mod errors;
mod headless;
#[cfg(feature = "widget")]
mod mount;
mod options;
mod store;
mod texts;

use auth0_account_link_core::LinkError;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// `options[name]` when it is the object's own property (nothing inherited from a
/// prototype, a polluted `Object.prototype` included); else `undefined`.
pub(crate) fn own(options: &JsValue, name: &str) -> JsValue {
    match options.dyn_ref::<Object>() {
        Some(object) if Object::has_own(object, &name.into()) => {
            Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED)
        }
        _ => JsValue::UNDEFINED,
    }
}

pub(crate) fn set(target: &JsValue, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a plain object we just created cannot fail.
    let _infallible = Reflect::set(target, &key.into(), &value.into());
}

pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

/// Identities as every JS result and event gives them: the Management API's shape, the
/// primary (the first) marked `primary: true`, the others `false`, and each provider's
/// `label` as the widget names it ("GitHub", "Email and password" in the caller's language).
pub(crate) fn identities_js(
    ids: &[auth0_account_link_core::management::Identity],
    texts: &crate::messages::Texts,
) -> JsValue {
    let list = js_sys::Array::new();
    for (at, identity) in ids.iter().enumerate() {
        list.push(&identity_js(identity, at == 0, texts));
    }
    list.into()
}

/// One identity as [`identities_js`] gives it.
pub(crate) fn identity_js(
    identity: &auth0_account_link_core::management::Identity,
    primary: bool,
    texts: &crate::messages::Texts,
) -> JsValue {
    let value = to_js(identity);
    set(&value, "primary", primary);
    set(&value, "label", texts.provider(&identity.provider));
    value
}

/// The login an unlink removes, from `{ provider, userId }` or an identity as listed
/// (`provider`, `user_id`): own properties only. The headless `unlink` and the store's read
/// it here.
pub(crate) fn identity_ref(
    value: &JsValue,
) -> Result<auth0_account_link_core::management::IdentityRef, LinkError> {
    let text = |key: &str| own(value, key).as_string();
    match (text("provider"), text("user_id").or_else(|| text("userId"))) {
        (Some(provider), Some(user_id)) => {
            Ok(auth0_account_link_core::management::IdentityRef { provider, user_id })
        }
        _ => Err(config_error(
            "provider/userId",
            "are required strings",
            "pass { provider, userId }, or an identity as listed (provider, user_id)",
        )),
    }
}

pub(crate) fn config_error(option: &str, problem: &str, fix: &str) -> LinkError {
    LinkError::config(option, problem, fix)
}

/// Calls the host's `f` with `arg` and gives its awaited answer to `done` (`Err` when `f`
/// throws or its promise rejects). One async path for every host function the widget
/// waits for.
pub(crate) fn ask_host(
    f: &Function,
    arg: &JsValue,
    done: Box<dyn FnOnce(Result<JsValue, JsValue>)>,
) {
    let answer = f.call1(&JsValue::UNDEFINED, arg);
    wasm_bindgen_futures::spawn_local(async move {
        let settled = match answer {
            Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
            Err(e) => Err(e),
        };
        done(settled);
    });
}
