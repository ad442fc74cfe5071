//! The linking session: one machine for every rule a session decides. The Yew widget, the
//! headless functions and the custom element are drivers of it: they feed it [`Input`]s
//! (the user's commands, the host's answers, the browser's results) and run the
//! [`Output`]s it returns. It never awaits and holds no browser handle.
//!
//! Each fact of a session has one owner, here:
//! - the pinned primary `sub` ([`Pin`]): the user a `primaryUserId` names, else the one the
//!   tab remembered after a secondary login ended without a link ([`Output::RememberPin`]),
//!   else the first token that passed a check. Written only by `Session::learn_pin`; the
//!   attempt and the identity operations are handed it ([`Facts`]);
//! - the identity list (read, re-read after a link or unlink);
//! - the open question ([`Asked`]): "link this account?", the host's `beforeLink`, "unlink
//!   this account?" — one at a time, each with its own [`QuestionId`]; an answer names the
//!   question it answers, and an answer to any other is dropped;
//! - the secondary login of the current attempt ([`SecondaryLogin`]) and `session_changed`;
//! - what the view shows ([`View`], with what the UI may offer) and what the host hears
//!   ([`Tell`]);
//! - the configuration: one copy, given again with [`Input::Configure`]. Another tenant or
//!   client starts over; anything else is taken by the next attempt (the login page gets
//!   the current `ui_locales`), while an attempt in flight finishes with its own.
//!
//! The attempt ([`LinkFlow`]) and the identity operations ([`IdentityOp`]) keep only what
//! is theirs and report what they learn; `Session::apply` takes every report.

use crate::config::LinkConfig;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::flow::{
    Effect, Event, Facts, IdentityOp, IdentityOpEvent, IdentityOpKind, LinkFlow, OpStep, Outcome,
    Report, Via,
};
use crate::id_token::SecondaryProfile;
use crate::management::{carry_profiles, Identity, IdentityRef};
use crate::transaction::{CallbackResponse, Transaction};

mod vocabulary;

pub use crate::flow::Position;
pub use vocabulary::{
    Answer, Asked, Command, Input, Notice, Offers, Output, Policy, Question, QuestionId,
    RedirectReturn, Tell, View,
};

/// Whether a page's query holds an answer to a login of this widget: a response whose
/// `state` is the stored transaction's, or one made by the widget whose transaction is gone
/// (it is taken, and ends in `state_mismatch` with `session_changed`, rather than being
/// left for the host). Anything else (the host's own callback, say auth0-spa-js's `code`
/// and `state`) is not ours and stays in the URL.
pub fn redirect_response(query: &str, stored: Option<&str>) -> Option<CallbackResponse> {
    let callback = CallbackResponse::from_query(query).ok()?;
    let state = callback.state.as_deref()?;
    let pending = stored
        .and_then(|s| Transaction::restore(s).ok())
        .is_some_and(|txn| txn.state_matches(state));
    (pending || crate::transaction::is_widget_state(state)).then_some(callback)
}

/// The primary user the session acts for.
#[derive(Debug, Default)]
pub struct Pin {
    user: Option<String>,
    /// It came from the tab (an earlier page's secondary login ended without a link).
    remembered: bool,
    /// The host named another user than the one the tab remembered: the host signed its
    /// user in again (or another user in), so what the tab kept is forgotten on open.
    outdated_in_tab: bool,
}

/// The secondary login of the current attempt, as far as the session knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondaryLogin {
    #[default]
    None,
    /// A code came back: somebody signed in at the tenant.
    SignedIn,
    /// Its ID token named the pinned primary user: the tenant's session is still theirs.
    WasPrimary,
}

/// One linking session.
#[derive(Debug)]
pub struct Session {
    config: LinkConfig,
    policy: Policy,
    attempt: LinkFlow,
    generation: u32,
    identities: Option<Vec<Identity>>,
    pin: Pin,
    secondary: SecondaryLogin,
    question: Option<Asked>,
    next_question: u32,
    list: Option<(u32, IdentityOp)>,
    list_failed: bool,
    prepare_after_list: bool,
    unlink: Option<(u32, IdentityOp)>,
    next_op: u32,
    /// The host's words when its `beforeLink` stopped the link.
    stop_words: Option<String>,
    /// A link asked for before the attempt was ready.
    queued_link: Option<Option<String>>,
    /// An unlink (with the primary's sign-in again) asked for before the attempt was ready.
    queued_unlink: Option<IdentityRef>,
    notice: Option<Notice>,
    session_changed: bool,
    /// The tenant's session may belong to another user than the primary: a secondary
    /// login signed in (in this page, or in the tab before: the remembered pin) and no
    /// link, sign-in again or login as the primary has happened since. The host's
    /// `session_changed` is what it was told; this is what the next login must expect.
    tenant_session_other: bool,
    /// The login the tenant's session last signed in with in this page (a verified
    /// secondary's `sub`): unlinking it makes that session another user's again.
    last_login: Option<String>,
}

