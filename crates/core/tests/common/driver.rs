//! Runs a `LinkFlow` to completion by executing its effects the way the browser shell
//! does, with injected transport, popup behaviour, token source and confirm answer.
#![allow(dead_code)]

use account_link_core::encoding::form_parse;
use account_link_core::flow::{Effect, Event, LinkFlow, Outcome, RequestPurpose, Via};
use account_link_core::http::{HttpRequest, HttpResponse, TransportError};
use account_link_core::id_token::SecondaryProfile;
use account_link_core::id_token::SignatureVerifier;
use account_link_core::transaction::CallbackResponse;
use std::collections::VecDeque;
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
    pub token: Box<dyn FnMut() -> Result<String, String> + 'a>,
    pub confirm: bool,
    pub auto_start: Option<Via>,
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
            token: Box::new(token),
            confirm: true,
            auto_start: Some(Via::Popup),
            connection: None,
            jwks_cache: None,
            waited: Vec::new(),
            secondary_user: Some(Ok(secondary_user(&[("google-oauth2", "123")]))),
            storage: None,
            navigated: None,
            asked: None,
            outcomes: Vec::new(),
            effects: Vec::new(),
            requests: Vec::new(),
            debug_log: Vec::new(),
        }
    }

    pub fn run(&mut self, mut flow: LinkFlow, first: Event) -> LinkFlow {
        let mut queue = VecDeque::from([first]);
        while let Some(event) = queue.pop_front() {
            self.debug_log.push(format!("{event:?}"));
            let effects = flow.step(event, &mut self.env);
            self.debug_log.push(format!("{flow:?}"));
            self.debug_log.push(format!("{:?}", flow.position()));
            for effect in effects {
                if let Some(event) = self.execute(effect) {
                    queue.push_back(event);
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

    fn execute(&mut self, effect: Effect) -> Option<Event> {
        self.debug_log.push(format!("{effect:?}"));
        if let Effect::Notify(Outcome::Failed(e)) = &effect {
            self.debug_log.push(format!("{e}"));
        }
        self.effects.push(
            format!("{effect:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap_or("")
                .to_owned(),
        );
        match effect {
            Effect::GetPrimaryToken => {
                Some(Event::PrimaryToken((self.token)().map_err(Into::into)))
            }
            Effect::ComputeSha256(input) => Some(Event::Sha256(Ok(sha256(&input)))),
            Effect::OpenPopup { url } => popup_event((self.popup)(&url)),
            Effect::Navigate { url } => {
                self.navigated = Some(url);
                None
            }
            Effect::PersistTransaction(s) => {
                self.storage = Some(s);
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
            } => Some(signature_event(&key, &message, &signature)),
            Effect::AskConfirm(profile) => {
                self.asked = Some(profile);
                Some(Event::Confirm(self.confirm))
            }
            Effect::Notify(outcome) => {
                let start = matches!(outcome, Outcome::Ready)
                    .then_some(self.auto_start)
                    .flatten();
                self.outcomes.push(outcome);
                let connection = self.connection.clone();
                start.map(|via| Event::Start { via, connection })
            }
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
    key: &account_link_core::jwt::RsaPublicJwk,
    message: &[u8],
    signature: &[u8],
) -> Event {
    Event::SignatureChecked(RsaVerifier.verify_rs256(key, message, signature))
}
