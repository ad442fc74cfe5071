//! One login attempt for the secondary account: PKCE (S256), `state` and `nonce`, created
//! together from injected randomness, the authorize URL, and callback validation, which
//! consumes the transaction (single use).

use crate::config::{LinkConfig, ResponseMode};
use crate::encoding::{
    base64url_decode, base64url_encode, constant_time_eq, form_parse, percent_encode,
};
use crate::env::RandomSource;
use crate::error::{ErrorCode, LinkError};
use crate::secret::{AuthorizationCode, CodeVerifier, Nonce, State};
use serde::Deserialize;

/// Bytes of randomness for each of verifier, state, nonce (256 bits each).
pub const RANDOM_BYTES: usize = 32;

/// What every `state` the widget sends starts with: a redirect return whose stored
/// transaction is gone (another tab, storage cleared, expired) is still known as the
/// widget's, so it is reported (and its secondary login told) instead of left in the URL
/// as if it were the host's. `*` is in no state auth0-spa-js makes (base64 of its random
/// string), so the host's own callbacks are never taken for the widget's.
pub const STATE_MARK: &str = "aal*";

/// What the `state` of a login that leaves the tab (redirect mode) starts with: the
/// callback page hands such an answer on to the page that resumes it, even in a tab that
/// has an opener (a tab the host itself opened with `window.open`), instead of posting it
/// to an opener that waits for nothing. No popup state starts with it: the random part is
/// base64url, which has no `*`. (`js/callback.js` holds a copy; `js_copies.rs` compares.)
pub const REDIRECT_STATE_MARK: &str = "aal**";

/// Whether a callback's `state` was made by this widget (see [`STATE_MARK`]).
pub fn is_widget_state(state: &str) -> bool {
    state.starts_with(STATE_MARK)
}

/// A transaction whose PKCE challenge is not computed yet. SHA-256 runs on the host's
/// side (WebCrypto in the browser), so the pair is finished with [`finish`](Self::finish).
#[derive(Debug)]
pub struct TransactionDraft {
    state: State,
    nonce: Nonce,
    verifier: CodeVerifier,
}

impl TransactionDraft {
    /// Fresh verifier (43 chars, 256 bits), state and nonce (256 bits each).
    pub fn new(random: &mut impl RandomSource) -> Self {
        let mut draw = || {
            let mut buf = [0u8; RANDOM_BYTES];
            random.fill(&mut buf);
            base64url_encode(&buf)
        };
        TransactionDraft {
            verifier: CodeVerifier::new(draw()),
            state: State::new(format!("{STATE_MARK}{}", draw())),
            nonce: Nonce::new(draw()),
        }
    }

    /// The bytes whose SHA-256 is the challenge: the verifier's ASCII (RFC 7636 §4.2).
    pub fn digest_input(&self) -> &[u8] {
        self.verifier.secret().as_bytes()
    }

    /// Completes the pair with `SHA-256(digest_input())`.
    pub fn finish(self, sha256_of_verifier: [u8; 32]) -> Transaction {
        Transaction {
            state: self.state,
            nonce: self.nonce,
            verifier: self.verifier,
            challenge: base64url_encode(&sha256_of_verifier),
            connection: None,
            primary_user_id: None,
            started_at: 0,
            purpose: LoginPurpose::Secondary,
            reauthenticated_at: None,
        }
    }
}

/// Whom a login signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginPurpose {
    /// The account to link.
    Secondary,
    /// The primary user again, before a login is added or removed (`max_age`).
    Reauthenticate,
}

/// What the primary user's sign-in again asks of the login page: how recent the sign-in
/// must be, whom to expect (`login_hint`, the primary's own connection) and how the page
/// may answer ([`ReauthPrompt`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reauthentication {
    pub max_age: u64,
    pub login_hint: Option<String>,
    pub connection: Option<String>,
    pub prompt: ReauthPrompt,
}

/// The `prompt` of the primary user's sign-in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReauthPrompt {
    /// None sent: a session recent enough answers at once, an older one asks for the
    /// credentials (`max_age`).
    AsNeeded,
    /// `prompt=login`: the tenant's session may be another user's, and would answer as
    /// that user.
    Login,
    /// `prompt=none`, in a hidden frame ahead of the click: a session recent enough
    /// answers, anything else is `login_required` (and the window asks instead).
    Silent,
}

