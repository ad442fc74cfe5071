//! The promise functions: `linkWithPopup`, `resumeRedirect` and (with the primary's
//! sign-in again, the default) `unlink` drive a session with the headless policy (the
//! host's `confirm` and `beforeLink` asked as the widget asks them); `listIdentities` (and
//! `unlink` without re-authentication) run one identity operation.

use super::errors::js_error_in;
use super::options::{before_link_option, merge_option, parse_options};
use super::texts::{settle_with, Catalog};
use super::{ask_host, config_error, identities_js, identity_ref, set, to_js};
use crate::browser::describe;
use crate::host::{ask_before_link, BeforeLink};
use crate::runner::{identity_op, Host, MergeUserMetadata, Runner, TokenSource};
use auth0_account_link_core::config::LinkConfig;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::flow::IdentityOpKind;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::session::{Answer, Asked, Command, Policy, Question, Tell};
use auth0_account_link_core::LinkError;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// What a headless call settles with: the identities, `null` (nothing to resume), or the
/// error.
enum Settled {
    Identities(Vec<Identity>),
    Nothing,
    Failed(LinkError),
}

/// Settles a headless call's promise once, from what its session tells, in the caller's
/// language (`userMessage`, the identities' `label`).
struct Settle {
    resolve: Function,
    reject: Function,
    catalog: Catalog,
    /// The session's runner, taken (and disposed of) when the promise settles.
    runner: Rc<RefCell<Option<Runner>>>,
    /// The session said `session_changed`: the rejection says so (`sessionChanged: true`).
    session_changed: bool,
    /// The call's `signal` heard: it cancels the session (dropped when the promise settles).
    abort: Option<gloo_events::EventListener>,
}

impl Settle {
    fn tell(&mut self, tell: Tell) {
        match tell {
            Tell::Linked(linked) => self.finish(Settled::Identities(linked.identities)),
            Tell::Unlinked(ids) => self.finish(Settled::Identities(ids)),
            Tell::SessionChanged => self.session_changed = true,
            Tell::Failed(e) => self.finish(Settled::Failed(e)),
        }
    }

    /// The session ends now (its window closed, its requests aborted); the promise settles
    /// once the texts are in.
    fn finish(&mut self, settled: Settled) {
        self.abort = None;
        let runner = self.runner.borrow_mut().take();
        if let Some(r) = runner {
            r.dispose();
        }
        let (resolve, reject) = (self.resolve.clone(), self.reject.clone());
        let session_changed = self.session_changed;
        self.catalog.then(move |texts| {
            let _settled = match settled {
                Settled::Identities(ids) => {
                    resolve.call1(&JsValue::UNDEFINED, &identities_js(&ids, texts))
                }
                Settled::Nothing => resolve.call1(&JsValue::UNDEFINED, &JsValue::NULL),
                Settled::Failed(e) => {
                    let error = js_error_in(&e, texts);
                    if session_changed {
                        set(&error, "sessionChanged", true);
                    }
                    reject.call1(&JsValue::UNDEFINED, &error)
                }
            };
        });
    }
}

/// A headless call's session: one attempt, the host's `confirm` (only an exact `true`
/// links) and `beforeLink` asked as the widget asks them.
fn headless_session(
    config: LinkConfig,
    token: TokenSource,
    Hooks {
        confirm,
        before_link,
        merge,
    }: Hooks,
    settle: Settle,
) -> (Runner, Rc<RefCell<Settle>>) {
    let slot = settle.runner.clone();
    let settle = Rc::new(RefCell::new(settle));
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
    let runner = Runner::new(config, policy, token, host).merging_user_metadata(merge);
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
    catalog: Catalog,
    token: TokenSource,
    hooks: Hooks,
    signal: Option<web_sys::AbortSignal>,
    start: HeadlessStart,
) -> Promise {
    let mut call = Some((config, catalog, token, hooks, start));
    Promise::new(&mut |resolve, reject| {
        // The executor runs once, synchronously.
        let Some((config, catalog, token, hooks, start)) = call.take() else {
            return;
        };
        let settle = Settle {
            resolve,
            reject,
            catalog,
            runner: Rc::default(),
            session_changed: false,
            abort: None,
        };
        let (runner, settle) = headless_session(config, token, hooks, settle);
        if let Some(signal) = &signal {
            if signal.aborted() {
                // Nothing started: no window, no request.
                settle.borrow_mut().finish(Settled::Failed(aborted()));
                return;
            }
            // The session's own cancel: its window and frame close and the call ends with
            // `cancelled`, unless the link request is out (then its answer settles the call).
            let cancel = runner.clone();
            settle.borrow_mut().abort = Some(gloo_events::EventListener::once(
                signal,
                "abort",
                move |_| cancel.command(Command::Cancel),
            ));
        }
        start(&runner, &settle);
    })
}

