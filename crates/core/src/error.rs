//! The error taxonomy: a stable `code` per failure (the public contract), a `reason` for
//! ID token failures, who must act, a developer message (expected vs found, never token
//! material) and a separate user-facing message.

use core::fmt;

/// Stable error codes. `as_str` is the value hosts see (listed in the package README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    ConfigInvalid,
    PopupBlocked,
    PopupClosed,
    Cancelled,
    Timeout,
    AuthorizationDenied,
    StateMismatch,
    TokenExchangeFailed,
    IdTokenInvalid,
    EmailUnverified,
    SameAccount,
    AlreadyLinked,
    LinkedToAnotherUser,
    /// The secondary login signed in as an existing user with other logins of its own:
    /// linking would merge that whole user into the primary (refused unless the host
    /// opted in with `allowMerge` and the user confirmed the merge).
    SecondaryHasOtherLogins,
    PrimaryTokenUnavailable,
    PrimaryTokenRejected,
    InsufficientScope,
    UserMismatch,
    /// The primary user's sign-in again (before a login is added or removed) did not
    /// complete or could not be verified as recent: nothing was changed.
    ReauthenticationFailed,
    SessionChanged,
    RateLimited,
    Network,
    ServerError,
    UnexpectedResponse,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::ConfigInvalid,
        ErrorCode::PopupBlocked,
        ErrorCode::PopupClosed,
        ErrorCode::Cancelled,
        ErrorCode::Timeout,
        ErrorCode::AuthorizationDenied,
        ErrorCode::StateMismatch,
        ErrorCode::TokenExchangeFailed,
        ErrorCode::IdTokenInvalid,
        ErrorCode::EmailUnverified,
        ErrorCode::SameAccount,
        ErrorCode::AlreadyLinked,
        ErrorCode::LinkedToAnotherUser,
        ErrorCode::SecondaryHasOtherLogins,
        ErrorCode::PrimaryTokenUnavailable,
        ErrorCode::PrimaryTokenRejected,
        ErrorCode::InsufficientScope,
        ErrorCode::UserMismatch,
        ErrorCode::ReauthenticationFailed,
        ErrorCode::SessionChanged,
        ErrorCode::RateLimited,
        ErrorCode::Network,
        ErrorCode::ServerError,
        ErrorCode::UnexpectedResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConfigInvalid => "config_invalid",
            ErrorCode::PopupBlocked => "popup_blocked",
            ErrorCode::PopupClosed => "popup_closed",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Timeout => "timeout",
            ErrorCode::AuthorizationDenied => "authorization_denied",
            ErrorCode::StateMismatch => "state_mismatch",
            ErrorCode::TokenExchangeFailed => "token_exchange_failed",
            ErrorCode::IdTokenInvalid => "id_token_invalid",
            ErrorCode::EmailUnverified => "email_unverified",
            ErrorCode::SameAccount => "same_account",
            ErrorCode::AlreadyLinked => "already_linked",
            ErrorCode::LinkedToAnotherUser => "linked_to_another_user",
            ErrorCode::SecondaryHasOtherLogins => "secondary_has_other_logins",
            ErrorCode::PrimaryTokenUnavailable => "primary_token_unavailable",
            ErrorCode::PrimaryTokenRejected => "primary_token_rejected",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::UserMismatch => "user_mismatch",
            ErrorCode::ReauthenticationFailed => "reauthentication_failed",
            ErrorCode::SessionChanged => "session_changed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Network => "network",
            ErrorCode::ServerError => "server_error",
            ErrorCode::UnexpectedResponse => "unexpected_response",
        }
    }

    /// Who has to do something about it.
    pub fn actor(self) -> Actor {
        match self {
            ErrorCode::ConfigInvalid | ErrorCode::InsufficientScope | ErrorCode::UserMismatch => {
                Actor::Developer
            }
            ErrorCode::PopupBlocked
            | ErrorCode::PopupClosed
            | ErrorCode::Cancelled
            | ErrorCode::Timeout
            | ErrorCode::EmailUnverified
            | ErrorCode::SameAccount
            | ErrorCode::AlreadyLinked
            | ErrorCode::LinkedToAnotherUser
            | ErrorCode::SecondaryHasOtherLogins
            | ErrorCode::ReauthenticationFailed => Actor::User,
            ErrorCode::AuthorizationDenied
            | ErrorCode::StateMismatch
            | ErrorCode::IdTokenInvalid
            | ErrorCode::TokenExchangeFailed => Actor::IdentityProvider,
            ErrorCode::PrimaryTokenUnavailable
            | ErrorCode::PrimaryTokenRejected
            | ErrorCode::SessionChanged => Actor::HostApplication,
            ErrorCode::RateLimited | ErrorCode::ServerError | ErrorCode::UnexpectedResponse => {
                Actor::Server
            }
            ErrorCode::Network => Actor::Network,
        }
    }

    /// The English user-facing message. The widget's catalog may translate by code.
    // Never inlined: its table of sentences stays one copy in the wasm (inlined into two
    // callers, the sentences were stored twice; docs/size.md).
    #[inline(never)]
    pub fn user_message(self) -> &'static str {
        match self {
            ErrorCode::ConfigInvalid => "Account linking is not set up correctly on this page.",
            ErrorCode::PopupBlocked => "Your browser blocked the sign-in window. Allow pop-ups, or continue in this tab.",
            ErrorCode::PopupClosed => "The sign-in window was closed before you finished. Nothing was linked; choose the account again to retry.",
            ErrorCode::Cancelled => "Linking was cancelled. Nothing was linked.",
            ErrorCode::Timeout => "This took too long. Nothing was linked; please try again.",
            ErrorCode::AuthorizationDenied => "The sign-in was declined. Nothing was linked.",
            ErrorCode::StateMismatch => "The sign-in answer did not match this request, so it was ignored. Please try again.",
            ErrorCode::TokenExchangeFailed => "The sign-in could not be completed. Please try again.",
            ErrorCode::IdTokenInvalid => "The other account's sign-in could not be verified, so it was not linked.",
            ErrorCode::EmailUnverified => "That account's email address is not verified, so it cannot be linked. Verify it with that provider (look for its confirmation email), then try again.",
            ErrorCode::SameAccount => "That is the account you are already signed in with.",
            ErrorCode::AlreadyLinked => "That account is already linked to you.",
            ErrorCode::LinkedToAnotherUser => "That account is already linked to another user. To move it here, sign in with it, unlink it there, then link it here; or contact support.",
            ErrorCode::SecondaryHasOtherLogins => "That sign-in belongs to an existing account with other sign-in methods; linking it would merge that whole account into yours. Sign in with it and unlink them there first, or contact support.",
            ErrorCode::PrimaryTokenUnavailable => "Your session could not be read. Please sign in again.",
            ErrorCode::PrimaryTokenRejected => "Your session has expired. Please sign in again.",
            ErrorCode::InsufficientScope => "This application is not allowed to manage your linked accounts.",
            ErrorCode::UserMismatch => "The sign-in on this page belongs to another account than the one being changed, so nothing was changed. Sign in again.",
            ErrorCode::ReauthenticationFailed => "Confirming it was you did not finish, so nothing was changed. Try again, and sign in with your usual account when asked.",
            ErrorCode::SessionChanged => "You signed in with the other account, but nothing was linked. This site may now see you as that account: sign in again with your usual account.",
            ErrorCode::RateLimited => "Too many attempts. Please wait a moment and try again.",
            ErrorCode::Network => "The network request failed. Check your connection and try again.",
            ErrorCode::ServerError => "The account service had a problem. Please try again later.",
            ErrorCode::UnexpectedResponse => "The account service answered in an unexpected way.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sentence an error shows the user: its code's, or a more exact one where the
/// code's would mislead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentence {
    /// The code's own sentence ([`ErrorCode::user_message`]).
    Code(ErrorCode),
    /// A link request may or may not have happened: the identities tell.
    LinkOutcomeUnknown,
    /// The page's `Cross-Origin-Opener-Policy` cut the login window off (a `popup_blocked`
    /// that allowing pop-ups would not cure).
    PopupCutOff,
}

