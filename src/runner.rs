//! The runner: the one place that awaits. It feeds [`Input`]s into the core's
//! [`Session`] and executes the [`Output`]s it returns — popup, `message` listener,
//! timers, fetch, WebCrypto, sessionStorage — and hands what the session decided to its
//! driver ([`Host`]): the widget, a headless call, the element.
//!
//! Browser handles are owned here and are RAII: `dispose()` (or dropping the last handle)
//! closes the popup, removes the listener and clears the timers. Async work holds only a
//! weak reference, so late completions after disposal are dropped; the session drops the
//! late answers of an earlier attempt by their generation, and answers to a question that
//! is no longer open by its id.
//!
//! Inputs are queued: an input that arrives while outputs run (a host that answers a
//! question at once, a popup the browser blocked) is stepped after them, in the order the
//! core's test driver uses.

use crate::browser::{
    crypto,
    env::BrowserEnv,
    http,
    popup::{Frame, MessageListener, Popup},
    storage, window,
};
use auth0_account_link_core::config::LinkConfig;
use auth0_account_link_core::flow::{
    Effect, Event, Facts, IdentityOp, IdentityOpEffect, IdentityOpEvent, IdentityOpKind, OpStep,
    TokenFailure,
};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use auth0_account_link_core::json::Json;
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::secret::{AccessToken, PersistedTransaction, Sha256Digest};
use auth0_account_link_core::session::{
    redirect_response, Asked, Command, Input, Output, Policy, RedirectReturn, Session, Tell, View,
};
use auth0_account_link_core::token;
use auth0_account_link_core::transaction::CallbackResponse;
use auth0_account_link_core::LinkError;
use futures::future::{select, Either};
use gloo_timers::callback::{Interval, Timeout};
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use wasm_bindgen::UnwrapThrowExt;
use web_sys::{AbortController, AbortSignal};

/// One answer of a [`TokenSource`]: the primary user's access token, or why there is none
/// (its words reach the `primary_token_unavailable` error).
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;
/// Where the primary access token comes from (`getAccessToken` in JS): a host function that
/// returns the token's future; build one with [`token_source`], or take
/// `spa_js::SpaClient::token_source` (feature `auth0-spa-js`).
pub type TokenSource = crate::host::HostFn<(), TokenFuture>;

/// The host's `carryUserMetadata` function: the primary's and the secondary's
/// `user_metadata` in, the primary's new one out (or why not).
pub type MergeUserMetadata = crate::host::HostFn<(Json, Json), Result<Json, String>>;

/// A [`TokenSource`] from a function returning the token's future:
/// `token_source(|| Box::pin(async { Ok(get_token().await) }))`.
pub fn token_source(f: impl Fn() -> TokenFuture + 'static) -> TokenSource {
    TokenSource::from(move |()| f())
}

/// How often a closed popup is noticed.
const CLOSED_POLL_MS: u32 = 400;

/// The window's URL while it waits for the sign-in ahead of the click.
const BLANK: &str = "about:blank";

/// Where the result of an attempt's effect goes: the attempt of this generation, wrapped
/// in [`Event::Silent`] for the sign-in ahead of the click.
#[derive(Clone, Copy)]
struct Answer {
    generation: u32,
    silent: bool,
}

impl Answer {
    fn attempt(generation: u32) -> Self {
        Answer {
            generation,
            silent: false,
        }
    }
    fn silent(generation: u32) -> Self {
        Answer {
            generation,
            silent: true,
        }
    }
    fn to(self, event: Event) -> Input {
        let event = match self.silent {
            true => Event::Silent(Box::new(event)),
            false => event,
        };
        Input::Attempt(self.generation, event)
    }
}

/// What a driver hears from its session: a new view after each step, what the host is
/// told, and the questions it must answer ([`Runner::command`] with `Answer` and the
/// question's id).
#[derive(Clone)]
pub struct Host {
    pub view: Rc<dyn Fn(View)>,
    pub tell: Rc<dyn Fn(Tell)>,
    pub ask: Rc<dyn Fn(Asked)>,
}

