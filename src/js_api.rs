//! The JS API (`--target web` ES module): `mount`, `linkWithPopup`, `listIdentities`,
//! `unlink`, `resumeRedirect`. Errors are `Error`s with the stable `code` (plus `reason`,
//! `retryAfterSeconds`, `userMessage`); events are dispatched on the host element.

use crate::browser::{describe, window};
use crate::component::{
    ask_before_link, AccountLink, AccountLinkProps, BeforeLink, MessageLoader, Reply,
};
use crate::messages::Messages;
use crate::runner::{identity_op, Host, Runner, TokenSource};
use account_link_core::config::{LinkConfig, LinkOptions, ViewOptions};
use account_link_core::error::ErrorCode;
use account_link_core::flow::IdentityOpKind;
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::{Identity, IdentityRef};
use account_link_core::session::{Answer, Asked, Command, Policy, Question, Tell};
use account_link_core::LinkError;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use yew::{AppHandle, Callback, Renderer};

// How the host is told: the one copy of the events and `on*` callbacks, shared with the
// package's JavaScript (which reports what it finds before the wasm runs).
#[wasm_bindgen(module = "/js/events.js")]
extern "C" {
    fn report(element: &web_sys::Element, options: &JsValue, what: &str, detail: &JsValue);
    #[wasm_bindgen(js_name = reportError)]
    fn report_error(element: &web_sys::Element, options: &JsValue, error: &JsValue);
}

/// `options[name]` when it is the object's own property (nothing inherited from a
/// prototype, a polluted `Object.prototype` included); else `undefined`.
fn own(options: &JsValue, name: &str) -> JsValue {
    match options.dyn_ref::<Object>() {
        Some(object) if Object::has_own(object, &name.into()) => {
            Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED)
        }
        _ => JsValue::UNDEFINED,
    }
}

fn set(target: &JsValue, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a plain object we just created cannot fail.
    let _infallible = Reflect::set(target, &key.into(), &value.into());
}

