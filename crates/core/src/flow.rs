//! The link flow as a state machine: `step(flow, event) -> (flow, effects)`. It never
//! awaits; the host runs the effects (open the popup, send a request, verify a signature
//! with WebCrypto, ask the user) and feeds the results back as events. Events that do not
//! fit the current state (late, duplicate, after the end) are ignored.

use crate::config::{LinkConfig, ResponseMode};
use crate::env::Env;
use crate::error::{ErrorCode, IdTokenReason, LinkError};
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::id_token::{self, Expectations, PendingSignature, SecondaryProfile, VerifiedIdToken};
use crate::jwt::RsaPublicJwk;
use crate::management::{self, Identity, IdentityRef};
use crate::primary::{PrimaryToken, Purpose};
use crate::secret::{AccessToken, IdToken, Nonce};
use crate::token;
use crate::transaction::{CallbackResponse, Transaction, TransactionDraft};

/// How the secondary login is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Popup,
    /// Full-page redirect (the fallback when the popup is blocked).
    Redirect,
}

/// `Debug` redacts what may be secret: the primary token, the persisted transaction
/// (state, nonce, verifier), the callback's code and state, response bodies.
pub enum Event {
    /// Begin (or begin again): check the primary token, then prepare PKCE material so the
    /// popup can open synchronously on the click. `confirm`: ask before linking.
    Prepare {
        known_identities: Option<Vec<Identity>>,
        confirm: bool,
    },
    /// Result of `getAccessToken`.
    PrimaryToken(Result<String, TokenFailure>),
    /// SHA-256 of the requested input.
    Sha256(Result<[u8; 32], String>),
    /// The user clicked: open the popup (or navigate, for the fallback), optionally for one
    /// connection (`connection=` on `/authorize`).
    Start {
        via: Via,
        connection: Option<String>,
    },
    PopupBlocked,
    /// The login window reports closed. With the host page's own
    /// `Cross-Origin-Opener-Policy` header (read after the close; `None` when unknown):
    /// `same-origin` cuts off every window the page opens on another origin, so the window
    /// reads as closed at once and can never answer.
    PopupClosed(Option<String>),
    TimedOut,
    /// An authorization response (web_message from the popup, or the callback page's query).
    Callback(CallbackResponse),
    /// Redirect mode, back on the page: the stored transaction (if any) and the callback.
    Resume {
        persisted: Option<String>,
        callback: CallbackResponse,
        confirm: bool,
    },
    TokenResponse(Result<HttpResponse, TransportError>),
    JwksResponse(Result<HttpResponse, TransportError>),
    SignatureChecked(bool),
    Confirm(bool),
    LinkResponse(Result<HttpResponse, TransportError>),
    /// The identities read again after an ambiguous link answer.
    RecheckResponse(Result<HttpResponse, TransportError>),
    /// The secondary login's own user (with its `read:current_user` token).
    SecondaryUserResponse(Result<HttpResponse, TransportError>),
    /// A [`Effect::Wait`] is over.
    WaitOver,
    Cancel,
    Retry,
}

/// Why `getAccessToken` gave no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFailure {
    /// It threw or rejected (the text of what it threw), or resolved to no string.
    Threw(String),
    /// It did not settle within the request timeout (seconds).
    TimedOut(u64),
}

impl From<String> for TokenFailure {
    fn from(why: String) -> Self {
        TokenFailure::Threw(why)
    }
}

