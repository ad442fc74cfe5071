//! The session machine's scenarios, natively: list, link, confirm and decline, the host's
//! `beforeLink`, retry, cancel, unlink, a changed tenant session, the pin across a restart
//! and a remount, a redirect resume, new options (`ui_locales` per attempt), late answers.
//! The tenant is a small fake answering by route (the whole flow against the real dev
//! tenant is in `against_dev_tenant.rs`).

mod common;

use auth0_account_link_core::http::HttpResponse;
use auth0_account_link_core::management::{Identity, IdentityRef};
use auth0_account_link_core::secret::{PersistedTransaction, Sha256Digest};
use auth0_account_link_core::session::{
    redirect_response, Answer, Asked, Command, Input, Notice, Policy, Position, Question,
    QuestionId, RedirectReturn, Session, Tell,
};
use auth0_account_link_core::transaction::CallbackResponse;
use common::driver::{query_param, PopupOutcome};
use common::session_driver::SessionDriver;
use common::*;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use test_support::{jwks_json, TestEnv, TestKey};

const USER_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary";

fn primary_only() -> serde_json::Value {
    json!({"user_id": PRIMARY, "email": "primary@example.com", "identities": [
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false}
    ]})
}

fn with_google() -> serde_json::Value {
    json!([
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
        {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}
    ])
}

/// A fake tenant answering by route; the ID token carries the nonce of the last
/// authorize URL the popup was opened on.
struct Tenant {
    nonce: RefCell<Option<String>>,
    /// The identities after a link (the link answer's body).
    linked: serde_json::Value,
    /// The user read by GET.
    user: RefCell<serde_json::Value>,
    link_status: u16,
    /// The bodies of the token requests.
    token_requests: RefCell<Vec<String>>,
    /// The `sub` of the ID tokens it signs (default: the Google login's).
    sub: RefCell<Option<String>>,
    /// The last authorize URL was the primary's sign-in again (`max_age`): its code
    /// signs the primary in, with a Management API token.
    again: RefCell<bool>,
    /// Who the sign-in again comes back as (default: the primary).
    again_as: RefCell<Option<String>>,
}

impl Tenant {
    fn new() -> Rc<Tenant> {
        Rc::new(Tenant {
            nonce: RefCell::default(),
            linked: with_google(),
            user: RefCell::new(primary_only()),
            link_status: 201,
            token_requests: RefCell::default(),
            sub: RefCell::default(),
            again: RefCell::default(),
            again_as: RefCell::default(),
        })
    }

    fn answer(&self, method: &str, url: &str, body: Option<&str>) -> HttpResponse {
        if url.ends_with("/oauth/token") {
            self.token_requests
                .borrow_mut()
                .push(body.unwrap_or_default().to_owned());
        }
        match (method, url) {
            ("GET", USER_URL) => HttpResponse::new(200, self.user.borrow().to_string()),
            ("POST", "https://tenant.example.com/oauth/token") => {
                let nonce = self.nonce.borrow().clone().expect("an authorize URL first");
                let key = TestKey::fixture(1);
                let mut claims = id_claims(&nonce);
                if let Some(sub) = self.sub.borrow().as_deref() {
                    claims["sub"] = json!(sub);
                }
                let again = *self.again.borrow();
                if again {
                    let who = self.again_as.borrow().clone();
                    claims["sub"] = json!(who.as_deref().unwrap_or(PRIMARY));
                }
                let id_token = key.sign(&key.header(), &claims);
                let access = if again {
                    fresh_token()
                } else {
                    "opaque".to_owned()
                };
                HttpResponse::new(
                    200,
                    json!({"access_token": access, "id_token": id_token, "token_type": "Bearer", "expires_in": 86400}).to_string(),
                )
            }
            ("GET", "https://tenant.example.com/.well-known/jwks.json") => {
                HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)]))
            }
            ("POST", u) if u == format!("{USER_URL}/identities") => {
                HttpResponse::new(self.link_status, self.linked.to_string())
            }
            // The secondary's own user: one login (a plain link).
            ("GET", "https://tenant.example.com/api/v2/users/google-oauth2%7C123") => {
                HttpResponse::new(
                    200,
                    json!({"user_id": "google-oauth2|123", "identities": [
                        {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}
                    ]})
                    .to_string(),
                )
            }
            ("DELETE", u) if u.starts_with(&format!("{USER_URL}/identities/")) => {
                HttpResponse::new(200, primary_only()["identities"].to_string())
            }
            other => panic!("the fake tenant has no route for {other:?}"),
        }
    }
}

fn driver<'a>(tenant: &Rc<Tenant>) -> SessionDriver<'a> {
    let token = access_token(&access_claims());
    let t = tenant.clone();
    let mut d = SessionDriver::new(
        TestEnv::new(NOW, 42),
        Box::new(move |r| Ok(t.answer(r.method.as_str(), &r.url, r.body.as_deref()))),
        move || Ok(token.clone()),
    );
    d.popup = answering(tenant);
    d
}

