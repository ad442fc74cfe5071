//! One link attempt as a state machine: [`LinkFlow::step`] takes the session's facts and
//! an event, and returns the browser work to run and what the attempt learned. It never
//! awaits; the runner runs the effects (open the popup, send a request, verify a signature
//! with WebCrypto) and feeds the results back as events. Events that do not fit the
//! current state (late, duplicate, after the end) are ignored.
//!
//! The attempt owns only what is its own (the PKCE material, the verified secondary, the
//! link request in flight). The pinned primary user, the identity list and whether
//! somebody is asked first belong to the [`crate::session::Session`], which hands them
//! over at every step ([`Facts`]) and applies what the attempt reports ([`Report`]).

mod carry;
mod identity_op;
mod link;
mod reauth;
mod silent;
mod verify;
mod vocabulary;

pub use identity_op::{IdentityOp, IdentityOpEffect, IdentityOpEvent, IdentityOpKind, OpStep};
pub use silent::SILENT_SECONDS;
pub use vocabulary::{
    Effect, Event, Facts, Linked, Outcome, Position, Report, RequestPurpose, Step, TokenFailure,
    Via, DECISION_WINDOW_SECONDS, RECHECK_DELAYS_SECONDS,
};

use crate::config::{LinkConfig, ResponseMode};
use crate::encoding::quoted;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::id_token::VerifiedIdToken;
use crate::management::Identity;
use crate::primary::{PrimaryToken, Purpose};
use crate::secret::{AccessToken, AuthorizeUrl, OpaqueBytes, PersistedTransaction};
use crate::token;
use crate::transaction::{CallbackResponse, LoginPurpose, Transaction, TransactionDraft};

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
    /// The primary user signed in again: the secondary's login is prepared (its PKCE
    /// hash), then shown in the same window (or this tab again).
    PreparingSecondary {
        draft: TransactionDraft,
        connection: Option<String>,
        auth_time: Option<u64>,
    },
    AwaitingCallback(Transaction, Via),
    /// The user clicked while the sign-in ahead of the click was still out: the window
    /// is open (blank) until its answer says where it goes — to the account to link, or
    /// to the primary's sign-in again.
    AwaitingSilent(Transaction),
    /// The login's code is exchanged and its ID token checked.
    Checking(verify::Checking),
    /// The secondary's own user is read: an existing user with other logins is merged
    /// whole by a link, so it is refused (or, when the host allows it, shown as a merge).
    ReadingSecondary(VerifiedIdToken),
    /// Somebody is asked (the session's question); `since`: when the secondary was read.
    AwaitingDecision {
        verified: VerifiedIdToken,
        since: u64,
    },
    GettingLinkToken(VerifiedIdToken),
    /// The primary user is read before the secondary's settings are carried to it.
    ReadingPrimary {
        verified: VerifiedIdToken,
        token: PrimaryToken,
    },
    /// The host's `carryUserMetadata` function is asked for the primary's new settings.
    MergingUserMetadata {
        verified: VerifiedIdToken,
        token: PrimaryToken,
        primary: crate::json::Json,
    },
    /// The secondary's settings (`keys`) are being written to the primary.
    CarryingUserMetadata {
        verified: VerifiedIdToken,
        token: PrimaryToken,
        keys: Vec<String>,
    },
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
    /// Linked after carrying settings: the primary is read again for the end state.
    ReadingLinked {
        sub: String,
        identities: Vec<Identity>,
    },
    /// The unlink request is out, with the token of the primary's sign-in again.
    Unlinking,
    Linked,
    /// A login was removed.
    Unlinked,
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
                | State::Unlinked
                | State::Failed(_)
                | State::Cancelled
        )
    }

    /// The link request has been sent: only its answer (or the re-read) may end the
    /// attempt, never a cancel that would say "nothing was linked".
    fn link_is_out(&self) -> bool {
        matches!(
            self,
            State::Linking { .. }
                | State::Rechecking { .. }
                | State::WaitingToRecheck { .. }
                | State::CarryingUserMetadata { .. }
                | State::ReadingLinked { .. }
                | State::Unlinking
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
    /// The proof of the sign-in ahead of the click, still being checked, will be it.
    Silent,
}

/// One link attempt after another: prepare, log the secondary in, verify, wait for the
/// session's decision, link. The [`crate::session::Session`] drives it.
#[derive(Debug)]
pub struct LinkFlow {
    /// The configuration of the current attempt: an attempt in flight finishes with the
    /// settings it started with (the token request repeats the authorize request's
    /// `redirect_uri`); a new one is taken between attempts ([`LinkFlow::reconfigure`]).
    config: LinkConfig,
    state: State,
    connection: Option<String>,
    link_token: LinkToken,
    /// The secondary login's Management API token (`read:current_user`), until its own
    /// user has been read. Never sent anywhere else, never kept.
    secondary_token: Option<AccessToken>,
    /// A login was started (or resumed) since the last prepare: its PKCE material is used.
    attempted: bool,
    /// Whom the login being answered or verified signs in: the primary user again, or the
    /// account to link.
    leg: LoginPurpose,
    /// How the attempt's logins are shown.
    via: Via,
    /// The primary's sign-in again: its Management API token (from the code exchange),
    /// until its ID token is verified; then the token the link request uses.
    reauth_token: Option<AccessToken>,
    /// The login this attempt removes once the primary signed in again (instead of a
    /// secondary's login).
    unlink: Option<crate::management::IdentityRef>,
    /// The primary's sign-in again asked ahead of the click, in a hidden frame.
    silent: silent::Silent,
    /// The secondary's login started on the code of the sign-in ahead, before its proof
    /// was in: the link waits for that proof, and fails with it.
    on_silent_code: bool,
    /// The secondary's settings written to the primary in this attempt (`carryUserMetadata`):
    /// a link that fails afterwards says so.
    carried: Vec<String>,
    /// What this step learned, handed to the session when the step ends.
    reports: Vec<Report>,
}

type Next = (State, Vec<Effect>);

impl LinkFlow {
    pub fn new(config: LinkConfig) -> Self {
        LinkFlow {
            config,
            state: State::Idle,
            connection: None,
            link_token: LinkToken::NotAsked,
            secondary_token: None,
            attempted: false,
            leg: LoginPurpose::Secondary,
            via: Via::Popup,
            reauth_token: None,
            unlink: None,
            silent: silent::Silent::Off,
            on_silent_code: false,
            carried: Vec::new(),
            reports: Vec::new(),
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
            State::AwaitingCallback(txn, _) if txn.purpose() == LoginPurpose::Reauthenticate => {
                Position::Reauthenticating
            }
            State::AwaitingSilent(_) => Position::Reauthenticating,
            State::Checking(_) if self.leg == LoginPurpose::Reauthenticate => {
                Position::Reauthenticating
            }
            State::AwaitingCallback(..) | State::PreparingSecondary { .. } => {
                Position::AwaitingLogin
            }
            State::Checking(_) | State::ReadingSecondary(_) => Position::Verifying,
            State::AwaitingDecision { .. } => Position::Confirming,
            State::GettingLinkToken(_)
            | State::ReadingPrimary { .. }
            | State::MergingUserMetadata { .. }
            | State::CarryingUserMetadata { .. }
            | State::ReadingLinked { .. }
            | State::Linking { .. }
            | State::Rechecking { .. }
            | State::WaitingToRecheck { .. } => Position::Linking,
            State::Unlinking => Position::Unlinking,
            State::Linked => Position::Linked,
            // The attempt's part is over: the session says it with the list.
            State::Unlinked => Position::Idle,
            State::Failed(_) => Position::Failed,
            State::Cancelled => Position::Cancelled,
        }
    }

    /// The attempt removes a login (the primary's sign-in again before it, or the request).
    pub fn is_unlinking(&self) -> bool {
        self.unlink.is_some() && !self.state.is_resting() || matches!(self.state, State::Unlinking)
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
            State::Linked | State::Unlinked | State::Failed(_) | State::Cancelled
        )
    }

    /// Nothing of the attempt is under way (no popup, request or question out).
    pub fn is_resting(&self) -> bool {
        self.state.is_resting()
    }

    /// Whether [`Event::Cancel`] would stop the attempt: something is under way and the
    /// link request is not out yet.
    pub fn can_cancel(&self) -> bool {
        !self.state.is_resting() && !self.state.link_is_out()
    }

    /// Whether [`Event::Retry`] starts the attempt again.
    pub fn can_retry(&self) -> bool {
        matches!(
            self.state,
            State::Failed(_) | State::Cancelled | State::Blocked(..)
        )
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

    /// Advances the attempt by one event, with the session's facts as they are now.
    pub fn step<E: Env>(&mut self, facts: &Facts, event: Event, env: &mut E) -> Step {
        let state = std::mem::replace(&mut self.state, State::Idle);
        let (state, effects) = self.transition(facts, state, event, env);
        self.state = state;
        Step {
            effects,
            reports: std::mem::take(&mut self.reports),
        }
    }

    fn report(&mut self, report: Report) {
        self.reports.push(report);
    }

    fn fail(&mut self, error: LinkError, effects: Vec<Effect>) -> Next {
        let written = std::mem::take(&mut self.carried);
        let error = match written.is_empty() {
            true => error,
            false => error.with_detail(&format!(
                "; the secondary's settings {} had already been written to the primary user (a new attempt reads the primary first and does not write them again)",
                written.join(", ")
            )),
        };
        self.report(Report::Ended(Outcome::Failed(error.clone())));
        (State::Failed(error), effects)
    }

    fn begin<E: Env>(&mut self, facts: &Facts, env: &mut E) -> Next {
        self.attempted = false;
        self.reauth_token = None;
        self.unlink = None;
        self.carried.clear();
        let draft = TransactionDraft::new(&mut RandomOf(env));
        let input = OpaqueBytes::new(draft.digest_input());
        let mut effects = vec![Effect::GetPrimaryToken, Effect::ComputeSha256(input)];
        effects.extend(self.ask_ahead(facts, env));
        (
            State::Preparing {
                draft,
                token_checked: false,
                digest: None,
            },
            effects,
        )
    }

    /// Ready once the token passed its pre-flight and the hash is in; else keep waiting.
    fn prepared(
        &mut self,
        draft: TransactionDraft,
        token_checked: bool,
        digest: Option<[u8; 32]>,
    ) -> Next {
        match digest {
            Some(digest) if token_checked => {
                self.report(Report::Ready);
                (State::Ready(draft.finish(digest)), vec![])
            }
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
    fn transition<E: Env>(
        &mut self,
        facts: &Facts,
        state: State,
        event: Event,
        env: &mut E,
    ) -> Next {
        match (state, event) {
            (state, Event::Cancel) => self.cancel(state),
            (state, Event::Silent(event)) => self.silent_step(facts, state, *event, env),
            (state, Event::Prepare) if state.is_resting() => self.begin(facts, env),
            (State::Failed(_) | State::Cancelled | State::Blocked(..), Event::Retry) => {
                self.begin(facts, env)
            }
            (
                State::Idle,
                Event::Resume {
                    persisted,
                    callback,
                },
            ) => self.resume(facts, persisted, callback, env.now()),
            (
                State::Preparing {
                    draft,
                    token_checked,
                    digest,
                },
                event,
            ) => self.preparing(facts, draft, token_checked, digest, event, env),
            (State::Ready(txn), Event::Start { via, connection }) => {
                self.start(facts, txn, via, connection, env)
            }
            (State::Ready(txn), Event::StartUnlink(target)) => {
                self.start_unlink(facts, txn, target, env)
            }
            (State::Unlinking, Event::UnlinkResponse(result)) => self.unlink_answered(result, env),
            (
                State::Blocked(txn, _),
                Event::Start {
                    via: Via::Redirect,
                    connection,
                },
            ) => self.start(facts, txn, Via::Redirect, connection, env),
            (State::AwaitingCallback(txn, via), event) => self.awaiting(facts, txn, via, event),
            // The window opened blank for the sign-in ahead: closed, blocked or timed out
            // as any login window.
            (
                State::AwaitingSilent(txn),
                event @ (Event::PopupBlocked | Event::PopupClosed(_) | Event::TimedOut),
            ) => self.awaiting(facts, txn, Via::Popup, event),
            (
                State::PreparingSecondary {
                    draft,
                    connection,
                    auth_time,
                },
                event,
            ) => self.preparing_secondary(facts, draft, connection, auth_time, event, env),
            (state @ (State::Checking(_) | State::ReadingSecondary(_)), event) => {
                self.verifying(facts, state, event, env)
            }
            (State::AwaitingDecision { verified, since }, Event::Decided(true)) => {
                self.decided(facts, verified, since, env)
            }
            (State::AwaitingDecision { .. }, Event::Decided(false)) => {
                self.report(Report::Ended(Outcome::Cancelled));
                (State::Cancelled, vec![])
            }
            (State::GettingLinkToken(verified), Event::PrimaryToken(result)) => {
                self.link_token = LinkToken::NotAsked;
                self.link(facts, verified, result, env)
            }
            (State::ReadingPrimary { verified, token }, Event::PrimaryUserResponse(result)) => {
                self.primary_read(facts, verified, token, result, env)
            }
            (
                State::MergingUserMetadata {
                    verified,
                    token,
                    primary,
                },
                Event::UserMetadataMerged(merged),
            ) => self.settings_merged(facts, verified, token, primary, merged, env),
            (
                State::CarryingUserMetadata {
                    verified,
                    token,
                    keys,
                },
                Event::UserMetadataPatched(result),
            ) => self.settings_written(facts, verified, token, keys, result, env),
            (State::Linking { sub, token }, Event::LinkResponse(result)) => {
                self.link_answered(sub, token, result, env)
            }
            (State::ReadingLinked { sub, identities }, Event::LinkedUserResponse(result)) => {
                self.linked_read(sub, identities, result, env)
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

    /// A cancel stops whatever is under way until the link request is out; from then on
    /// only the answer (or the re-read) tells what happened, so it is refused.
    fn cancel(&mut self, state: State) -> Next {
        match state {
            State::Idle | State::Linked | State::Failed(_) | State::Cancelled => (state, vec![]),
            state if state.link_is_out() => (state, vec![]),
            State::AwaitingSilent(_) => {
                self.report(Report::Ended(Outcome::Cancelled));
                (
                    State::Cancelled,
                    vec![Effect::CancelTimer, Effect::ClosePopup],
                )
            }
            State::AwaitingCallback(_, via) => {
                let mut effects = vec![Effect::CancelTimer, Effect::ClosePopup];
                if via == Via::Redirect {
                    effects.push(Effect::ClearPersistedTransaction);
                }
                self.report(Report::Ended(Outcome::Cancelled));
                (State::Cancelled, effects)
            }
            _ => {
                self.report(Report::Ended(Outcome::Cancelled));
                (State::Cancelled, vec![])
            }
        }
    }

    fn preparing<E: Env>(
        &mut self,
        facts: &Facts,
        draft: TransactionDraft,
        token_checked: bool,
        digest: Option<[u8; 32]>,
        event: Event,
        env: &mut E,
    ) -> Next {
        match event {
            // With the sign-in again, that sign-in's token makes the change: the host's
            // need only read (a tenant may grant the change scope to recent sign-ins only).
            Event::PrimaryToken(result) => match check_primary_token(
                result,
                &self.config,
                env,
                match self.config.reauthenticate_max_age_seconds() {
                    Some(_) => Purpose::ReadIdentities,
                    None => Purpose::ChangeIdentities,
                },
                facts.pin,
            ) {
                Err(e) => self.fail(e, vec![]),
                Ok(token) => {
                    self.report(Report::PinLearned(token.user_id().to_owned()));
                    self.prepared(draft, true, digest)
                }
            },
            Event::Sha256(Ok(digest)) => self.prepared(draft, token_checked, Some(digest.0)),
            Event::Sha256(Err(why)) => self.fail(
                LinkError::new(
                    ErrorCode::UnexpectedResponse,
                    format!("SHA-256 is unavailable in this environment ({why})"),
                ),
                vec![],
            ),
            // Anything else changes nothing: still preparing.
            _ => self.prepared(draft, token_checked, digest),
        }
    }

    /// The user clicked: the popup opens on the authorize URL, or this tab navigates to
    /// it (the redirect fallback, which keeps the connection of a blocked attempt). With
    /// re-authentication on, the primary user's sign-in again answered ahead of the click
    /// is used when it is proven; a window waits (blank) for one still out; otherwise the
    /// first login is the primary's sign-in again, the chosen connection waiting in the
    /// transaction for the login after it.
    fn start<E: Env>(
        &mut self,
        facts: &Facts,
        txn: Transaction,
        via: Via,
        connection: Option<String>,
        env: &mut E,
    ) -> Next {
        let now = env.now();
        let connection = match via {
            Via::Popup => connection,
            Via::Redirect => connection.or_else(|| txn.connection().map(str::to_owned)),
        };
        let txn = match self.choose_connection(txn, connection) {
            Ok(t) => t,
            Err(e) => return self.fail(e, vec![]),
        };
        if self.config.reauthenticate_max_age_seconds().is_none() {
            return self.show_login(facts, txn, via, now, vec![]);
        }
        let secondary = txn.for_purpose(LoginPurpose::Secondary);
        match (self.take_proof(facts, env), via) {
            (silent::Ahead::Proven(token, auth_time), via) => {
                if via == Via::Popup {
                    self.reauth_token = Some(token.raw().clone());
                }
                let txn = secondary.after_reauthentication(Some(auth_time));
                self.show_login(facts, txn, via, now, vec![])
            }
            (silent::Ahead::Pending, Via::Popup) if self.silent.code_back() => {
                self.on_silent_code = true;
                self.show_login(facts, secondary, via, now, vec![])
            }
            (silent::Ahead::Pending, Via::Popup) => {
                // Opened in the click, blank until the frame answers.
                self.attempted = true;
                self.via = Via::Popup;
                (
                    State::AwaitingSilent(secondary.for_reauthentication()),
                    vec![
                        Effect::StartTimer {
                            seconds: self.config.popup_timeout_seconds(),
                        },
                        Effect::OpenPopup {
                            url: AuthorizeUrl::new("about:blank".to_owned()),
                        },
                    ],
                )
            }
            _ => self.show_login(facts, secondary.for_reauthentication(), via, now, vec![]),
        }
    }

    /// Shows `txn`'s login in the popup (a new one, or the one open: the primary's sign-in
    /// again came before) or in this tab.
    fn show_login(
        &mut self,
        facts: &Facts,
        txn: Transaction,
        via: Via,
        now: u64,
        mut effects: Vec<Effect>,
    ) -> Next {
        self.via = via;
        if via == Via::Popup {
            self.attempted = true;
            let url = self.login_url(facts, &txn, self.config.response_mode());
            let seconds = self.config.popup_timeout_seconds();
            effects.extend([
                Effect::StartTimer { seconds },
                Effect::OpenPopup { url },
                Effect::PrefetchJwks {
                    request: token::prepare_jwks_request(&self.config),
                },
            ]);
            return (State::AwaitingCallback(txn, Via::Popup), effects);
        }
        if self.config.redirect_fallback_uri().is_none() {
            let e = LinkError::config("redirectUri", "is needed to continue in this tab", "set redirectUri to a page that calls the widget's resume on load, registered in Allowed Callback URLs");
            return self.fail(e, effects);
        }
        self.attempted = true;
        // The page the login comes back to acts for the same user: the transaction
        // carries the session's pin across the round trip (and its state the mark of a
        // login that left the tab).
        let txn = txn
            .with_primary_user(facts.pin.map(str::to_owned))
            .started(now);
        let url = self.login_url(facts, &txn, ResponseMode::Query);
        self.report(Report::LoginLeavesTab);
        let persisted = PersistedTransaction::new(txn.persist());
        effects.extend([
            Effect::PersistTransaction(persisted),
            Effect::Navigate { url },
        ]);
        (State::AwaitingCallback(txn, Via::Redirect), effects)
    }

    /// The authorize URL of `txn`'s login: the account to link, or the primary user's
    /// sign-in again (hinted with the primary's email and connection from the list).
    fn login_url(&self, facts: &Facts, txn: &Transaction, mode: ResponseMode) -> AuthorizeUrl {
        let url = match (txn.purpose(), self.config.reauthenticate_max_age_seconds()) {
            (LoginPurpose::Reauthenticate, Some(max_age)) => {
                txn.reauthenticate_url(&self.config, mode, &reauthentication(facts, max_age))
            }
            _ => txn.authorize_url(&self.config, mode),
        };
        AuthorizeUrl::new(url)
    }

    fn awaiting(&mut self, facts: &Facts, txn: Transaction, via: Via, event: Event) -> Next {
        match (via, event) {
            (Via::Popup, Event::PopupBlocked) if self.unlink.is_some() => self.fail(
                LinkError::new(
                    ErrorCode::PopupBlocked,
                    "window.open returned null: the sign-in again before an unlink needs its window (call unlink from a click handler)",
                ),
                vec![Effect::CancelTimer],
            ),
            (Via::Popup, Event::PopupBlocked) => self.blocked(
                txn,
                LinkError::new(
                    ErrorCode::PopupBlocked,
                    "window.open returned null: the browser blocked the popup; offer redirect mode",
                ),
            ),
            (Via::Popup, Event::PopupClosed(Some(policy))) if severs_popups(&policy) => self.blocked(
                txn,
                LinkError::new(
                    ErrorCode::PopupBlocked,
                    "Cross-Origin-Opener-Policy: same-origin on this page cuts the login window off; \
                     send same-origin-allow-popups, or continue in this tab",
                )
                .cut_off_by_opener_policy(),
            ),
            (Via::Popup, Event::PopupClosed(_))
                if txn.purpose() == LoginPurpose::Reauthenticate =>
            {
                self.fail(
                    LinkError::new(
                        ErrorCode::ReauthenticationFailed,
                        "the login window was closed before the primary user signed in again",
                    ),
                    vec![Effect::CancelTimer],
                )
            }
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
                let mut effects = vec![Effect::CancelTimer];
                // The primary's sign-in again keeps its window: the secondary's login
                // follows in it.
                if txn.purpose() == LoginPurpose::Secondary {
                    effects.push(Effect::ClosePopup);
                }
                if via == Via::Redirect {
                    effects.push(Effect::ClearPersistedTransaction);
                }
                self.exchange(facts, txn, response, effects)
            }
            (via, _) => (State::AwaitingCallback(txn, via), vec![]),
        }
    }

    /// The login window cannot be used: the attempt waits in `Blocked`, where the user can
    /// continue in this tab (redirect mode) or cancel.
    fn blocked(&mut self, txn: Transaction, e: LinkError) -> Next {
        self.report(Report::Ended(Outcome::Failed(e.clone())));
        (State::Blocked(txn, e), vec![Effect::CancelTimer])
    }

    /// Redirect mode, back on the page: the transaction the login left, and its answer.
    fn resume(
        &mut self,
        facts: &Facts,
        persisted: Option<PersistedTransaction>,
        callback: CallbackResponse,
        now: u64,
    ) -> Next {
        let effects = vec![Effect::ClearPersistedTransaction];
        self.attempted = true;
        let restored = persisted
            .as_ref()
            .map(|p| Transaction::restore(p.secret()).and_then(|t| t.check_age(now).map(|()| t)));
        // The page the login left acted for this user: so does this one.
        if let Some(user) = restored
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .and_then(Transaction::primary_user_id)
        {
            self.report(Report::PinLearned(user.to_owned()));
        }
        // A code came back: the secondary signed in at the tenant, whether or not this tab
        // still has (or may still use) the transaction — unless the transaction says it
        // was the primary user's sign-in again.
        let primary_again = restored
            .as_ref()
            .and_then(|r| r.as_ref().ok())
            .is_some_and(|t| t.purpose() == LoginPurpose::Reauthenticate);
        if callback.code.is_some() && !primary_again {
            self.report(Report::SecondarySignedIn);
        }
        self.via = Via::Redirect;
        match restored {
            None => self.fail(LinkError::new(ErrorCode::StateMismatch, "an authorization response arrived but no login is pending in this tab; it was dropped"), effects),
            Some(Err(e)) => self.fail(e, effects),
            Some(Ok(txn)) => {
                self.connection = txn.connection().map(str::to_owned);
                // The account to link comes back after the primary's sign-in again (the
                // round trip before), or re-authentication is off.
                if txn.purpose() == LoginPurpose::Secondary
                    && self.config.reauthenticate_max_age_seconds().is_some()
                    && txn.reauthenticated_at().is_none()
                {
                    let e = LinkError::new(
                        ErrorCode::ReauthenticationFailed,
                        "the login came back to this tab without the primary user's sign-in again before it (reauthenticate is on); nothing was linked",
                    );
                    return self.fail(e, effects);
                }
                self.validate(facts, txn, callback, effects)
            }
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
                    format!("{} is not one of the configured connections", quoted(name)),
                    "pass a name listed in options.connections",
                ));
            }
        }
        self.connection = connection.clone();
        Ok(txn.with_connection(connection))
    }

    fn check_token<E: Env>(
        &self,
        facts: &Facts,
        result: Result<AccessToken, TokenFailure>,
        env: &E,
    ) -> Result<PrimaryToken, LinkError> {
        check_primary_token(
            result,
            &self.config,
            env,
            Purpose::ChangeIdentities,
            facts.pin,
        )
    }
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

/// `getAccessToken`'s answer, pre-flighted for `purpose`; once the session knows its
/// primary user (`pinned`), a token for anybody else is `user_mismatch`: after a
/// secondary login the tenant's session (and so a silently renewed token) may belong to
/// the other account, and nothing may be sent in its name.
pub(super) fn check_primary_token<E: Env>(
    result: Result<AccessToken, TokenFailure>,
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
    let token = PrimaryToken::inspect(env.json(), Some(raw.secret()), config, env.now(), purpose)?;
    match pinned {
        Some(expected) if expected != token.user_id() => Err(LinkError::new(
            ErrorCode::UserMismatch,
            format!(
                "getAccessToken returned a token for {}, but this widget acts for {}: the tenant's session may have changed to another account; sign the primary user in again",
                quoted(token.user_id()),
                quoted(expected),
            ),
        )),
        _ => Ok(token),
    }
}

/// What the primary's sign-in again asks of the login page, from the session's facts: the
/// primary identity (the list's first) names the email to hint and the connection.
fn reauthentication(facts: &Facts, max_age: u64) -> crate::transaction::Reauthentication {
    let primary = facts.identities.and_then(<[_]>::first);
    crate::transaction::Reauthentication {
        max_age,
        login_hint: primary
            .and_then(|p| p.profile_data.as_ref())
            .and_then(|d| d.email.clone()),
        connection: primary.map(|p| p.connection.clone()),
        prompt: match facts.other_session {
            true => crate::transaction::ReauthPrompt::Login,
            false => crate::transaction::ReauthPrompt::AsNeeded,
        },
    }
}

/// Adapts an `Env` to a `RandomSource`.
struct RandomOf<'a, E: Env>(&'a mut E);

impl<E: Env> crate::env::RandomSource for RandomOf<'_, E> {
    fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_random(buf);
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
        assert!(!flow.can_cancel());
    }
}