thread_local! {
    /// JWKS per tenant for the page's life (keyed by the JWKS URL): only answers that
    /// succeeded.
    /// (A list: a page talks to one tenant, rarely two; docs/size.md has the `HashMap`.)
    static JWKS_CACHE: RefCell<Vec<(String, HttpResponse)>> = const { RefCell::new(Vec::new()) };
}

/// The tenant's JWKS: the page's cached answer unless `bypass_cache`, else a new request,
/// kept only when the core reads it as a key set (a 200 that is not one, an HTML error
/// page say, is not cached: the next flow asks again). A flow that asks while a prefetch
/// is still in flight sends its own request: the login in the popup takes far longer than
/// the JWKS, so this is rare, and sharing the request in flight (`futures::Shared`) costs
/// more wasm than it saves (docs/size.md).
pub async fn jwks(
    request: HttpRequest,
    timeout: u64,
    bypass_cache: bool,
    lifetime: AbortSignal,
) -> Result<HttpResponse, TransportError> {
    if !bypass_cache {
        if let Some(cached) = JWKS_CACHE.with(|c| {
            c.borrow()
                .iter()
                .find(|(url, _)| *url == request.url)
                .map(|(_, r)| r.clone())
        }) {
            return Ok(cached);
        }
    }
    let response = http::send(&request, timeout, Some(&lifetime)).await?;
    if token::process_jwks_response(&crate::browser::env::JsJson, &response).is_ok() {
        JWKS_CACHE.with(|c| {
            let mut cache = c.borrow_mut();
            cache.retain(|(url, _)| *url != request.url);
            cache.push((request.url.clone(), response.clone()));
        });
    }
    Ok(response)
}

struct Inner {
    session: Session,
    env: BrowserEnv,
    token: TokenSource,
    /// The host's `carryUserMetadata` function, when it gave one.
    merge: Option<MergeUserMetadata>,
    host: Host,
    popup: Option<Popup>,
    listener: Option<MessageListener>,
    closed_poll: Option<Interval>,
    popup_timeout: Option<Timeout>,
    /// A wait before reading the identities again (dropped on dispose).
    wait: Option<Timeout>,
    /// The hidden frame of the sign-in ahead of the click, its listener and time-out.
    frame: Option<(Frame, MessageListener, Timeout)>,
    /// Aborted on dispose: every request in flight follows it.
    lifetime: AbortController,
    disposed: bool,
    /// Inputs that arrived while a step's outputs ran, oldest first (a few at most).
    queued: Vec<Input>,
    /// A step's outputs are running: new inputs wait in `queued`.
    running: bool,
}

impl Inner {
    fn release_popup(&mut self) {
        self.closed_poll = None;
        self.listener = None;
        self.popup = None;
    }
}