/// A popup whose login completes: the callback carries the authorize URL's state.
fn answering<'a>(tenant: &Rc<Tenant>) -> Box<dyn FnMut(&str) -> PopupOutcome + 'a> {
    let tenant = tenant.clone();
    Box::new(move |url: &str| {
        *tenant.nonce.borrow_mut() = query_param(url, "nonce");
        *tenant.again.borrow_mut() = query_param(url, "max_age").is_some();
        PopupOutcome::Callback(CallbackResponse {
            code: Some("code-1".into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    })
}

fn widget() -> Session {
    Session::new(config(), Policy::widget(true), None)
}

fn opened(d: &mut SessionDriver, session: &mut Session) {
    d.run(session, Input::Open(None));
    assert_eq!(session.position(), Position::Ready, "{:#?}", d.debug_log);
}

fn link_google(d: &mut SessionDriver, session: &mut Session) {
    d.command(session, Command::Link(Some("google-oauth2".into())));
}

fn ids(view_ids: &Option<Vec<Identity>>) -> Vec<String> {
    view_ids
        .iter()
        .flatten()
        .map(Identity::full_user_id)
        .collect()
}

#[test]
fn the_widget_lists_prepares_and_links_after_the_user_and_the_host_say_yes() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    assert_eq!(d.requests, vec![format!("GET {USER_URL}")]);
    assert_eq!(session.primary_user_id(), Some(PRIMARY));
    link_google(&mut d, &mut session);
    assert!(matches!(
        d.asked.as_slice(),
        [Question::Confirm(p), Question::BeforeLink(q)] if p == q && p.provider == "google-oauth2"
    ));
    assert!(matches!(d.tells.as_slice(), [Tell::Linked(l)] if l.identities.len() == 2));
    let view = session.view();
    assert_eq!(view.notice, Some(Notice::Linked));
    assert_eq!(
        ids(&view.identities),
        ["auth0|primary", "google-oauth2|123"]
    );
    assert_eq!(d.pin, None, "a link leaves nothing remembered");
    // Ready again for the next link, with the new list.
    assert_eq!(view.position, Position::Ready);
    assert_eq!(d.sent("POST https://tenant.example.com/api/v2/users"), 1);
}

#[test]
fn declining_links_nothing_tells_the_changed_session_and_remembers_the_primary() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.confirm = Some(false);
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(d.failures(), ["session_changed", "cancelled"]);
    assert_eq!(d.asked.len(), 1, "beforeLink is not asked after a no");
    assert_eq!(d.sent("/identities"), 0);
    let view = session.view();
    assert!(view.session_changed);
    assert_eq!(view.notice, Some(Notice::Cancelled(None)));
    assert_eq!(
        d.pin.as_deref(),
        Some(PRIMARY),
        "the tab remembers the primary user"
    );
    assert_eq!(view.position, Position::Ready, "ready for another try");
}

#[test]
fn before_link_stops_the_link_with_the_hosts_words() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = Some(Answer::No(Some(
        "GitHub accounts cannot be linked here".into(),
    )));
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(d.sent("/identities"), 0);
    assert_eq!(
        session.view().notice,
        Some(Notice::Cancelled(Some(
            "GitHub accounts cannot be linked here".into()
        )))
    );
    assert!(d.failures().contains(&"cancelled"));
}

#[test]
fn while_before_link_decides_the_session_shows_linking_and_a_second_yes_is_ignored() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = None;
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(session.position(), Position::Linking);
    let [confirm, before_link] = d.asked_ids.as_slice() else {
        panic!("asked once each: {:?}", d.asked_ids);
    };
    let (confirm, before_link) = (confirm.id, before_link.id);
    // The confirm question is closed: a second yes to it is dropped.
    d.command(&mut session, Command::Answer(confirm, Answer::Yes));
    assert_eq!(d.asked.len(), 2, "asked once each");
    assert!(d.tells.is_empty());
    d.command(&mut session, Command::Answer(before_link, Answer::Yes));
    assert!(matches!(d.tells.as_slice(), [Tell::Linked(_)]));
    // A late second answer changes nothing.
    d.command(&mut session, Command::Answer(before_link, Answer::No(None)));
    assert_eq!(session.view().notice, Some(Notice::Linked));
    assert_eq!(
        d.notes.len(),
        2,
        "both late answers said in the debug log: {:?}",
        d.notes
    );
}

#[test]
fn a_headless_link_asks_the_same_questions_in_the_same_order() {
    // With `confirm` and `beforeLink`.
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = Session::new(config(), Policy::headless(true, true), None);
    d.run(&mut session, Input::Open(None));
    link_google(&mut d, &mut session);
    assert!(matches!(
        d.asked.as_slice(),
        [Question::Confirm(_), Question::BeforeLink(_)]
    ));
    assert!(matches!(d.tells.as_slice(), [Tell::Linked(_)]));
    assert_eq!(
        session.position(),
        Position::Linked,
        "one attempt: not prepared again"
    );

    // With only `beforeLink`: it is still asked, and its no stops the link.
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = Some(Answer::No(None));
    let mut session = Session::new(config(), Policy::headless(false, true), None);
    d.run(&mut session, Input::Open(None));
    link_google(&mut d, &mut session);
    assert!(matches!(d.asked.as_slice(), [Question::BeforeLink(_)]));
    assert_eq!(d.sent("/identities"), 0);
    assert_eq!(d.failures(), ["session_changed", "cancelled"]);

    // With neither: nothing is asked.
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = Session::new(config(), Policy::headless(false, false), None);
    d.run(&mut session, Input::Open(None));
    link_google(&mut d, &mut session);
    assert!(d.asked.is_empty());
    assert!(matches!(d.tells.as_slice(), [Tell::Linked(_)]));
}

