//! The primary user's sign-in again, asked ahead of the click. While the attempt
//! prepares, a hidden frame sends the tenant the same sign-in with `prompt=none` and
//! `max_age` (`web_message`): a session recent enough answers with a code at once, and its
//! ID token is checked like the window's (signature, `iss`, `aud`, nonce, expiry,
//! `auth_time`). The proof is kept in memory for this attempt only; at the click it is
//! checked again (recent still, the pinned primary, a token that may make the change) and
//! the window goes straight to the account to link, that sign-in's access token making the
//! change. Anything else — `login_required` (an older session), no answer, a frame the
//! page's policy refuses, a browser that keeps the tenant's cookie from frames, a proof gone
//! stale before the click — leaves the window to ask for the credentials, as without it.
//!
//! Its effects and their answers travel wrapped ([`Effect::Silent`], [`Event::Silent`]):
//! an answer of the frame never reaches the window's login, nor the other way round.

use super::verify::{Checked, Checking};
use super::{
    check_primary_token, Effect, Event, Facts, LinkFlow, LinkToken, Next, Report, State, Via,
};
use crate::config::ResponseMode;
use crate::encoding::quoted;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::id_token;
use crate::primary::{PrimaryToken, Purpose};
use crate::secret::{AccessToken, AuthorizeUrl, OpaqueBytes};
use crate::transaction::{ReauthPrompt, Reauthentication, Transaction, TransactionDraft};

/// How long the hidden frame waits for the tenant's answer; a click meanwhile waits as
/// long at most (in its window, opened blank) before the window asks instead.
pub const SILENT_SECONDS: u64 = 5;

/// Where the sign-in ahead of the click is.
#[derive(Debug, Default)]
pub(super) enum Silent {
    /// Not asked: re-authentication is off, popups answer with a `query` callback page, or
    /// the tenant's session may be another user's.
    #[default]
    Off,
    Hashing(TransactionDraft),
    /// The frame is out.
    Asking(Transaction),
    /// A code came back: exchanged, then its ID token checked (with the exchange's
    /// access token, once in).
    Checking(Checking, Option<AccessToken>),
    /// Verified; its user and access token are checked when it is used.
    Proven {
        sub: String,
        auth_time: u64,
        token: Option<AccessToken>,
    },
    /// The window asks instead.
    Failed(LinkError),
}

impl Silent {
    /// The frame answered with a code whose proof is not in yet.
    pub(super) fn code_back(&self) -> bool {
        matches!(self, Silent::Checking(..))
    }
}

fn wrap(effect: Effect) -> Effect {
    Effect::Silent(Box::new(effect))
}

/// What a click finds of the sign-in ahead of it.
pub(super) enum Ahead {
    /// Proven, recent, the primary's: the window goes to the account to link.
    Proven(PrimaryToken, u64),
    /// The frame is out, or its code is being checked.
    Pending,
    /// Nothing to use: the window asks.
    None,
}

impl LinkFlow {
    /// Whether this attempt asks ahead: re-authentication on, popups answered by
    /// `web_message` (the frame's answer comes the same way), and a tenant session that is
    /// the primary's as far as the session knows (else it would answer as another user).
    pub(super) fn silent_wanted(&self, facts: &Facts) -> bool {
        self.config.reauthenticate_max_age_seconds().is_some()
            && self.config.response_mode() == ResponseMode::WebMessage
            && !facts.other_session
    }

    /// Starts the sign-in ahead (its PKCE hash first), beside the attempt's preparation.
    pub(super) fn ask_ahead<E: Env>(&mut self, facts: &Facts, env: &mut E) -> Option<Effect> {
        self.on_silent_code = false;
        if !self.silent_wanted(facts) {
            self.silent = Silent::Off;
            return None;
        }
        let draft = TransactionDraft::new(&mut super::RandomOf(env));
        let input = OpaqueBytes::new(draft.digest_input());
        self.silent = Silent::Hashing(draft);
        Some(wrap(Effect::ComputeSha256(input)))
    }