/// The fields an error and an `account-link:error` detail share: `code`, `actor`,
/// `reason`, `retryAfterSeconds`, `userMessage`.
fn set_stable_fields(target: &JsValue, e: &LinkError) {
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

/// A `LinkError` as a JS `Error` with the stable fields of the public contract.
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

fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

fn config_error(option: &str, problem: &str, fix: &str) -> LinkError {
    LinkError::config(option, problem, fix)
}

/// `getAccessToken` as a token source: it may return a string or a promise of one.
/// `getAccessToken` is called when the token is asked for (not when the future is first
/// polled): the host's token request is under way while the click handler goes on.
fn token_source(f: Function) -> TokenSource {
    TokenSource::from(move |()| {
        let called = f.call0(&JsValue::UNDEFINED).map_err(|e| describe(&e));
        Box::pin(async move {
            let value = JsFuture::from(Promise::resolve(&called?))
                .await
                .map_err(|e| describe(&e))?;
            value.as_string().ok_or_else(|| {
                "getAccessToken resolved to something other than a string".to_owned()
            })
        }) as crate::runner::TokenFuture
    })
}

/// Reads the options object: `getAccessToken` (a function) plus the serialisable options.
/// `appOrigin` defaults to this page's origin. Nothing is sent anywhere.
pub fn parse_options(options: &JsValue) -> Result<(LinkConfig, TokenSource), LinkError> {
    parse_all_options(options).map(|(config, token, _)| (config, token))
}

/// [`parse_options`], with the view's options (`theme`, `headingLevel`) read from the same
/// object.
fn parse_all_options(
    options: &JsValue,
) -> Result<(LinkConfig, TokenSource, ViewOptions), LinkError> {
    if !options.is_object() {
        return Err(config_error(
            "options",
            "must be an object",
            "pass { domain, clientId, getAccessToken, … }",
        ));
    }
    let get: Function = own(options, "getAccessToken")
        .dyn_into()
        .map_err(|_| config_error("getAccessToken", "is missing or not a function", "pass an async function that resolves to the primary user's Management API access token"))?;
    let names: Vec<String> = Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    LinkOptions::check_names(names.iter().map(String::as_str))?;
    let copy = Object::assign(&Object::new(), options.unchecked_ref());
    // What the shell takes itself: functions and the texts.
    for function_option in [
        "getAccessToken",
        "onLinked",
        "onUnlinked",
        "onError",
        "beforeLink",
        "loadMessages",
        "messages",
    ] {
        let _existed = Reflect::delete_property(&copy, &function_option.into());
    }
    if own(&copy, "appOrigin").is_undefined() {
        if let Ok(origin) = window().location().origin() {
            set(&copy, "appOrigin", origin);
        }
    }
    let parsed: LinkOptions = crate::browser::de::from_value(copy.into()).map_err(|e| {
        config_error(
            if e.path().is_empty() {
                "options"
            } else {
                e.path()
            },
            e.message(),
            "check its type against the documentation (index.d.ts)",
        )
    })?;
    let view = ViewOptions::new(&parsed)?;
    Ok((LinkConfig::new(&parsed)?, token_source(get), view))
}

fn identities_detail(ids: &[Identity]) -> JsValue {
    let detail = Object::new();
    set(&detail, "identities", to_js(&ids));
    detail.into()
}

/// The optional `onLinked` / `onUnlinked` / `onError` option: a function, or absent.
fn host_callback(options: &JsValue, name: &str) -> Result<Option<Function>, LinkError> {
    let value = own(options, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.dyn_into::<Function>().map(Some).map_err(|_| {
        config_error(
            name,
            "is not a function",
            "pass a function, or leave it out",
        )
    })
}

/// Texts by key from a JS object: `Err((key, problem))` for a key the widget does not
/// know or a text that is not a string.
fn messages_from(value: &JsValue) -> Result<Messages, (String, &'static str)> {
    if !value.is_object() {
        return Err((String::new(), "must be an object of texts by message key"));
    }
    let mut pairs = Vec::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let Some(text) = entry.get(1).as_string() else {
            return Err((key, "is not a string"));
        };
        pairs.push((key, text));
    }
    Messages::new(pairs).map_err(|key| (key, "is not a message key of auth0-account-link"))
}

/// The `messages` option: texts replacing the catalog's.
fn messages_option(options: &JsValue) -> Result<Messages, LinkError> {
    let value = own(options, "messages");
    if value.is_undefined() || value.is_null() {
        return Ok(Messages::default());
    }
    messages_from(&value).map_err(|(key, problem)| {
        let option = if key.is_empty() {
            "messages".to_owned()
        } else {
            format!("messages.{key}")
        };
        config_error(
            &option,
            problem,
            "use the keys listed in the package README (e.g. \"title\", \"error.popup_closed\")",
        )
    })
}

/// Calls the host's `f` with `arg` and gives its awaited answer to `done` (`Err` when `f`
/// throws or its promise rejects). One async path for every host function the widget
/// waits for.
fn ask_host(f: &Function, arg: &JsValue, done: Box<dyn FnOnce(Result<JsValue, JsValue>)>) {
    let answer = f.call1(&JsValue::UNDEFINED, arg);
    wasm_bindgen_futures::spawn_local(async move {
        let settled = match answer {
            Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
            Err(e) => Err(e),
        };
        done(settled);
    });
}

/// The `loadMessages` option: `(locale) => catalog | Promise<catalog | undefined>`.
fn message_loader(options: &JsValue) -> Result<Option<MessageLoader>, LinkError> {
    let Some(load) = host_callback(options, "loadMessages")? else {
        return Ok(None);
    };
    let loader = MessageLoader::from(move |(locale, done): (String, Reply<_>)| {
        ask_host(
            &load,
            &locale.into(),
            Box::new(move |answer| {
                done(match answer {
                    Ok(c) if c.is_undefined() || c.is_null() => Ok(None),
                    Ok(c) => messages_from(&c)
                        .map(Some)
                        .map_err(|(key, problem)| format!("the catalog's \"{key}\" {problem}")),
                    Err(e) => Err(describe(&e)),
                })
            }),
        )
    });
    Ok(Some(loader))
}

/// The `beforeLink` option: resolving `false` stops the link, a string stops it with those
/// words for the user; anything else goes on. A throw or a rejection stops it too.
fn before_link_option(options: &JsValue) -> Result<Option<BeforeLink>, LinkError> {
    let Some(f) = host_callback(options, "beforeLink")? else {
        return Ok(None);
    };
    let hook = BeforeLink::from(move |(profile, done): (SecondaryProfile, Reply<_>)| {
        ask_host(
            &f,
            &to_js(&profile),
            Box::new(move |answer| {
                done(match answer {
                    Ok(v) if v.is_string() => Answer::No(v.as_string()),
                    Ok(v) if v == JsValue::FALSE => Answer::No(None),
                    Ok(_) => Answer::Yes,
                    Err(e) => {
                        crate::browser::warn(&format!(
                            "beforeLink failed, so nothing was linked: {}",
                            describe(&e)
                        ));
                        Answer::No(None)
                    }
                })
            }),
        )
    });
    Ok(Some(hook))
}

/// The component's props for `element` from a JS options object: the host hears each
/// outcome as a DOM event on `element` and through the optional callback option.
fn mount_props(
    element: &web_sys::Element,
    options: &JsValue,
) -> Result<AccountLinkProps, LinkError> {
    let (config, token, view) = parse_all_options(options)?;
    // Checked here (config_invalid names them); called by events.js, which reads them
    // from the options again.
    for callback in ["onLinked", "onUnlinked", "onError"] {
        host_callback(options, callback)?;
    }
    let identities_event = |what: &'static str| {
        let (element, options) = (element.clone(), options.clone());
        Callback::from(move |ids: Vec<Identity>| {
            report(&element, &options, what, &identities_detail(&ids));
        })
    };
    let (error_target, error_options) = (element.clone(), options.clone());
    let messages = messages_option(options)?;
    let load_messages = message_loader(options)?;
    let before_link = before_link_option(options)?;
    Ok(AccountLinkProps {
        view,
        before_link,
        config,
        token,
        messages,
        load_messages,
        on_linked: identities_event("linked"),
        on_unlinked: identities_event("unlinked"),
        on_error: Callback::from(move |e: LinkError| {
            report_error(&error_target, &error_options, &js_error(&e));
        }),
    })
}