/// A pending login: what the callback must match, and what the token request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    state: State,
    nonce: Nonce,
    verifier: CodeVerifier,
    challenge: String,
    connection: Option<String>,
    /// Redirect mode: the primary user the page acted for, so that the page the login
    /// returns to acts for the same user (or refuses).
    primary_user_id: Option<String>,
    /// Redirect mode: when the login left this tab (seconds since the epoch).
    started_at: u64,
    purpose: LoginPurpose,
    /// Redirect mode, the secondary's login: when the primary user signed in again
    /// (`auth_time` of the verified ID token) on the round trip before.
    reauthenticated_at: Option<u64>,
}

/// How long a redirect-mode transaction waits in sessionStorage for its answer: a return
/// later than this is refused (and the transaction cleared), as a popup's login would
/// have timed out long before.
pub const REDIRECT_TRANSACTION_SECONDS: u64 = 600;

impl Transaction {
    pub fn connection(&self) -> Option<&str> {
        self.connection.as_deref()
    }
    /// Whether `state` (from a URL) answers this transaction; the redirect fallback uses it
    /// to tell its own response from the host's.
    pub fn state_matches(&self, state: &str) -> bool {
        constant_time_eq(state, self.state.secret())
    }
    /// The connection the user picked (sent as `connection=`).
    pub fn with_connection(mut self, connection: Option<String>) -> Self {
        self.connection = connection;
        self
    }
    pub fn with_primary_user(mut self, primary_user_id: Option<String>) -> Self {
        self.primary_user_id = primary_user_id;
        self
    }
    pub fn primary_user_id(&self) -> Option<&str> {
        self.primary_user_id.as_deref()
    }
    pub fn purpose(&self) -> LoginPurpose {
        self.purpose
    }
    /// This login signs the primary user in again (its `connection` stays the one chosen
    /// for the secondary login that follows).
    pub fn for_reauthentication(self) -> Self {
        self.for_purpose(LoginPurpose::Reauthenticate)
    }
    /// Whom this login signs in.
    pub fn for_purpose(mut self, purpose: LoginPurpose) -> Self {
        self.purpose = purpose;
        self
    }
    /// The secondary's login after the primary signed in again at `auth_time`.
    pub fn after_reauthentication(mut self, auth_time: Option<u64>) -> Self {
        self.reauthenticated_at = auth_time;
        self
    }
    pub fn reauthenticated_at(&self) -> Option<u64> {
        self.reauthenticated_at
    }
    /// Redirect mode: the login leaves the tab `now`; its `state` takes the
    /// [`REDIRECT_STATE_MARK`].
    pub fn started(mut self, now: u64) -> Self {
        self.started_at = now;
        if let Some(random) = self.state.secret().strip_prefix(STATE_MARK) {
            if !random.starts_with('*') {
                self.state = State::new(format!("{REDIRECT_STATE_MARK}{random}"));
            }
        }
        self
    }
    /// Redirect mode: a transaction older than [`REDIRECT_TRANSACTION_SECONDS`] (or one
    /// from the future: a clock turned back) answers nothing any more: `timeout`.
    pub fn check_age(&self, now: u64) -> Result<(), LinkError> {
        let age = now.saturating_sub(self.started_at);
        if age > REDIRECT_TRANSACTION_SECONDS || self.started_at > now.saturating_add(60) {
            return Err(LinkError::new(
                ErrorCode::Timeout,
                format!("the login in this tab started {age} s ago and a redirect transaction lives {REDIRECT_TRANSACTION_SECONDS} s; it was cleared: start the link again"),
            ));
        }
        Ok(())
    }
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// The `/authorize` URL for the secondary login: code + PKCE S256, `prompt=login` (a
    /// fresh login, never the current session), `scope=openid profile email
    /// read:current_user` with the Management API as `audience` (the secondary's own user is
    /// read before anything is linked). `mode` is the
    /// configured one for a popup, `query` for the redirect fallback.
    pub fn authorize_url(&self, config: &LinkConfig, mode: ResponseMode) -> String {
        self.login_url(config, mode, None)
    }

    /// The `/authorize` URL for the primary user's sign-in again: code + PKCE S256,
    /// `max_age` (the tenant asks for credentials when the session is older, and puts
    /// `auth_time` in the ID token), `login_hint` and the primary's connection so the user
    /// is not asked which account, the `prompt` [`ReauthPrompt`] says. `scope=openid profile
    /// email read:current_user update:current_user_identities` (and
    /// `update:current_user_metadata` when the secondary's settings are carried over) with
    /// the Management API as `audience`: the access token of this sign-in makes the change,
    /// so a tenant can grant that scope only to a recent sign-in.
    pub fn reauthenticate_url(
        &self,
        config: &LinkConfig,
        mode: ResponseMode,
        reauth: &Reauthentication,
    ) -> String {
        self.login_url(config, mode, Some(reauth))
    }