    /// One answer of the sign-in ahead, then what it means for the attempt: a click that
    /// waits for it goes on, a secondary's login started on its code gets its token (or
    /// fails with it).
    pub(super) fn silent_step<E: Env>(
        &mut self,
        facts: &Facts,
        state: State,
        event: Event,
        env: &mut E,
    ) -> Next {
        let effects = self.advance_silent(event, env);
        match state {
            State::AwaitingSilent(txn) if self.silent.code_back() => {
                // Recent enough: the window goes to the account to link; the proof follows.
                self.on_silent_code = true;
                let txn = txn.for_purpose(crate::transaction::LoginPurpose::Secondary);
                self.show_login(facts, txn, Via::Popup, env.now(), effects)
            }
            State::AwaitingSilent(txn) if matches!(self.silent, Silent::Failed(_)) => {
                let txn = txn.for_reauthentication();
                self.show_login(facts, txn, Via::Popup, env.now(), effects)
            }
            state if self.on_silent_code => match &self.silent {
                Silent::Proven { .. } => self.proof_arrived(facts, state, effects, env),
                Silent::Failed(e) if !state.is_resting() && !state.link_is_out() => {
                    self.on_silent_code = false;
                    let e = e.clone();
                    let mut effects = effects;
                    effects.extend([Effect::CancelTimer, Effect::ClosePopup]);
                    self.fail(e, effects)
                }
                _ => (state, effects),
            },
            state => (state, effects),
        }
    }

    /// The proof of a secondary's login that started on its code: the link request's token.
    fn proof_arrived<E: Env>(
        &mut self,
        facts: &Facts,
        state: State,
        effects: Vec<Effect>,
        env: &mut E,
    ) -> Next {
        self.on_silent_code = false;
        let token = match self.take_proof(facts, env) {
            Ahead::Proven(token, _) => token,
            _ => {
                let e = LinkError::new(
                    ErrorCode::ReauthenticationFailed,
                    "the primary user's sign-in again (answered in a hidden frame) could not be used: see the debug log; nothing was linked",
                );
                let e = match std::mem::take(&mut self.silent) {
                    Silent::Failed(why) => why,
                    _ => e,
                };
                return self.fail(e, effects);
            }
        };
        if !matches!(self.link_token, LinkToken::Silent) {
            // The secondary's answer is not in yet: its validation takes the token.
            self.reauth_token = Some(token.raw().clone());
            return (state, effects);
        }
        self.link_token = LinkToken::NotAsked;
        match state {
            State::GettingLinkToken(verified) => {
                self.link(facts, verified, Ok(token.raw().clone()), env)
            }
            state => {
                self.link_token = LinkToken::Got(Ok(token.raw().clone()));
                (state, effects)
            }
        }
    }

    /// What a click finds: a proof is checked now (still recent, the primary's, a token
    /// that may make the change) and spent; a failed one says why on the debug log only.
    pub(super) fn take_proof<E: Env>(&mut self, facts: &Facts, env: &mut E) -> Ahead {
        match std::mem::take(&mut self.silent) {
            Silent::Proven {
                sub,
                auth_time,
                token,
            } => {
                let max_age = self.config.reauthenticate_max_age_seconds().unwrap_or(0);
                let now = env.now();
                if !id_token::recent_enough(auth_time, max_age, self.config.leeway_seconds(), now) {
                    self.silent = Silent::Failed(LinkError::new(
                        ErrorCode::ReauthenticationFailed,
                        format!("the sign-in again answered ahead of the click (auth_time {auth_time}) is older than {max_age} s at {now}"),
                    ));
                    return Ahead::None;
                }
                match self.prove(facts, &sub, token, env) {
                    Ok(token) => {
                        self.report(Report::Reauthenticated);
                        Ahead::Proven(token, auth_time)
                    }
                    Err(e) => {
                        self.silent = Silent::Failed(e);
                        Ahead::None
                    }
                }
            }
            other => {
                let pending =
                    matches!(other, Silent::Hashing(_) | Silent::Asking(_)) || other.code_back();
                self.silent = other;
                if pending {
                    Ahead::Pending
                } else {
                    Ahead::None
                }
            }
        }
    }