/// What `mount` returns.
#[wasm_bindgen]
pub struct MountHandle {
    element: web_sys::Element,
    app: Option<AppHandle<AccountLink>>,
    /// The catalog loader given at mount, kept when an update leaves it out.
    load_messages: Option<MessageLoader>,
}

#[wasm_bindgen]
impl MountHandle {
    /// Hands new options to the running widget without remounting it: a new
    /// `getAccessToken` or callback is used from the next call on, a new locale or label
    /// re-renders, and a popup in flight survives both. Options that need a new flow
    /// (another domain, client, redirect…) restart it. Throws `config_invalid` (and keeps
    /// the current options) when the new ones are wrong.
    pub fn update(&mut self, options: JsValue) -> Result<(), JsValue> {
        let mut props = mount_props(&self.element, &options).map_err(|e| js_error(&e))?;
        match &props.load_messages {
            Some(loader) => self.load_messages = Some(loader.clone()),
            None => props.load_messages = self.load_messages.clone(),
        }
        if let Some(app) = self.app.as_mut() {
            app.update(props);
        }
        Ok(())
    }

    /// Removes the widget: closes its popup, removes its listeners, clears its timers,
    /// takes its markup out of the host element.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Renders the widget (the Yew `AccountLink` component) into `element`. Throws an
/// `Error` with `code: "config_invalid"` (naming the option) before any request when the
/// options are wrong.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<MountHandle, JsValue> {
    let props = mount_props(&element, &options).map_err(|e| js_error(&e))?;
    let load_messages = props.load_messages.clone();
    let app = Renderer::<AccountLink>::with_root_and_props(element.clone(), props).render();
    Ok(MountHandle {
        element,
        app: Some(app),
        load_messages,
    })
}

/// Settles a headless call's promise once, from what its session tells.
struct Settle {
    resolve: Function,
    reject: Function,
    /// The session's runner, taken (and disposed of) when the promise settles.
    runner: Rc<RefCell<Option<Runner>>>,
    /// The session said `session_changed`: the rejection says so (`sessionChanged: true`).
    session_changed: bool,
}

impl Settle {
    fn tell(&mut self, tell: Tell) {
        match tell {
            Tell::Linked(ids) => self.finish(Ok(to_js(&ids))),
            Tell::Unlinked(_) => {}
            Tell::SessionChanged => self.session_changed = true,
            Tell::Failed(e) => self.finish(Err(js_error(&e))),
        }
    }

    fn finish(&mut self, result: Result<JsValue, JsValue>) {
        if let (Err(e), true) = (&result, self.session_changed) {
            set(e, "sessionChanged", true);
        }
        let _settled = match result {
            Ok(v) => self.resolve.call1(&JsValue::UNDEFINED, &v),
            Err(e) => self.reject.call1(&JsValue::UNDEFINED, &e),
        };
        let runner = self.runner.borrow_mut().take();
        if let Some(r) = runner {
            r.dispose();
        }
    }
}