/// A handle to one linking session in the page. Cheap to clone.
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
    /// A session for `config` under `policy`, with the primary user this tab remembered
    /// (a secondary login that ended without a link). Nothing runs before [`Runner::open`].
    pub fn new(config: LinkConfig, policy: Policy, token: TokenSource, host: Host) -> Self {
        let remembered = storage::remembered_pin(config.client_id());
        Runner {
            inner: Rc::new(RefCell::new(Inner {
                session: Session::new(config, policy, remembered),
                env: BrowserEnv::default(),
                token,
                merge: None,
                host,
                popup: None,
                listener: None,
                closed_poll: None,
                popup_timeout: None,
                wait: None,
                frame: None,
                lifetime: AbortController::new()
                    .expect_throw("unreachable: AbortController exists in every supported browser"),
                disposed: false,
                queued: Vec::new(),
                running: false,
            })),
        }
    }

    /// The host's `carryUserMetadata` function (its configuration must say so:
    /// `LinkConfig::merging_user_metadata_with_host`).
    pub fn merging_user_metadata(self, merge: Option<MergeUserMetadata>) -> Self {
        self.inner.borrow_mut().merge = merge;
        self
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
        self.inner.borrow().session.config().clone()
    }

    /// The primary user this session acts for, once known.
    pub fn primary_user_id(&self) -> Option<String> {
        self.inner
            .borrow()
            .session
            .primary_user_id()
            .map(str::to_owned)
    }

    pub fn view(&self) -> View {
        self.inner.borrow().session.view()
    }

    /// Begins the session: a redirect return in the URL that answers this tab's pending
    /// login is taken (URL and sessionStorage cleaned) and finished; then the identities
    /// are listed or an attempt prepared, as the policy says. Returns whether a redirect
    /// return was taken.
    pub fn open(&self) -> bool {
        let client_id = self.inner.borrow().session.config().client_id().to_owned();
        let resume = take_redirect_return(&client_id);
        let resumed = resume.is_some();
        self.dispatch(Input::Open(resume));
        resumed
    }

    /// Redirect mode only (a headless `resumeRedirect`): opens the session when the URL
    /// answers this tab's pending login, and says whether it did.
    pub fn resume(&self) -> bool {
        let client_id = self.inner.borrow().session.config().client_id().to_owned();
        let Some(resume) = take_redirect_return(&client_id) else {
            return false;
        };
        self.dispatch(Input::Open(Some(resume)));
        true
    }

    /// A user command. `Link` opens the popup before returning: call it from the click
    /// handler.
    pub fn command(&self, command: Command) {
        self.dispatch(Input::Command(command));
    }

    /// The host's options again: the session decides what they change.
    pub fn configure(&self, config: LinkConfig) {
        let remembered_pin = storage::remembered_pin(config.client_id());
        self.dispatch(Input::Configure {
            config,
            remembered_pin,
        });
    }

    /// Headless use: the login window, taken before anything else (a browser may run
    /// queued work inside `window.open`). `given`: one the package's entry opened blank in
    /// the click while the wasm loaded; otherwise it is opened blank here, inside the
    /// click. `false` when the browser blocked it or it is already closed.
    pub fn preopen_popup(&self, given: Option<web_sys::Window>) -> bool {
        let popup = match given {
            Some(window) => Popup::adopt(window),
            None => Popup::open(BLANK),
        };
        match popup {
            Some(p) => {
                self.inner.borrow_mut().popup = Some(p);
                true
            }
            None => false,
        }
    }

    /// Ends everything: closes the popup, removes listeners, clears timers; later async
    /// completions are ignored.
    pub fn dispose(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.disposed = true;
        inner.popup_timeout = None;
        inner.wait = None;
        inner.frame = None;
        inner.release_popup();
        inner.lifetime.abort();
    }

    /// Aborts when the runner is disposed: requests made for it follow this signal.
    pub fn lifetime(&self) -> AbortSignal {
        self.inner.borrow().lifetime.signal()
    }

    /// Steps the session, shows its view, then runs its outputs in order (synchronously
    /// where they can be: a popup opens inside the click that sent `Link`). An input that
    /// arrives while outputs run is queued and stepped after them.
    fn dispatch(&self, input: Input) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.queued.push(input);
            if inner.running {
                return;
            }
            inner.running = true;
        }
        loop {
            let next = {
                let mut guard = self.inner.borrow_mut();
                let inner = &mut *guard;
                if inner.queued.is_empty() || inner.disposed {
                    inner.running = false;
                    inner.queued.clear();
                    return;
                }
                let input = inner.queued.remove(0);
                let outputs = inner.session.step(input, &mut inner.env);
                // Every step hands over the view; the reducer and Yew's diff make an
                // unchanged one cheap.
                (outputs, inner.session.view(), inner.host.clone())
            };
            let (outputs, view, host) = next;
            (host.view)(view);
            for output in outputs {
                self.execute(output, &host);
            }
        }
    }

    /// Runs `work` and feeds its result back, unless disposed meanwhile. (Boxed here, not
    /// generic: one copy of the task for every kind of work.)
    fn spawn(&self, work: impl Future<Output = Input> + 'static) {
        self.spawn_boxed(Box::pin(work));
    }

    fn spawn_boxed(&self, work: Pin<Box<dyn Future<Output = Input>>>) {
        let weak = self.weak();
        wasm_bindgen_futures::spawn_local(async move {
            let input = work.await;
            if let Some(runner) = Runner::from_weak(&weak) {
                runner.dispatch(input);
            }
        });
    }

    /// `requestTimeoutSeconds` of the session's current options.
    fn request_timeout(&self) -> u64 {
        self.inner
            .borrow()
            .session
            .config()
            .request_timeout_seconds()
    }

    fn token_request(&self) -> impl Future<Output = Result<AccessToken, TokenFailure>> {
        let seconds = self.request_timeout();
        let token = self.inner.borrow().token.clone();
        // Called now, not at the first poll: in a click handler the host's token request
        // runs while the browser opens the popup.
        primary_token(token.emit(()), seconds)
    }

    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        let timeout = self.request_timeout();
        let lifetime = self.lifetime();
        async move { http::send(&request, timeout, Some(&lifetime)).await }
    }

    /// The tenant's JWKS under this session's timeout and lifetime ([`jwks`]).
    fn jwks(
        &self,
        request: HttpRequest,
        bypass_cache: bool,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        jwks(
            request,
            self.request_timeout(),
            bypass_cache,
            self.lifetime(),
        )
    }

    fn execute(&self, output: Output, host: &Host) {
        match output {
            Output::Attempt(generation, effect) => self.execute_effect(generation, effect),
            Output::Op(id, IdentityOpEffect::GetPrimaryToken) => {
                let pending = self.token_request();
                self.spawn(
                    async move { Input::Op(id, IdentityOpEvent::PrimaryToken(pending.await)) },
                );
            }
            Output::Op(id, IdentityOpEffect::Send(request)) => {
                let pending = self.send(request);
                self.spawn(async move { Input::Op(id, IdentityOpEvent::Response(pending.await)) });
            }
            Output::Ask(asked) => (host.ask)(asked),
            Output::Note(note) => crate::browser::debug(note),
            Output::Tell(tell) => (host.tell)(tell),
            Output::RememberPin(user) => {
                let client_id = self.inner.borrow().session.config().client_id().to_owned();
                if !storage::remember_pin(&client_id, &user) {
                    crate::browser::warn("sessionStorage is unavailable: a reload cannot tell the primary user from the secondary");
                }
            }
            Output::ForgetPin => {
                storage::forget_pin(self.inner.borrow().session.config().client_id())
            }
        }
    }

    fn execute_effect(&self, generation: u32, effect: Effect) {
        match effect {
            Effect::Silent(inner) => self.run_effect(Answer::silent(generation), *inner),
            Effect::OpenPopup { url } => self.open_popup(generation, url.secret()),
            effect => self.run_effect(Answer::attempt(generation), effect),
        }
    }

    /// Runs one effect of an attempt; its result goes back as `answer` says (wrapped, for
    /// the sign-in ahead of the click).
    fn run_effect(&self, answer: Answer, effect: Effect) {
        let answer = move |event: Event| answer.to(event);
        match effect {
            Effect::GetPrimaryToken => {
                let pending = self.token_request();
                self.spawn(async move { answer(Event::PrimaryToken(pending.await)) });
            }
            Effect::ComputeSha256(input) => {
                let pending = crypto::sha256(input.secret());
                self.spawn(async move { answer(Event::Sha256(pending.await.map(Sha256Digest))) })
            }
            Effect::OpenFrame { url, seconds } => self.open_frame(answer, url.secret(), seconds),
            Effect::MergeUserMetadata { primary, secondary } => {
                let merge = self.inner.borrow().merge.clone();
                let merged = match merge {
                    Some(merge) => merge.emit((primary, secondary)),
                    None => Err("no function was given".to_owned()),
                };
                self.dispatch(answer(Event::UserMetadataMerged(merged)));
            }
            // Never inside Effect::Silent (the core's vocabulary).
            Effect::OpenPopup { .. } | Effect::Silent(_) => {}
            Effect::Navigate { url } => {
                if let Err(e) = window().location().assign(url.secret()) {
                    crate::browser::warn(&crate::browser::describe(&e));
                }
            }
            Effect::PersistTransaction(value) => {
                let client_id = self.inner.borrow().session.config().client_id().to_owned();
                if !storage::save_transaction(&client_id, value.secret()) {
                    crate::browser::warn(
                        "sessionStorage is unavailable: the redirect cannot be resumed",
                    );
                }
            }
            Effect::ClearPersistedTransaction => {
                storage::clear_transaction(self.inner.borrow().session.config().client_id())
            }
            Effect::StartTimer { seconds } => {
                let timer = self.timer(seconds, move || answer(Event::TimedOut));
                self.inner.borrow_mut().popup_timeout = Some(timer);
            }
            Effect::CancelTimer => self.inner.borrow_mut().popup_timeout = None,
            Effect::Wait { seconds } => {
                let timer = self.timer(seconds, move || answer(Event::WaitOver));
                self.inner.borrow_mut().wait = Some(timer);
            }
            Effect::ClosePopup => self.inner.borrow_mut().release_popup(),
            Effect::Send { purpose, request } => {
                let pending = self.send(request);
                self.spawn(async move { answer(Event::response(purpose, pending.await)) });
            }
            Effect::FetchJwks {
                request,
                bypass_cache,
            } => {
                let pending = self.jwks(request, bypass_cache);
                self.spawn(async move { answer(Event::JwksResponse(pending.await)) });
            }
            Effect::PrefetchJwks { request } => {
                // Nothing waits for this: a failure leaves no cache entry and the flow's
                // own request (FetchJwks) reports it.
                let pending = self.jwks(request, false);
                wasm_bindgen_futures::spawn_local(async move {
                    pending.await.ok();
                });
            }
            Effect::VerifySignature {
                key,
                message,
                signature,
            } => self.spawn(async move {
                // A WebCrypto failure verifies nothing (and says why on the console).
                let valid =
                    match crypto::verify_rs256(&key, message.secret(), signature.secret()).await {
                        Ok(valid) => valid,
                        Err(why) => {
                            crate::browser::warn(&format!(
                                "WebCrypto could not verify the ID token: {why}"
                            ));
                            false
                        }
                    };
                answer(Event::SignatureChecked(valid))
            }),
        }
    }

    /// A gloo timer that feeds `input()` after `seconds`, unless disposed meanwhile
    /// (dropping the handle clears it).
    fn timer(&self, seconds: u64, input: impl FnOnce() -> Input + 'static) -> Timeout {
        let weak = self.weak();
        let millis = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
        Timeout::new(millis, move || {
            if let Some(runner) = Runner::from_weak(&weak) {
                runner.dispatch(input());
            }
        })
    }

    /// The one origin a login's answer may come from (the session's options).
    fn message_origin(&self) -> String {
        let inner = self.inner.borrow();
        inner.session.config().response_message_origin().to_owned()
    }

    /// The hidden frame of the sign-in ahead of the click: its answer from exactly the
    /// tenant's origin and the frame's window, or a time-out, or the page's policy
    /// refusing it, whichever comes first; then the frame goes.
    fn open_frame(
        &self,
        answer: impl Fn(Event) -> Input + Copy + 'static,
        url: &str,
        seconds: u64,
    ) {
        let settle = {
            let weak = self.weak();
            move |event: Event| {
                if let Some(runner) = Runner::from_weak(&weak) {
                    let taken = runner.inner.borrow_mut().frame.take();
                    if taken.is_some() {
                        drop(taken);
                        runner.dispatch(answer(event));
                    }
                }
            }
        };
        let refused = settle.clone();
        let Some(frame) = Frame::open(url, move || refused(Event::PopupBlocked)) else {
            self.dispatch(answer(Event::PopupBlocked));
            return;
        };
        let answered = settle.clone();
        let origin = self.message_origin();
        let listener = MessageListener::new(origin, frame.window_value(), move |response| {
            answered(Event::Callback(response))
        });
        let millis = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
        let timeout = Timeout::new(millis, move || settle(Event::TimedOut));
        self.inner.borrow_mut().frame = Some((frame, listener, timeout));
    }

    /// Opens (or points the pre-opened) popup at `url`, then listens for its answer: from
    /// the tenant's origin for `web_message`, from this page's origin for the `query`
    /// callback page — and only from the popup's window.
    fn open_popup(&self, generation: u32, url: &str) {
        let answer = move |event: Event| Input::Attempt(generation, event);
        let preopened = self.inner.borrow_mut().popup.take();
        let popup = match preopened {
            // Opened blank in the click, and blank it waits (the sign-in ahead answers).
            Some(p) if !p.is_closed() && url == BLANK => Some(p),
            Some(p) if !p.is_closed() => match p.navigate(url) {
                Ok(()) => Some(p),
                Err(_) => None,
            },
            Some(_) => {
                self.dispatch(answer(Event::PopupClosed(None)));
                return;
            }
            None => Popup::open(url),
        };
        let Some(popup) = popup else {
            self.dispatch(answer(Event::PopupBlocked));
            return;
        };
        let expected_origin = self.message_origin();
        let weak = self.weak();
        let listener =
            MessageListener::new(expected_origin, popup.window_value(), move |response| {
                if let Some(runner) = Runner::from_weak(&weak) {
                    runner.dispatch(answer(Event::Callback(response)));
                }
            });
        let weak = self.weak();
        let poll = Interval::new(CLOSED_POLL_MS, move || {
            let Some(runner) = Runner::from_weak(&weak) else {
                return;
            };
            // Closed, with this page's opener policy: what tells a window the user closed
            // from one the policy cut off.
            let gone = runner.inner.borrow().popup.as_ref().map(Popup::gone);
            if let Some(Some(policy)) = gone {
                runner.dispatch(answer(Event::PopupClosed(Some(policy))));
            }
        });
        let mut inner = self.inner.borrow_mut();
        inner.popup = Some(popup);
        inner.listener = Some(listener);
        inner.closed_poll = Some(poll);
    }
}