    /// One builder for both logins: what differs is the scope, `prompt`, `max_age`, the
    /// hint and whose connection.
    fn login_url(
        &self,
        config: &LinkConfig,
        mode: ResponseMode,
        reauth: Option<&Reauthentication>,
    ) -> String {
        // The Management API's read:current_user for the secondary itself: the widget
        // reads whether the account is an existing user with other logins. The primary's
        // sign-in again also asks for the scope that makes the change.
        let carries = config.carry_user_metadata() != crate::config::CarryUserMetadata::Off;
        let scope = match reauth {
            None => "openid profile email read:current_user",
            // The settings carried before the link are written with the same token.
            Some(_) if carries => "openid profile email read:current_user update:current_user_identities update:current_user_metadata",
            Some(_) => "openid profile email read:current_user update:current_user_identities",
        };
        let mut params: Vec<(&str, String)> = vec![
            ("client_id", config.client_id().to_owned()),
            ("response_type", "code".into()),
            ("redirect_uri", config.redirect_uri().to_owned()),
            ("scope", scope.into()),
            ("audience", config.management_audience().to_owned()),
            ("state", self.state.secret().to_owned()),
            ("nonce", self.nonce.secret().to_owned()),
            ("code_challenge", self.challenge.clone()),
            ("code_challenge_method", "S256".into()),
            ("response_mode", mode.as_str().into()),
        ];
        let (prompt, connection, max_age, hint) = match reauth {
            None => (
                ReauthPrompt::Login,
                &self.connection,
                config.max_age_seconds(),
                None,
            ),
            Some(r) => (
                r.prompt,
                &r.connection,
                Some(r.max_age),
                r.login_hint.as_ref(),
            ),
        };
        match prompt {
            ReauthPrompt::AsNeeded => {}
            ReauthPrompt::Login => params.push(("prompt", "login".into())),
            ReauthPrompt::Silent => params.push(("prompt", "none".into())),
        }
        if let Some(c) = connection {
            params.push(("connection", c.clone()));
        }
        if let Some(max_age) = max_age {
            params.push(("max_age", max_age.to_string()));
        }
        if let Some(hint) = hint {
            params.push(("login_hint", hint.clone()));
        }
        if let Some(locale) = config.ui_locales() {
            params.push(("ui_locales", locale.to_owned()));
        }
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        format!("{}?{}", config.domain().url("authorize"), query.join("&"))
    }

    /// For redirect mode: the transaction as one string for sessionStorage (deleted on use).
    pub fn persist(&self) -> String {
        // base64url: the values may hold the '.' that separates the parts.
        let encoded = |v: &Option<String>| {
            v.as_deref()
                .map(|v| base64url_encode(v.as_bytes()))
                .unwrap_or_default()
        };
        format!(
            "v4.{}.{}.{}.{}.{}.{}.{}.{}.{}",
            self.state.secret(),
            self.nonce.secret(),
            self.verifier.secret(),
            self.challenge,
            encoded(&self.connection),
            encoded(&self.primary_user_id),
            self.started_at,
            match self.purpose {
                LoginPurpose::Secondary => "s",
                LoginPurpose::Reauthenticate => "r",
            },
            self.reauthenticated_at
                .map(|t| t.to_string())
                .unwrap_or_default(),
        )
    }

    /// Reads [`persist`](Self::persist)'s output back.
    pub fn restore(persisted: &str) -> Result<Self, LinkError> {
        let bad = || {
            LinkError::new(
                ErrorCode::StateMismatch,
                "the stored login transaction is missing or unreadable; start the link again",
            )
        };
        let parts: Vec<&str> = persisted.split('.').collect();
        if parts.len() != 10 || parts[0] != "v4" {
            return Err(bad());
        }
        let state = parts[1]
            .strip_prefix(REDIRECT_STATE_MARK)
            .or_else(|| parts[1].strip_prefix(STATE_MARK))
            .ok_or_else(bad)?;
        for part in [state, parts[2], parts[3], parts[4]] {
            if base64url_decode(part).is_none_or(|b| b.len() != RANDOM_BYTES) {
                return Err(bad());
            }
        }
        let decoded = |part: &str| match part {
            "" => Ok(None),
            v => base64url_decode(v)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map(Some)
                .ok_or_else(bad),
        };
        let connection = decoded(parts[5])?;
        let primary_user_id = decoded(parts[6])?;
        let started_at = parts[7].parse().map_err(|_| bad())?;
        let purpose = match parts[8] {
            "s" => LoginPurpose::Secondary,
            "r" => LoginPurpose::Reauthenticate,
            _ => return Err(bad()),
        };
        let reauthenticated_at = match parts[9] {
            "" => None,
            t => Some(t.parse().map_err(|_| bad())?),
        };
        Ok(Transaction {
            purpose,
            reauthenticated_at,
            state: State::new(parts[1]),
            nonce: Nonce::new(parts[2]),
            verifier: CodeVerifier::new(parts[3]),
            challenge: parts[4].to_owned(),
            connection,
            primary_user_id,
            started_at,
        })
    }