    /// A verified sign-in again as `sub`, with the access token its code exchange gave:
    /// it must be the pinned primary user, and its token one that may change the
    /// identities.
    pub(super) fn prove<E: Env>(
        &mut self,
        facts: &Facts,
        sub: &str,
        token: Option<AccessToken>,
        env: &E,
    ) -> Result<PrimaryToken, LinkError> {
        if facts.pin != Some(sub) {
            // Somebody else signed in at the tenant (or its session answered as them): the
            // session is told as after a secondary login, so the next window asks for the
            // primary's credentials (and the tab remembers whom it acts for).
            self.report(Report::SecondarySignedIn);
            return Err(LinkError::new(
                ErrorCode::UserMismatch,
                format!(
                    "the sign-in again came back as {}, but this widget acts for {}: nothing was changed",
                    quoted(sub),
                    facts.pin.map_or_else(|| "(no primary user yet)".to_owned(), quoted)
                ),
            ));
        }
        let raw = token.ok_or_else(|| {
            LinkError::new(
                ErrorCode::TokenExchangeFailed,
                format!(
                    "the primary user's sign-in again returned no access token for {} (update:current_user_identities), which makes the change",
                    self.config.management_audience()
                ),
            )
        })?;
        check_primary_token(
            Ok(raw),
            &self.config,
            env,
            Purpose::ChangeIdentities,
            facts.pin,
        )
    }

    /// The sign-in ahead by one answer; its next effects, wrapped.
    fn advance_silent<E: Env>(&mut self, event: Event, env: &mut E) -> Vec<Effect> {
        let failed = |e: LinkError| Silent::Failed(e.in_reauthentication());
        let (next, effect) = match (std::mem::take(&mut self.silent), event) {
            (Silent::Hashing(draft), Event::Sha256(Ok(digest))) => {
                let txn = draft.finish(digest.0).for_reauthentication();
                let url = txn.reauthenticate_url(
                    &self.config,
                    ResponseMode::WebMessage,
                    &Reauthentication {
                        max_age: self.config.reauthenticate_max_age_seconds().unwrap_or(0),
                        login_hint: None,
                        connection: None,
                        prompt: ReauthPrompt::Silent,
                    },
                );
                let effect = Effect::OpenFrame {
                    url: AuthorizeUrl::new(url),
                    seconds: SILENT_SECONDS,
                };
                (Silent::Asking(txn), Some(effect))
            }
            (Silent::Asking(txn), Event::Callback(response)) => {
                match txn.validate_callback(response, &self.config) {
                    Err(e) => (failed(e), None),
                    Ok(callback) => {
                        let (checking, exchange) = Checking::exchange(&self.config, &callback);
                        (Silent::Checking(checking, None), Some(exchange))
                    }
                }
            }
            (Silent::Asking(_), Event::TimedOut | Event::PopupBlocked) => (
                Silent::Failed(LinkError::new(
                    ErrorCode::ReauthenticationFailed,
                    format!("the hidden frame's sign-in again did not answer within {SILENT_SECONDS} s (or the page's frame-src refused it)"),
                )),
                None,
            ),
            (Silent::Checking(checking, mut token), event) => {
                let max_age = self.config.reauthenticate_max_age_seconds();
                match checking.step(&self.config, max_age, event, &mut token, env) {
                    Checked::Next(checking, effects) => {
                        self.silent = Silent::Checking(checking, token);
                        return effects.into_iter().map(wrap).collect();
                    }
                    Checked::Failed(e) | Checked::Refused(e) => (failed(e), None),
                    Checked::Verified(verified) => (
                        Silent::Proven {
                            sub: verified.sub().to_owned(),
                            // Required by max_age: the check refused its absence.
                            auth_time: verified.auth_time().unwrap_or(0),
                            token,
                        },
                        None,
                    ),
                }
            }
            // Late, duplicate or out of order (a frame's answer after a click spent it).
            (silent, _) => (silent, None),
        };
        self.silent = next;
        effect.map(wrap).into_iter().collect()
    }
}