impl Sentence {
    /// The sentences that are not a code's own.
    pub const EXACT: [Sentence; 2] = [Sentence::LinkOutcomeUnknown, Sentence::PopupCutOff];

    /// The English text.
    pub fn english(self) -> &'static str {
        match self {
            Sentence::Code(code) => code.user_message(),
            Sentence::LinkOutcomeUnknown => "The account service did not confirm the link. Reload your linked accounts to see whether it was linked.",
            Sentence::PopupCutOff => "This page cannot receive the answer of the sign-in window. Continue in this tab to link the account.",
        }
    }
}

/// Who must act on an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The developer who configured the widget or the Auth0 application.
    Developer,
    /// The host application (its session / access token).
    HostApplication,
    /// The person using the widget.
    User,
    /// The identity provider or the authorization server's answer.
    IdentityProvider,
    /// The Management API.
    Server,
    /// The browser's network.
    Network,
}

impl Actor {
    /// The value hosts see as `actor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Developer => "developer",
            Actor::HostApplication => "host_application",
            Actor::User => "user",
            Actor::IdentityProvider => "identity_provider",
            Actor::Server => "server",
            Actor::Network => "network",
        }
    }
}

/// Which ID token check failed (`reason` of `id_token_invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdTokenReason {
    Malformed,
    Alg,
    Signature,
    KeyNotFound,
    Iss,
    Aud,
    Azp,
    Exp,
    Iat,
    Nbf,
    Nonce,
    Sub,
    /// `auth_time` missing or too old for the configured `max_age` (OIDC Core 3.1.3.7 step 13).
    AuthTime,
}

