//! Runs a `LinkFlow` to completion by executing its effects the way the browser shell
//! does, with injected transport, popup behaviour and token source. It stands in for the
//! session only where a test must: it hands the attempt the facts the test set
//! ([`Given`]), clicks when the attempt is ready (`auto_start`) and gives the decision the
//! test chose (`confirm`) when the attempt asks. Nothing it is told becomes a fact: the
//! session's own rules are tested through the real `Session` (`session.rs`).
#![allow(dead_code)]

use super::Given;
use auth0_account_link_core::encoding::form_parse;
use auth0_account_link_core::flow::{
    Effect, Event, LinkFlow, Outcome, Report, RequestPurpose, Via,
};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use auth0_account_link_core::id_token::SecondaryProfile;
use auth0_account_link_core::id_token::SignatureVerifier;
use auth0_account_link_core::json::Json;
use auth0_account_link_core::secret::{AccessToken, Sha256Digest};
use auth0_account_link_core::transaction::CallbackResponse;
use std::collections::VecDeque;

/// The host's `carryUserMetadata` function in a test.
pub type Merge<'a> = dyn FnMut(&Json, &Json) -> Result<Json, String> + 'a;
use test_support::{sha256, RsaVerifier, TestEnv};

pub enum PopupOutcome {
    Callback(CallbackResponse),
    Closed,
    /// It reads as closed; the host page's `Cross-Origin-Opener-Policy` is this.
    ClosedUnder(&'static str),
    Blocked,
    TimedOut,
    /// The popup stays open; the test feeds events itself.
    Pending,
}

pub type Send<'a> = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'a>;

pub struct Driver<'a> {
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
    /// The facts the attempt is handed at every step.
    pub given: Given,
    /// The decision given when the attempt asks (somebody said yes, or no).
    pub confirm: bool,
    pub auto_start: Option<Via>,
    /// The click comes as soon as the attempt is ready, before the hidden frame's answer
    /// (default: once nothing else is pending).
    pub click_early: bool,
    /// The clock when the user clicks (default: unchanged).
    pub clock_at_click: Option<u64>,
    /// The connection the simulated user clicks.
    pub connection: Option<String>,
    pub jwks_cache: Option<HttpResponse>,
    /// The seconds of every `Wait` (answered at once).
    pub waited: Vec<u64>,
    /// The answer when the secondary's own user is read (default: one login, a plain
    /// link); `None` sends the request through `send` (a real tenant).
    pub secondary_user: Option<Result<HttpResponse, TransportError>>,
    pub storage: Option<String>,
    pub navigated: Option<String>,
    pub asked: Option<SecondaryProfile>,
    pub outcomes: Vec<Outcome>,
    /// Every report, in order.
    pub reports: Vec<Report>,
    pub effects: Vec<String>,
    pub requests: Vec<String>,
    /// `{:?}` of every event, effect and flow state of the run, and `{}` of every error.
    pub debug_log: Vec<String>,
}

impl<'a> Driver<'a> {
    pub fn new(
        env: TestEnv,
        send: Send<'a>,
        token: impl FnMut() -> Result<String, String> + 'a,
    ) -> Self {
        Driver {
            env,
            send,
            popup: Box::new(|_| PopupOutcome::Closed),
            frame: Box::new(login_required),
            frames: Vec::new(),
            merge: Box::new(|_, _| Err("no carryUserMetadata function".into())),
            merges: Vec::new(),
            token: Box::new(token),
            given: Given::default(),
            confirm: true,
            auto_start: Some(Via::Popup),
            click_early: false,
            clock_at_click: None,
            connection: None,
            jwks_cache: None,
            waited: Vec::new(),
            secondary_user: Some(Ok(secondary_user(&[("google-oauth2", "123")]))),
            storage: None,
            navigated: None,
            asked: None,
            outcomes: Vec::new(),
            reports: Vec::new(),
            effects: Vec::new(),
            requests: Vec::new(),
            debug_log: Vec::new(),
        }
    }

    pub fn run(&mut self, mut flow: LinkFlow, first: Event) -> LinkFlow {
        let mut queue = VecDeque::from([first]);
        // The user clicks once the page has nothing else to do (the sign-in ahead of the
        // click has answered): `click_early` clicks as soon as the attempt is ready.
        let mut click: Option<Event> = None;
        while let Some(event) = queue.pop_front().or_else(|| {
            let start = click.take()?;
            if let Some(at) = self.clock_at_click {
                self.env.now = at;
            }
            Some(start)
        }) {
            self.debug_log.push(format!("{event:?}"));
            let step = flow.step(&self.given.facts(), event, &mut self.env);
            self.debug_log.push(format!("{flow:?}"));
            self.debug_log.push(format!("{:?}", flow.position()));
            for effect in step.effects {
                if let Some(event) = self.execute(effect) {
                    queue.push_back(event);
                }
            }
            for report in step.reports {
                match self.take(report) {
                    Some(start @ Event::Start { .. }) if !self.click_early => click = Some(start),
                    Some(event) => queue.push_back(event),
                    None => {}
                }
            }
        }
        flow
    }

    fn transport(&mut self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests
            .push(format!("{} {}", request.method.as_str(), request.url));
        (self.send)(request)
    }