    /// Validates an authorization response and consumes the transaction. Checks, in order:
    /// `state` equals ours (else the response is dropped: `state_mismatch`); `iss`, when
    /// present, is the tenant (RFC 9207); `error` → `authorization_denied`; `code` present.
    pub fn validate_callback(
        self,
        response: CallbackResponse,
        config: &LinkConfig,
    ) -> Result<ValidatedCallback, LinkError> {
        match &response.state {
            None => return Err(LinkError::new(ErrorCode::StateMismatch, "the authorization response has no state; it was dropped")),
            Some(s) if !constant_time_eq(s, self.state.secret()) => {
                return Err(LinkError::new(ErrorCode::StateMismatch, "the authorization response's state does not match the pending login; it was dropped"))
            }
            Some(_) => {}
        }
        if let Some(iss) = &response.iss {
            let expected = config.domain().issuer();
            if *iss != expected && *iss != config.domain().origin() {
                return Err(LinkError::new(ErrorCode::UnexpectedResponse, format!("authorization response iss: expected {expected}, found {iss} (RFC 9207 mix-up defence)")));
            }
        }
        if let Some(error) = response.error {
            return Err(LinkError::idp_refusal(
                ErrorCode::AuthorizationDenied,
                "the authorization server answered",
                &error,
                response.error_description.as_deref(),
            ));
        }
        let code = response.code.filter(|c| !c.is_empty()).ok_or_else(|| {
            LinkError::new(
                ErrorCode::UnexpectedResponse,
                "the authorization response has neither code nor error",
            )
        })?;
        Ok(ValidatedCallback {
            code: AuthorizationCode::new(code),
            verifier: self.verifier,
            nonce: self.nonce,
        })
    }
}

/// An authorization response, from a `query` callback or a `web_message`. `Debug`
/// redacts the code and the state.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CallbackResponse {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub iss: Option<String>,
}

impl core::fmt::Debug for CallbackResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "[redacted]");
        f.debug_struct("CallbackResponse")
            .field("code", &redacted(&self.code))
            .field("state", &redacted(&self.state))
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .field("iss", &self.iss)
            .finish()
    }
}

impl CallbackResponse {
    /// The query parameters an authorization response owns in a callback URL (RFC 6749
    /// §4.1.2, RFC 9207's `iss`): what a page removes after reading them, and only these.
    pub const PARAMETERS: [&'static str; 6] = [
        "code",
        "state",
        "iss",
        "error",
        "error_description",
        "error_uri",
    ];

    /// From a callback URL's query (with or without the leading `?`). A repeated
    /// parameter makes the response unusable (RFC 6749 §3.1).
    pub fn from_query(query: &str) -> Result<Self, LinkError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let pairs = form_parse(query).ok_or_else(|| {
            LinkError::new(
                ErrorCode::UnexpectedResponse,
                "the callback query is not valid form encoding",
            )
        })?;
        let mut out = CallbackResponse::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "code" => &mut out.code,
                "state" => &mut out.state,
                "error" => &mut out.error,
                "error_description" => &mut out.error_description,
                "iss" => &mut out.iss,
                _ => continue,
            };
            if slot.is_some() {
                return Err(LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!("the callback repeats the parameter {k}"),
                ));
            }
            *slot = Some(v);
        }
        Ok(out)
    }
}

/// A `web_message` payload: `{type: "authorization_response", response: {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct WebMessage {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub response: Option<CallbackResponse>,
}

impl WebMessage {
    /// `None` for messages that are not authorization responses (other scripts on the page
    /// post messages too): the shell ignores those.
    pub fn into_callback(self) -> Option<CallbackResponse> {
        if self.kind == "authorization_response" {
            self.response
        } else {
            None
        }
    }
}

/// A callback whose `state` matched: the only way to get a token request.
#[derive(Debug)]
pub struct ValidatedCallback {
    code: AuthorizationCode,
    verifier: CodeVerifier,
    nonce: Nonce,
}

impl ValidatedCallback {
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }
    pub fn verifier(&self) -> &CodeVerifier {
        &self.verifier
    }
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }
}