/// A headless call's session: one attempt, the host's `confirm` (only an exact `true`
/// links) and `beforeLink` asked as the widget asks them.
fn headless_session(
    config: LinkConfig,
    token: TokenSource,
    confirm: Option<Function>,
    before_link: Option<BeforeLink>,
    resolve: Function,
    reject: Function,
) -> (Runner, Rc<RefCell<Settle>>) {
    let slot: Rc<RefCell<Option<Runner>>> = Rc::default();
    let settle = Rc::new(RefCell::new(Settle {
        resolve,
        reject,
        runner: slot.clone(),
        session_changed: false,
    }));
    let policy = Policy::headless(confirm.is_some(), before_link.is_some());
    let told = settle.clone();
    let asked = slot.clone();
    let host = Host {
        view: Rc::new(|_| {}),
        tell: Rc::new(move |tell| told.borrow_mut().tell(tell)),
        ask: Rc::new(move |Asked { id, question }| {
            let slot = asked.clone();
            let answer = move |answer: Answer| {
                let runner = slot.borrow().clone();
                if let Some(r) = runner {
                    r.command(Command::Answer(id, answer));
                }
            };
            match question {
                Question::Confirm(profile) => {
                    let Some(f) = &confirm else {
                        return;
                    };
                    ask_host(
                        f,
                        &to_js(&profile),
                        Box::new(move |said| {
                            if let Err(e) = &said {
                                crate::browser::warn(&format!(
                                    "confirm failed, so nothing was linked: {}",
                                    describe(e)
                                ));
                            }
                            // Only an exact `true` links.
                            answer(match said {
                                Ok(v) if v.as_bool() == Some(true) => Answer::Yes,
                                _ => Answer::No(None),
                            });
                        }),
                    );
                }
                Question::BeforeLink(profile) => {
                    ask_before_link(before_link.as_ref(), profile, answer)
                }
                // Headless calls do not unlink through a session.
                Question::Unlink(_) => {}
            }
        }),
    };
    let runner = Runner::new(config, policy, token, host);
    *slot.borrow_mut() = Some(runner.clone());
    (runner, settle)
}

/// The second argument of a headless call, read as options are: own properties only
/// (nothing inherited from a prototype), each named in `allowed`. Returns the values in
/// the order of `allowed` (`undefined` when absent).
fn call_params(params: &JsValue, allowed: &[&str], call: &str) -> Result<Vec<JsValue>, LinkError> {
    let mut values = vec![JsValue::UNDEFINED; allowed.len()];
    if params.is_undefined() || params.is_null() {
        return Ok(values);
    }
    if !params.is_object() {
        return Err(config_error(
            "params",
            &format!("of {call} must be an object"),
            &format!("pass {{ {} }}", allowed.join(", ")),
        ));
    }
    for key in Object::keys(params.unchecked_ref::<Object>()).iter() {
        let name = key.as_string().unwrap_or_default();
        let Some(at) = allowed.iter().position(|a| *a == name) else {
            return Err(config_error(
                &name,
                &format!("is not a parameter of {call}"),
                &format!("use {}", allowed.join(", ")),
            ));
        };
        values[at] = Reflect::get(params, &key).unwrap_or(JsValue::UNDEFINED);
    }
    Ok(values)
}

/// What a headless call does with its session once the promise exists (boxed: one copy of
/// [`headless_promise`] for both calls rather than one per call; docs/size.md).
type HeadlessStart = Box<dyn FnOnce(&Runner, &RefCell<Settle>)>;

/// A headless call's promise: its session is made when the promise is (settled by what
/// the session tells), then `start` runs it.
fn headless_promise(
    config: LinkConfig,
    token: TokenSource,
    confirm: Option<Function>,
    before_link: Option<BeforeLink>,
    start: HeadlessStart,
) -> Promise {
    let mut call = Some((config, token, confirm, before_link, start));
    Promise::new(&mut |resolve, reject| {
        // The executor runs once, synchronously.
        let Some((config, token, confirm, before_link, start)) = call.take() else {
            return;
        };
        let (runner, settle) =
            headless_session(config, token, confirm, before_link, resolve, reject);
        start(&runner, &settle);
    })
}