#[test]
fn a_link_asked_for_before_the_attempt_is_ready_starts_once_it_is() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = Session::new(config(), Policy::headless(false, false), None);
    // The headless call: the link is asked for at once, the session is not ready yet.
    let token = access_token(&access_claims());
    d.token = Box::new(move || Ok(token.clone()));
    d.command(&mut session, Command::Link(Some("github".into())));
    assert!(d.opened.is_empty());
    d.run(&mut session, Input::Open(None));
    assert_eq!(d.opened.len(), 1);
    assert_eq!(
        query_param(&d.opened[0], "connection").as_deref(),
        Some("github")
    );
}

#[test]
fn a_failed_prepare_waits_for_retry_and_retry_prepares_again() {
    let tenant = Tenant::new();
    let calls = Rc::new(RefCell::new(0));
    let c = calls.clone();
    let good = access_token(&access_claims());
    let mut d = driver(&tenant);
    // The list's token works, the prepare's fails once.
    d.token = Box::new(move || {
        *c.borrow_mut() += 1;
        if *c.borrow() == 2 {
            Err("login_required".into())
        } else {
            Ok(good.clone())
        }
    });
    let mut session = widget();
    d.run(&mut session, Input::Open(None));
    assert_eq!(session.position(), Position::Failed);
    assert_eq!(d.failures(), ["primary_token_unavailable"]);
    d.command(&mut session, Command::Retry);
    assert_eq!(session.position(), Position::Ready);
    assert_eq!(*calls.borrow(), 3);
}

#[test]
fn cancelling_a_hung_list_drops_its_late_answer_and_retry_reads_it_again() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.hold_tokens = true;
    let mut session = widget();
    d.run(&mut session, Input::Open(None));
    assert!(session.view().listing);
    d.command(&mut session, Command::Cancel);
    let view = session.view();
    assert!(view.offers.retry && !view.listing);
    assert_eq!(view.notice, Some(Notice::Cancelled(None)));
    // The hung token arrives late: dropped, nothing is read.
    d.release_tokens(&mut session);
    assert!(d.requests.is_empty());
    assert_eq!(session.view().identities, None);
    d.command(&mut session, Command::Retry);
    assert_eq!(d.requests, vec![format!("GET {USER_URL}")]);
    assert_eq!(session.position(), Position::Ready);
}

#[test]
fn unlink_only_a_listed_identity_once_at_a_time_and_prepare_with_the_new_list() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    let listed = session.view().identities.expect("listed");
    let stranger = Identity {
        user_id: "999".into(),
        ..listed[1].clone()
    };
    d.command(&mut session, Command::AskUnlink(stranger.clone()));
    assert_eq!(session.view().question, None, "not in the list");
    assert_eq!(d.sent("DELETE"), 0);

    d.command(&mut session, Command::AskUnlink(listed[1].clone()));
    let asked = session.view().question.expect("asked");
    assert_eq!(asked.question, Question::Unlink(listed[1].clone()));
    d.hold_tokens = true;
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    let view = session.view();
    assert!(view.unlinking && !view.offers.unlink);
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    d.command(&mut session, Command::Answer(asked.id, Answer::No(None)));
    d.release_tokens(&mut session);
    assert_eq!(d.sent("DELETE"), 1, "one request");
    let view = session.view();
    assert_eq!(ids(&view.identities), ["auth0|primary"]);
    assert_eq!(view.notice, Some(Notice::Unlinked));
    assert_eq!(view.question, None);
    assert!(matches!(d.tells.last(), Some(Tell::Unlinked(ids)) if ids.len() == 1));
}

/// A token for another user: after a declined secondary login, the tenant's session (so
/// a silently renewed token) may be the secondary's.
fn token_for(sub: &str) -> String {
    let mut claims = access_claims();
    claims["sub"] = json!(sub);
    access_token(&claims)
}

#[test]
fn a_remount_after_a_declined_login_refuses_the_secondary_as_primary() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.confirm = Some(false);
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let remembered = d.pin.clone();
    assert_eq!(remembered.as_deref(), Some(PRIMARY));

    // The page comes back (a remount, a reload): the tenant now answers as the secondary.
    let mut d = driver(&tenant);
    let secondary = token_for("google-oauth2|123");
    d.token = Box::new(move || Ok(secondary.clone()));
    let mut session = Session::new(config(), Policy::widget(true), remembered);
    d.run(&mut session, Input::Open(None));
    assert!(d.requests.is_empty(), "nothing is read as the other user");
    assert_eq!(d.failures(), ["session_changed", "user_mismatch"]);
    let view = session.view();
    assert!(view.session_changed && view.offers.retry && !view.listing);
    assert_eq!(
        view.identities, None,
        "the secondary is never shown as the primary"
    );

    // The primary signs in again: the same remembered pin lets the widget work.
    let mut d = driver(&tenant);
    let mut session = Session::new(config(), Policy::widget(true), Some(PRIMARY.into()));
    opened(&mut d, &mut session);
}

#[test]
fn a_host_named_primary_user_replaces_the_remembered_one() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let named = config_with(|o| o.primary_user_id = Some(PRIMARY.into()));
    d.pin = Some("auth0|someone-else".into());
    let mut session = Session::new(
        named.clone(),
        Policy::widget(true),
        Some("auth0|someone-else".into()),
    );
    opened(&mut d, &mut session);
    assert_eq!(session.primary_user_id(), Some(PRIMARY));
    assert_eq!(d.pin, None, "the tab forgets what the host's word replaced");
    // Naming the user the tab remembers keeps it (a remount without the option still
    // refuses the secondary).
    let mut d = driver(&tenant);
    d.pin = Some(PRIMARY.into());
    let mut session = Session::new(named, Policy::widget(true), Some(PRIMARY.into()));
    opened(&mut d, &mut session);
    assert_eq!(d.pin.as_deref(), Some(PRIMARY));
}