impl IdTokenReason {
    pub fn as_str(self) -> &'static str {
        match self {
            IdTokenReason::Malformed => "malformed",
            IdTokenReason::Alg => "alg",
            IdTokenReason::Signature => "signature",
            IdTokenReason::KeyNotFound => "key_not_found",
            IdTokenReason::Iss => "iss",
            IdTokenReason::Aud => "aud",
            IdTokenReason::Azp => "azp",
            IdTokenReason::Exp => "exp",
            IdTokenReason::Iat => "iat",
            IdTokenReason::Nbf => "nbf",
            IdTokenReason::Nonce => "nonce",
            IdTokenReason::Sub => "sub",
            IdTokenReason::AuthTime => "auth_time",
        }
    }
}

/// Auth0's error body, kept as data: `{"statusCode","error","message","errorCode"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorBody {
    #[serde(default)]
    pub status_code: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_code: Option<String>,
}

/// An error from the link flow or one of its requests (boxed: errors stay one pointer
/// wide on the happy path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    reason: Option<IdTokenReason>,
    detail: String,
    retry_after_seconds: Option<u64>,
    api_error: Option<ApiErrorBody>,
    status: Option<u16>,
    idp_error: Option<(String, Option<String>)>,
    /// A more exact sentence for the user than the code's (`None`: the code's).
    exact: Option<Sentence>,
    /// The account the error is about, as the user knows it (an email or a name), shown
    /// beside the sentence.
    account: Option<String>,
}