impl From<&str> for TokenFailure {
    fn from(why: &str) -> Self {
        TokenFailure::Threw(why.to_owned())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestPurpose {
    TokenExchange,
    Link,
    /// The identities, read again after an ambiguous link answer.
    Recheck,
    /// The secondary login's own user: does it have other logins?
    SecondaryUser,
}

impl Event {
    /// The event that carries the answer to a request sent for `purpose`: the one mapping
    /// every host (the browser runner, the test driver) uses.
    pub fn response(
        purpose: RequestPurpose,
        result: Result<HttpResponse, TransportError>,
    ) -> Event {
        match purpose {
            RequestPurpose::TokenExchange => Event::TokenResponse(result),
            RequestPurpose::Link => Event::LinkResponse(result),
            RequestPurpose::Recheck => Event::RecheckResponse(result),
            RequestPurpose::SecondaryUser => Event::SecondaryUserResponse(result),
        }
    }
}

/// `Debug` redacts what may be secret: the hash input (the PKCE verifier), the URL query
/// (state, nonce), the persisted transaction, request bodies, the signed bytes.
pub enum Effect {
    GetPrimaryToken,
    ComputeSha256(Vec<u8>),
    /// Must run synchronously in the click handler that sent `Start(Popup)`.
    OpenPopup {
        url: String,
    },
    Navigate {
        url: String,
    },
    /// sessionStorage, redirect mode only; deleted with `ClearPersistedTransaction`.
    PersistTransaction(String),
    ClearPersistedTransaction,
    StartTimer {
        seconds: u64,
    },
    CancelTimer,
    ClosePopup,
    Send {
        purpose: RequestPurpose,
        request: HttpRequest,
    },
    /// While the user signs in, fetch the keys the ID token will be checked against into
    /// the host's cache. Nothing waits for it.
    PrefetchJwks {
        request: HttpRequest,
    },
    /// The JWKS; the host may answer from its per-tenant cache unless `bypass_cache`.
    FetchJwks {
        request: HttpRequest,
        bypass_cache: bool,
    },
    VerifySignature {
        key: RsaPublicJwk,
        message: Vec<u8>,
        signature: Vec<u8>,
    },
    AskConfirm(SecondaryProfile),
    Notify(Outcome),
    /// Answer [`Event::WaitOver`] after this many seconds.
    Wait {
        seconds: u64,
    },
}

/// After an ambiguous link answer, the identities are read at once, then again after each
/// of these delays, before the widget says it could not confirm the link.
pub const RECHECK_DELAYS_SECONDS: [u64; 2] = [2, 5];

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Event as E;
        match self {
            E::Prepare {
                known_identities,
                confirm,
            } => f
                .debug_struct("Prepare")
                .field("known_identities", known_identities)
                .field("confirm", confirm)
                .finish(),
            E::PrimaryToken(Ok(_)) => f.write_str("PrimaryToken(Ok([redacted]))"),
            E::PrimaryToken(Err(why)) => f
                .debug_tuple("PrimaryToken")
                .field(&Err::<(), _>(why))
                .finish(),
            E::Sha256(Ok(_)) => f.write_str("Sha256(Ok([redacted]))"),
            E::Sha256(Err(why)) => f.debug_tuple("Sha256").field(&Err::<(), _>(why)).finish(),
            E::Start { via, connection } => f
                .debug_struct("Start")
                .field("via", via)
                .field("connection", connection)
                .finish(),
            E::PopupBlocked => f.write_str("PopupBlocked"),
            E::PopupClosed(policy) => f.debug_tuple("PopupClosed").field(policy).finish(),
            E::TimedOut => f.write_str("TimedOut"),
            E::Callback(c) => f.debug_tuple("Callback").field(c).finish(),
            E::Resume {
                persisted,
                callback,
                confirm,
            } => f
                .debug_struct("Resume")
                .field("persisted", &persisted.as_ref().map(|_| "[redacted]"))
                .field("callback", callback)
                .field("confirm", confirm)
                .finish(),
            E::TokenResponse(r) => f.debug_tuple("TokenResponse").field(r).finish(),
            E::JwksResponse(r) => f.debug_tuple("JwksResponse").field(r).finish(),
            E::SignatureChecked(v) => f.debug_tuple("SignatureChecked").field(v).finish(),
            E::Confirm(v) => f.debug_tuple("Confirm").field(v).finish(),
            E::LinkResponse(r) => f.debug_tuple("LinkResponse").field(r).finish(),
            E::RecheckResponse(r) => f.debug_tuple("RecheckResponse").field(r).finish(),
            E::SecondaryUserResponse(r) => f.debug_tuple("SecondaryUserResponse").field(r).finish(),
            E::WaitOver => f.write_str("WaitOver"),
            E::Cancel => f.write_str("Cancel"),
            E::Retry => f.write_str("Retry"),
        }
    }
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::http::UrlWithoutQuery;
        match self {
            Effect::GetPrimaryToken => f.write_str("GetPrimaryToken"),
            Effect::ComputeSha256(input) => write!(f, "ComputeSha256([{} bytes])", input.len()),
            Effect::OpenPopup { url } => f
                .debug_struct("OpenPopup")
                .field("url", &UrlWithoutQuery(url))
                .finish(),
            Effect::Navigate { url } => f
                .debug_struct("Navigate")
                .field("url", &UrlWithoutQuery(url))
                .finish(),
            Effect::PersistTransaction(_) => f.write_str("PersistTransaction([redacted])"),
            Effect::ClearPersistedTransaction => f.write_str("ClearPersistedTransaction"),
            Effect::StartTimer { seconds } => f
                .debug_struct("StartTimer")
                .field("seconds", seconds)
                .finish(),
            Effect::CancelTimer => f.write_str("CancelTimer"),
            Effect::ClosePopup => f.write_str("ClosePopup"),
            Effect::Send { purpose, request } => f
                .debug_struct("Send")
                .field("purpose", purpose)
                .field("request", request)
                .finish(),
            Effect::FetchJwks {
                request,
                bypass_cache,
            } => f
                .debug_struct("FetchJwks")
                .field("request", request)
                .field("bypass_cache", bypass_cache)
                .finish(),
            Effect::PrefetchJwks { request } => f
                .debug_struct("PrefetchJwks")
                .field("request", request)
                .finish(),
            Effect::VerifySignature { key, .. } => f
                .debug_struct("VerifySignature")
                .field("key", key)
                .finish_non_exhaustive(),
            Effect::AskConfirm(p) => f.debug_tuple("AskConfirm").field(p).finish(),
            Effect::Notify(o) => f.debug_tuple("Notify").field(o).finish(),
            Effect::Wait { seconds } => f.debug_struct("Wait").field("seconds", seconds).finish(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Ready for the user's click.
    Ready,
    Linked(Vec<Identity>),
    Failed(LinkError),
    Cancelled,
    /// Sent just before a `Failed` or `Cancelled` that follows a completed secondary
    /// login: the tenant's session now belongs to the secondary account (Auth0 keeps one
    /// user per browser session), though nothing was linked. The host should sign its
    /// user in again, or out.
    SessionChanged,
}

/// Where a session is, as the view shows it (`data-status`). The one type that tells the
/// view the flow's position.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Position {
    #[default]
    Idle,
    Preparing,
    Ready,
    PopupBlocked,
    AwaitingLogin,
    Verifying,
    /// The user is asked "Link this account?" about this verified secondary.
    Confirming(SecondaryProfile),
    Linking,
    Linked,
    Failed,
    Cancelled,
}

impl Position {
    /// The stable `data-status` name (hosts and tests select on it).
    pub fn name(&self) -> &'static str {
        match self {
            Position::Idle => "idle",
            Position::Preparing => "preparing",
            Position::Ready => "ready",
            Position::PopupBlocked => "popup_blocked",
            Position::AwaitingLogin => "awaiting_login",
            Position::Verifying => "verifying",
            Position::Confirming(_) => "confirming",
            Position::Linking => "linking",
            Position::Linked => "linked",
            Position::Failed => "failed",
            Position::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug)]
enum State {
    Idle,
    /// The primary token's pre-flight and the PKCE hash run side by side; Ready when both
    /// are in.
    Preparing {
        draft: TransactionDraft,
        token_checked: bool,
        digest: Option<[u8; 32]>,
    },
    Ready(Transaction),
    Blocked(Transaction, LinkError),
    AwaitingCallback(Transaction, Via),
    Exchanging(Nonce),
    LoadingJwks {
        id_token: IdToken,
        nonce: Nonce,
        refreshed: bool,
    },
    CheckingSignature(Box<PendingSignature>, Nonce),
    /// The secondary's own user is read: an existing user with other logins is merged
    /// whole by a link, so it is refused (or, when the host allows it, shown as a merge).
    ReadingSecondary(VerifiedIdToken),
    Confirming(VerifiedIdToken),
    GettingLinkToken(VerifiedIdToken),
    /// The link request is out; the secondary's `sub` and the token it was sent with
    /// (to read the identities again if the answer is ambiguous).
    Linking {
        sub: String,
        token: PrimaryToken,
    },
    /// The link's answer could not tell whether it linked (time-out, network, 5xx, an
    /// unreadable 2xx): the identities are read again before anything is reported.
    Rechecking {
        sub: String,
        error: LinkError,
        token: PrimaryToken,
        /// Re-reads already made (the first is immediate; then after each of
        /// [`RECHECK_DELAYS_SECONDS`]).
        reads: usize,
    },
    /// Waiting before reading the identities again: an answer that timed out may still
    /// be applied by the server.
    WaitingToRecheck {
        sub: String,
        error: LinkError,
        token: PrimaryToken,
        reads: usize,
    },
    Linked,
    Failed(LinkError),
    Cancelled,
}

impl State {
    /// Nothing of the attempt is under way: no popup, request or question is out.
    fn is_resting(&self) -> bool {
        matches!(
            self,
            State::Idle
                | State::Ready(_)
                | State::Blocked(..)
                | State::Linked
                | State::Failed(_)
                | State::Cancelled
        )
    }
}

/// The primary token for the link request, asked for early when nobody has to confirm:
/// `getAccessToken` then runs while the code is exchanged and the ID token verified,
/// instead of after.
#[derive(Debug)]
enum LinkToken {
    NotAsked,
    Pending,
    Got(Result<AccessToken, TokenFailure>),
}

/// One link attempt after another: prepare, log the secondary in, verify, confirm, link.
/// The [`crate::session::Session`] drives it; the identity list, the host's questions
/// and what the user is told are the session's.
#[derive(Debug)]
pub struct LinkFlow {
    /// The configuration of the current attempt: an attempt in flight finishes with the
    /// settings it started with (the token request repeats the authorize request's
    /// `redirect_uri`); a new one is taken between attempts ([`LinkFlow::reconfigure`]).
    config: LinkConfig,
    state: State,
    connection: Option<String>,
    known: Option<Vec<Identity>>,
    confirm: bool,
    primary_user_id: Option<String>,
    link_token: LinkToken,
    /// The secondary login's Management API token (`read:current_user`), until its own
    /// user has been read. Never sent anywhere else, never kept.
    secondary_token: Option<AccessToken>,
    /// A login was started (or resumed) since the last prepare: its PKCE material is used.
    attempted: bool,
    /// An authorization code came back: the secondary account signed in at the tenant.
    secondary_signed_in: bool,
}

type Step = (State, Vec<Effect>);

impl LinkFlow {
    pub fn new(config: LinkConfig) -> Self {
        LinkFlow {
            config,
            state: State::Idle,
            connection: None,
            known: None,
            confirm: true,
            primary_user_id: None,
            link_token: LinkToken::NotAsked,
            secondary_token: None,
            attempted: false,
            secondary_signed_in: false,
        }
    }

    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// Where the attempt is, as the view shows it.
    pub fn position(&self) -> Position {
        match &self.state {
            State::Idle => Position::Idle,
            State::Preparing { .. } => Position::Preparing,
            State::Ready(_) => Position::Ready,
            State::Blocked(..) => Position::PopupBlocked,
            State::AwaitingCallback(..) => Position::AwaitingLogin,
            State::Exchanging(_)
            | State::LoadingJwks { .. }
            | State::CheckingSignature(..)
            | State::ReadingSecondary(_) => Position::Verifying,
            State::Confirming(v) => Position::Confirming(v.profile().clone()),
            State::GettingLinkToken(_)
            | State::Linking { .. }
            | State::Rechecking { .. }
            | State::WaitingToRecheck { .. } => Position::Linking,
            State::Linked => Position::Linked,
            State::Failed(_) => Position::Failed,
            State::Cancelled => Position::Cancelled,
        }
    }