#[test]
fn new_options_keep_the_pin_and_the_next_login_gets_the_current_locale() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.popup = Box::new(|_| PopupOutcome::Pending);
    let mut session = Session::new(
        config_with(|o| o.locale = Some("de".into())),
        Policy::widget(true),
        None,
    );
    opened(&mut d, &mut session);
    d.run(
        &mut session,
        Input::Configure {
            config: config_with(|o| {
                o.locale = Some("fr-CA".into());
                o.request_timeout_seconds = Some(30.0);
            }),
            remembered_pin: None,
        },
    );
    assert_eq!(session.position(), Position::Ready, "nothing restarts");
    assert_eq!(d.requests.len(), 1, "nothing is read again");
    link_google(&mut d, &mut session);
    assert_eq!(
        query_param(&d.opened[0], "ui_locales").as_deref(),
        Some("fr-CA")
    );
    // The pin held through the change: a token for someone else is refused.
    d.popup = answering(&tenant);
    let other = token_for("auth0|other");
    d.token = Box::new(move || Ok(other.clone()));
    d.command(&mut session, Command::Cancel);
    d.command(&mut session, Command::Retry);
    assert!(d.failures().contains(&"user_mismatch"));
}

#[test]
fn an_attempt_in_flight_finishes_with_the_options_it_started_with() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let pending: Rc<RefCell<Option<String>>> = Rc::default();
    let p = pending.clone();
    d.popup = Box::new(move |url| {
        *p.borrow_mut() = Some(url.to_owned());
        PopupOutcome::Pending
    });
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let generation_url = pending.borrow().clone().expect("opened");
    d.run(
        &mut session,
        Input::Configure {
            config: config_with(|o| {
                o.redirect_uri = Some("https://app.example.com/other-callback".into());
            }),
            remembered_pin: None,
        },
    );
    assert_eq!(
        session.position(),
        Position::AwaitingLogin,
        "the popup survives"
    );
    // The login completes: the token request repeats the authorize request's redirect.
    *tenant.nonce.borrow_mut() = query_param(&generation_url, "nonce");
    let callback = CallbackResponse {
        code: Some("code-1".into()),
        state: query_param(&generation_url, "state"),
        ..Default::default()
    };
    let generation = attempt_generation(&d);
    d.run(
        &mut session,
        Input::Attempt(
            generation,
            auth0_account_link_core::flow::Event::Callback(callback),
        ),
    );
    assert!(
        matches!(d.tells.as_slice(), [Tell::Linked(_)]),
        "{:#?}",
        d.tells
    );
    let sent = tenant.token_requests.borrow();
    assert!(
        sent[0].contains("redirect_uri=https%3A%2F%2Fapp.example.com")
            && !sent[0].contains("other-callback"),
        "{sent:?}"
    );
    assert_eq!(
        query_param(&generation_url, "redirect_uri").as_deref(),
        Some("https://app.example.com")
    );
}

/// The generation of the last attempt output the driver saw.
fn attempt_generation(d: &SessionDriver) -> u32 {
    d.debug_log
        .iter()
        .rev()
        .find_map(|line| {
            line.strip_prefix("Attempt(")
                .and_then(|rest| rest.split(',').next())
                .and_then(|n| n.parse().ok())
        })
        .expect("an attempt output")
}

#[test]
fn another_tenant_starts_over_and_late_answers_of_the_old_session_are_dropped() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    let old = attempt_generation(&d);
    d.hold_tokens = true;
    d.run(
        &mut session,
        Input::Configure {
            config: config_with(|o| o.client_id = Some("another-client".into())),
            remembered_pin: None,
        },
    );
    assert_eq!(
        session.primary_user_id(),
        None,
        "the pin went with the tenant"
    );
    assert!(session.view().listing, "the new session lists");
    // A late answer for the old attempt is not taken by the new one.
    d.run(
        &mut session,
        Input::Attempt(
            old,
            auth0_account_link_core::flow::Event::Sha256(Ok(Sha256Digest([7; 32]))),
        ),
    );
    assert_eq!(session.position(), Position::Idle);
}

/// A page whose popup was blocked continues in this tab: the authorize URL it navigated
/// to, the stored transaction, and what the tab remembered.
fn continued_in_tab(tenant: &Rc<Tenant>) -> (String, String, Option<String>) {
    let mut d = driver(tenant);
    let mut session = Session::new(redirect_config(), Policy::widget(true), None);
    opened(&mut d, &mut session);
    d.popup = Box::new(|_| PopupOutcome::Blocked);
    link_google(&mut d, &mut session);
    assert_eq!(session.position(), Position::PopupBlocked);
    d.command(&mut session, Command::ContinueInTab);
    (
        d.navigated.clone().expect("navigated"),
        d.transaction.clone().expect("persisted"),
        d.pin.clone(),
    )
}

fn redirect_config() -> auth0_account_link_core::LinkConfig {
    config_with(|o| o.redirect_uri = Some("https://app.example.com/".into()))
}

