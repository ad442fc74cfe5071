//! The runner: the one place that awaits. It feeds events into the core's `LinkFlow`
//! and executes the effects it returns — popup, `message` listener, timers, fetch,
//! WebCrypto, sessionStorage — reporting progress through one callback.
//!
//! Browser handles are owned here and are RAII: `dispose()` (or dropping the last handle)
//! closes the popup, removes the listener and clears the timers. Async work holds only a
//! weak reference, so late completions after disposal are dropped.

use crate::browser::{
    crypto, env::BrowserEnv, http, popup::MessageListener, popup::Popup, storage, window,
};
use account_link_core::config::LinkConfig;
use account_link_core::flow::{
    Effect, Event, IdentityOp, IdentityOpEffect, IdentityOpEvent, IdentityOpKind, LinkFlow,
    Outcome, Phase, RequestPurpose, TokenFailure, Via,
};
use account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use account_link_core::id_token::SecondaryProfile;
use account_link_core::management::Identity;
use account_link_core::token;
use account_link_core::transaction::{CallbackResponse, Transaction};
use account_link_core::LinkError;
use futures::future::{select, Either};
use gloo_timers::callback::{Interval, Timeout};
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{AbortController, AbortSignal};

/// Where the primary access token comes from (`getAccessToken` in JS).
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;
pub type TokenSource = Rc<dyn Fn() -> TokenFuture>;

/// How often a closed popup is noticed.
const CLOSED_POLL_MS: u32 = 400;

/// What the runner reports.
#[derive(Debug, Clone)]
pub enum Update {
    Status(Status),
    AskConfirm(SecondaryProfile),
    Outcome(Outcome),
}

/// An owned view of the flow's phase, for the UI.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Status {
    #[default]
    Idle,
    Preparing,
    Ready,
    PopupBlocked,
    AwaitingLogin,
    Verifying,
    Confirming(SecondaryProfile),
    Linking,
    Linked,
    Failed(LinkError),
    Cancelled,
}

impl Status {
    fn of(phase: Phase<'_>) -> Self {
        match phase {
            Phase::Idle => Status::Idle,
            Phase::Preparing => Status::Preparing,
            Phase::Ready => Status::Ready,
            Phase::PopupBlocked(_) => Status::PopupBlocked,
            Phase::AwaitingLogin => Status::AwaitingLogin,
            Phase::Verifying => Status::Verifying,
            Phase::Confirming(p) => Status::Confirming(p.clone()),
            Phase::Linking => Status::Linking,
            Phase::Linked(_) => Status::Linked,
            Phase::Failed(e) => Status::Failed(e.clone()),
            Phase::Cancelled => Status::Cancelled,
        }
    }
}

thread_local! {
    /// JWKS per tenant for the page's life (keyed by the JWKS URL): only answers that
    /// succeeded.
    static JWKS_CACHE: RefCell<HashMap<String, HttpResponse>> = RefCell::new(HashMap::new());
}

/// The tenant's JWKS: the page's cached answer unless `bypass_cache`, else a new request,
/// kept only when the core reads it as a key set (a 200 that is not one, an HTML error
/// page say, is not cached: the next flow asks again). A flow that asks while a prefetch
/// is still in flight sends its own request: the login in the popup takes far longer than
/// the JWKS, so this is rare, and sharing the request in flight (`futures::Shared`) cost
/// 2.2 KiB gzip (docs/size.md).
pub async fn jwks(
    request: HttpRequest,
    timeout: u64,
    bypass_cache: bool,
    lifetime: AbortSignal,
) -> Result<HttpResponse, TransportError> {
    if !bypass_cache {
        if let Some(cached) = JWKS_CACHE.with(|c| c.borrow().get(&request.url).cloned()) {
            return Ok(cached);
        }
    }
    let response = http::send(&request, timeout, Some(&lifetime)).await?;
    if token::process_jwks_response(&crate::browser::env::JsJson, &response).is_ok() {
        JWKS_CACHE.with(|c| c.borrow_mut().insert(request.url.clone(), response.clone()));
    }
    Ok(response)
}

