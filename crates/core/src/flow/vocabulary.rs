//! What an attempt is given, what it hears and what it asks for: the facts the session
//! hands it ([`Facts`]), the results the runner feeds back ([`Event`]), the browser work it
//! asks for ([`Effect`]) and what it learned ([`Report`]). Secret-bearing payloads use the
//! redacting newtypes of [`crate::secret`], so every `Debug` here is derived.

use crate::error::LinkError;
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::id_token::SecondaryProfile;
use crate::json::Json;
use crate::jwt::RsaPublicJwk;
use crate::management::{Identity, IdentityRef};
use crate::secret::{AccessToken, AuthorizeUrl, OpaqueBytes, PersistedTransaction, Sha256Digest};
use crate::transaction::CallbackResponse;

/// What the session owns and hands the attempt at every step. The attempt keeps none of
/// it: a fact changed between two steps (a list read again, a pin learned) is the one the
/// next step sees.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// The primary user the session acts for, once known: a token for anybody else is
    /// `user_mismatch`.
    pub pin: Option<&'a str>,
    /// The primary user's identities, once read.
    pub identities: Option<&'a [Identity]>,
    /// Somebody (the user, the host) is asked before the link request: the attempt waits
    /// for [`Event::Decided`]. Otherwise it links once verified.
    pub asks_first: bool,
    /// The tenant's session may belong to another user than the primary (a secondary
    /// login signed in without a link): the primary's sign-in again asks `prompt=login`,
    /// or the session would answer as that user.
    pub other_session: bool,
}

/// How the secondary login is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Popup,
    /// Full-page redirect (the fallback when the popup is blocked).
    Redirect,
}

/// A result the runner feeds back, or a decision of the session.
#[derive(Debug)]
pub enum Event {
    /// Begin (or begin again): check the primary token, then prepare PKCE material so the
    /// popup can open synchronously on the click.
    Prepare,
    /// Result of `getAccessToken`.
    PrimaryToken(Result<AccessToken, TokenFailure>),
    /// SHA-256 of the requested input (the PKCE challenge).
    Sha256(Result<Sha256Digest, String>),
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
        persisted: Option<PersistedTransaction>,
        callback: CallbackResponse,
    },
    TokenResponse(Result<HttpResponse, TransportError>),
    JwksResponse(Result<HttpResponse, TransportError>),
    SignatureChecked(bool),
    /// The session's decision once every question was answered: `true` links.
    Decided(bool),
    /// The user (or the host's `unlink` call) removes this login: the primary signs in
    /// again in the window opened in this click, then its token unlinks. Must be sent
    /// from the click handler.
    StartUnlink(IdentityRef),
    UnlinkResponse(Result<HttpResponse, TransportError>),
    LinkResponse(Result<HttpResponse, TransportError>),
    /// The identities read again after an ambiguous link answer.
    RecheckResponse(Result<HttpResponse, TransportError>),
    /// The secondary login's own user (with its `read:current_user` token).
    SecondaryUserResponse(Result<HttpResponse, TransportError>),
    /// A [`Effect::Wait`] is over.
    WaitOver,
    PrimaryUserResponse(Result<HttpResponse, TransportError>),
    UserMetadataPatched(Result<HttpResponse, TransportError>),
    LinkedUserResponse(Result<HttpResponse, TransportError>),
    /// The host's function's answer to [`Effect::MergeUserMetadata`]: the primary's new
    /// `user_metadata`, or what it threw.
    UserMetadataMerged(Result<Json, String>),
    Cancel,
    Retry,
    /// The answer to an [`Effect::Silent`]: the primary's sign-in again asked ahead of the
    /// click. The frame's authorization response comes as `Callback`, its time-out as
    /// `TimedOut`, a frame the page's policy refused as `PopupBlocked`.
    Silent(Box<Event>),
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
    /// A login removed with the token of the primary's sign-in again.
    Unlink,
    /// The primary user, read before the secondary's settings are carried to it.
    PrimaryUser,
    /// The secondary's settings written to the primary (`PATCH …/users/{primary}`).
    PatchUserMetadata,
    /// The primary user, read again after a link that carried settings: the end state.
    LinkedUser,
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
            RequestPurpose::Unlink => Event::UnlinkResponse(result),
            RequestPurpose::PrimaryUser => Event::PrimaryUserResponse(result),
            RequestPurpose::PatchUserMetadata => Event::UserMetadataPatched(result),
            RequestPurpose::LinkedUser => Event::LinkedUserResponse(result),
        }
    }
}