    /// The error the attempt ended with (or the blocked popup's).
    pub fn failure(&self) -> Option<&LinkError> {
        match &self.state {
            State::Failed(e) | State::Blocked(_, e) => Some(e),
            _ => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(
            self.state,
            State::Linked | State::Failed(_) | State::Cancelled
        )
    }

    /// Nothing of the attempt is under way (no popup, request or question out).
    pub fn is_resting(&self) -> bool {
        self.state.is_resting()
    }

    /// Takes a new configuration for the attempts to come. Refused (`false`) while an
    /// attempt is in flight: it finishes with the settings it started with.
    pub fn reconfigure(&mut self, config: LinkConfig) -> bool {
        if !self.state.is_resting() {
            return false;
        }
        self.config = config;
        true
    }

    /// Whether the host should send `Prepare` again: an attempt that started a login
    /// (or resumed one) has ended, so its state, nonce and verifier are spent. Not after
    /// a failure while preparing (preparing again would fail again: the user retries),
    /// nor after a blocked popup (its attempt waits for "continue in this tab").
    pub fn needs_fresh_attempt(&self) -> bool {
        self.attempted && self.is_finished()
    }

    /// The connection of the current (or last) attempt.
    pub fn connection(&self) -> Option<&str> {
        self.connection.as_deref()
    }

    /// Advances the flow by one event.
    pub fn step<E: Env>(&mut self, event: Event, env: &mut E) -> Vec<Effect> {
        let state = std::mem::replace(&mut self.state, State::Idle);
        let (state, mut effects) = self.transition(state, event, env);
        self.state = state;
        self.report_session_change(&mut effects);
        effects
    }

    /// After a secondary login, an end without a link changes who the tenant's session
    /// belongs to: say so once, before the outcome.
    fn report_session_change(&mut self, effects: &mut Vec<Effect>) {
        let ended = effects.iter().position(|e| {
            matches!(
                e,
                Effect::Notify(Outcome::Failed(_) | Outcome::Cancelled | Outcome::Linked(_))
            )
        });
        let Some(at) = ended else {
            return;
        };
        let linked = matches!(effects[at], Effect::Notify(Outcome::Linked(_)));
        if std::mem::take(&mut self.secondary_signed_in) && !linked {
            effects.insert(at, Effect::Notify(Outcome::SessionChanged));
        }
    }

    fn fail(&self, error: LinkError, mut effects: Vec<Effect>) -> Step {
        effects.push(Effect::Notify(Outcome::Failed(error.clone())));
        (State::Failed(error), effects)
    }

    fn begin<E: Env>(&mut self, known: Option<Vec<Identity>>, confirm: bool, env: &mut E) -> Step {
        self.known = known;
        self.confirm = confirm;
        self.attempted = false;
        let draft = TransactionDraft::new(&mut RandomOf(env));
        let input = draft.digest_input().to_vec();
        (
            State::Preparing {
                draft,
                token_checked: false,
                digest: None,
            },
            vec![Effect::GetPrimaryToken, Effect::ComputeSha256(input)],
        )
    }

    /// Ready once the token passed its pre-flight and the hash is in; else keep waiting.
    fn prepared(draft: TransactionDraft, token_checked: bool, digest: Option<[u8; 32]>) -> Step {
        match digest {
            Some(digest) if token_checked => (
                State::Ready(draft.finish(digest)),
                vec![Effect::Notify(Outcome::Ready)],
            ),
            _ => (
                State::Preparing {
                    draft,
                    token_checked,
                    digest,
                },
                vec![],
            ),
        }
    }

    /// The transition, by the state the attempt is in. Anything an arm does not take is
    /// late, duplicate or out of order, and is ignored.
    fn transition<E: Env>(&mut self, state: State, event: Event, env: &mut E) -> Step {
        match (state, event) {
            (state, Event::Cancel) => self.cancel(state),
            (
                state,
                Event::Prepare {
                    known_identities,
                    confirm,
                },
            ) if state.is_resting() => self.begin(known_identities, confirm, env),
            (State::Failed(_) | State::Cancelled | State::Blocked(..), Event::Retry) => {
                let (known, confirm) = (self.known.clone(), self.confirm);
                self.begin(known, confirm, env)
            }
            (
                State::Idle,
                Event::Resume {
                    persisted,
                    callback,
                    confirm,
                },
            ) => self.resume(persisted, callback, confirm, env.now()),
            (
                State::Preparing {
                    draft,
                    token_checked,
                    digest,
                },
                event,
            ) => self.preparing(draft, token_checked, digest, event, env),
            (State::Ready(txn), Event::Start { via, connection }) => {
                self.start(txn, via, connection, env.now())
            }
            (
                State::Blocked(txn, _),
                Event::Start {
                    via: Via::Redirect,
                    connection,
                },
            ) => self.start(txn, Via::Redirect, connection, env.now()),
            (State::AwaitingCallback(txn, via), event) => self.awaiting(txn, via, event),
            (
                state @ (State::Exchanging(_)
                | State::LoadingJwks { .. }
                | State::CheckingSignature(..)
                | State::ReadingSecondary(_)),
                event,
            ) => self.verifying(state, event, env),
            (State::Confirming(verified), Event::Confirm(true)) => (
                State::GettingLinkToken(verified),
                vec![Effect::GetPrimaryToken],
            ),
            (State::Confirming(_), Event::Confirm(false)) => {
                (State::Cancelled, vec![Effect::Notify(Outcome::Cancelled)])
            }
            (State::GettingLinkToken(verified), Event::PrimaryToken(result)) => {
                self.link_token = LinkToken::NotAsked;
                self.link(verified, result, env)
            }
            (State::Linking { sub, token }, Event::LinkResponse(result)) => {
                self.link_answered(sub, token, result, env)
            }
            (
                State::WaitingToRecheck {
                    sub,
                    error,
                    token,
                    reads,
                },
                Event::WaitOver,
            ) => self.recheck(sub, error, token, reads),
            (
                State::Rechecking {
                    sub,
                    error,
                    token,
                    reads,
                },
                Event::RecheckResponse(result),
            ) => self.rechecked(sub, error, token, reads, result, env),
            (state, _) => (state, vec![]),
        }
    }

    fn cancel(&self, state: State) -> Step {
        match state {
            State::Idle | State::Linked | State::Failed(_) | State::Cancelled => (state, vec![]),
            State::AwaitingCallback(_, via) => {
                let mut effects = vec![Effect::CancelTimer, Effect::ClosePopup];
                if via == Via::Redirect {
                    effects.push(Effect::ClearPersistedTransaction);
                }
                effects.push(Effect::Notify(Outcome::Cancelled));
                (State::Cancelled, effects)
            }
            _ => (State::Cancelled, vec![Effect::Notify(Outcome::Cancelled)]),
        }
    }

    fn preparing<E: Env>(
        &mut self,
        draft: TransactionDraft,
        token_checked: bool,
        digest: Option<[u8; 32]>,
        event: Event,
        env: &mut E,
    ) -> Step {
        match event {
            Event::PrimaryToken(result) => match self.check_token(result, env) {
                Err(e) => self.fail(e, vec![]),
                Ok(token) => {
                    self.pin_primary_user(token.user_id());
                    Self::prepared(draft, true, digest)
                }
            },
            Event::Sha256(Ok(digest)) => Self::prepared(draft, token_checked, Some(digest)),
            Event::Sha256(Err(why)) => self.fail(
                LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!("SHA-256 is unavailable in this environment ({why})"),
                ),
                vec![],
            ),
            _ => (
                State::Preparing {
                    draft,
                    token_checked,
                    digest,
                },
                vec![],
            ),
        }
    }

