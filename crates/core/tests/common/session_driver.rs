//! Runs a `Session` the way a browser driver does: executes its outputs with an injected
//! transport, popup, token source and host answers, and feeds the results back, tagged
//! with the generation or operation id the output carried.
#![allow(dead_code)]

use super::driver::{
    jwks_event, login_required, popup_event, signature_event, Merge, PopupOutcome, Send,
};
use auth0_account_link_core::flow::{
    Effect, Event, IdentityOpEffect, IdentityOpEvent, RequestPurpose,
};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use auth0_account_link_core::json::Json;
use auth0_account_link_core::secret::{AccessToken, Sha256Digest};
use auth0_account_link_core::session::{
    Answer, Asked, Command, Input, Output, Question, Session, Tell,
};
use std::collections::VecDeque;
use test_support::{sha256, TestEnv};

pub struct SessionDriver<'a> {
    pub env: TestEnv,
    pub send: Send<'a>,
    pub popup: Box<dyn FnMut(&str) -> PopupOutcome + 'a>,
    /// The hidden frame of the sign-in ahead of the click (default: `login_required`,
    /// an older session or a browser that keeps the tenant's cookie from frames).
    pub frame: Box<dyn FnMut(&str) -> PopupOutcome + 'a>,
    /// The URL of every hidden frame opened.
    pub frames: Vec<String>,
    /// The host's `carryUserMetadata` function (primary, secondary) → new; every call's
    /// arguments are kept in `merges`.
    pub merge: Box<Merge<'a>>,
    pub merges: Vec<(Json, Json)>,
    pub token: Box<dyn FnMut() -> Result<String, String> + 'a>,
    /// The user's (or host's `confirm`) answer; `None` leaves the question open.
    pub confirm: Option<bool>,
    /// The host's `beforeLink` answer; `None` leaves the question open.
    pub before_link: Option<Answer>,
    /// Tokens asked for are held (not answered) while this is set.
    pub hold_tokens: bool,
    /// Requests for this purpose are sent but their answers held (`release_answers`).
    pub hold_answers_to: Option<RequestPurpose>,
    pub held_answers: Vec<Input>,
    pub held_tokens: Vec<Input>,
    pub jwks_cache: Option<HttpResponse>,
    /// sessionStorage: the pending transaction and the remembered primary user.
    pub transaction: Option<String>,
    pub pin: Option<String>,
    pub navigated: Option<String>,
    pub opened: Vec<String>,
    /// Every question asked, in order (with its id in `asked_ids`).
    pub asked: Vec<Question>,
    pub asked_ids: Vec<Asked>,
    /// The session's debug notes (what it dropped or refused).
    pub notes: Vec<&'static str>,
    pub tells: Vec<Tell>,
    pub requests: Vec<String>,
    /// `{:?}` of every input, output and session of the run.
    pub debug_log: Vec<String>,
}

impl<'a> SessionDriver<'a> {
    pub fn new(
        env: TestEnv,
        send: Send<'a>,
        token: impl FnMut() -> Result<String, String> + 'a,
    ) -> Self {
        SessionDriver {
            env,
            send,
            popup: Box::new(|_| PopupOutcome::Pending),
            frame: Box::new(login_required),
            frames: Vec::new(),
            merge: Box::new(|_, _| Err("no carryUserMetadata function".into())),
            merges: Vec::new(),
            token: Box::new(token),
            confirm: Some(true),
            before_link: Some(Answer::Yes),
            hold_tokens: false,
            hold_answers_to: None,
            held_answers: Vec::new(),
            held_tokens: Vec::new(),
            jwks_cache: None,
            transaction: None,
            pin: None,
            navigated: None,
            opened: Vec::new(),
            asked: Vec::new(),
            asked_ids: Vec::new(),
            notes: Vec::new(),
            tells: Vec::new(),
            requests: Vec::new(),
            debug_log: Vec::new(),
        }
    }

    /// Feeds `first`, then every result its outputs bring, until nothing is left.
    pub fn run(&mut self, session: &mut Session, first: Input) {
        let mut queue = VecDeque::from([first]);
        while let Some(input) = queue.pop_front() {
            self.debug_log.push(format!("{input:?}"));
            let outputs = session.step(input, &mut self.env);
            self.debug_log.push(format!("{session:?}"));
            for output in outputs {
                self.debug_log.push(format!("{output:?}"));
                if let Some(input) = self.execute(output) {
                    queue.push_back(input);
                }
            }
        }
    }

    pub fn command(&mut self, session: &mut Session, command: Command) {
        self.run(session, Input::Command(command));
    }

    /// Hands over the answers held so far.
    pub fn release_answers(&mut self, session: &mut Session) {
        self.hold_answers_to = None;
        for input in std::mem::take(&mut self.held_answers) {
            self.run(session, input);
        }
    }