/// The authorization response in this page's URL, when it answers the login this tab has
/// pending (the core decides: [`redirect_response`]). Taken: the transaction leaves
/// sessionStorage, the response leaves the URL (and the history entry); the host's own
/// query parameters, fragment and history state stay.
fn take_redirect_return(client_id: &str) -> Option<RedirectReturn> {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let stored = storage::peek_transaction(client_id);
    let callback = redirect_response(&search, stored.as_deref())?;
    let persisted = storage::take_transaction(client_id).map(PersistedTransaction::new);
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
    Some(RedirectReturn {
        persisted,
        callback,
    })
}

/// `getAccessToken`'s answer, raced against the request timeout: a host whose token
/// source hangs (a `getTokenSilently` waiting on a lost iframe) gets `timeout`, not a
/// widget stuck on "Getting ready…".
async fn primary_token(pending: TokenFuture, seconds: u64) -> Result<AccessToken, TokenFailure> {
    let millis = u32::try_from(seconds.saturating_mul(1000)).unwrap_or(u32::MAX);
    match select(pending, TimeoutFuture::new(millis)).await {
        Either::Left((answer, _)) => answer.map(AccessToken::new).map_err(TokenFailure::Threw),
        Either::Right(_) => Err(TokenFailure::TimedOut(seconds)),
    }
}