#[test]
fn a_redirect_return_asks_the_host_before_linking() {
    let tenant = Tenant::new();
    // The page that left: a prepared attempt, then "continue in this tab".
    let (url, stored, _) = continued_in_tab(&tenant);
    *tenant.nonce.borrow_mut() = query_param(&url, "nonce");

    // Back on the page (a headless resumeRedirect whose beforeLink says no).
    let query = format!(
        "?code=code-1&state={}",
        query_param(&url, "state").expect("state")
    );
    let callback = redirect_response(&query, Some(&stored)).expect("ours");
    let mut d = driver(&tenant);
    d.before_link = Some(Answer::No(Some("not now".into())));
    let mut session = Session::new(redirect_config(), Policy::headless(false, true), None);
    d.run(
        &mut session,
        Input::Open(Some(RedirectReturn {
            persisted: Some(PersistedTransaction::new(stored)),
            callback,
        })),
    );
    assert!(matches!(d.asked.as_slice(), [Question::BeforeLink(_)]));
    assert_eq!(d.sent("/identities"), 0);
    assert_eq!(d.failures(), ["session_changed", "cancelled"]);
    assert_eq!(
        d.pin.as_deref(),
        Some(PRIMARY),
        "the transaction's primary is remembered"
    );
}

#[test]
fn only_a_response_to_this_tabs_pending_login_is_ours() {
    let tenant = Tenant::new();
    let (url, stored, _) = continued_in_tab(&tenant);
    let state = query_param(&url, "state").expect("state");
    assert!(redirect_response(&format!("?code=c&state={state}"), Some(&stored)).is_some());
    // The host's own callback (auth0-spa-js's code and state, with or without a pending
    // login of the widget), or no answer at all: not ours.
    assert!(redirect_response("?code=c&state=host-state", Some(&stored)).is_none());
    assert!(redirect_response("?code=c&state=host-state", None).is_none());
    assert!(redirect_response("?tab=accounts", Some(&stored)).is_none());
    // The widget's own answer whose transaction is gone is still the widget's.
    assert!(redirect_response(&format!("?code=c&state={state}"), None).is_some());
}

#[test]
fn nothing_the_session_prints_holds_a_secret() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let token = access_token(&access_claims());
    let nonce = tenant.nonce.borrow().clone().expect("nonce");
    for line in &d.debug_log {
        assert!(!line.contains(&token), "the access token leaked: {line}");
        assert!(!line.contains(&nonce), "the nonce leaked: {line}");
        assert!(!line.contains("code-1"), "the code leaked: {line}");
    }
}

#[test]
fn a_redirect_return_whose_transaction_is_gone_still_tells_the_session_changed() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = Session::new(
        config_with(|o| o.redirect_uri = Some("https://app.example.com/".into())),
        Policy::widget(true),
        None,
    );
    opened(&mut d, &mut session);
    d.popup = Box::new(|_| PopupOutcome::Blocked);
    link_google(&mut d, &mut session);
    d.command(&mut session, Command::ContinueInTab);
    assert_eq!(
        d.pin.as_deref(),
        Some(PRIMARY),
        "remembered as the login leaves the tab"
    );
    let remembered = d.pin.clone();
    let url = d.navigated.clone().expect("navigated");
    let query = format!(
        "?code=code-1&state={}",
        query_param(&url, "state").expect("state")
    );

    // Back in a tab whose sessionStorage lost the transaction, as the secondary account.
    let callback = redirect_response(&query, None).expect("still the widget's");
    let mut d = driver(&tenant);
    let secondary = token_for("google-oauth2|123");
    d.token = Box::new(move || Ok(secondary.clone()));
    let mut session = Session::new(redirect_config(), Policy::widget(true), remembered);
    d.run(
        &mut session,
        Input::Open(Some(RedirectReturn {
            persisted: None,
            callback,
        })),
    );
    let failures = d.failures();
    assert_eq!(
        &failures[..2],
        ["session_changed", "state_mismatch"],
        "{failures:?}"
    );
    assert!(
        failures.contains(&"user_mismatch"),
        "the list refuses the secondary: {failures:?}"
    );
    assert!(session.view().session_changed);
    assert!(
        !d.requests.iter().any(|r| r.contains("/oauth/token")),
        "{:?}",
        d.requests
    );
}

#[test]
fn another_client_is_checked_against_what_the_tab_keeps_for_it() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    d.pin = Some("kept for the first client".into());
    let mut claims = access_claims();
    claims["azp"] = json!("another-client");
    let token = access_token(&claims);
    d.token = Box::new(move || Ok(token.clone()));
    // The host switches client; this tab kept another primary user for that client.
    d.run(
        &mut session,
        Input::Configure {
            config: config_with(|o| o.client_id = Some("another-client".into())),
            remembered_pin: Some("auth0|someone-else".into()),
        },
    );
    assert_eq!(
        d.pin.as_deref(),
        Some("kept for the first client"),
        "what the tab keeps for the first client is not touched"
    );
    assert_eq!(session.primary_user_id(), Some("auth0|someone-else"));
    assert!(
        d.failures()
            .ends_with(&["session_changed", "user_mismatch"]),
        "the token for another user is refused: {:?}",
        d.failures()
    );
}

// Issue 25: every answer names the question it answers; once the link request is out,
// cancel never says "nothing linked"; a login already linked to this user is named as such.

/// The ids of the questions asked so far, in order.
fn question_ids(d: &SessionDriver) -> Vec<QuestionId> {
    d.asked_ids.iter().map(|a| a.id).collect()
}