/// The host's say in a headless call: `confirm`, `beforeLink`, the settings merge.
struct Hooks {
    confirm: Option<Function>,
    before_link: Option<BeforeLink>,
    merge: Option<MergeUserMetadata>,
}

/// A call whose `signal` was aborted before it started.
fn aborted() -> LinkError {
    LinkError::new(
        ErrorCode::Cancelled,
        "the call's signal was aborted before it started; nothing was done",
    )
}

/// The `signal` parameter: an `AbortSignal`, or absent.
fn signal_param(value: &JsValue) -> Result<Option<web_sys::AbortSignal>, LinkError> {
    if value.is_undefined() {
        return Ok(None);
    }
    value.clone().dyn_into().map(Some).map_err(|_| {
        config_error(
            "signal",
            "is not an AbortSignal",
            "pass an AbortController's signal, or leave it out",
        )
    })
}

/// Links another account through a popup. Call it from a click handler: the popup opens
/// before anything is awaited. `{ connection, confirm, popup, signal }`: with `confirm`,
/// the verified secondary profile is passed to it and anything but `true` ends with
/// `cancelled`; the host's `beforeLink` option is asked as the widget asks it; `signal`
/// aborted cancels the link (its window closes) unless the link request is out.
#[wasm_bindgen(js_name = linkWithPopup)]
pub fn link_with_popup(options: JsValue, params: JsValue) -> Promise {
    let read = parse_options(&options).and_then(|(config, token)| {
        let values = call_params(
            &params,
            &["connection", "confirm", "popup", "signal"],
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
        let hooks = Hooks {
            confirm,
            before_link,
            merge: merge_option(&options),
        };
        Ok((
            config,
            token,
            connection,
            hooks,
            popup,
            signal_param(&values[3])?,
        ))
    });
    let (config, token, connection, hooks, popup, signal) = match read {
        Ok(v) => v,
        Err(e) => return rejected(&options, e),
    };
    let catalog = match Catalog::checked(config.locale(), &options) {
        Ok(catalog) => catalog,
        Err(e) => return rejected(&options, e),
    };
    headless_promise(
        config,
        catalog,
        token,
        hooks,
        signal,
        Box::new(move |runner: &Runner, settle: &RefCell<Settle>| {
            in_window(runner, settle, popup, "window.open returned null: call linkWithPopup synchronously from a click handler, or use redirect mode", Command::Link(connection));
        }),
    )
}

/// A headless call that needs a login window: the window first (`popup`, one the entry
/// opened in the click, or one opened blank here), before anything else runs — a browser
/// may run queued work inside `window.open` — then the session opens and `command` goes in
/// (kept until the attempt is ready). `blocked`: what to say when the browser refused it.
fn in_window(
    runner: &Runner,
    settle: &RefCell<Settle>,
    popup: Option<web_sys::Window>,
    blocked: &str,
    command: Command,
) {
    let given = popup.is_some();
    if !runner.preopen_popup(popup) {
        let e = if given {
            LinkError::new(
                ErrorCode::PopupClosed,
                "the login window opened in the click was closed before the widget could use it",
            )
        } else {
            LinkError::new(ErrorCode::PopupBlocked, blocked)
        };
        settle.borrow_mut().finish(Settled::Failed(e));
        return;
    }
    runner.open();
    runner.command(command);
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
        let values = call_params(&params, &["confirm", "signal"], "resumeRedirect")?;
        let hooks = Hooks {
            confirm: confirm_param(&values[0])?,
            before_link: before_link_option(&options)?,
            merge: merge_option(&options),
        };
        Ok((config, token, hooks, signal_param(&values[1])?))
    });
    let (config, token, hooks, signal) = match read {
        Ok(v) => v,
        Err(e) => return rejected(&options, e),
    };
    let catalog = match Catalog::checked(config.locale(), &options) {
        Ok(catalog) => catalog,
        Err(e) => return rejected(&options, e),
    };
    headless_promise(
        config,
        catalog,
        token,
        hooks,
        signal,
        Box::new(|runner: &Runner, settle: &RefCell<Settle>| {
            if !runner.resume() {
                settle.borrow_mut().finish(Settled::Nothing);
            }
        }),
    )
}

