//! The linking session: one machine for every rule a session decides. The Yew widget, the
//! headless functions and the custom element are drivers of it: they feed it [`Input`]s
//! (the user's commands, the host's answers, the browser's results) and run the
//! [`Output`]s it returns. It never awaits and holds no browser handle.
//!
//! What it owns:
//! - the identity list (read, re-read after a link or unlink);
//! - the pinned primary `sub`: the first token that passed a check, or the one remembered
//!   in the tab after a secondary login ended without a link ([`Output::RememberPin`]),
//!   so a remount or a reload never takes the secondary for the primary;
//! - link attempts ([`LinkFlow`]): prepared again after each ended one (when the policy
//!   keeps the session ready), retried, cancelled, each under its own generation so late
//!   answers of an earlier attempt are dropped;
//! - the questions for the host and the user ([`Question`]): "link this account?" and the
//!   host's `beforeLink`, in that order; only an exact yes links;
//! - what the view shows ([`View`]) and what the host hears ([`Tell`]);
//! - the configuration: one copy, given again with [`Input::Configure`]. Another tenant or
//!   client starts over; anything else is taken by the next attempt (the login page gets
//!   the current `ui_locales`), while an attempt in flight finishes with its own.

use crate::config::LinkConfig;
use crate::env::Env;
use crate::error::{ErrorCode, LinkError};
use crate::flow::{
    Effect, Event, IdentityOp, IdentityOpEffect, IdentityOpEvent, IdentityOpKind, LinkFlow,
    Outcome, Via,
};
use crate::id_token::SecondaryProfile;
use crate::management::{carry_profiles, Identity, IdentityRef};
use crate::transaction::{CallbackResponse, Transaction};

pub use crate::flow::Position;

/// A message shown above the list until dismissed (or replaced). The session says *what*
/// happened; the view words it in its locale.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Linked,
    Unlinked,
    /// Cancelled by the user, or stopped by the host's `beforeLink` with its own words.
    Cancelled(Option<String>),
    Error(LinkError),
}

impl Notice {
    /// The stable code shown as `data-code` (errors and cancellations).
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Notice::Linked | Notice::Unlinked => None,
            Notice::Cancelled(_) => Some(ErrorCode::Cancelled.as_str()),
            Notice::Error(e) => Some(e.code().as_str()),
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Notice::Error(_))
    }
}

/// Everything a view of the session shows: a snapshot, taken after each step.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    pub position: Position,
    /// `None` until the first list arrives.
    pub identities: Option<Vec<Identity>>,
    /// The identity list is being read.
    pub listing: bool,
    /// The last list failed or was cancelled (the notice says why).
    pub list_failed: bool,
    pub notice: Option<Notice>,
    /// A secondary login ended without a link: the tenant's session now belongs to that
    /// account (the host was told with `session_changed`).
    pub session_changed: bool,
    /// The identity the user asked to unlink, awaiting "Yes, unlink".
    pub unlink_question: Option<Identity>,
    pub unlinking: bool,
}

/// Which rules a driver's session follows. Every driver asks the same questions in the
/// same order; they differ only in what they were given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Read the identity list when opened (the widget shows it).
    pub list_identities: bool,
    /// Ask [`Question::Confirm`] with the verified secondary before linking.
    pub confirm: bool,
    /// The host has a `beforeLink`: ask [`Question::BeforeLink`] after the confirm.
    pub before_link: bool,
    /// After an attempt ends, prepare the next one (the widget stays ready to link);
    /// otherwise the session makes one attempt (a headless call).
    pub stay_ready: bool,
}

impl Policy {
    /// The widget: lists, asks the user, stays ready.
    pub fn widget(before_link: bool) -> Policy {
        Policy {
            list_identities: true,
            confirm: true,
            before_link,
            stay_ready: true,
        }
    }

    /// A headless link: one attempt; asks the host's `confirm` when given one.
    pub fn headless(confirm: bool, before_link: bool) -> Policy {
        Policy {
            list_identities: false,
            confirm,
            before_link,
            stay_ready: false,
        }
    }
}

/// A question the session waits on.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// "Link this account?": the widget shows its dialog, a headless call asks the host's
    /// `confirm`. Answered with [`Command::Confirm`].
    Confirm(SecondaryProfile),
    /// The host's `beforeLink`, once the link is confirmed. Answered with
    /// [`Input::HostSaid`].
    BeforeLink(SecondaryProfile),
}