impl Session {
    /// A session for `config`. `remembered_pin`: the primary `sub` this tab kept after a
    /// secondary login ended without a link; a `primaryUserId` the host sets is its own
    /// word and replaces it.
    pub fn new(config: LinkConfig, policy: Policy, remembered_pin: Option<String>) -> Session {
        let mut session = Session {
            attempt: LinkFlow::new(config.clone()),
            policy,
            generation: 0,
            identities: None,
            pin: Pin::default(),
            secondary: SecondaryLogin::None,
            question: None,
            next_question: 0,
            list: None,
            list_failed: false,
            prepare_after_list: false,
            unlink: None,
            next_op: 0,
            stop_words: None,
            queued_link: None,
            queued_unlink: None,
            notice: None,
            session_changed: false,
            tenant_session_other: false,
            last_login: None,
            config,
        };
        match session.config.primary_user_id().map(str::to_owned) {
            Some(given) => {
                session.pin.outdated_in_tab = remembered_pin.is_some_and(|kept| kept != given);
                session.learn_pin(given);
            }
            None => {
                if let Some(kept) = remembered_pin {
                    session.learn_pin(kept);
                    session.pin.remembered = true;
                    session.tenant_session_other = true;
                }
            }
        }
        session
    }

    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The primary user the session acts for, once known.
    pub fn primary_user_id(&self) -> Option<&str> {
        self.pin.user.as_deref()
    }

    /// The one place the pin is written: a pin never moves to another user.
    fn learn_pin(&mut self, user: String) {
        if self.pin.user.is_none() {
            self.pin.user = Some(user);
        }
    }

    pub fn position(&self) -> Position {
        if self.host_deciding() {
            // Confirmed; the host's beforeLink decides.
            return Position::Linking;
        }
        self.attempt.position()
    }

    /// The host's `beforeLink` is asked and has not answered.
    fn host_deciding(&self) -> bool {
        matches!(
            &self.question,
            Some(Asked {
                question: Question::BeforeLink(_),
                ..
            })
        )
    }

    fn link_question_open(&self) -> bool {
        matches!(
            &self.question,
            Some(Asked {
                question: Question::Confirm(_) | Question::BeforeLink(_),
                ..
            })
        )
    }

    /// What the UI may offer now.
    pub fn offers(&self) -> Offers {
        let position = self.attempt.position();
        let list_missing =
            self.policy.list_identities && self.identities.is_none() && self.list.is_none();
        Offers {
            link: position == Position::Ready,
            retry: self.attempt.can_retry() || (list_missing && self.list_failed),
            continue_in_tab: position == Position::PopupBlocked
                && self.config.redirect_fallback_uri().is_some(),
            cancel: self.list.is_some() || self.attempt.can_cancel(),
            unlink: self.identities.as_ref().is_some_and(|ids| ids.len() > 1)
                && !self.unlinking()
                && !self.link_question_open(),
        }
    }

    /// A login is being removed: by the host's token (an identity operation), or by the
    /// attempt after the primary's sign-in again.
    fn unlinking(&self) -> bool {
        self.unlink.is_some() || self.attempt.is_unlinking()
    }

    pub fn view(&self) -> View {
        View {
            position: self.position(),
            identities: self.identities.clone(),
            listing: self.list.is_some(),
            waiting: self.list.is_some()
                || self.attempt.position() == Position::Preparing
                || self.host_deciding(),
            notice: self.notice.clone(),
            session_changed: self.session_changed,
            question: self.question.clone(),
            unlinking: self.unlinking(),
            offers: self.offers(),
        }
    }