struct Inner {
    config: LinkConfig,
    flow: Option<LinkFlow>,
    env: BrowserEnv,
    token: TokenSource,
    on_update: Rc<dyn Fn(Update)>,
    popup: Option<Popup>,
    listener: Option<MessageListener>,
    closed_poll: Option<Interval>,
    popup_timeout: Option<Timeout>,
    /// Aborted on dispose: every request in flight follows it.
    lifetime: AbortController,
    disposed: bool,
}

impl Inner {
    fn release_popup(&mut self) {
        self.closed_poll = None;
        self.listener = None;
        self.popup = None;
    }
}

/// A handle to one link flow in the page. Cheap to clone.
#[derive(Clone)]
pub struct Runner {
    inner: Rc<RefCell<Inner>>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Runner")
    }
}

impl Runner {
    pub fn new(
        config: LinkConfig,
        token: TokenSource,
        on_update: impl Fn(Update) + 'static,
    ) -> Self {
        let flow = LinkFlow::new(config.clone());
        Runner {
            inner: Rc::new(RefCell::new(Inner {
                config,
                flow: Some(flow),
                env: BrowserEnv::default(),
                token,
                on_update: Rc::new(on_update),
                popup: None,
                listener: None,
                closed_poll: None,
                popup_timeout: None,
                lifetime: AbortController::new()
                    .expect_throw("unreachable: AbortController exists in every supported browser"),
                disposed: false,
            })),
        }
    }