    /// The user clicked: the popup opens on the authorize URL, or this tab navigates to
    /// it (the redirect fallback, which keeps the connection of a blocked attempt).
    fn start(&mut self, txn: Transaction, via: Via, connection: Option<String>, now: u64) -> Step {
        let connection = match via {
            Via::Popup => connection,
            Via::Redirect => connection.or_else(|| txn.connection().map(str::to_owned)),
        };
        let txn = match self.choose_connection(txn, connection) {
            Ok(t) => t,
            Err(e) => return self.fail(e, vec![]),
        };
        if via == Via::Popup {
            self.attempted = true;
            let url = txn.authorize_url(&self.config, self.config.response_mode());
            let seconds = self.config.popup_timeout_seconds();
            return (
                State::AwaitingCallback(txn, Via::Popup),
                vec![
                    Effect::StartTimer { seconds },
                    Effect::OpenPopup { url },
                    Effect::PrefetchJwks {
                        request: token::prepare_jwks_request(&self.config),
                    },
                ],
            );
        }
        if self.config.redirect_fallback_uri().is_none() {
            let e = LinkError::config("redirectUri", "is needed to continue in this tab", "set redirectUri to a page that calls the widget's resume on load, registered in Allowed Callback URLs");
            return self.fail(e, vec![]);
        }
        self.attempted = true;
        let url = txn.authorize_url(&self.config, ResponseMode::Query);
        let txn = txn
            .with_primary_user(self.primary_user_id.clone())
            .started(now);
        let persisted = txn.persist();
        (
            State::AwaitingCallback(txn, Via::Redirect),
            vec![
                Effect::PersistTransaction(persisted),
                Effect::Navigate { url },
            ],
        )
    }