#[test]
fn a_late_before_link_answer_of_an_earlier_attempt_links_nothing() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = None;
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let first = *question_ids(&d).last().expect("beforeLink asked");
    assert!(matches!(d.asked.last(), Some(Question::BeforeLink(_))));
    d.command(&mut session, Command::Cancel);
    assert_eq!(session.position(), Position::Ready, "{:#?}", d.debug_log);
    // The second attempt reaches its own beforeLink.
    link_google(&mut d, &mut session);
    let second = *question_ids(&d).last().expect("asked again");
    assert_ne!(first, second);
    assert_eq!(session.position(), Position::Linking);
    // The host's late yes to the first: dropped, nothing sent, the second still waits.
    d.command(&mut session, Command::Answer(first, Answer::Yes));
    assert_eq!(d.sent("/identities"), 0, "the late yes linked nothing");
    assert!(!d.tells.iter().any(|t| matches!(t, Tell::Linked(_))));
    assert!(
        d.notes.iter().any(|n| n.contains("dropped an answer")),
        "{:?}",
        d.notes
    );
    assert_eq!(session.view().question.map(|a| a.id), Some(second));
    // Its own answer links.
    d.command(&mut session, Command::Answer(second, Answer::Yes));
    assert_eq!(d.sent("/identities"), 1);
    assert!(matches!(d.tells.last(), Some(Tell::Linked(_))));
}

#[test]
fn a_late_confirm_of_an_earlier_attempt_links_nothing() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.confirm = None;
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let first = *question_ids(&d).last().expect("confirm asked");
    d.command(&mut session, Command::Cancel);
    link_google(&mut d, &mut session);
    assert_eq!(session.position(), Position::Confirming);
    d.command(&mut session, Command::Answer(first, Answer::Yes));
    assert_eq!(session.position(), Position::Confirming, "still asked");
    assert_eq!(
        d.asked.len(),
        2,
        "no beforeLink for the late yes: {:?}",
        d.asked
    );
    assert_eq!(d.sent("/identities"), 0);
}

#[test]
fn a_before_link_answer_from_before_new_options_links_nothing_after_them() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = None;
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let old = *question_ids(&d).last().expect("beforeLink asked");
    // `handle.update()` naming the primary user: another session.
    let named = config_with(|o| o.primary_user_id = Some(PRIMARY.into()));
    d.run(
        &mut session,
        Input::Configure {
            config: named,
            remembered_pin: None,
        },
    );
    assert_eq!(session.position(), Position::Ready, "{:#?}", d.debug_log);
    link_google(&mut d, &mut session);
    assert!(matches!(d.asked.last(), Some(Question::BeforeLink(_))));
    d.command(&mut session, Command::Answer(old, Answer::Yes));
    assert_eq!(
        d.sent("/identities"),
        0,
        "the old session's yes links nothing"
    );
    assert_eq!(
        session.position(),
        Position::Linking,
        "the new question still waits"
    );
}

#[test]
fn cancel_after_the_link_request_is_out_is_refused_and_the_answer_decides() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.hold_answers_to = Some(auth0_account_link_core::flow::RequestPurpose::Link);
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(d.sent("/identities"), 1, "the link request is out");
    assert!(!session.view().offers.cancel, "no cancel is offered");
    d.command(&mut session, Command::Cancel);
    assert!(d.failures().is_empty(), "nothing said: {:?}", d.failures());
    assert_eq!(session.position(), Position::Linking);
    assert!(
        d.notes.iter().any(|n| n.contains("cancel refused")),
        "{:?}",
        d.notes
    );
    // The server linked: the list and the host hear the truth.
    d.release_answers(&mut session);
    assert!(
        matches!(d.tells.as_slice(), [Tell::Linked(_)]),
        "{:?}",
        d.tells
    );
    assert_eq!(
        ids(&session.view().identities),
        ["auth0|primary", "google-oauth2|123"]
    );
}

#[test]
fn a_login_already_linked_to_this_user_is_already_linked_not_a_session_change() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    // Auth0 signs a linked identity in as its user: the ID token names the primary.
    *tenant.sub.borrow_mut() = Some(PRIMARY.into());
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(d.failures(), ["already_linked"], "no session_changed");
    assert!(!session.view().session_changed);
    let Some(Tell::Failed(e)) = d.tells.last() else {
        panic!("{:?}", d.tells)
    };
    assert!(
        e.detail().contains("\"google-oauth2\" login"),
        "{}",
        e.detail()
    );
    assert_eq!(
        d.pin, None,
        "the tenant's session is the primary's: nothing to remember"
    );
    assert_eq!(d.sent("/identities"), 0);

    // The primary's own login again (no connection named): the same account.
    link_with_any(&mut d, &mut session);
    assert_eq!(d.failures(), ["already_linked", "same_account"]);
}

fn link_with_any(d: &mut SessionDriver, session: &mut Session) {
    d.command(session, Command::Link(None));
}

#[test]
fn a_before_link_that_does_not_answer_can_be_stopped_and_its_late_yes_links_nothing() {
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    d.before_link = None;
    let mut session = widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    let asked = *question_ids(&d).last().expect("beforeLink asked");
    let view = session.view();
    assert!(view.waiting && view.offers.cancel, "{view:?}");
    d.command(&mut session, Command::Cancel);
    assert_eq!(d.failures(), ["session_changed", "cancelled"]);
    assert_eq!(session.view().question, None);
    // The host answers at last: too late.
    d.command(&mut session, Command::Answer(asked, Answer::Yes));
    assert_eq!(d.sent("/identities"), 0);
    assert_eq!(session.position(), Position::Ready, "ready for another try");
}