    /// Advances the session by one input.
    pub fn step<E: Env>(&mut self, input: Input, env: &mut E) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Open(resume) => self.open(resume, env, &mut out),
            Input::Command(command) => self.command(command, env, &mut out),
            Input::Attempt(generation, event) if generation == self.generation => {
                self.drive(event, env, &mut out)
            }
            Input::Attempt(..) => {
                out.push(Output::Note("dropped a late answer of an earlier attempt"))
            }
            Input::Op(id, event) => self.op_answered(id, event, env, &mut out),
            Input::Configure {
                config,
                remembered_pin,
            } => self.configure(config, remembered_pin, env, &mut out),
        }
        out
    }

    fn open<E: Env>(&mut self, resume: Option<RedirectReturn>, env: &mut E, out: &mut Vec<Output>) {
        if std::mem::take(&mut self.pin.outdated_in_tab) {
            out.push(Output::ForgetPin);
        }
        let resumed = resume.is_some();
        if let Some(RedirectReturn {
            persisted,
            callback,
        }) = resume
        {
            self.generation += 1;
            self.drive(
                Event::Resume {
                    persisted,
                    callback,
                },
                env,
                out,
            );
        }
        // The primary's sign-in again names whom it expects (the list's first identity:
        // its email as `login_hint`, its connection): a session that starts one reads the
        // list first even when nothing shows it (a resumed one has signed in already).
        let hint_needed = self.config.reauthenticate_max_age_seconds().is_some() && !resumed;
        if self.policy.list_identities {
            self.list(!resumed, out);
        } else if hint_needed {
            // Side by side: the list only names whom the window asks for; a link asked
            // for starts once both are in.
            self.list(false, out);
            self.prepare(env, out);
        } else if !resumed {
            self.prepare(env, out);
        }
    }

    /// A new attempt: a fresh generation, the current configuration.
    fn prepare<E: Env>(&mut self, env: &mut E, out: &mut Vec<Output>) {
        if !self.attempt.is_resting() {
            return;
        }
        self.generation += 1;
        self.attempt.reconfigure(self.config.clone());
        self.drive(Event::Prepare, env, out);
    }

    /// Steps the attempt with the session's facts, forwards its browser work, and applies
    /// what it reports.
    fn drive<E: Env>(&mut self, event: Event, env: &mut E, out: &mut Vec<Output>) {
        let facts = facts(
            &self.pin,
            &self.identities,
            self.policy,
            self.tenant_session_other,
        );
        let step = self.attempt.step(&facts, event, env);
        let generation = self.generation;
        out.extend(
            step.effects
                .into_iter()
                .map(|effect| Output::Attempt(generation, effect)),
        );
        for report in step.reports {
            self.apply(report, env, out);
        }
    }

    /// Every report of the attempt becomes a fact, a question or what the host hears here.
    fn apply<E: Env>(&mut self, report: Report, env: &mut E, out: &mut Vec<Output>) {
        match report {
            Report::Ready => self.start_queued(env, out),
            Report::PinLearned(user) => self.learn_pin(user),
            // Whatever comes back to the tab is checked against this primary user.
            Report::LoginLeavesTab => self.remember_pin(out),
            Report::SecondarySignedIn => {
                // Until a link succeeds, the tab remembers whom the session acts for.
                self.secondary = SecondaryLogin::SignedIn;
                self.tenant_session_other = true;
                self.remember_pin(out);
            }
            Report::SecondaryVerified(sub) => {
                self.last_login = Some(sub.clone());
                if self.pin.user.as_deref() == Some(sub.as_str()) {
                    // The login signed the primary in again: the tenant's session is theirs.
                    self.secondary = SecondaryLogin::WasPrimary;
                    self.tenant_session_other = false;
                    self.pin.remembered = false;
                    out.push(Output::ForgetPin);
                }
            }
            Report::Reauthenticated => {
                // The primary user signed in again: the tenant's session is theirs again.
                self.tenant_session_other = false;
                if self.pin.remembered {
                    self.pin.remembered = false;
                    out.push(Output::ForgetPin);
                }
            }
            Report::Asks(profile) => self.ask_link(*profile, out),
            Report::Ended(outcome) => self.ended(outcome, env, out),
        }
    }

    fn ended<E: Env>(&mut self, outcome: Outcome, env: &mut E, out: &mut Vec<Output>) {
        self.queued_link = None;
        self.queued_unlink = None;
        if self.link_question_open() {
            self.question = None;
        }
        // An unlink's question ends with its attempt.
        if matches!(
            &self.question,
            Some(Asked {
                question: Question::Unlink(_),
                ..
            })
        ) && self.unlink.is_none()
        {
            self.question = None;
        }
        let secondary = std::mem::take(&mut self.secondary);
        match outcome {
            Outcome::Unlinked(ids) => self.unlinked(Ok(ids), env, out),
            Outcome::Linked(mut linked) => {
                if let Some(previous) = &self.identities {
                    linked.identities = carry_profiles(previous, linked.identities);
                }
                self.identities = Some(linked.identities.clone());
                self.notice = Some(Notice::Linked);
                self.session_changed = false;
                // The linked login now signs in as the primary user.
                self.tenant_session_other = false;
                self.pin.remembered = false;
                out.push(Output::ForgetPin);
                out.push(Output::Tell(Tell::Linked(linked)));
            }
            Outcome::Failed(e) => {
                if secondary == SecondaryLogin::SignedIn
                    || (e.code() == ErrorCode::UserMismatch && self.pin.remembered)
                {
                    self.say_session_changed(out);
                }
                self.notice = Some(Notice::Error(e.clone()));
                out.push(Output::Tell(Tell::Failed(e)));
            }
            Outcome::Cancelled => {
                if secondary == SecondaryLogin::SignedIn {
                    self.say_session_changed(out);
                }
                self.notice = Some(Notice::Cancelled(self.stop_words.take()));
                out.push(Output::Tell(Tell::Failed(LinkError::cancelled())));
            }
        }
        // Whatever ended the attempt, its window and timer go.
        out.push(Output::Attempt(self.generation, Effect::CancelTimer));
        out.push(Output::Attempt(self.generation, Effect::ClosePopup));
        if self.policy.stay_ready && self.attempt.needs_fresh_attempt() {
            self.prepare(env, out);
        }
    }

    fn remember_pin(&self, out: &mut Vec<Output>) {
        if let Some(pin) = &self.pin.user {
            out.push(Output::RememberPin(pin.clone()));
        }
    }

    /// The tenant's session may now belong to another user than the primary: said once.
    fn say_session_changed(&mut self, out: &mut Vec<Output>) {
        if !self.session_changed {
            self.session_changed = true;
            out.push(Output::Tell(Tell::SessionChanged));
        }
    }

    fn open_question(&mut self, question: Question) -> Asked {
        self.next_question += 1;
        let asked = Asked {
            id: QuestionId(self.next_question),
            question,
        };
        self.question = Some(asked.clone());
        asked
    }

    /// The verified secondary (the attempt asks only when the policy asks somebody): the
    /// user (or the host's `confirm`) first, else the host's `beforeLink`.
    fn ask_link(&mut self, profile: SecondaryProfile, out: &mut Vec<Output>) {
        let question = if self.policy.confirm {
            Question::Confirm(profile)
        } else {
            Question::BeforeLink(profile)
        };
        let asked = self.open_question(question);
        out.push(Output::Ask(asked));
    }

    fn answered<E: Env>(
        &mut self,
        id: QuestionId,
        answer: Answer,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        let open = match &self.question {
            Some(asked) if asked.id == id => asked.question.clone(),
            _ => {
                out.push(Output::Note(
                    "dropped an answer to a question that is no longer open",
                ));
                return;
            }
        };
        match (open, answer) {
            (Question::Confirm(profile), Answer::Yes) if self.policy.before_link => {
                let asked = self.open_question(Question::BeforeLink(profile));
                out.push(Output::Ask(asked));
            }
            (Question::Confirm(_) | Question::BeforeLink(_), Answer::Yes) => {
                self.question = None;
                self.drive(Event::Decided(true), env, out);
            }
            (Question::Confirm(_) | Question::BeforeLink(_), Answer::No(words)) => {
                self.question = None;
                self.stop_words = words;
                self.drive(Event::Decided(false), env, out);
            }
            // The question stays open (its dialog shows the unlink under way) until the
            // answer comes back.
            (Question::Unlink(identity), Answer::Yes) => self.start_unlink(identity, env, out),
            (Question::Unlink(_), Answer::No(_)) if !self.unlinking() => self.question = None,
            (Question::Unlink(_), Answer::No(_)) => out.push(Output::Note(
                "the unlink request is out: it cannot be called back",
            )),
        }
    }

    /// A link or unlink asked for before the attempt was ready starts once it is (and,
    /// when the window's sign-in again names the primary from the list, once that is in).
    fn start_queued<E: Env>(&mut self, env: &mut E, out: &mut Vec<Output>) {
        if self.attempt.position() != Position::Ready || self.list.is_some() {
            return;
        }
        if let Some(connection) = self.queued_link.take() {
            self.start(Via::Popup, connection, env, out);
        } else if let Some(target) = self.queued_unlink.take() {
            self.drive(Event::StartUnlink(target), env, out);
        }
    }

    fn start<E: Env>(
        &mut self,
        via: Via,
        connection: Option<String>,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        self.drive(Event::Start { via, connection }, env, out);
    }

    fn command<E: Env>(&mut self, command: Command, env: &mut E, out: &mut Vec<Output>) {
        match command {
            Command::Link(connection) => match self.attempt.position() {
                Position::Ready => self.start(Via::Popup, connection, env, out),
                Position::Idle | Position::Preparing => self.queued_link = Some(connection),
                _ => {}
            },
            Command::ContinueInTab => self.start(Via::Redirect, None, env, out),
            // Without a list there is nothing to link against yet: read it again first.
            Command::Retry if self.identities.is_none() && self.policy.list_identities => {
                if self.list.is_none() {
                    self.list(true, out);
                }
            }
            Command::Retry => {
                if self.attempt.can_retry() {
                    self.generation += 1;
                    self.attempt.reconfigure(self.config.clone());
                    self.drive(Event::Retry, env, out);
                }
            }
            Command::Answer(id, answer) => self.answered(id, answer, env, out),
            Command::Cancel => {
                if self.list.take().is_some() {
                    self.list_failed = true;
                    self.notice = Some(Notice::Cancelled(None));
                    out.push(Output::Tell(Tell::Failed(LinkError::cancelled())));
                } else if self.attempt.can_cancel() {
                    self.drive(Event::Cancel, env, out);
                } else if self.attempt.position() == Position::Linking {
                    out.push(Output::Note(
                        "cancel refused: the link request is out, its answer tells what happened",
                    ));
                }
            }
            // The host's unlink call (headless): no question, the call is the decision.
            Command::Unlink(target) => self.remove(target, env, out),
            Command::AskUnlink(identity) => {
                if self.offers().unlink && self.is_listed(&identity) {
                    self.open_question(Question::Unlink(identity));
                }
            }
            Command::Dismiss => {
                self.notice = None;
                self.session_changed = false;
            }
        }
    }

    fn is_listed(&self, identity: &Identity) -> bool {
        self.identities.as_ref().is_some_and(|ids| {
            ids.iter()
                .any(|i| i.provider == identity.provider && i.user_id == identity.user_id)
        })
    }

    fn new_op(&mut self, kind: IdentityOpKind, out: &mut Vec<Output>) -> (u32, IdentityOp) {
        self.next_op += 1;
        let (op, first) = IdentityOp::new(self.config.clone(), kind);
        out.push(Output::Op(self.next_op, first));
        (self.next_op, op)
    }

    fn list(&mut self, then_prepare: bool, out: &mut Vec<Output>) {
        self.list_failed = false;
        self.prepare_after_list = then_prepare;
        self.list = Some(self.new_op(IdentityOpKind::List, out));
    }

    /// Only an identity of the current list, one at a time.
    /// Removes a listed login. With re-authentication on, the attempt does it: the window
    /// opened in this click signs the primary in again, whose token unlinks (the attempt
    /// must be ready, as for a link; otherwise the popup could not open in the click).
    /// Otherwise one identity operation with the host's token.
    fn start_unlink<E: Env>(&mut self, identity: Identity, env: &mut E, out: &mut Vec<Output>) {
        if self.unlinking() || !self.is_listed(&identity) {
            return;
        }
        let target = IdentityRef {
            provider: identity.provider,
            user_id: identity.user_id,
        };
        self.remove(target, env, out);
    }

    /// Removes `target` (the host's word, or the user's yes to a listed login).
    fn remove<E: Env>(&mut self, target: IdentityRef, env: &mut E, out: &mut Vec<Output>) {
        if self.unlinking() {
            return;
        }
        if self.config.reauthenticate_max_age_seconds().is_none() {
            self.unlink = Some(self.new_op(IdentityOpKind::Unlink(target), out));
        } else if self.attempt.position() == Position::Ready {
            self.drive(Event::StartUnlink(target), env, out);
        } else {
            // Kept until the attempt is ready (a headless call, whose window was opened
            // in the click).
            self.queued_unlink = Some(target);
        }
    }

    fn op_answered<E: Env>(
        &mut self,
        id: u32,
        event: IdentityOpEvent,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        let is = |slot: &Option<(u32, IdentityOp)>| slot.as_ref().is_some_and(|(i, _)| *i == id);
        let listing = if is(&self.list) {
            true
        } else if is(&self.unlink) {
            false
        } else {
            // Cancelled, or replaced by a newer one.
            return;
        };
        let facts = facts(
            &self.pin,
            &self.identities,
            self.policy,
            self.tenant_session_other,
        );
        let slot = if listing {
            &mut self.list
        } else {
            &mut self.unlink
        };
        let Some((_, op)) = slot.as_mut() else {
            return;
        };
        match op.step(&facts, event, env) {
            Some(OpStep::Done { result, acted_for }) => {
                *slot = None;
                if listing {
                    self.listed(result, acted_for, env, out);
                } else {
                    self.unlinked(result, env, out);
                }
            }
            Some(OpStep::Effect(effect)) => out.push(Output::Op(id, effect)),
            None => {}
        }
    }

    fn listed<E: Env>(
        &mut self,
        result: Result<Vec<Identity>, LinkError>,
        acted_for: Option<String>,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        match result {
            Ok(ids) => {
                // The user the session acts for from now on: every later token must be
                // theirs.
                if let Some(user) = acted_for {
                    self.learn_pin(user);
                }
                self.identities = Some(ids);
                self.list_failed = false;
                if std::mem::take(&mut self.prepare_after_list) {
                    self.prepare(env, out);
                } else {
                    // Prepared beside the list: a link or unlink asked for may go now.
                    self.start_queued(env, out);
                }
            }
            Err(e) => {
                if e.code() == ErrorCode::UserMismatch && self.pin.remembered {
                    self.say_session_changed(out);
                }
                self.list_failed = true;
                self.notice = Some(Notice::Error(e.clone()));
                out.push(Output::Tell(Tell::Failed(e)));
            }
        }
    }

    fn unlinked<E: Env>(
        &mut self,
        result: Result<Vec<Identity>, LinkError>,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        if matches!(
            &self.question,
            Some(Asked {
                question: Question::Unlink(_),
                ..
            })
        ) {
            self.question = None;
        }
        match result {
            Ok(ids) => {
                let ids = match &self.identities {
                    Some(previous) => carry_profiles(previous, ids),
                    None => ids,
                };
                // The login the tenant's session came from is no longer the primary's: a
                // session on it answers as a user of its own now.
                if self
                    .last_login
                    .as_ref()
                    .is_some_and(|login| !ids.iter().any(|i| i.full_user_id() == *login))
                {
                    self.tenant_session_other = true;
                }
                self.identities = Some(ids.clone());
                self.notice = Some(Notice::Unlinked);
                out.push(Output::Tell(Tell::Unlinked(ids)));
                // The unlinked account can be linked again (a ready attempt reads the new
                // list at its next step).
                self.prepare(env, out);
            }
            Err(e) => {
                self.notice = Some(Notice::Error(e.clone()));
                out.push(Output::Tell(Tell::Failed(e)));
            }
        }
    }

    /// New options. Another tenant, client or API is another session: everything starts
    /// over (the popup in flight closes, the pin goes). Anything else is taken by the next
    /// attempt; a ready one is ready under the new options already.
    fn configure<E: Env>(
        &mut self,
        config: LinkConfig,
        remembered_pin: Option<String>,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        if config == self.config {
            return;
        }
        let same_tenant = config.domain() == self.config.domain()
            && config.client_id() == self.config.client_id()
            && config.management_audience() == self.config.management_audience()
            && config.primary_user_id() == self.config.primary_user_id();
        if same_tenant {
            self.config = config;
            self.attempt.reconfigure(self.config.clone());
            return;
        }
        out.push(Output::Attempt(self.generation, Effect::CancelTimer));
        out.push(Output::Attempt(self.generation, Effect::ClosePopup));
        // What the tab keeps for the old client stays true for that client; the new
        // session starts from what it keeps for the new one, as a mount does.
        // Generations, operation and question ids keep counting: a late answer to the old
        // session never passes for one of the new.
        let counters = (self.generation + 1, self.next_op, self.next_question);
        *self = Session::new(config, self.policy, remembered_pin);
        (self.generation, self.next_op, self.next_question) = counters;
        self.open(None, env, out);
    }
}

/// What the attempt and the operations are handed at each step, from the fields that own
/// it (apart from the session, so the attempt or an operation's slot is borrowed beside).
fn facts<'a>(
    pin: &'a Pin,
    identities: &'a Option<Vec<Identity>>,
    policy: Policy,
    other_session: bool,
) -> Facts<'a> {
    Facts {
        pin: pin.user.as_deref(),
        identities: identities.as_deref(),
        asks_first: policy.asks_first(),
        other_session,
    }
}