    fn awaiting(&mut self, txn: Transaction, via: Via, event: Event) -> Step {
        match (via, event) {
            (Via::Popup, Event::PopupBlocked) => blocked(
                txn,
                LinkError::new(
                    ErrorCode::PopupBlocked,
                    "window.open returned null: the browser blocked the popup; offer redirect mode",
                ),
            ),
            (Via::Popup, Event::PopupClosed(Some(policy))) if severs_popups(&policy) => blocked(
                txn,
                LinkError::new(
                    ErrorCode::PopupBlocked,
                    "Cross-Origin-Opener-Policy: same-origin on this page cuts the login window off; \
                     send same-origin-allow-popups, or continue in this tab",
                )
                .cut_off_by_opener_policy(),
            ),
            (Via::Popup, Event::PopupClosed(_)) => self.fail(
                LinkError::new(
                    ErrorCode::PopupClosed,
                    "the popup was closed before an authorization response arrived",
                ),
                vec![Effect::CancelTimer],
            ),
            (Via::Popup, Event::TimedOut) => {
                let e = LinkError::new(
                    ErrorCode::Timeout,
                    format!(
                        "no authorization response within {} s",
                        self.config.popup_timeout_seconds()
                    ),
                );
                self.fail(e, vec![Effect::ClosePopup])
            }
            (via, Event::Callback(response)) => {
                let mut effects = vec![Effect::CancelTimer, Effect::ClosePopup];
                if via == Via::Redirect {
                    effects.push(Effect::ClearPersistedTransaction);
                }
                self.exchange(txn, response, effects)
            }
            (via, _) => (State::AwaitingCallback(txn, via), vec![]),
        }
    }

    /// Redirect mode, back on the page: the transaction the login left, and its answer.
    fn resume(
        &mut self,
        persisted: Option<String>,
        callback: CallbackResponse,
        confirm: bool,
        now: u64,
    ) -> Step {
        let effects = vec![Effect::ClearPersistedTransaction];
        self.attempted = true;
        // A code came back: the secondary signed in at the tenant, whether or not this tab
        // still has (or may still use) the transaction.
        self.secondary_signed_in = callback.code.is_some();
        let restored = persisted
            .as_deref()
            .map(|p| Transaction::restore(p).and_then(|t| t.check_age(now).map(|()| t)));
        match restored {
            None => self.fail(LinkError::new(ErrorCode::StateMismatch, "an authorization response arrived but no login is pending in this tab; it was dropped"), effects),
            Some(Err(e)) => self.fail(e, effects),
            Some(Ok(txn)) => {
                // The page the login left acted for this user: so does this one.
                if let Some(user) = txn.primary_user_id() {
                    self.pin_primary_user(user);
                }
                self.connection = txn.connection().map(str::to_owned);
                self.confirm = confirm;
                self.exchange(txn, callback, effects)
            }
        }
    }

    /// From the code to a verified ID token: the token response, the JWKS (refreshed
    /// once on an unknown `kid`), the signature; the early link token meanwhile.
    fn verifying<E: Env>(&mut self, state: State, event: Event, env: &mut E) -> Step {
        match (state, event) {
            (State::Exchanging(nonce), Event::TokenResponse(result)) => {
                let outcome = result
                    .map_err(|e| management::transport_error(&e, "POST /oauth/token"))
                    .and_then(|r| token::process_token_answer(env.json(), &r));
                match outcome {
                    Err(e) => self.fail(e, vec![]),
                    Ok(token::TokenAnswer {
                        id_token,
                        access_token,
                    }) => {
                        self.secondary_token = access_token;
                        (
                            State::LoadingJwks {
                                id_token,
                                nonce,
                                refreshed: false,
                            },
                            vec![self.fetch_jwks(false)],
                        )
                    }
                }
            }
            (
                State::LoadingJwks {
                    id_token,
                    nonce,
                    refreshed,
                },
                Event::JwksResponse(result),
            ) => self.keys_loaded(id_token, nonce, refreshed, result, env),
            // The early link token (no confirm step): kept until the ID token is verified.
            (state, Event::PrimaryToken(result))
                if matches!(self.link_token, LinkToken::Pending) =>
            {
                self.link_token = LinkToken::Got(result.map(AccessToken::new));
                (state, vec![])
            }
            (State::CheckingSignature(pending, nonce), Event::SignatureChecked(valid)) => {
                self.signature_checked(*pending, nonce, valid, env)
            }
            (State::ReadingSecondary(verified), Event::SecondaryUserResponse(result)) => {
                self.secondary_read(verified, result, env)
            }
            (state, _) => (state, vec![]),
        }
    }

    fn fetch_jwks(&self, bypass_cache: bool) -> Effect {
        Effect::FetchJwks {
            request: token::prepare_jwks_request(&self.config),
            bypass_cache,
        }
    }