/// Browser work for the runner: every arm is something it does.
#[derive(Debug)]
pub enum Effect {
    GetPrimaryToken,
    ComputeSha256(OpaqueBytes),
    /// Must run synchronously in the click handler that sent `Start(Popup)`.
    OpenPopup {
        url: AuthorizeUrl,
    },
    Navigate {
        url: AuthorizeUrl,
    },
    /// sessionStorage, redirect mode only; deleted with `ClearPersistedTransaction`.
    PersistTransaction(PersistedTransaction),
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
        message: OpaqueBytes,
        signature: OpaqueBytes,
    },
    /// Answer [`Event::WaitOver`] after this many seconds.
    Wait {
        seconds: u64,
    },
    /// A hidden frame on `url` (the primary's sign-in again with `prompt=none`): its
    /// `web_message` answer from exactly the tenant's origin and the frame's window is
    /// [`Event::Callback`]; none within `seconds`, [`Event::TimedOut`]; a frame the page's
    /// Content-Security-Policy refused, [`Event::PopupBlocked`]. The frame goes once it
    /// answered (or timed out). Only ever inside [`Effect::Silent`].
    OpenFrame {
        url: AuthorizeUrl,
        seconds: u64,
    },
    /// Work for the sign-in ahead of the click: run the effect inside, and wrap its
    /// answer in [`Event::Silent`].
    Silent(Box<Effect>),
    /// Call the host's `carryUserMetadata` function with the primary's and the secondary's
    /// `user_metadata`; its answer is [`Event::UserMetadataMerged`].
    MergeUserMetadata {
        primary: Json,
        secondary: Json,
    },
}

/// What an attempt learned in a step, for the session to apply: the session is the one
/// place these become facts, questions and what the host hears.
#[derive(Debug, Clone)]
pub enum Report {
    /// Ready for the user's click.
    Ready,
    /// The primary user this attempt saw: a token's `sub` that passed the pre-flight, or the
    /// user a redirect's stored transaction names.
    PinLearned(String),
    /// The login leaves this tab (redirect mode): whatever comes back, even without its
    /// transaction, must be checked against the primary user.
    LoginLeavesTab,
    /// An authorization code came back: the secondary account signed in at the tenant
    /// (Auth0 keeps one user per browser session); also when the primary's sign-in again
    /// came back as somebody else.
    SecondarySignedIn,
    /// The secondary's ID token verified: the user the login signed in as.
    SecondaryVerified(String),
    /// The primary user signed in again (verified, recent): the tenant's session is theirs.
    Reauthenticated,
    /// A verified secondary that may be linked: somebody must say yes first (only when the
    /// facts say somebody is asked).
    Asks(Box<SecondaryProfile>),
    /// The attempt is over.
    Ended(Outcome),
}

/// A link made, as the host hears it.
#[derive(Debug, Clone, PartialEq)]
pub struct Linked {
    /// The primary user's identities after the link.
    pub identities: Vec<Identity>,
    /// The secondary account's former user id (`provider|id`): that user is gone, and what
    /// the app kept under it is the app's to move.
    pub secondary_user_id: String,
    /// The secondary's `user_metadata` properties written to the primary before the link
    /// (`carryUserMetadata`; `null` for one the host's function removed).
    pub carried_user_metadata: Vec<String>,
    /// The primary's `user_metadata` read after a link that carried settings: the end
    /// state (`None` when nothing was carried, or the read failed).
    pub user_metadata: Option<Json>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Linked(Linked),
    /// A login was removed (after the primary's sign-in again): the identities left.
    Unlinked(Vec<Identity>),
    Failed(LinkError),
    Cancelled,
}

/// What one step of an attempt asks for and reports.
#[derive(Debug, Default)]
pub struct Step {
    pub effects: Vec<Effect>,
    pub reports: Vec<Report>,
}

/// Where a session is, as the view shows it (`data-status`). The one type that tells the
/// view the flow's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Position {
    #[default]
    Idle,
    Preparing,
    Ready,
    PopupBlocked,
    /// The primary user signs in again (or is being verified) before the account to link.
    Reauthenticating,
    AwaitingLogin,
    Verifying,
    /// Somebody is asked "Link this account?" (the question is the session's).
    Confirming,
    Linking,
    /// A login is being removed (after the primary's sign-in again).
    Unlinking,
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
            Position::Reauthenticating => "reauthenticating",
            Position::AwaitingLogin => "awaiting_login",
            Position::Verifying => "verifying",
            Position::Confirming => "confirming",
            Position::Linking => "linking",
            Position::Unlinking => "unlinking",
            Position::Linked => "linked",
            Position::Failed => "failed",
            Position::Cancelled => "cancelled",
        }
    }
}

/// After an ambiguous link answer, the identities are read at once, then again after each
/// of these delays, before the widget says it could not confirm the link.
pub const RECHECK_DELAYS_SECONDS: [u64; 2] = [2, 5];

/// How long a verified secondary may wait for its yes (the user's, the host's `confirm` or
/// `beforeLink`): what was read about it (its own user, with other logins or not) is
/// trusted that long. After, the link is refused with `timeout` and the user signs in with
/// the account again; the ID token alone would allow hours (Auth0's default `exp` is 10 h).
pub const DECISION_WINDOW_SECONDS: u64 = 600;