/// What the host hears (the DOM events, `on*` callbacks, a headless promise).
#[derive(Debug, Clone, PartialEq)]
pub enum Tell {
    Linked(Vec<Identity>),
    Unlinked(Vec<Identity>),
    /// Every failure, a cancel (`cancelled`) and a changed tenant session
    /// (`session_changed`, said before the failure it comes with).
    Failed(LinkError),
}

/// What the user (or a headless caller) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Link with this connection (`None`: the login page lets the user choose). Opens the
    /// popup: a widget sends it from the click handler; before the attempt is ready it is
    /// kept and run once it is (a headless call, whose window was opened in the click).
    Link(Option<String>),
    /// After a blocked popup: continue in this tab (redirect mode).
    ContinueInTab,
    Retry,
    /// The answer to "Link this account?": only `true` links.
    Confirm(bool),
    /// Stop what the user is waiting for: the identity list, else the attempt.
    Cancel,
    /// Ask "Unlink this account?" about one of the listed identities.
    AskUnlink(Identity),
    CancelUnlink,
    /// "Yes, unlink" this identity.
    Unlink(Identity),
    Dismiss,
}

/// Redirect mode, back on the page: the stored transaction and the URL's response.
pub struct RedirectReturn {
    pub persisted: Option<String>,
    pub callback: CallbackResponse,
}

impl std::fmt::Debug for RedirectReturn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedirectReturn")
            .field("persisted", &self.persisted.as_ref().map(|_| "[redacted]"))
            .field("callback", &self.callback)
            .finish()
    }
}

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

/// What drives the session.
#[derive(Debug)]
pub enum Input {
    /// Begin: resume a redirect return, list the identities, prepare an attempt (as the
    /// policy says).
    Open(Option<RedirectReturn>),
    Command(Command),
    /// A result for the attempt of this generation (late ones are dropped).
    Attempt(u32, Event),
    /// A result for the identity operation with this id.
    Op(u32, IdentityOpEvent),
    /// The host's `beforeLink` answer: `Err` stops the link, with words for the user.
    HostSaid(Result<(), Option<String>>),
    /// The host's options, again (the same or new), with the primary user this tab kept
    /// for their client (read as at mount: another client is another session).
    Configure {
        config: LinkConfig,
        remembered_pin: Option<String>,
    },
}

/// What the driver runs.
#[derive(Debug)]
pub enum Output {
    /// An effect of the attempt of this generation; its result comes back as
    /// [`Input::Attempt`] with the same generation.
    Attempt(u32, Effect),
    /// Get a token or send a request for an identity operation; the result comes back as
    /// [`Input::Op`] with the same id.
    Op(u32, IdentityOpEffect),
    Ask(Question),
    Tell(Tell),
    /// Keep this primary `sub` for the tab (sessionStorage, the identifier only): a
    /// secondary login completed, so the tenant's session may now be the other account's.
    RememberPin(String),
    /// The remembered pin is no longer needed (a link made the secondary the primary's).
    ForgetPin,
}

/// One linking session.
#[derive(Debug)]
pub struct Session {
    config: LinkConfig,
    policy: Policy,
    attempt: LinkFlow,
    generation: u32,
    identities: Option<Vec<Identity>>,
    pin: Option<String>,
    /// The pin came from the tab (an earlier page's secondary login ended without a link).
    pin_remembered: bool,
    list: Option<(u32, IdentityOp)>,
    list_failed: bool,
    prepare_after_list: bool,
    unlink: Option<(u32, IdentityOp)>,
    unlink_question: Option<Identity>,
    next_op: u32,
    question: Option<Question>,
    /// The host's words when its `beforeLink` stopped the link.
    stop_words: Option<String>,
    /// A link asked for before the attempt was ready.
    queued_link: Option<Option<String>>,
    notice: Option<Notice>,
    session_changed: bool,
}

impl Session {
    /// A session for `config`. `remembered_pin`: the primary `sub` this tab kept after a
    /// secondary login ended without a link; a `primaryUserId` the host sets is its own
    /// word and replaces it.
    pub fn new(config: LinkConfig, policy: Policy, remembered_pin: Option<String>) -> Session {
        let (pin, pin_remembered) = match (config.primary_user_id(), remembered_pin) {
            (Some(given), _) => (Some(given.to_owned()), false),
            (None, Some(kept)) => (Some(kept), true),
            (None, None) => (None, false),
        };
        Session {
            attempt: LinkFlow::new(config.clone()),
            config,
            policy,
            generation: 0,
            identities: None,
            pin,
            pin_remembered,
            list: None,
            list_failed: false,
            prepare_after_list: false,
            unlink: None,
            unlink_question: None,
            next_op: 0,
            question: None,
            stop_words: None,
            queued_link: None,
            notice: None,
            session_changed: false,
        }
    }

    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// The primary user the session acts for, once known.
    pub fn primary_user_id(&self) -> Option<&str> {
        self.pin.as_deref()
    }