#[test]
fn what_the_view_offers_follows_the_session() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": [
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
        {"connection": "github", "user_id": "4242", "provider": "github", "isSocial": true}
    ]});
    let mut d = driver(&tenant);
    d.confirm = None;
    let mut session = widget();
    d.hold_tokens = true;
    d.run(&mut session, Input::Open(None));
    let view = session.view();
    assert!(view.listing && view.waiting && view.offers.cancel && !view.offers.link);
    d.release_tokens(&mut session);
    let view = session.view();
    assert!(view.offers.link && view.offers.unlink && !view.offers.retry && !view.waiting);
    // A link question open: no unlink is offered beside it.
    link_google(&mut d, &mut session);
    let view = session.view();
    assert!(matches!(
        view.question,
        Some(Asked {
            question: Question::Confirm(_),
            ..
        })
    ));
    assert!(!view.offers.unlink && !view.offers.link && view.offers.cancel);
    d.command(
        &mut session,
        Command::AskUnlink(view.identities.expect("listed")[1].clone()),
    );
    assert!(
        matches!(
            session.view().question,
            Some(Asked {
                question: Question::Confirm(_),
                ..
            })
        ),
        "the link question stays"
    );
}

/// With the primary's sign-in again (the default), the first window must not let the
/// tenant's session answer for somebody else: once a secondary login signed in without
/// a link (the session may be that account's), or the login the session came from was
/// unlinked, it asks for the primary's credentials (`prompt=login`); after a link or the
/// primary's own sign-in again, a recent session answers at once.
#[test]
fn the_sign_in_again_asks_for_credentials_when_the_tenants_session_may_be_another_users() {
    let first_prompt = |d: &SessionDriver| {
        let url = d
            .opened
            .iter()
            .rev()
            .find(|u| query_param(u, "max_age").is_some())
            .expect("a sign-in again");
        query_param(url, "prompt")
    };
    let tenant = Tenant::new();
    let mut d = driver(&tenant);
    let mut session = Session::new(
        config_with(|o| o.reauthenticate = None),
        Policy::widget(true),
        None,
    );
    opened(&mut d, &mut session);
    // Declined after the secondary signed in.
    d.confirm = Some(false);
    link_google(&mut d, &mut session);
    assert_eq!(first_prompt(&d), None, "the host's own session answers");
    assert_eq!(d.opened.len(), 2, "one attempt, two logins in its window");
    assert!(d.failures().contains(&"session_changed"));
    // The next attempt asks the primary's credentials, then links.
    d.confirm = Some(true);
    link_google(&mut d, &mut session);
    assert_eq!(first_prompt(&d).as_deref(), Some("login"));
    assert!(
        matches!(d.tells.last(), Some(Tell::Linked(_))),
        "{:?}",
        d.tells
    );
    // After the link the session's login is the primary's: no prompt.
    let listed = session.view().identities.expect("listed");
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    let before = d.opened.len();
    link_google(&mut d, &mut session);
    assert!(d.opened.len() > before);
    assert_eq!(first_prompt(&d), None);
    // Unlinking the login the session came from: asked again.
    d.command(&mut session, Command::AskUnlink(listed[1].clone()));
    let asked = session.view().question.expect("asked");
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    assert!(
        matches!(d.tells.last(), Some(Tell::Unlinked(_))),
        "{:?}",
        d.tells
    );
    d.popup = Box::new(|_| PopupOutcome::Pending);
    link_google(&mut d, &mut session);
    assert_eq!(first_prompt(&d).as_deref(), Some("login"));
}

/// The access token of the primary's sign-in again (another `iat` than the host's).
fn fresh_token() -> String {
    let mut claims = access_claims();
    claims["iat"] = json!(NOW - 1);
    access_token(&claims)
}

fn reauth_widget() -> Session {
    Session::new(
        config_with(|o| o.reauthenticate = None),
        Policy::widget(true),
        None,
    )
}

/// A driver whose transport also records each request's bearer token.
fn recording_driver<'a>(
    tenant: &Rc<Tenant>,
    bearers: &'a RefCell<Vec<(String, String)>>,
) -> SessionDriver<'a> {
    let token = access_token(&access_claims());
    let t = tenant.clone();
    let mut d = SessionDriver::new(
        TestEnv::new(NOW, 42),
        Box::new(move |r| {
            let bearer = r
                .headers
                .iter()
                .find(|(k, _)| k == "Authorization")
                .map(|(_, v)| v.trim_start_matches("Bearer ").to_owned())
                .unwrap_or_default();
            bearers
                .borrow_mut()
                .push((format!("{} {}", r.method.as_str(), r.url), bearer));
            Ok(t.answer(r.method.as_str(), &r.url, r.body.as_deref()))
        }),
        move || Ok(token.clone()),
    );
    d.popup = answering(tenant);
    d
}