    fn keys_loaded<E: Env>(
        &mut self,
        id_token: IdToken,
        nonce: Nonce,
        refreshed: bool,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Step {
        let jwks = match result
            .map_err(|e| management::transport_error(&e, "GET /.well-known/jwks.json"))
            .and_then(|r| token::process_jwks_response(env.json(), &r))
        {
            Ok(j) => j,
            Err(e) => return self.fail(e, vec![]),
        };
        match id_token::begin(env.json(), id_token.clone(), &jwks) {
            // An unknown kid may mean the tenant rotated keys: refresh the set once.
            Err(e) if e.reason() == Some(IdTokenReason::KeyNotFound) && !refreshed => (
                State::LoadingJwks {
                    id_token,
                    nonce,
                    refreshed: true,
                },
                vec![self.fetch_jwks(true)],
            ),
            Err(e) => self.fail(e, vec![]),
            Ok(pending) => {
                let effect = Effect::VerifySignature {
                    key: pending.key().clone(),
                    message: pending.signing_input().to_vec(),
                    signature: pending.signature().to_vec(),
                };
                (
                    State::CheckingSignature(Box::new(pending), nonce),
                    vec![effect],
                )
            }
        }
    }

    fn signature_checked<E: Env>(
        &mut self,
        pending: PendingSignature,
        nonce: Nonce,
        valid: bool,
        env: &mut E,
    ) -> Step {
        let expect = Expectations {
            config: &self.config,
            nonce: &nonce,
            now: env.now(),
        };
        match pending.finish(valid, expect).and_then(|v| self.precheck(v)) {
            Err(e) => self.fail(e, vec![]),
            Ok(verified) => match self.secondary_token.take() {
                Some(token) => {
                    let request =
                        management::prepare_get_secondary_user(&self.config, verified.sub(), &token);
                    (
                        State::ReadingSecondary(verified),
                        vec![Effect::Send {
                            purpose: RequestPurpose::SecondaryUser,
                            request,
                        }],
                    )
                }
                // Fail closed: without the read, a merge of a whole user cannot be ruled out.
                None => self.fail(LinkError::new(ErrorCode::TokenExchangeFailed, format!("the secondary login returned no access token for {} (read:current_user), which tells whether the account is an existing user with other logins; check the application may request it (Application Access Policy → User-Delegated Access)", self.config.management_audience())), vec![]),
            },
        }
    }

    /// The secondary's own user: one login is a plain link; more are a whole user that a
    /// link would merge into the primary (its logins move; its profile, metadata and the
    /// host's records under its id do not). Refused unless the host allows merging and
    /// someone is asked (the user's merge screen, or the host's confirm or beforeLink).
    fn secondary_read<E: Env>(
        &mut self,
        verified: VerifiedIdToken,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Step {
        let user = match result
            .map_err(|e| management::transport_error(&e, "GET /api/v2/users/{secondary}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()))
        {
            Ok(user) => user,
            Err(e) => return self.fail(e, vec![]),
        };
        if user.identities.len() <= 1 {
            return self.verified(verified, env);
        }
        let profile = verified.profile();
        let account = profile
            .email
            .clone()
            .or_else(|| profile.name.clone())
            .unwrap_or_else(|| verified.sub().to_owned());
        let logins: Vec<String> = user.identities.iter().map(Identity::full_user_id).collect();
        if !(self.config.allow_merge() && self.confirm) {
            let why = if self.config.allow_merge() {
                "allowMerge needs someone to confirm the merge (the widget's dialog, or linkWithPopup's confirm or beforeLink)"
            } else {
                "set allowMerge to offer the user a merge"
            };
            let e = LinkError::new(
                ErrorCode::SecondaryHasOtherLogins,
                format!(
                    "the secondary login is {}, an existing user with {} logins ({}); linking it would merge that whole user into the primary: refused ({why})",
                    crate::encoding::quoted(verified.sub()),
                    logins.len(),
                    logins.join(", ")
                ),
            )
            .about_account(account);
            return self.fail(e, vec![]);
        }
        let facts = management::MergeFacts {
            user_id: user.user_id,
            identities: user.identities,
        };
        self.verified(verified.with_merge(facts), env)
    }

    /// A verified secondary that may be linked: ask first, or link.
    fn verified<E: Env>(&mut self, verified: VerifiedIdToken, env: &mut E) -> Step {
        if self.confirm {
            let profile = verified.profile().clone();
            return (
                State::Confirming(verified),
                vec![Effect::AskConfirm(profile)],
            );
        }
        match std::mem::replace(&mut self.link_token, LinkToken::NotAsked) {
            LinkToken::Got(result) => {
                self.link(verified, result.map(|t| t.secret().to_owned()), env)
            }
            // Asked already: its answer completes GettingLinkToken.
            LinkToken::Pending => (State::GettingLinkToken(verified), vec![]),
            LinkToken::NotAsked => (
                State::GettingLinkToken(verified),
                vec![Effect::GetPrimaryToken],
            ),
        }
    }

    fn link_answered<E: Env>(
        &mut self,
        sub: String,
        token: PrimaryToken,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Step {
        // Whether the server may have linked although the answer says otherwise, or a
        // conflict whose owner only the identity list tells (the user, or another user):
        // both read the identities again.
        let ambiguous = match &result {
            Err(_) => true,
            Ok(r) => r.status >= 500 || r.is_success() || r.status == 409,
        };
        match result
            .map_err(|e| management::transport_error(&e, "POST /api/v2/users/{id}/identities"))
            .and_then(|r| management::process_link(env.json(), &r, env.now()))
        {
            Ok(identities) if identities.iter().any(|i| i.full_user_id() == sub) => {
                self.linked(identities)
            }
            // A success whose list lacks the account proves nothing: read again.
            Ok(_) => {
                let error = LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!(
                        "the link answered success but its identities lack {}",
                        crate::encoding::quoted(&sub)
                    ),
                );
                self.recheck(sub, error, token, 0)
            }
            Err(error) if ambiguous => self.recheck(sub, error, token, 0),
            Err(e) => self.fail(e, vec![]),
        }
    }

    /// Reads the identities again (read number `reads`, from 0).
    fn recheck(&self, sub: String, error: LinkError, token: PrimaryToken, reads: usize) -> Step {
        let request = management::prepare_get_user(&self.config, &token);
        (
            State::Rechecking {
                sub,
                error,
                token,
                reads,
            },
            vec![Effect::Send {
                purpose: RequestPurpose::Recheck,
                request,
            }],
        )
    }

    fn rechecked<E: Env>(
        &mut self,
        sub: String,
        error: LinkError,
        token: PrimaryToken,
        reads: usize,
        result: Result<HttpResponse, TransportError>,
        env: &mut E,
    ) -> Step {
        let reread = result
            .map_err(|e| management::transport_error(&e, "GET /api/v2/users/{id}"))
            .and_then(|r| management::process_get_user(env.json(), &r, env.now()));
        let conflict = error.code() == ErrorCode::LinkedToAnotherUser;
        let has = |user: &management::PrimaryUser| {
            user.identities.iter().any(|i| i.full_user_id() == sub)
        };
        match reread {
            // A conflict over an identity the user has: it was linked already (another
            // tab, another device), not by this call.
            Ok(user) if conflict && has(&user) => self.fail(LinkError::already_linked(), vec![]),
            Ok(user) if has(&user) => self.linked(user.identities),
            // The 409 is definite: nothing was linked, whoever has the identity.
            Ok(_) | Err(_) if conflict => self.fail(error, vec![]),
            // Not (yet) there: the server may still apply a request that timed out. Wait
            // and read again before saying anything.
            _ if reads < RECHECK_DELAYS_SECONDS.len() => (
                State::WaitingToRecheck {
                    sub,
                    error,
                    token,
                    reads: reads + 1,
                },
                vec![Effect::Wait {
                    seconds: RECHECK_DELAYS_SECONDS[reads],
                }],
            ),
            // The server answered an error (5xx) and the list agrees after waiting.
            Ok(_) if error.code() == ErrorCode::ServerError => {
                self.fail(error.confirmed_not_linked(), vec![])
            }
            // A time-out, a network error, an unreadable or contradicting success: nothing
            // proves either way.
            _ => self.fail(error.with_link_outcome_unknown(), vec![]),
        }
    }

    /// The connection for this attempt: one of the configured ones (any name when none are
    /// configured).
    fn choose_connection(
        &mut self,
        txn: Transaction,
        connection: Option<String>,
    ) -> Result<Transaction, LinkError> {
        if let Some(name) = &connection {
            if self.config.connection(name).is_none() && !self.config.connections().is_empty() {
                return Err(LinkError::config(
                    "connection",
                    format!(
                        "{} is not one of the configured connections",
                        crate::encoding::quoted(name)
                    ),
                    "pass a name listed in options.connections",
                ));
            }
        }
        self.connection = connection.clone();
        Ok(txn.with_connection(connection))
    }

    fn check_token<E: Env>(
        &self,
        result: Result<String, TokenFailure>,
        env: &E,
    ) -> Result<PrimaryToken, LinkError> {
        check_primary_token(
            result,
            &self.config,
            env,
            Purpose::ChangeIdentities,
            self.primary_user_id.as_deref(),
        )
    }

    /// The primary user this flow acts for: the `sub` of the first token that passed the
    /// pre-flight (or the one given to [`LinkFlow::pin_primary_user`]). Every later token
    /// must be for this user.
    pub fn primary_user_id(&self) -> Option<&str> {
        self.primary_user_id.as_deref()
    }

    /// Pins the primary user before the first prepare (the widget lists the identities
    /// first). Ignored once a user is pinned: a pin never moves to another user.
    pub fn pin_primary_user(&mut self, user_id: &str) {
        if self.primary_user_id.is_none() {
            self.primary_user_id = Some(user_id.to_owned());
        }
    }

    /// The link request, with the primary token `getAccessToken` gave for it.
    fn link<E: Env>(
        &self,
        verified: VerifiedIdToken,
        token: Result<String, TokenFailure>,
        env: &E,
    ) -> (State, Vec<Effect>) {
        let request = self.check_token(token, env).and_then(|token| {
            management::prepare_link(&self.config, &token, &verified, self.known.as_deref())
                .map(|request| (token, request))
        });
        match request {
            Err(e) => self.fail(e, vec![]),
            Ok((token, request)) => (
                State::Linking {
                    sub: verified.sub().to_owned(),
                    token,
                },
                vec![Effect::Send {
                    purpose: RequestPurpose::Link,
                    request,
                }],
            ),
        }
    }

    fn linked(&mut self, identities: Vec<Identity>) -> (State, Vec<Effect>) {
        self.known = Some(identities.clone());
        (
            State::Linked,
            vec![Effect::Notify(Outcome::Linked(identities))],
        )
    }

    fn exchange(
        &mut self,
        txn: Transaction,
        response: CallbackResponse,
        effects: Vec<Effect>,
    ) -> (State, Vec<Effect>) {
        self.link_token = LinkToken::NotAsked;
        self.secondary_token = None;
        if response.code.is_some() {
            self.secondary_signed_in = true;
        }
        match txn.validate_callback(response, &self.config) {
            Err(e) => self.fail(e, effects),
            Ok(callback) => {
                let request = token::prepare_token_request(&self.config, &callback);
                let mut effects = effects;
                effects.push(Effect::Send {
                    purpose: RequestPurpose::TokenExchange,
                    request,
                });
                if !self.confirm {
                    // Nobody confirms: the link token can be fetched while the ID token
                    // is exchanged and verified.
                    self.link_token = LinkToken::Pending;
                    effects.push(Effect::GetPrimaryToken);
                }
                (State::Exchanging(callback.nonce().clone()), effects)
            }
        }
    }

    /// Refusals that need no request: the secondary is the primary, or already linked.
    fn precheck(&self, verified: VerifiedIdToken) -> Result<VerifiedIdToken, LinkError> {
        if self.primary_user_id.as_deref() == Some(verified.sub()) {
            return Err(LinkError::new(
                ErrorCode::SameAccount,
                "the secondary login returned the primary user (same sub)",
            ));
        }
        if self
            .known
            .as_deref()
            .is_some_and(|ids| ids.iter().any(|i| i.full_user_id() == verified.sub()))
        {
            return Err(LinkError::already_linked());
        }
        Ok(verified)
    }
}

/// The login window cannot be used: the attempt waits in `Blocked`, where the user can
/// continue in this tab (redirect mode) or cancel.
fn blocked(txn: Transaction, e: LinkError) -> Step {
    (
        State::Blocked(txn, e.clone()),
        vec![Effect::CancelTimer, Effect::Notify(Outcome::Failed(e))],
    )
}

/// Whether a page's `Cross-Origin-Opener-Policy` value cuts it off from the windows it opens
/// on other origins: `same-origin` does (`same-origin-allow-popups`,
/// `noopener-allow-popups` and `unsafe-none` keep them). The value is a structured header
/// token, parameters (`; report-to=…`) after it.
pub fn severs_popups(opener_policy: &str) -> bool {
    opener_policy
        .split(';')
        .next()
        .is_some_and(|token| token.trim().eq_ignore_ascii_case("same-origin"))
}

/// `getAccessToken`'s answer, pre-flighted for `purpose`; once the widget knows its
/// primary user (`pinned`), a token for anybody else is `user_mismatch`: after a
/// secondary login the tenant's session (and so a silently renewed token) may belong to
/// the other account, and nothing may be sent in its name.
fn check_primary_token<E: Env>(
    result: Result<String, TokenFailure>,
    config: &LinkConfig,
    env: &E,
    purpose: Purpose,
    pinned: Option<&str>,
) -> Result<PrimaryToken, LinkError> {
    let raw = result.map_err(|failure| match failure {
        TokenFailure::Threw(why) => LinkError::new(
            ErrorCode::PrimaryTokenUnavailable,
            format!("getAccessToken failed: {why}"),
        ),
        TokenFailure::TimedOut(seconds) => LinkError::new(
            ErrorCode::Timeout,
            format!("getAccessToken did not answer within {seconds} s (requestTimeoutSeconds); check the host's token source (a hung getTokenSilently?)"),
        ),
    })?;
    let token = PrimaryToken::inspect(env.json(), Some(&raw), config, env.now(), purpose)?;
    match pinned {
        Some(expected) if expected != token.user_id() => Err(LinkError::new(
            ErrorCode::UserMismatch,
            format!(
                "getAccessToken returned a token for {}, but this widget acts for {}: the tenant's session may have changed to another account; sign the primary user in again",
                crate::encoding::quoted(token.user_id()),
                crate::encoding::quoted(expected),
            ),
        )),
        _ => Ok(token),
    }
}

/// Adapts an `Env` to a `RandomSource`.
struct RandomOf<'a, E: Env>(&'a mut E);

impl<E: Env> crate::env::RandomSource for RandomOf<'_, E> {
    fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_random(buf);
    }
}

/// Listing or unlinking identities: get the token, send one request, read the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityOpKind {
    List,
    Unlink(IdentityRef),
}

pub enum IdentityOpEvent {
    PrimaryToken(Result<String, TokenFailure>),
    Response(Result<HttpResponse, TransportError>),
}

impl std::fmt::Debug for IdentityOpEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdentityOpEvent::PrimaryToken(Ok(_)) => f.write_str("PrimaryToken(Ok([redacted]))"),
            IdentityOpEvent::PrimaryToken(Err(why)) => f
                .debug_tuple("PrimaryToken")
                .field(&Err::<(), _>(why))
                .finish(),
            IdentityOpEvent::Response(r) => f.debug_tuple("Response").field(r).finish(),
        }
    }
}