    pub fn position(&self) -> Position {
        match (&self.question, self.attempt.position()) {
            // Confirmed; the host's beforeLink decides.
            (Some(Question::BeforeLink(_)), _) => Position::Linking,
            // A headless confirm: the host is asked, nothing is shown.
            (_, position) => position,
        }
    }

    pub fn view(&self) -> View {
        View {
            position: self.position(),
            identities: self.identities.clone(),
            listing: self.list.is_some(),
            list_failed: self.list_failed,
            notice: self.notice.clone(),
            session_changed: self.session_changed,
            unlink_question: self.unlink_question.clone(),
            unlinking: self.unlink.is_some(),
        }
    }

    /// Advances the session by one input.
    pub fn step<E: Env>(&mut self, input: Input, env: &mut E) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Open(resume) => self.open(resume, env, &mut out),
            Input::Command(command) => self.command(command, env, &mut out),
            Input::Attempt(generation, event) if generation == self.generation => {
                if matches!(&event, Event::Callback(c) if c.code.is_some())
                    && self.attempt.position() == Position::AwaitingLogin
                {
                    self.secondary_signed_in(&mut out);
                }
                self.drive(event, env, &mut out);
            }
            Input::Attempt(..) => {}
            Input::Op(id, event) => self.op_answered(id, event, env, &mut out),
            Input::HostSaid(answer) => {
                if matches!(self.question, Some(Question::BeforeLink(_))) {
                    self.question = None;
                    let go = match answer {
                        Ok(()) => true,
                        Err(words) => {
                            self.stop_words = words;
                            false
                        }
                    };
                    self.drive(Event::Confirm(go), env, &mut out);
                }
            }
            Input::Configure {
                config,
                remembered_pin,
            } => self.configure(config, remembered_pin, env, &mut out),
        }
        out
    }

    fn open<E: Env>(&mut self, resume: Option<RedirectReturn>, env: &mut E, out: &mut Vec<Output>) {
        let resumed = resume.is_some();
        if let Some(RedirectReturn {
            persisted,
            callback,
        }) = resume
        {
            self.generation += 1;
            if callback.code.is_some() {
                // The login in this tab completed: whoever it was, the tenant session is
                // now theirs.
                if let Some(user) = persisted
                    .as_deref()
                    .and_then(|p| Transaction::restore(p).ok())
                    .and_then(|t| t.primary_user_id().map(str::to_owned))
                {
                    self.pin.get_or_insert(user);
                }
                self.secondary_signed_in(out);
            }
            let confirm = self.asks_before_linking();
            self.drive(
                Event::Resume {
                    persisted,
                    callback,
                    confirm,
                },
                env,
                out,
            );
        }
        if self.policy.list_identities {
            self.list(!resumed, out);
        } else if !resumed {
            self.prepare(env, out);
        }
    }

    fn asks_before_linking(&self) -> bool {
        self.policy.confirm || self.policy.before_link
    }

    /// A secondary login completed: until a link succeeds, the tab remembers whom the
    /// session acts for.
    fn secondary_signed_in(&mut self, out: &mut Vec<Output>) {
        if let Some(pin) = &self.pin {
            out.push(Output::RememberPin(pin.clone()));
        }
    }

    /// A new attempt: a fresh generation, the current configuration and pin.
    fn prepare<E: Env>(&mut self, env: &mut E, out: &mut Vec<Output>) {
        if !self.attempt.is_resting() {
            return;
        }
        self.generation += 1;
        self.attempt.reconfigure(self.config.clone());
        let event = Event::Prepare {
            known_identities: self.identities.clone(),
            confirm: self.asks_before_linking(),
        };
        self.drive(event, env, out);
    }

    /// Steps the attempt and takes what it reports: questions, outcomes.
    fn drive<E: Env>(&mut self, event: Event, env: &mut E, out: &mut Vec<Output>) {
        if let Some(pin) = &self.pin {
            self.attempt.pin_primary_user(pin);
        }
        let effects = self.attempt.step(event, env);
        if self.pin.is_none() {
            self.pin = self.attempt.primary_user_id().map(str::to_owned);
        }
        let mut ended = false;
        for effect in effects {
            match effect {
                Effect::AskConfirm(profile) => self.ask(profile, env, out),
                Effect::Notify(Outcome::Ready) => {
                    if let Some(connection) = self.queued_link.take() {
                        self.drive(
                            Event::Start {
                                via: Via::Popup,
                                connection,
                            },
                            env,
                            out,
                        );
                    }
                }
                Effect::Notify(Outcome::SessionChanged) => {
                    self.session_changed = true;
                    out.push(Output::Tell(Tell::Failed(LinkError::session_changed())));
                }
                Effect::Notify(Outcome::Linked(ids)) => {
                    ended = true;
                    let ids = match &self.identities {
                        Some(previous) => carry_profiles(previous, ids),
                        None => ids,
                    };
                    self.identities = Some(ids.clone());
                    self.notice = Some(Notice::Linked);
                    self.session_changed = false;
                    self.pin_remembered = false;
                    out.push(Output::ForgetPin);
                    out.push(Output::Tell(Tell::Linked(ids)));
                }
                Effect::Notify(Outcome::Failed(e)) => {
                    ended = true;
                    self.queued_link = None;
                    if e.code() == ErrorCode::UserMismatch && self.pin_remembered {
                        self.came_back_as_another_user(out);
                    }
                    self.notice = Some(Notice::Error(e.clone()));
                    out.push(Output::Tell(Tell::Failed(e)));
                }
                Effect::Notify(Outcome::Cancelled) => {
                    ended = true;
                    self.queued_link = None;
                    self.question = None;
                    let words = self.stop_words.take();
                    self.notice = Some(Notice::Cancelled(words));
                    out.push(Output::Tell(Tell::Failed(LinkError::cancelled())));
                }
                effect @ Effect::Navigate { .. } => {
                    // The login leaves this tab: whatever comes back (even without its
                    // transaction) is checked against this primary user.
                    if let Some(pin) = &self.pin {
                        out.push(Output::RememberPin(pin.clone()));
                    }
                    out.push(Output::Attempt(self.generation, effect));
                }
                effect => out.push(Output::Attempt(self.generation, effect)),
            }
        }
        if ended {
            // Whatever ended the attempt, its window and timer go.
            out.push(Output::Attempt(self.generation, Effect::CancelTimer));
            out.push(Output::Attempt(self.generation, Effect::ClosePopup));
            if self.policy.stay_ready && self.attempt.needs_fresh_attempt() {
                self.prepare(env, out);
            }
        }
    }

    /// The verified secondary: ask the user (or the host's `confirm`), else the host's
    /// `beforeLink`.
    fn ask<E: Env>(&mut self, profile: SecondaryProfile, env: &mut E, out: &mut Vec<Output>) {
        let question = if self.policy.confirm {
            Question::Confirm(profile)
        } else if self.policy.before_link {
            Question::BeforeLink(profile)
        } else {
            return self.drive(Event::Confirm(true), env, out);
        };
        self.question = Some(question.clone());
        out.push(Output::Ask(question));
    }

    /// The tab remembered another primary user: the page came back as someone else (the
    /// secondary of an earlier login, most likely).
    fn came_back_as_another_user(&mut self, out: &mut Vec<Output>) {
        if !self.session_changed {
            self.session_changed = true;
            out.push(Output::Tell(Tell::Failed(LinkError::session_changed())));
        }
    }

    fn command<E: Env>(&mut self, command: Command, env: &mut E, out: &mut Vec<Output>) {
        match command {
            Command::Link(connection) => match self.attempt.position() {
                Position::Ready => self.drive(
                    Event::Start {
                        via: Via::Popup,
                        connection,
                    },
                    env,
                    out,
                ),
                Position::Idle | Position::Preparing => self.queued_link = Some(connection),
                _ => {}
            },
            Command::ContinueInTab => self.drive(
                Event::Start {
                    via: Via::Redirect,
                    connection: None,
                },
                env,
                out,
            ),
            // Without a list there is nothing to link against yet: read it again first.
            Command::Retry if self.identities.is_none() && self.policy.list_identities => {
                if self.list.is_none() {
                    self.list(true, out);
                }
            }
            Command::Retry => {
                if matches!(
                    self.attempt.position(),
                    Position::Failed | Position::Cancelled | Position::PopupBlocked
                ) {
                    self.generation += 1;
                    self.attempt.reconfigure(self.config.clone());
                    self.drive(Event::Retry, env, out);
                }
            }
            Command::Confirm(accepted) => {
                let Some(Question::Confirm(profile)) = self.question.clone() else {
                    return;
                };
                self.question = None;
                if accepted && self.policy.before_link {
                    self.question = Some(Question::BeforeLink(profile.clone()));
                    out.push(Output::Ask(Question::BeforeLink(profile)));
                } else {
                    self.drive(Event::Confirm(accepted), env, out);
                }
            }
            Command::Cancel => {
                if self.list.take().is_some() {
                    self.list_failed = true;
                    self.notice = Some(Notice::Cancelled(None));
                    out.push(Output::Tell(Tell::Failed(LinkError::cancelled())));
                } else {
                    self.question = None;
                    self.drive(Event::Cancel, env, out);
                }
            }
            Command::AskUnlink(identity) => {
                if self.is_listed(&identity) {
                    self.unlink_question = Some(identity);
                }
            }
            Command::CancelUnlink => self.unlink_question = None,
            Command::Unlink(identity) => self.start_unlink(identity, out),
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
        let (op, first) = IdentityOp::new(
            self.config.clone(),
            kind,
            self.identities.clone(),
            self.pin.clone(),
        );
        out.push(Output::Op(self.next_op, first));
        (self.next_op, op)
    }

    fn list(&mut self, then_prepare: bool, out: &mut Vec<Output>) {
        self.list_failed = false;
        self.prepare_after_list = then_prepare;
        self.list = Some(self.new_op(IdentityOpKind::List, out));
    }

    /// Only an identity of the current list, one at a time.
    fn start_unlink(&mut self, identity: Identity, out: &mut Vec<Output>) {
        if self.unlink.is_some() || !self.is_listed(&identity) {
            return;
        }
        let target = IdentityRef {
            provider: identity.provider,
            user_id: identity.user_id,
        };
        self.unlink = Some(self.new_op(IdentityOpKind::Unlink(target), out));
    }

    fn op_answered<E: Env>(
        &mut self,
        id: u32,
        event: IdentityOpEvent,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        let is = |slot: &Option<(u32, IdentityOp)>| slot.as_ref().is_some_and(|(i, _)| *i == id);
        let (slot, listing) = if is(&self.list) {
            (&mut self.list, true)
        } else if is(&self.unlink) {
            (&mut self.unlink, false)
        } else {
            return; // cancelled, or replaced by a newer one
        };
        let Some((_, op)) = slot.as_mut() else {
            return;
        };
        let user = op.user_id().map(str::to_owned);
        match op.step(event, env) {
            Some(IdentityOpEffect::Done(result)) => {
                let user = op.user_id().map(str::to_owned).or(user);
                *slot = None;
                if listing {
                    self.listed(result, user, env, out);
                } else {
                    self.unlinked(result, env, out);
                }
            }
            Some(effect) => out.push(Output::Op(id, effect)),
            None => {}
        }
    }

    fn listed<E: Env>(
        &mut self,
        result: Result<Vec<Identity>, LinkError>,
        user: Option<String>,
        env: &mut E,
        out: &mut Vec<Output>,
    ) {
        match result {
            Ok(ids) => {
                // The user the session acts for from now on: every later token must be
                // theirs.
                if self.pin.is_none() {
                    self.pin = user;
                }
                self.identities = Some(ids);
                self.list_failed = false;
                if std::mem::take(&mut self.prepare_after_list) {
                    self.prepare(env, out);
                }
            }
            Err(e) => {
                if e.code() == ErrorCode::UserMismatch && self.pin_remembered {
                    self.came_back_as_another_user(out);
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
        self.unlink_question = None;
        match result {
            Ok(ids) => {
                let ids = match &self.identities {
                    Some(previous) => carry_profiles(previous, ids),
                    None => ids,
                };
                self.identities = Some(ids.clone());
                self.notice = Some(Notice::Unlinked);
                out.push(Output::Tell(Tell::Unlinked(ids)));
                // The unlinked account can be linked again: the next attempt knows the new
                // list (a ready one is prepared again).
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
        // Generations and operation ids keep counting: a late answer to the old session
        // never passes for one of the new.
        let (generation, next_op) = (self.generation + 1, self.next_op);
        *self = Session::new(config, self.policy, remembered_pin);
        self.generation = generation;
        self.next_op = next_op;
        self.open(None, env, out);
    }
}