    fn weak(&self) -> Weak<RefCell<Inner>> {
        Rc::downgrade(&self.inner)
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Runner> {
        let inner = weak.upgrade()?;
        if inner.borrow().disposed {
            return None;
        }
        Some(Runner { inner })
    }

    pub fn config(&self) -> LinkConfig {
        self.inner.borrow().config.clone()
    }

    /// The primary user this runner's flow acts for, once known.
    pub fn primary_user_id(&self) -> Option<String> {
        let inner = self.inner.borrow();
        inner
            .flow
            .as_ref()
            .and_then(|f| f.primary_user_id().map(str::to_owned))
    }

    /// Pins the primary user (from the first identity list) before the first prepare.
    pub fn pin_primary_user(&self, user_id: &str) {
        if let Some(flow) = self.inner.borrow_mut().flow.as_mut() {
            flow.pin_primary_user(user_id);
        }
    }

    /// The core's answer to "prepare again now?" ([`LinkFlow::needs_fresh_attempt`]).
    pub fn needs_fresh_attempt(&self) -> bool {
        self.inner
            .borrow()
            .flow
            .as_ref()
            .is_some_and(LinkFlow::needs_fresh_attempt)
    }

    /// Checks the primary token and prepares PKCE material (before any click).
    pub fn prepare(&self, known_identities: Option<Vec<Identity>>, confirm: bool) {
        self.dispatch(Event::Prepare {
            known_identities,
            confirm,
        });
    }

    /// Opens the popup. Call it synchronously from the click handler: nothing is awaited
    /// before `window.open`.
    pub fn start(&self, connection: Option<String>) {
        self.dispatch(Event::Start {
            via: Via::Popup,
            connection,
        });
    }

    /// The redirect fallback (after a blocked popup): navigates this tab.
    pub fn start_redirect(&self, connection: Option<String>) {
        self.dispatch(Event::Start {
            via: Via::Redirect,
            connection,
        });
    }

    /// Headless use: opens a blank popup synchronously (inside the host's click handler)
    /// that the flow later points at `/authorize`. `false` when the browser blocked it.
    /// Opens the login window blank (inside the click), or takes `given`: one the host's
    /// entry opened in the click while the wasm was still loading.
    pub fn preopen_popup(&self, given: Option<web_sys::Window>) -> bool {
        let popup = match given {
            Some(window) => Popup::adopt(window),
            None => Popup::open("about:blank"),
        };
        match popup {
            Some(p) => {
                self.inner.borrow_mut().popup = Some(p);
                true
            }
            None => false,
        }
    }

    pub fn confirm(&self, accepted: bool) {
        self.dispatch(Event::Confirm(accepted));
    }

    pub fn cancel(&self) {
        self.dispatch(Event::Cancel);
    }

    pub fn retry(&self) {
        self.dispatch(Event::Retry);
    }

    /// Redirect mode, back on the page: if the URL holds an authorization response and a
    /// transaction is pending, removes both (URL and sessionStorage) and finishes the link.
    /// Returns whether a response was found.
    pub fn resume_from_redirect(&self, confirm: bool) -> bool {
        let client_id = self.inner.borrow().config.client_id().to_owned();
        let location = window().location();
        let search = location.search().unwrap_or_default();
        // Only a response to *our* pending transaction is ours: the host's own callback
        // (auth0-spa-js's code and state) is left alone, URL included.
        let Ok(callback) = CallbackResponse::from_query(&search) else {
            return false;
        };
        let Some(stored) = storage::peek_transaction(&client_id) else {
            return false;
        };
        let ours = Transaction::restore(&stored).is_ok_and(|t| {
            callback
                .state
                .as_deref()
                .is_some_and(|s| t.state_matches(s))
        });
        if !ours {
            return false;
        }
        let persisted = storage::take_transaction(&client_id);
        // The authorization response leaves the URL (and the history entry) at once; the
        // host's own query parameters, fragment and history state stay.
        let kept = web_sys::UrlSearchParams::new_with_str(&search)
            .ok()
            .map(|params| {
                for owned in CallbackResponse::PARAMETERS {
                    params.delete(owned);
                }
                String::from(params.to_string())
            });
        let url = format!(
            "{}{}{}",
            location.pathname().unwrap_or_else(|_| "/".into()),
            kept.filter(|q| !q.is_empty())
                .map(|q| format!("?{q}"))
                .unwrap_or_default(),
            location.hash().unwrap_or_default(),
        );
        let removed = window().history().and_then(|history| {
            let state = history.state()?;
            history.replace_state_with_url(&state, "", Some(&url))
        });
        if removed.is_err() {
            crate::browser::warn("could not remove the authorization response from the URL");
        }
        self.dispatch(Event::Resume {
            persisted,
            callback,
            confirm,
        });
        true
    }

    /// Ends everything: closes the popup, removes listeners, clears timers; later async
    /// completions are ignored.
    pub fn dispose(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.disposed = true;
        inner.popup_timeout = None;
        inner.release_popup();
        inner.lifetime.abort();
    }

    /// Aborts when the runner is disposed: requests made for it follow this signal.
    pub fn lifetime(&self) -> AbortSignal {
        self.inner.borrow().lifetime.signal()
    }

    fn emit(&self, update: Update) {
        let callback = self.inner.borrow().on_update.clone();
        callback(update);
    }

    /// Steps the flow, then runs its effects in order (synchronously where they can be).
    fn dispatch(&self, event: Event) {
        let (effects, status) = {
            let mut guard = self.inner.borrow_mut();
            let inner = &mut *guard;
            if inner.disposed {
                return;
            }
            let Some(flow) = inner.flow.take() else {
                return;
            };
            let (flow, effects) = flow.step(event, &mut inner.env);
            let status = Status::of(flow.phase());
            inner.flow = Some(flow);
            (effects, status)
        };
        if effects.is_empty() {
            return;
        }
        self.emit(Update::Status(status));
        for effect in effects {
            self.execute(effect);
        }
    }

    /// Runs `work` and feeds its result back as an event, unless disposed meanwhile.
    fn spawn<F: Future<Output = Event> + 'static>(&self, work: F) {
        let weak = self.weak();
        wasm_bindgen_futures::spawn_local(async move {
            let event = work.await;
            if let Some(runner) = Runner::from_weak(&weak) {
                runner.dispatch(event);
            }
        });
    }