#[derive(Debug)]
pub enum IdentityOpEffect {
    GetPrimaryToken,
    Send(HttpRequest),
    /// The user's identities after the operation (listed, or what remains after an
    /// unlink).
    Done(Result<Vec<Identity>, LinkError>),
}

#[derive(Debug)]
enum OpState {
    GettingToken,
    Sending,
    Done,
}

/// One list or unlink operation.
#[derive(Debug)]
pub struct IdentityOp {
    config: LinkConfig,
    kind: IdentityOpKind,
    known: Option<Vec<Identity>>,
    pinned: Option<String>,
    /// The primary user whose token passed the checks.
    user_id: Option<String>,
    state: OpState,
}

impl IdentityOp {
    /// Returns the op and its first effect (get the token). With `pinned`, a token for
    /// another user is `user_mismatch` and nothing is sent.
    pub fn new(
        config: LinkConfig,
        kind: IdentityOpKind,
        known: Option<Vec<Identity>>,
        pinned: Option<String>,
    ) -> (Self, IdentityOpEffect) {
        (
            IdentityOp {
                config,
                kind,
                known,
                pinned,
                user_id: None,
                state: OpState::GettingToken,
            },
            IdentityOpEffect::GetPrimaryToken,
        )
    }

    /// The primary user the operation acted for (once its token passed the checks).
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    pub fn step<E: Env>(
        &mut self,
        event: IdentityOpEvent,
        env: &mut E,
    ) -> Option<IdentityOpEffect> {
        let state = std::mem::replace(&mut self.state, OpState::Done);
        match (state, event) {
            (OpState::GettingToken, IdentityOpEvent::PrimaryToken(result)) => {
                let purpose = match self.kind {
                    IdentityOpKind::List => Purpose::ReadIdentities,
                    IdentityOpKind::Unlink(_) => Purpose::ChangeIdentities,
                };
                let checked =
                    check_primary_token(result, &self.config, env, purpose, self.pinned.as_deref());
                if let Ok(token) = &checked {
                    self.user_id = Some(token.user_id().to_owned());
                }
                let request = checked.and_then(|token| match &self.kind {
                    IdentityOpKind::List => Ok(management::prepare_get_user(&self.config, &token)),
                    IdentityOpKind::Unlink(target) => management::prepare_unlink(
                        &self.config,
                        &token,
                        target,
                        self.known.as_deref(),
                    ),
                });
                match request {
                    Ok(r) => {
                        self.state = OpState::Sending;
                        Some(IdentityOpEffect::Send(r))
                    }
                    Err(e) => Some(IdentityOpEffect::Done(Err(e))),
                }
            }
            (OpState::Sending, IdentityOpEvent::Response(result)) => {
                let what = match self.kind {
                    IdentityOpKind::List => "GET /api/v2/users/{id}",
                    IdentityOpKind::Unlink(_) => {
                        "DELETE /api/v2/users/{id}/identities/{provider}/{user_id}"
                    }
                };
                let out = result
                    .map_err(|e| management::transport_error(&e, what))
                    .and_then(|r| match self.kind {
                        IdentityOpKind::List => {
                            management::process_get_user(env.json(), &r, env.now())
                                .map(|user| user.identities)
                        }
                        IdentityOpKind::Unlink(_) => {
                            management::process_unlink(env.json(), &r, env.now())
                        }
                    });
                Some(IdentityOpEffect::Done(out))
            }
            (state, _) => {
                self.state = state;
                None
            }
        }
    }
}

#[cfg(test)]
mod state_tests {
    use super::*;

    #[test]
    fn phases_cover_the_start() {
        let config = LinkConfig::new(&crate::config::LinkOptions {
            domain: Some("t.example.com".into()),
            client_id: Some("c".into()),
            app_origin: Some("https://app.example.com".into()),
            ..Default::default()
        })
        .expect("valid");
        let flow = LinkFlow::new(config);
        assert_eq!(flow.position(), Position::Idle);
        assert!(!flow.is_finished());
    }
}