    /// A report: the user's click on Ready, the test's decision on a question.
    fn take(&mut self, report: Report) -> Option<Event> {
        self.debug_log.push(format!("{report:?}"));
        self.reports.push(report.clone());
        match report {
            Report::Ready => {
                let connection = self.connection.clone();
                self.auto_start.map(|via| Event::Start { via, connection })
            }
            Report::Asks(profile) => {
                self.asked = Some(*profile);
                Some(Event::Decided(self.confirm))
            }
            Report::Ended(outcome) => {
                if let Outcome::Failed(e) = &outcome {
                    self.debug_log.push(format!("{e}"));
                }
                self.outcomes.push(outcome);
                None
            }
            Report::PinLearned(_)
            | Report::LoginLeavesTab
            | Report::SecondarySignedIn
            | Report::SecondaryVerified(_)
            | Report::Reauthenticated => None,
        }
    }

    fn execute(&mut self, effect: Effect) -> Option<Event> {
        self.debug_log.push(format!("{effect:?}"));
        self.effects.push(
            format!("{effect:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap_or("")
                .to_owned(),
        );
        match effect {
            Effect::GetPrimaryToken => Some(Event::PrimaryToken(
                (self.token)().map(AccessToken::new).map_err(Into::into),
            )),
            Effect::ComputeSha256(input) => {
                Some(Event::Sha256(Ok(Sha256Digest(sha256(input.secret())))))
            }
            Effect::OpenPopup { url } => popup_event((self.popup)(url.secret())),
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
                .execute(*inner)
                .map(|event| Event::Silent(Box::new(event))),
            Effect::Navigate { url } => {
                self.navigated = Some(url.secret().to_owned());
                None
            }
            Effect::PersistTransaction(s) => {
                self.storage = Some(s.secret().to_owned());
                None
            }
            Effect::ClearPersistedTransaction => {
                self.storage = None;
                None
            }
            Effect::Wait { seconds } => {
                self.waited.push(seconds);
                Some(Event::WaitOver)
            }
            Effect::StartTimer { .. }
            | Effect::CancelTimer
            | Effect::ClosePopup
            | Effect::PrefetchJwks { .. } => None,
            Effect::Send {
                purpose: RequestPurpose::SecondaryUser,
                request,
            } if self.secondary_user.is_some() => {
                self.requests
                    .push(format!("{} {}", request.method.as_str(), request.url));
                Some(Event::SecondaryUserResponse(
                    self.secondary_user.clone().expect("checked"),
                ))
            }
            Effect::Send { purpose, request } => {
                let response = self.transport(&request);
                Some(Event::response(purpose, response))
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

    pub fn last_outcome(&self) -> &Outcome {
        self.outcomes.last().expect("the flow notified something")
    }

    pub fn sent(&self, needle: &str) -> bool {
        self.requests.iter().any(|r| r.contains(needle))
    }
}

/// A query parameter of a URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_parse(query)?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// A `GET /api/v2/users/{id}` answer for a user with these `(provider, user_id)` logins,
/// the first its own.
pub fn secondary_user(logins: &[(&str, &str)]) -> HttpResponse {
    let identities: Vec<serde_json::Value> = logins
        .iter()
        .map(|(provider, id)| {
            serde_json::json!({"connection": provider, "provider": provider, "user_id": id, "isSocial": *provider != "auth0"})
        })
        .collect();
    let (provider, id) = logins[0];
    HttpResponse::new(
        200,
        serde_json::json!({"user_id": format!("{provider}|{id}"), "email": "alice@gmail.test", "identities": identities}).to_string(),
    )
}

/// The tenant's answer to a `prompt=none` sign-in without a session recent enough.
pub fn login_required(url: &str) -> PopupOutcome {
    PopupOutcome::Callback(CallbackResponse {
        error: Some("login_required".into()),
        error_description: Some("Login required".into()),
        state: query_param(url, "state"),
        ..Default::default()
    })
}

/// What a popup's outcome feeds back (`None`: it stays open).
pub fn popup_event(outcome: PopupOutcome) -> Option<Event> {
    match outcome {
        PopupOutcome::Callback(cb) => Some(Event::Callback(cb)),
        PopupOutcome::Closed => Some(Event::PopupClosed(None)),
        PopupOutcome::ClosedUnder(policy) => Some(Event::PopupClosed(Some(policy.to_owned()))),
        PopupOutcome::Blocked => Some(Event::PopupBlocked),
        PopupOutcome::TimedOut => Some(Event::TimedOut),
        PopupOutcome::Pending => None,
    }
}

/// The JWKS as a browser host answers it: from `cache` unless `bypass_cache`, else
/// `fetch`ed (a success is cached).
pub fn jwks_event(
    cache: &mut Option<HttpResponse>,
    bypass_cache: bool,
    fetch: impl FnOnce() -> Result<HttpResponse, TransportError>,
) -> Event {
    let response = match (&*cache, bypass_cache) {
        (Some(cached), false) => Ok(cached.clone()),
        _ => {
            let r = fetch();
            if let Ok(ok) = &r {
                *cache = Some(ok.clone());
            }
            r
        }
    };
    Event::JwksResponse(response)
}

/// The signature verdict, by the pure-Rust verifier standing in for WebCrypto.
pub fn signature_event(
    key: &auth0_account_link_core::jwt::RsaPublicJwk,
    message: &[u8],
    signature: &[u8],
) -> Event {
    Event::SignatureChecked(RsaVerifier.verify_rs256(key, message, signature))
}