    fn execute(&self, effect: Effect) {
        match effect {
            // Both start now, not at their first poll: in a click handler they run while
            // the browser opens the popup.
            Effect::GetPrimaryToken => {
                let (token, seconds) = {
                    let inner = self.inner.borrow();
                    (inner.token.clone(), inner.config.request_timeout_seconds())
                };
                let pending = primary_token(token(), seconds);
                self.spawn(async move { Event::PrimaryToken(pending.await) });
            }
            Effect::ComputeSha256(input) => {
                let pending = crypto::sha256(&input);
                self.spawn(async move { Event::Sha256(pending.await) })
            }
            Effect::OpenPopup { url } => self.open_popup(&url),
            Effect::Navigate { url } => {
                if let Err(e) = window().location().assign(&url) {
                    crate::browser::warn(&crate::browser::describe(&e));
                }
            }
            Effect::PersistTransaction(value) => {
                let client_id = self.inner.borrow().config.client_id().to_owned();
                if !storage::save_transaction(&client_id, &value) {
                    crate::browser::warn(
                        "sessionStorage is unavailable: the redirect cannot be resumed",
                    );
                }
            }
            Effect::ClearPersistedTransaction => {
                storage::clear_transaction(self.inner.borrow().config.client_id())
            }
            Effect::StartTimer { seconds } => {
                let weak = self.weak();
                let millis = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
                let timer = Timeout::new(millis, move || {
                    if let Some(runner) = Runner::from_weak(&weak) {
                        runner.dispatch(Event::TimedOut);
                    }
                });
                self.inner.borrow_mut().popup_timeout = Some(timer);
            }
            Effect::CancelTimer => self.inner.borrow_mut().popup_timeout = None,
            Effect::ClosePopup => self.inner.borrow_mut().release_popup(),
            Effect::Send { purpose, request } => {
                let timeout = self.inner.borrow().config.request_timeout_seconds();
                let lifetime = self.lifetime();
                self.spawn(async move {
                    let response = http::send(&request, timeout, Some(&lifetime)).await;
                    match purpose {
                        RequestPurpose::TokenExchange => Event::TokenResponse(response),
                        RequestPurpose::Link => Event::LinkResponse(response),
                        RequestPurpose::Recheck => Event::RecheckResponse(response),
                    }
                });
            }
            Effect::FetchJwks {
                request,
                bypass_cache,
            } => {
                let timeout = self.inner.borrow().config.request_timeout_seconds();
                let lifetime = self.lifetime();
                self.spawn(async move {
                    Event::JwksResponse(jwks(request, timeout, bypass_cache, lifetime).await)
                });
            }
            Effect::VerifySignature {
                key,
                message,
                signature,
            } => self.spawn(async move {
                // A WebCrypto failure verifies nothing (and says why on the console).
                let valid = match crypto::verify_rs256(&key, &message, &signature).await {
                    Ok(valid) => valid,
                    Err(why) => {
                        crate::browser::warn(&format!(
                            "WebCrypto could not verify the ID token: {why}"
                        ));
                        false
                    }
                };
                Event::SignatureChecked(valid)
            }),
            Effect::AskConfirm(profile) => self.emit(Update::AskConfirm(profile)),
            Effect::Notify(outcome) => {
                if matches!(
                    outcome,
                    Outcome::Linked(_) | Outcome::Failed(_) | Outcome::Cancelled
                ) {
                    let mut inner = self.inner.borrow_mut();
                    inner.popup_timeout = None;
                    inner.release_popup();
                }
                self.emit(Update::Outcome(outcome));
            }
        }
    }