    /// Answers the tokens held so far.
    pub fn release_tokens(&mut self, session: &mut Session) {
        self.hold_tokens = false;
        for input in std::mem::take(&mut self.held_tokens) {
            self.run(session, input);
        }
    }

    fn transport(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests
            .push(format!("{} {}", request.method.as_str(), request.url));
        (self.send)(request)
    }

    fn execute(&mut self, output: Output) -> Option<Input> {
        match output {
            Output::Attempt(generation, Effect::Send { purpose, request })
                if self.hold_answers_to == Some(purpose) =>
            {
                let answer = Event::response(purpose, self.transport(&request));
                self.held_answers.push(Input::Attempt(generation, answer));
                None
            }
            Output::Attempt(generation, effect) => self
                .effect(effect)
                .map(|event| Input::Attempt(generation, event)),
            Output::Op(id, IdentityOpEffect::GetPrimaryToken) => {
                let token = (self.token)().map(AccessToken::new).map_err(Into::into);
                self.hold(Input::Op(id, IdentityOpEvent::PrimaryToken(token)))
            }
            Output::Op(id, IdentityOpEffect::Send(request)) => Some(Input::Op(
                id,
                IdentityOpEvent::Response(self.transport(&request)),
            )),
            Output::Ask(asked) => {
                self.asked.push(asked.question.clone());
                self.asked_ids.push(asked.clone());
                let answer = match asked.question {
                    Question::Confirm(_) => {
                        self.confirm
                            .map(|yes| if yes { Answer::Yes } else { Answer::No(None) })
                    }
                    Question::BeforeLink(_) => self.before_link.clone(),
                    Question::Unlink(_) => None,
                };
                answer.map(|a| Input::Command(Command::Answer(asked.id, a)))
            }
            Output::Note(note) => {
                self.notes.push(note);
                None
            }
            Output::Tell(tell) => {
                self.tells.push(tell);
                None
            }
            Output::RememberPin(user) => {
                self.pin = Some(user);
                None
            }
            Output::ForgetPin => {
                self.pin = None;
                None
            }
        }
    }

    fn hold(&mut self, input: Input) -> Option<Input> {
        if self.hold_tokens {
            self.held_tokens.push(input);
            None
        } else {
            Some(input)
        }
    }

    fn effect(&mut self, effect: Effect) -> Option<Event> {
        match effect {
            Effect::GetPrimaryToken => {
                let token = (self.token)().map(AccessToken::new).map_err(Into::into);
                let event = Event::PrimaryToken(token);
                if self.hold_tokens {
                    // Held: the generation is lost here, so held attempt tokens are
                    // dropped (the tests hold only operation tokens).
                    return None;
                }
                Some(event)
            }
            Effect::ComputeSha256(input) => {
                Some(Event::Sha256(Ok(Sha256Digest(sha256(input.secret())))))
            }
            Effect::OpenPopup { url } => {
                self.opened.push(url.secret().to_owned());
                popup_event((self.popup)(url.secret()))
            }
            Effect::MergeUserMetadata { primary, secondary } => {
                let merged = (self.merge)(&primary, &secondary);
                self.merges.push((primary, secondary));
                Some(Event::UserMetadataMerged(merged))
            }
            Effect::OpenFrame { url, .. } => {
                self.frames.push(url.secret().to_owned());
                popup_event((self.frame)(url.secret()))
            }
            Effect::Silent(inner) => self
                .effect(*inner)
                .map(|event| Event::Silent(Box::new(event))),
            Effect::Navigate { url } => {
                self.navigated = Some(url.secret().to_owned());
                None
            }
            Effect::PersistTransaction(s) => {
                self.transaction = Some(s.secret().to_owned());
                None
            }
            Effect::ClearPersistedTransaction => {
                self.transaction = None;
                None
            }
            Effect::Wait { .. } => Some(Event::WaitOver),
            Effect::StartTimer { .. }
            | Effect::CancelTimer
            | Effect::ClosePopup
            | Effect::PrefetchJwks { .. } => None,
            Effect::Send { purpose, request } => {
                Some(Event::response(purpose, self.transport(&request)))
            }
            Effect::FetchJwks {
                request,
                bypass_cache,
            } => {
                let mut cache = self.jwks_cache.take();
                let event = jwks_event(&mut cache, bypass_cache, || self.transport(&request));
                self.jwks_cache = cache;
                Some(event)
            }
            Effect::VerifySignature {
                key,
                message,
                signature,
            } => Some(signature_event(&key, message.secret(), signature.secret())),
        }
    }

    /// The codes of every failure told, in order.
    pub fn failures(&self) -> Vec<&'static str> {
        self.tells
            .iter()
            .filter_map(|t| match t {
                Tell::Failed(e) => Some(e.code().as_str()),
                Tell::SessionChanged => Some("session_changed"),
                _ => None,
            })
            .collect()
    }

    pub fn sent(&self, needle: &str) -> usize {
        self.requests.iter().filter(|r| r.contains(needle)).count()
    }
}