#[test]
fn unlinking_asks_the_primary_to_sign_in_again_and_removes_with_that_token() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() =
        json!({"user_id": PRIMARY, "email": "primary@example.com", "identities": with_google()});
    let bearers = RefCell::default();
    let mut d = recording_driver(&tenant, &bearers);
    let mut session = reauth_widget();
    opened(&mut d, &mut session);
    let listed = session.view().identities.expect("listed");
    d.command(&mut session, Command::AskUnlink(listed[1].clone()));
    let asked = session.view().question.expect("asked");
    // The window stays open on the sign-in again: the dialog shows the unlink under way.
    d.popup = Box::new(|_| PopupOutcome::Pending);
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    let first = d.opened.last().expect("a window in the click").clone();
    assert_eq!(query_param(&first, "max_age").as_deref(), Some("600"));
    assert_eq!(
        query_param(&first, "login_hint").as_deref(),
        Some("primary@example.com")
    );
    let view = session.view();
    assert!(view.unlinking && !view.offers.unlink && !view.offers.link);
    assert_eq!(view.position, Position::Reauthenticating);
    assert_eq!(d.sent("DELETE"), 0, "nothing before the sign-in again");
    // A second yes while it runs changes nothing.
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    assert_eq!(d.opened.len(), 1);
    // The primary signs in again: its token removes the login, once.
    *tenant.nonce.borrow_mut() = query_param(&first, "nonce");
    *tenant.again.borrow_mut() = true;
    let generation_event = Input::Attempt(
        attempt_generation(&d),
        auth0_account_link_core::flow::Event::Callback(CallbackResponse {
            code: Some("code-1".into()),
            state: query_param(&first, "state"),
            ..Default::default()
        }),
    );
    d.run(&mut session, generation_event);
    assert_eq!(d.sent("DELETE"), 1, "{:#?}", d.debug_log);
    let deleted = bearers
        .borrow()
        .iter()
        .find(|(r, _)| r.starts_with("DELETE"))
        .cloned()
        .expect("deleted");
    assert_eq!(
        deleted.1,
        fresh_token(),
        "the sign-in again's token, not the host's"
    );
    let view = session.view();
    assert_eq!(ids(&view.identities), ["auth0|primary"]);
    assert_eq!(view.notice, Some(Notice::Unlinked));
    assert_eq!(view.question, None);
    assert!(!view.unlinking);
    assert!(matches!(d.tells.last(), Some(Tell::Unlinked(ids)) if ids.len() == 1));
    assert_eq!(view.position, Position::Ready, "ready for the next link");
}

#[test]
fn a_closed_window_before_the_sign_in_again_removes_nothing() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    let mut d = driver(&tenant);
    let mut session = reauth_widget();
    opened(&mut d, &mut session);
    let listed = session.view().identities.expect("listed");
    d.command(&mut session, Command::AskUnlink(listed[1].clone()));
    let asked = session.view().question.expect("asked");
    d.popup = Box::new(|_| PopupOutcome::Closed);
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    assert_eq!(d.failures(), ["reauthentication_failed"]);
    assert_eq!(d.sent("DELETE"), 0);
    let view = session.view();
    assert_eq!(
        ids(&view.identities),
        ["auth0|primary", "google-oauth2|123"]
    );
    assert_eq!(view.question, None, "the question ended with its attempt");
    assert!(
        !view.unlinking && view.offers.unlink,
        "the user can try again"
    );
    assert_eq!(view.position, Position::Ready);
}

#[test]
fn a_headless_unlink_waits_for_the_attempt_and_then_signs_in_again() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    let mut d = driver(&tenant);
    let mut session = Session::new(
        config_with(|o| o.reauthenticate = None),
        Policy::headless(false, false),
        None,
    );
    // Asked before the session opened: kept until the attempt is ready.
    d.command(
        &mut session,
        Command::Unlink(IdentityRef {
            provider: "google-oauth2".into(),
            user_id: "123".into(),
        }),
    );
    assert!(d.opened.is_empty());
    d.run(&mut session, Input::Open(None));
    assert!(
        d.opened.iter().any(|u| query_param(u, "max_age").is_some()),
        "{:#?}",
        d.debug_log
    );
    assert_eq!(d.sent("DELETE"), 1);
    assert!(matches!(d.tells.last(), Some(Tell::Unlinked(ids)) if ids.len() == 1));
}

#[test]
fn with_re_authentication_off_an_unlink_uses_the_hosts_token_at_once() {
    let tenant = Tenant::new();
    *tenant.user.borrow_mut() = json!({"user_id": PRIMARY, "identities": with_google()});
    let mut d = driver(&tenant);
    let mut session = widget();
    opened(&mut d, &mut session);
    let listed = session.view().identities.expect("listed");
    d.command(&mut session, Command::AskUnlink(listed[1].clone()));
    let asked = session.view().question.expect("asked");
    d.command(&mut session, Command::Answer(asked.id, Answer::Yes));
    assert!(d.opened.is_empty(), "no window");
    assert_eq!(d.sent("DELETE"), 1);
}

#[test]
fn a_sign_in_again_as_somebody_else_is_told_and_the_next_window_asks_for_credentials() {
    let tenant = Tenant::new();
    *tenant.again_as.borrow_mut() = Some("google-oauth2|123".into());
    let mut d = driver(&tenant);
    let mut session = reauth_widget();
    opened(&mut d, &mut session);
    link_google(&mut d, &mut session);
    assert_eq!(d.failures(), ["session_changed", "user_mismatch"]);
    assert_eq!(d.sent("/identities"), 0);
    assert_eq!(
        d.pin.as_deref(),
        Some(PRIMARY),
        "the tab remembers whom it acts for"
    );
    // The next window does not let the tenant's session answer.
    *tenant.again_as.borrow_mut() = None;
    link_google(&mut d, &mut session);
    let last_again = d
        .opened
        .iter()
        .rev()
        .find(|u| query_param(u, "max_age").is_some())
        .expect("a sign-in again");
    assert_eq!(query_param(last_again, "prompt").as_deref(), Some("login"));
    assert!(
        matches!(d.tells.last(), Some(Tell::Linked(_))),
        "{:?}",
        d.tells
    );
}