    /// Opens (or points the pre-opened) popup at `url`, then listens for its answer: from
    /// the tenant's origin for `web_message`, from this page's origin for the `query`
    /// callback page — and only from the popup's window.
    fn open_popup(&self, url: &str) {
        let preopened = self.inner.borrow_mut().popup.take();
        let popup = match preopened {
            Some(p) if !p.is_closed() => match p.navigate(url) {
                Ok(()) => Some(p),
                Err(_) => None,
            },
            Some(_) => {
                self.dispatch(Event::PopupClosed);
                return;
            }
            None => Popup::open(url),
        };
        let Some(popup) = popup else {
            self.dispatch(Event::PopupBlocked);
            return;
        };
        let (expected_origin, source) = {
            let inner = self.inner.borrow();
            let page_origin = window().location().origin().unwrap_or_default();
            let origin = inner
                .config
                .response_message_origin(&page_origin)
                .to_owned();
            (origin, popup.window_value())
        };
        let weak = self.weak();
        let listener = MessageListener::new(expected_origin, source, move |response| {
            if let Some(runner) = Runner::from_weak(&weak) {
                runner.dispatch(Event::Callback(response));
            }
        });
        let weak = self.weak();
        let poll = Interval::new(CLOSED_POLL_MS, move || {
            let Some(runner) = Runner::from_weak(&weak) else {
                return;
            };
            let closed = runner
                .inner
                .borrow()
                .popup
                .as_ref()
                .is_none_or(Popup::is_closed);
            if closed {
                runner.dispatch(Event::PopupClosed);
            }
        });
        let (jwks_request, timeout, lifetime) = {
            let mut inner = self.inner.borrow_mut();
            inner.popup = Some(popup);
            inner.listener = Some(listener);
            inner.closed_poll = Some(poll);
            (
                token::prepare_jwks_request(&inner.config),
                inner.config.request_timeout_seconds(),
                inner.lifetime.signal(),
            )
        };
        // While the user signs in, fetch the keys the ID token will be checked against.
        // Nothing waits for this: a failure leaves no cache entry and the flow's own
        // request (FetchJwks) reports it.
        wasm_bindgen_futures::spawn_local(async move {
            jwks(jwks_request, timeout, false, lifetime).await.ok();
        });
    }
}

/// `getAccessToken`'s answer, raced against the request timeout: a host whose token
/// source hangs (a `getTokenSilently` waiting on a lost iframe) gets `timeout`, not a
/// widget stuck on "Getting ready…".
async fn primary_token(pending: TokenFuture, seconds: u64) -> Result<String, TokenFailure> {
    let millis = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    match select(pending, TimeoutFuture::new(millis)).await {
        Either::Left((answer, _)) => answer.map_err(TokenFailure::Threw),
        Either::Right(_) => Err(TokenFailure::TimedOut(seconds)),
    }
}

/// Lists identities or unlinks one: get the token, send one request, read the answer.
/// With `pinned`, only a token for that primary user is used (`user_mismatch` otherwise).
/// Resolves to the identities and the primary user they belong to.
pub async fn identity_op(
    config: LinkConfig,
    kind: IdentityOpKind,
    known: Option<Vec<Identity>>,
    token: TokenSource,
    pinned: Option<String>,
    lifetime: Option<AbortSignal>,
) -> Result<(Vec<Identity>, String), LinkError> {
    let mut env = BrowserEnv::default();
    let timeout = config.request_timeout_seconds();
    let (mut op, mut effect) = IdentityOp::new(config, kind, known, pinned);
    loop {
        let event = match effect {
            IdentityOpEffect::GetPrimaryToken => {
                IdentityOpEvent::PrimaryToken(primary_token(token(), timeout).await)
            }
            IdentityOpEffect::Send(request) => {
                IdentityOpEvent::Response(http::send(&request, timeout, lifetime.as_ref()).await)
            }
            IdentityOpEffect::Done(result) => {
                let user = op.user_id().unwrap_or_default().to_owned();
                return result.map(|ids| (ids, user));
            }
        };
        let (next, next_effect) = op.step(event, &mut env);
        op = next;
        effect = next_effect.ok_or_else(|| {
            LinkError::new(
                account_link_core::error::ErrorCode::UnexpectedResponse,
                "the identity operation stopped without an answer",
            )
        })?;
    }
}