/// Lists identities or unlinks one (headless): get the token, send one request, read the
/// answer. Only a token for the primary user this tab remembered is used
/// (`user_mismatch` otherwise). Resolves to the identities.
pub async fn identity_op(
    config: LinkConfig,
    kind: IdentityOpKind,
    token: TokenSource,
) -> Result<Vec<Identity>, LinkError> {
    let mut env = BrowserEnv::default();
    let timeout = config.request_timeout_seconds();
    let pinned = storage::remembered_pin(config.client_id());
    let facts = Facts {
        pin: pinned.as_deref(),
        ..Facts::default()
    };
    let (mut op, mut effect) = IdentityOp::new(config, kind);
    loop {
        let event = match effect {
            IdentityOpEffect::GetPrimaryToken => {
                IdentityOpEvent::PrimaryToken(primary_token(token.emit(()), timeout).await)
            }
            IdentityOpEffect::Send(request) => {
                IdentityOpEvent::Response(http::send(&request, timeout, None).await)
            }
        };
        match op.step(&facts, event, &mut env) {
            Some(OpStep::Effect(next)) => effect = next,
            Some(OpStep::Done { result, .. }) => return result,
            None => {
                return Err(LinkError::new(
                    auth0_account_link_core::error::ErrorCode::UnexpectedResponse,
                    "the identity operation stopped without an answer",
                ))
            }
        }
    }
}