/// Links another account through a popup. Call it from a click handler: the popup opens
/// before anything is awaited. `{ connection, confirm, popup }`: with `confirm`, the
/// verified secondary profile is passed to it and anything but `true` ends with
/// `cancelled`; the host's `beforeLink` option is asked as the widget asks it.
#[wasm_bindgen(js_name = linkWithPopup)]
pub fn link_with_popup(options: JsValue, params: JsValue) -> Promise {
    let read = parse_options(&options).and_then(|(config, token)| {
        let values = call_params(
            &params,
            &["connection", "confirm", "popup"],
            "linkWithPopup",
        )?;
        let connection = match &values[0] {
            v if v.is_undefined() => None,
            v => Some(v.as_string().ok_or_else(|| {
                config_error(
                    "connection",
                    "is not a string",
                    "pass a connection name, e.g. \"google-oauth2\"",
                )
            })?),
        };
        let confirm = confirm_param(&values[1])?;
        // A window the package's entry (or the host) opened in the click while the wasm
        // loaded. (Another realm's `Window`: `instanceof` would say no, so it is taken
        // unchecked.)
        let popup = values[2]
            .is_object()
            .then(|| values[2].clone().unchecked_into::<web_sys::Window>());
        let before_link = before_link_option(&options)?;
        Ok((config, token, connection, confirm, popup, before_link))
    });
    let (config, token, connection, confirm, popup, before_link) = match read {
        Ok(v) => v,
        Err(e) => return Promise::reject(&js_error(&e)),
    };
    headless_promise(
        config,
        token,
        confirm,
        before_link,
        Box::new(move |runner: &Runner, settle: &RefCell<Settle>| {
            // The login window first, before anything else runs: a browser may run queued
            // work inside `window.open`.
            let given = popup.is_some();
            if !runner.preopen_popup(popup) {
                let e = if given {
                    LinkError::new(ErrorCode::PopupClosed, "the login window opened in the click was closed before the widget could use it")
                } else {
                    LinkError::new(ErrorCode::PopupBlocked, "window.open returned null: call linkWithPopup synchronously from a click handler, or use redirect mode")
                };
                settle.borrow_mut().finish(Err(js_error(&e)));
                return;
            }
            runner.open();
            runner.command(Command::Link(connection));
        }),
    )
}

/// The `confirm` parameter: a function, or absent.
fn confirm_param(value: &JsValue) -> Result<Option<Function>, LinkError> {
    if value.is_undefined() {
        return Ok(None);
    }
    value.clone().dyn_into::<Function>().map(Some).map_err(|_| {
        config_error(
            "confirm",
            "is not a function",
            "pass a function that resolves to true (link) or anything else (do not)",
        )
    })
}

/// Finishes a redirect-mode link on page load. Resolves to the identities after the link,
/// or to `null` when the URL holds no answer to this tab's pending login. `{ confirm }`
/// and the `beforeLink` option are asked as `linkWithPopup` asks them.
#[wasm_bindgen(js_name = resumeRedirect)]
pub fn resume_redirect(options: JsValue, params: JsValue) -> Promise {
    let read = parse_options(&options).and_then(|(config, token)| {
        let values = call_params(&params, &["confirm"], "resumeRedirect")?;
        let confirm = confirm_param(&values[0])?;
        let before_link = before_link_option(&options)?;
        Ok((config, token, confirm, before_link))
    });
    let (config, token, confirm, before_link) = match read {
        Ok(v) => v,
        Err(e) => return Promise::reject(&js_error(&e)),
    };
    headless_promise(
        config,
        token,
        confirm,
        before_link,
        Box::new(|runner: &Runner, settle: &RefCell<Settle>| {
            if !runner.resume() {
                settle.borrow_mut().finish(Ok(JsValue::NULL));
            }
        }),
    )
}

/// Resolves to the primary user's identities (`GET /api/v2/users/{id}`).
#[wasm_bindgen(js_name = listIdentities)]
pub fn list_identities(options: JsValue) -> Promise {
    let parsed = parse_options(&options);
    future_to_promise(async move {
        let (config, token) = parsed.map_err(|e| js_error(&e))?;
        identity_op(config, IdentityOpKind::List, token)
            .await
            .map(|ids| to_js(&ids))
            .map_err(|e| js_error(&e))
    })
}

/// Unlinks `{ provider, userId }` and resolves to the remaining identities.
#[wasm_bindgen]
pub fn unlink(options: JsValue, params: JsValue) -> Promise {
    let parsed = parse_options(&options);
    let target =
        call_params(&params, &["provider", "userId"], "unlink").and_then(|values| {
            match (values[0].as_string(), values[1].as_string()) {
                (Some(provider), Some(user_id)) => Ok(IdentityRef { provider, user_id }),
                _ => Err(config_error(
                    "provider/userId",
                    "are required strings",
                    "pass { provider, userId } as listed in identities",
                )),
            }
        });
    future_to_promise(async move {
        let (config, token) = parsed.map_err(|e| js_error(&e))?;
        let target = target.map_err(|e| js_error(&e))?;
        identity_op(config, IdentityOpKind::Unlink(target), token)
            .await
            .map(|ids| to_js(&ids))
            .map_err(|e| js_error(&e))
    })
}