impl LinkError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        LinkError(Box::new(Inner {
            code,
            reason: None,
            detail: detail.into(),
            retry_after_seconds: None,
            api_error: None,
            status: None,
            idp_error: None,
            exact: None,
            account: None,
        }))
    }

    /// The detail with `more` after it (what else happened, for the developer).
    pub fn with_detail(mut self, more: &str) -> Self {
        self.0.detail.push_str(more);
        self
    }

    /// After an ambiguous link answer, the identities were read again: the secondary is
    /// not among them.
    pub fn confirmed_not_linked(mut self) -> Self {
        self.0.detail = format!(
            "{}; the identities were read again: nothing was linked",
            self.0.detail
        );
        self
    }

    /// After an ambiguous link answer, reading the identities again failed too: the link
    /// may or may not have happened.
    pub fn with_link_outcome_unknown(mut self) -> Self {
        self.0.detail = format!(
            "{}; reading the identities again failed too, so the link may have happened: list the identities before trying again",
            self.0.detail
        );
        self.0.exact = Some(Sentence::LinkOutcomeUnknown);
        self
    }

    /// Whether a link request may have succeeded although this error ended it.
    pub fn link_outcome_unknown(&self) -> bool {
        self.0.exact == Some(Sentence::LinkOutcomeUnknown)
    }

    /// The page's opener policy, not a pop-up blocker, stopped the login window: the user
    /// is told to continue in the tab, never to allow pop-ups.
    pub fn cut_off_by_opener_policy(mut self) -> Self {
        self.0.exact = Some(Sentence::PopupCutOff);
        self
    }

    /// Which sentence the user is shown (the widget's catalogs translate it by key).
    pub fn sentence(&self) -> Sentence {
        self.0.exact.unwrap_or(Sentence::Code(self.0.code))
    }
    pub fn config(option: &str, problem: impl fmt::Display, fix: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::ConfigInvalid,
            format!("option `{option}`: {problem}; {fix}"),
        )
    }
    /// The same error for a Rust caller: the option names in its developer detail are
    /// spelt as Rust fields and builder methods (`redirect_uri`, not `redirectUri`).
    pub fn in_rust_terms(mut self) -> Self {
        for name in crate::config::LinkOptions::NAMES {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                let snake = snake_case(name);
                self.0.detail = self.0.detail.replace(name, &snake);
            }
        }
        self
    }
    /// A secondary login completed but nothing was linked (see `Outcome::SessionChanged`).
    pub fn session_changed() -> Self {
        Self::new(
            ErrorCode::SessionChanged,
            "the secondary account signed in at the tenant but nothing was linked: the tenant's session now belongs to it; sign the primary user in again (a login with login_hint) or sign out",
        )
    }
    /// The secondary identity is already one of the primary user's own.
    pub fn already_linked() -> Self {
        Self::new(
            ErrorCode::AlreadyLinked,
            "the secondary identity is already among the primary user's identities",
        )
    }
    /// The user or the host declined the link (the confirm step, or a cancel).
    pub fn cancelled() -> Self {
        Self::new(
            ErrorCode::Cancelled,
            "the link was cancelled (confirm answered no, or cancel was called); nothing was linked",
        )
    }
    /// The account the error is about (an email or a name), shown to the user.
    pub fn about_account(mut self, account: impl Into<String>) -> Self {
        self.0.account = Some(account.into());
        self
    }
    pub fn account(&self) -> Option<&str> {
        self.0.account.as_deref()
    }
    pub fn id_token(reason: IdTokenReason, detail: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorCode::IdTokenInvalid, detail);
        e.0.reason = Some(reason);
        e
    }
    pub(crate) fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.0.retry_after_seconds = seconds;
        self
    }
    pub(crate) fn with_api_error(mut self, status: u16, body: Option<ApiErrorBody>) -> Self {
        self.0.status = Some(status);
        self.0.api_error = body;
        self
    }
    /// An authorization server's refusal (the callback's or the token endpoint's `error`
    /// and `error_description`): its words are kept for the user and shown as text, so
    /// they are cleaned here, on every path, of what could hide or reorder what is shown.
    pub(crate) fn idp_refusal(
        code: ErrorCode,
        answered: &str,
        error: &str,
        description: Option<&str>,
    ) -> Self {
        let error = crate::encoding::display_text(error);
        let description = description.map(crate::encoding::display_text);
        let detail = match &description {
            Some(d) => format!("{answered} error={error}: {d}"),
            None => format!("{answered} error={error}"),
        };
        let mut e = Self::new(code, detail);
        e.0.idp_error = Some((error, description));
        e
    }

    /// The same failure, met during the primary user's sign-in again:
    /// `reauthentication_failed`, keeping what it knew (the ID token's `reason`, the
    /// identity provider's words, the status) and naming the first code in the detail.
    pub(crate) fn in_reauthentication(mut self) -> Self {
        self.0.detail = format!(
            "the primary user's sign-in again failed ({}: {}); nothing was changed",
            self.0.code, self.0.detail
        );
        self.0.code = ErrorCode::ReauthenticationFailed;
        self.0.exact = None;
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }
    pub fn reason(&self) -> Option<IdTokenReason> {
        self.0.reason
    }
    /// For developers: what was expected and what was found. Never contains tokens.
    pub fn detail(&self) -> &str {
        &self.0.detail
    }
    /// The English sentence for the user.
    pub fn user_message(&self) -> &'static str {
        self.sentence().english()
    }
    pub fn actor(&self) -> Actor {
        self.0.code.actor()
    }
    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.0.retry_after_seconds
    }
    /// Auth0's error body, when the Management API answered one.
    pub fn api_error(&self) -> Option<&ApiErrorBody> {
        self.0.api_error.as_ref()
    }
    pub fn http_status(&self) -> Option<u16> {
        self.0.status
    }
    /// `error` and `error_description` from the authorization response (plain text).
    pub fn idp_error(&self) -> Option<(&str, Option<&str>)> {
        self.0
            .idp_error
            .as_ref()
            .map(|(e, d)| (e.as_str(), d.as_deref()))
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.code)?;
        if let Some(r) = self.0.reason {
            write!(f, " ({})", r.as_str())?;
        }
        write!(f, ": {}", self.0.detail)
    }
}

impl std::error::Error for LinkError {}

/// `camelCase` → `snake_case` (option names are ASCII).
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