/// Resolves to the primary user's identities (`GET /api/v2/users/{id}`). `{ signal }`:
/// aborted, the call ends with `cancelled` (the list's answer is dropped).
#[wasm_bindgen(js_name = listIdentities)]
pub fn list_identities(options: JsValue, params: JsValue) -> Promise {
    let read = parse_options(&options).and_then(|(config, token)| {
        let values = call_params(&params, &["signal"], "listIdentities")?;
        Ok((config, token, signal_param(&values[0])?))
    });
    match read {
        Ok((config, token, signal)) => {
            identity_call(&options, config, IdentityOpKind::List, token, signal)
        }
        Err(e) => rejected(&options, e),
    }
}

/// One identity operation (no window), settled in the caller's language. `signal`: aborted
/// before the call, nothing is done; aborted during a list, the call ends with `cancelled`
/// (its answer dropped; waiting for it costs less wasm than racing it). An unlink's
/// request, once started, is the decision: its answer settles it.
fn identity_call(
    options: &JsValue,
    config: LinkConfig,
    op: IdentityOpKind,
    token: TokenSource,
    signal: Option<web_sys::AbortSignal>,
) -> Promise {
    let catalog = match Catalog::checked(config.locale(), options) {
        Ok(catalog) => catalog,
        Err(e) => return rejected(options, e),
    };
    if signal.as_ref().is_some_and(web_sys::AbortSignal::aborted) {
        return settle_with(
            &catalog,
            Box::new(|texts| Err(js_error_in(&aborted(), texts))),
        );
    }
    // Only a list stops at the signal: an unlink's request, once sent, is the decision.
    let signal = signal.filter(|_| matches!(op, IdentityOpKind::List));
    future_to_promise(async move {
        let result = identity_op(config, op, token).await;
        // Aborted while it ran: its answer is dropped.
        let result = match signal {
            Some(signal) if signal.aborted() => Err(LinkError::new(
                ErrorCode::Cancelled,
                "the call's signal was aborted; the list's answer is dropped",
            )),
            _ => result,
        };
        let settled = settle_with(
            &catalog,
            Box::new(move |texts| match result {
                Ok(ids) => Ok(identities_js(&ids, texts)),
                Err(e) => Err(js_error_in(&e, texts)),
            }),
        );
        wasm_bindgen_futures::JsFuture::from(settled).await
    })
}

/// A call whose options (or parameters) are wrong: `config_invalid`, its `userMessage` in
/// the `locale` given, if any.
fn rejected(options: &JsValue, e: LinkError) -> Promise {
    settle_with(
        &Catalog::lenient(options),
        Box::new(move |texts| Err(js_error_in(&e, texts))),
    )
}

/// Unlinks `{ provider, userId }` and resolves to the remaining identities. With
/// `reauthenticate` (the default) the primary user signs in again first, in a window
/// opened in the click (or `popup`, one the package's entry opened while the wasm loaded),
/// and that sign-in's token removes the login: call it from a click handler.
#[wasm_bindgen]
pub fn unlink(options: JsValue, params: JsValue) -> Promise {
    let read = parse_options(&options).and_then(|(config, token)| {
        // `{ provider, userId }`, or an identity as listed (`user_id`; its other fields
        // are its own, and ignored).
        let values = call_params(
            &params,
            &[
                "provider",
                "userId",
                "popup",
                "user_id",
                "connection",
                "isSocial",
                "profileData",
                "primary",
                "label",
                "signal",
            ],
            "unlink",
        )?;
        let target = identity_ref(&params)?;
        let popup = values[2]
            .is_object()
            .then(|| values[2].clone().unchecked_into::<web_sys::Window>());
        Ok((config, token, target, popup, signal_param(&values[9])?))
    });
    let (config, token, target, popup, signal) = match read {
        Ok(v) => v,
        Err(e) => return rejected(&options, e),
    };
    if config.reauthenticate_max_age_seconds().is_none() {
        return identity_call(
            &options,
            config,
            IdentityOpKind::Unlink(target),
            token,
            signal,
        );
    }
    let catalog = match Catalog::checked(config.locale(), &options) {
        Ok(catalog) => catalog,
        Err(e) => return rejected(&options, e),
    };
    headless_promise(
        config,
        catalog,
        token,
        Hooks {
            confirm: None,
            before_link: None,
            merge: None,
        },
        signal,
        Box::new(move |runner: &Runner, settle: &RefCell<Settle>| {
            in_window(runner, settle, popup, "window.open returned null: the primary user signs in again before an unlink; call unlink synchronously from a click handler (or set reauthenticate: false)", Command::Unlink(target));
        }),
    )
}
