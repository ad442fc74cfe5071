//! The link flow state machine, driven through every path with a strict mock transport.

mod common;

use auth0_account_link_core::error::{ErrorCode, IdTokenReason, Sentence};
use auth0_account_link_core::flow::{
    Effect, Event, IdentityOpKind, LinkFlow, Outcome, Report, RequestPurpose, TokenFailure, Via,
};
use auth0_account_link_core::http::{HttpResponse, Method};
use auth0_account_link_core::management::{Identity, IdentityRef};
use auth0_account_link_core::secret::{
    AccessToken, AuthorizeUrl, OpaqueBytes, PersistedTransaction, Sha256Digest,
};
use auth0_account_link_core::session::Position;
use auth0_account_link_core::transaction::CallbackResponse;
use auth0_account_link_core::LinkConfig;
use common::driver::{query_param, secondary_user, Driver, PopupOutcome};
use common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use test_support::{jwks_json, MockTransport, TestEnv, TestKey};

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const JWKS_URL: &str = "https://tenant.example.com/.well-known/jwks.json";
const LINK_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities";
const SECONDARY_URL: &str = "https://tenant.example.com/api/v2/users/google-oauth2%7C123";

fn prepare() -> Event {
    Event::Prepare
}

fn linked_identities() -> String {
    json!([
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
        {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true, "profileData": {"email": "alice@gmail.test"}}
    ])
    .to_string()
}

fn id_token_for(nonce: &str, f: impl FnOnce(&mut Value)) -> String {
    let key = TestKey::fixture(1);
    let mut claims = id_claims(nonce);
    f(&mut claims);
    key.sign(&key.header(), &claims)
}

fn token_response(id_token: &str) -> HttpResponse {
    HttpResponse::new(200, json!({"access_token": "opaque", "id_token": id_token, "token_type": "Bearer", "expires_in": 86400}).to_string())
}

/// Arms the mock with the code exchange's answer: an ID token carrying the nonce of the
/// authorize `url`, bent by `tweak`.
fn expect_code_exchange(mock: &MockTransport, url: &str, tweak: impl Fn(&mut Value)) {
    let nonce = query_param(url, "nonce").expect("nonce");
    mock.expect(
        Method::Post,
        TOKEN_URL,
        None,
        token_response(&id_token_for(&nonce, tweak)),
    );
}

/// A popup that "logs in" and answers the matching callback; it arms the mock with the
/// token response (which must carry the nonce from the authorize URL).
fn answering_popup<'a>(
    mock: &'a MockTransport,
    tweak: impl Fn(&mut Value) + 'a,
    after: impl Fn(&MockTransport) + 'a,
) -> Box<dyn FnMut(&str) -> PopupOutcome + 'a> {
    Box::new(move |url: &str| {
        let state = query_param(url, "state").expect("state");
        expect_code_exchange(mock, url, &tweak);
        after(mock);
        PopupOutcome::Callback(CallbackResponse {
            code: Some("code-1".into()),
            state: Some(state),
            ..Default::default()
        })
    })
}

fn jwks_ok(mock: &MockTransport) {
    mock.expect(
        Method::Get,
        JWKS_URL,
        None,
        HttpResponse::new(
            200,
            jwks_json(&[&TestKey::fixture(1), &TestKey::fixture(2)]),
        ),
    );
}

/// The JWKS, then a 201 from the link request.
fn jwks_then_link_created(mock: &MockTransport) {
    jwks_ok(mock);
    mock.expect(
        Method::Post,
        LINK_URL,
        None,
        HttpResponse::new(201, linked_identities()),
    );
}

fn driver<'a>(mock: &'a MockTransport) -> Driver<'a> {
    let token = access_token(&access_claims());
    Driver::new(
        TestEnv::new(NOW, 42),
        Box::new(move |r| Ok(mock.send(r))),
        move || Ok(token.clone()),
    )
}

#[test]
fn happy_path_popup_confirm_link() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(&mock, |_| {}, jwks_then_link_created);
    d.connection = Some("google-oauth2".into());
    let flow = d.run(LinkFlow::new(config()), prepare());
    match d.last_outcome() {
        Outcome::Linked(l) => assert_eq!(l.identities[1].full_user_id(), "google-oauth2|123"),
        other => panic!("expected Linked, got {other:?}"),
    }
    assert!(flow.position() == Position::Linked);
    let asked = d.asked.as_ref().expect("the user was asked to confirm");
    assert_eq!(
        (asked.provider.as_str(), asked.email.as_deref()),
        ("google-oauth2", Some("alice@gmail.test"))
    );
    assert_eq!(
        d.requests,
        vec![
            format!("POST {TOKEN_URL}"),
            format!("GET {JWKS_URL}"),
            format!("GET {SECONDARY_URL}"),
            format!("POST {LINK_URL}")
        ]
    );
    // Start (sent on Ready) yields the timer and the popup at once: nothing to await
    // between the click and window.open.
    let open = d
        .effects
        .iter()
        .position(|e| e == "OpenPopup")
        .expect("popup opened");
    assert_eq!(d.effects[open - 1..=open], ["StartTimer", "OpenPopup"]);
    assert!(matches!(d.reports.first(), Some(Report::PinLearned(user)) if user == PRIMARY));
}

#[test]
fn authorize_url_names_the_chosen_connection() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    let seen = Rc::new(RefCell::new(String::new()));
    let s = seen.clone();
    d.popup = Box::new(move |url| {
        *s.borrow_mut() = url.to_owned();
        PopupOutcome::Closed
    });
    d.connection = Some("github".into());
    d.run(LinkFlow::new(config()), prepare());
    assert_eq!(
        query_param(&seen.borrow(), "connection").as_deref(),
        Some("github")
    );
}

#[test]
fn unknown_connection_is_a_config_error_before_anything() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.connection = Some("facebook".into());
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::ConfigInvalid));
    assert!(d.requests.is_empty() && !d.effects.contains(&"OpenPopup".to_owned()));
}

#[test]
fn popup_closed_ends_with_popup_closed_and_no_request() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::PopupClosed));
    assert!(d.requests.is_empty());
}

#[test]
fn a_page_whose_opener_policy_severs_popups_gets_popup_blocked_and_can_continue_in_its_tab() {
    // COOP same-origin (with or without parameters, any case): the window can never
    // answer, so the attempt waits as a blocked popup would, naming the header and the fix.
    for policy in ["same-origin", "Same-Origin ; report-to=\"coop\""] {
        let cfg = redirect_config();
        let mock = MockTransport::new();
        let mut d = driver(&mock);
        d.popup = Box::new(move |_| PopupOutcome::ClosedUnder(policy));
        let flow = d.run(LinkFlow::new(cfg.clone()), prepare());
        let Outcome::Failed(e) = d.last_outcome() else {
            panic!("{policy}: {:?}", d.last_outcome())
        };
        assert_eq!(e.code(), ErrorCode::PopupBlocked, "{policy}");
        assert!(
            e.to_string().contains("Cross-Origin-Opener-Policy")
                && e.to_string().contains("same-origin-allow-popups"),
            "{e}"
        );
        assert_eq!(
            e.sentence(),
            Sentence::PopupCutOff,
            "{policy}: the user is not told to allow pop-ups"
        );
        assert!(e.user_message().contains("Continue in this tab"));
        assert!(flow.position() == Position::PopupBlocked);
        assert!(d.requests.is_empty());
        d.auto_start = None;
        d.run(
            flow,
            Event::Start {
                via: Via::Redirect,
                connection: None,
            },
        );
        assert!(d.navigated.is_some(), "{policy}: continues in this tab");
    }
}

#[test]
fn a_window_closed_under_a_policy_that_keeps_popups_is_popup_closed() {
    for policy in [
        "same-origin-allow-popups",
        "unsafe-none",
        "noopener-allow-popups",
        "same-origin-x",
    ] {
        let mock = MockTransport::new();
        let mut d = driver(&mock);
        d.popup = Box::new(move |_| PopupOutcome::ClosedUnder(policy));
        d.run(LinkFlow::new(config()), prepare());
        assert!(
            matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::PopupClosed),
            "{policy}: {:?}",
            d.last_outcome()
        );
    }
}

#[test]
fn popup_timeout_closes_the_popup() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| PopupOutcome::TimedOut);
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::Timeout));
    assert_eq!(d.effects.last().map(String::as_str), Some("ClosePopup"));
}

fn redirect_config() -> LinkConfig {
    config_with(|o| o.redirect_uri = Some("https://app.example.com/callback.html".into()))
}

/// The popup is blocked, the user continues in this tab: the authorize URL the page
/// navigates to, and the transaction it persisted.
fn blocked_then_redirected(d: &mut Driver<'_>, cfg: &LinkConfig) -> (String, String) {
    // The session's pin, which the redirect's transaction carries.
    d.given.pin = Some(PRIMARY.into());
    d.popup = Box::new(|_| PopupOutcome::Blocked);
    let flow = d.run(LinkFlow::new(cfg.clone()), prepare());
    // A real blocker: the user may allow pop-ups (the opener-policy sentence is not used).
    assert!(matches!(d.last_outcome(), Outcome::Failed(e)
        if e.code() == ErrorCode::PopupBlocked
            && e.sentence() == Sentence::Code(ErrorCode::PopupBlocked)
            && e.user_message().contains("Allow pop-ups")));
    assert!(flow.position() == Position::PopupBlocked);
    d.auto_start = None;
    d.run(
        flow,
        Event::Start {
            via: Via::Redirect,
            connection: None,
        },
    );
    (
        d.navigated.clone().expect("navigated"),
        d.storage.clone().expect("transaction persisted"),
    )
}

#[test]
fn popup_blocked_then_redirect_fallback_completes() {
    let cfg = redirect_config();
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    let (url, persisted) = blocked_then_redirected(&mut d, &cfg);
    assert_eq!(query_param(&url, "response_mode").as_deref(), Some("query"));
    assert_eq!(
        query_param(&url, "redirect_uri").as_deref(),
        Some("https://app.example.com/callback.html")
    );
    // Back on the page after the redirect: a new flow resumes from storage.
    expect_code_exchange(&mock, &url, |_| {});
    jwks_ok(&mock);
    mock.expect(
        Method::Post,
        LINK_URL,
        None,
        HttpResponse::new(201, linked_identities()),
    );
    let callback = CallbackResponse::from_query(&format!(
        "?code=abc&state={}",
        query_param(&url, "state").expect("state")
    ))
    .expect("query");
    d.run(
        LinkFlow::new(cfg),
        Event::Resume {
            persisted: Some(PersistedTransaction::new(persisted)),
            callback,
        },
    );
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(_)),
        "{:?}",
        d.last_outcome()
    );
    assert_eq!(d.storage, None, "the stored transaction is deleted on use");
}

#[test]
fn a_redirect_transaction_older_than_ten_minutes_answers_nothing() {
    use auth0_account_link_core::transaction::REDIRECT_TRANSACTION_SECONDS;
    let cfg = redirect_config();
    for (late, linked) in [
        (REDIRECT_TRANSACTION_SECONDS, true),
        (REDIRECT_TRANSACTION_SECONDS + 1, false),
    ] {
        let mock = MockTransport::new();
        let mut d = driver(&mock);
        let (url, persisted) = blocked_then_redirected(&mut d, &cfg);
        if linked {
            expect_code_exchange(&mock, &url, |_| {});
            jwks_then_link_created(&mock);
        }
        let callback = CallbackResponse::from_query(&format!(
            "?code=abc&state={}",
            query_param(&url, "state").expect("state")
        ))
        .expect("query");
        d.requests.clear();
        d.env.now += late;
        d.run(
            LinkFlow::new(cfg.clone()),
            Event::Resume {
                persisted: Some(PersistedTransaction::new(persisted)),
                callback,
            },
        );
        assert_eq!(d.storage, None, "cleared either way");
        if linked {
            assert!(
                matches!(d.last_outcome(), Outcome::Linked(_)),
                "{:?}",
                d.last_outcome()
            );
        } else {
            assert!(
                matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::Timeout && e.detail().contains("601 s ago")),
                "{:?}",
                d.last_outcome()
            );
            assert!(d.requests.is_empty(), "no token request: {:?}", d.requests);
            // The secondary did sign in: the session hears it, even from an expired return.
            assert!(
                d.reports
                    .iter()
                    .any(|r| matches!(r, Report::SecondarySignedIn)),
                "{:?}",
                d.reports
            );
        }
    }
}

#[test]
fn redirect_fallback_needs_an_explicit_redirect_uri() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| PopupOutcome::Blocked);
    let flow = d.run(LinkFlow::new(config()), prepare());
    d.run(
        flow,
        Event::Start {
            via: Via::Redirect,
            connection: None,
        },
    );
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::ConfigInvalid && e.detail().contains("redirectUri"))
    );
    assert!(d.navigated.is_none());
}

#[test]
fn resume_without_a_stored_transaction_is_state_mismatch() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    let callback = CallbackResponse {
        code: Some("c".into()),
        state: Some("s".into()),
        ..Default::default()
    };
    d.run(
        LinkFlow::new(config()),
        Event::Resume {
            persisted: None,
            callback,
        },
    );
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::StateMismatch));
    assert!(d.requests.is_empty());
}

#[test]
fn wrong_state_sends_no_token_request() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| {
        PopupOutcome::Callback(CallbackResponse {
            code: Some("c".into()),
            state: Some("forged".into()),
            ..Default::default()
        })
    });
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::StateMismatch));
    assert!(d.requests.is_empty());
}

#[test]
fn the_identity_providers_words_are_cleaned_before_anyone_sees_them() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|url: &str| {
        PopupOutcome::Callback(CallbackResponse {
            state: query_param(url, "state"),
            error: Some("access\u{2028}_denied".into()),
            error_description: Some(
                "Sign-in at evil\u{061C}.example\u{E0041} refused\u{00AD}".into(),
            ),
            ..Default::default()
        })
    });
    d.run(LinkFlow::new(config()), prepare());
    match d.last_outcome() {
        Outcome::Failed(e) => assert_eq!(
            e.idp_error(),
            Some(("access_denied", Some("Sign-in at evil.example refused")))
        ),
        other => panic!("expected authorization_denied, got {other:?}"),
    }
}

#[test]
fn access_denied_keeps_the_idp_text() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|url| {
        PopupOutcome::Callback(CallbackResponse {
            error: Some("access_denied".into()),
            error_description: Some("User said no".into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    });
    d.run(LinkFlow::new(config()), prepare());
    match d.last_outcome() {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::AuthorizationDenied);
            assert_eq!(e.idp_error(), Some(("access_denied", Some("User said no"))));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_nonce_sends_no_link_request() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(&mock, |c| c["nonce"] = json!("other"), jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.reason() == Some(IdTokenReason::Nonce))
    );
    assert!(!d.sent("/identities"));
}

#[test]
fn unknown_kid_refreshes_the_jwks_once() {
    // The cached set only has key 2; the token is signed by key 1 → one refresh finds it.
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.jwks_cache = Some(HttpResponse::new(200, jwks_json(&[&TestKey::fixture(2)])));
    d.popup = answering_popup(&mock, |_| {}, jwks_then_link_created);
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(_)),
        "{:?}",
        d.last_outcome()
    );
    assert_eq!(d.requests.iter().filter(|r| r.contains("jwks")).count(), 1);
}

#[test]
fn unknown_kid_after_refresh_is_key_not_found() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(
        &mock,
        |_| {},
        |m| {
            m.expect(
                Method::Get,
                JWKS_URL,
                None,
                HttpResponse::new(200, jwks_json(&[&TestKey::fixture(2)])),
            );
            m.expect(
                Method::Get,
                JWKS_URL,
                None,
                HttpResponse::new(200, jwks_json(&[&TestKey::fixture(3)])),
            );
        },
    );
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.reason() == Some(IdTokenReason::KeyNotFound))
    );
    assert!(!d.sent("/identities"));
}

#[test]
fn declining_the_confirm_step_cancels_without_linking() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.confirm = false;
    d.popup = answering_popup(&mock, |_| {}, jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Cancelled));
    assert!(!d.sent("/identities"));
}

#[test]
fn without_confirm_it_links_directly() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(&mock, |_| {}, jwks_then_link_created);
    d.given.asks_first = false;
    d.run(LinkFlow::new(config()), Event::Prepare);
    assert!(d.asked.is_none());
    assert!(matches!(d.last_outcome(), Outcome::Linked(_)));
}

#[test]
fn same_account_is_refused_before_linking() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.given.pin = Some(PRIMARY.into());
    d.popup = answering_popup(&mock, |c| c["sub"] = json!(PRIMARY), jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::SameAccount));
    assert!(!d.sent("/identities"));
}

#[test]
fn already_linked_identity_is_refused_before_linking() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(&mock, |_| {}, jwks_ok);
    let known: Vec<Identity> = serde_json::from_str(&linked_identities()).expect("identities");
    d.given.identities = Some(known);
    d.run(LinkFlow::new(config()), Event::Prepare);
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::AlreadyLinked));
    assert!(!d.sent("/identities"));
}

#[test]
fn primary_token_failure_stops_before_the_popup() {
    let mock = MockTransport::new();
    let mut d = Driver::new(TestEnv::new(NOW, 1), Box::new(|r| Ok(mock.send(r))), || {
        Err("login_required".into())
    });
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::PrimaryTokenUnavailable && e.detail().contains("login_required"))
    );
    assert!(!d.effects.contains(&"OpenPopup".to_owned()));
}

#[test]
fn insufficient_scope_stops_before_the_popup() {
    let mock = MockTransport::new();
    let mut claims = access_claims();
    claims["scope"] = json!("read:current_user");
    let token = access_token(&claims);
    let mut d = Driver::new(
        TestEnv::new(NOW, 1),
        Box::new(|r| Ok(mock.send(r))),
        move || Ok(token.clone()),
    );
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::InsufficientScope)
    );
    assert!(!d.effects.contains(&"OpenPopup".to_owned()));
}

#[test]
fn rate_limited_link_keeps_retry_after_and_can_be_retried() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = answering_popup(
        &mock,
        |_| {},
        |m| {
            jwks_ok(m);
            m.expect(
                Method::Post,
                LINK_URL,
                None,
                HttpResponse::new(429, "{}").with_header("retry-after", "3"),
            );
        },
    );
    let flow = d.run(LinkFlow::new(config()), prepare());
    match d.last_outcome() {
        Outcome::Failed(e) => assert_eq!(
            (e.code(), e.retry_after_seconds()),
            (ErrorCode::RateLimited, Some(3))
        ),
        other => panic!("{other:?}"),
    }
    // Retry runs a fresh attempt (new token check, new PKCE); here the user closes it.
    d.popup = Box::new(|_| PopupOutcome::Closed);
    let before = d.effects.len();
    let flow = d.run(flow, Event::Retry);
    assert_eq!(d.effects[before], "GetPrimaryToken");
    assert!(flow
        .failure()
        .is_some_and(|e| e.code() == ErrorCode::PopupClosed));
}

#[test]
fn late_and_duplicate_events_are_ignored() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| PopupOutcome::Pending);
    let flow = d.run(LinkFlow::new(config()), prepare());
    assert_eq!(flow.position(), Position::AwaitingLogin);
    let mut env = TestEnv::new(NOW, 3);
    // A token response nobody asked for does nothing.
    let (flow, effects) = step(
        flow,
        Event::TokenResponse(Ok(HttpResponse::new(200, "{}"))),
        &mut env,
    );
    assert!(effects.is_empty());
    assert_eq!(flow.position(), Position::AwaitingLogin);
    let (mut flow, effects) = step(flow, Event::PopupClosed(None), &mut env);
    assert!(flow.position() == Position::Failed && !effects.is_empty());
    // After the end: a late callback, a second close, a cancel — all ignored.
    for event in [
        Event::Callback(CallbackResponse::default()),
        Event::PopupClosed(None),
        Event::Cancel,
        Event::Decided(true),
    ] {
        let (f, effects) = step(flow, event, &mut env);
        assert!(effects.is_empty());
        flow = f;
    }
    assert!(flow.is_finished());
}

#[test]
fn cancel_while_waiting_closes_the_popup() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| PopupOutcome::Pending);
    let flow = d.run(LinkFlow::new(config()), prepare());
    let mut env = TestEnv::new(NOW, 3);
    let (flow, effects) = step(flow, Event::Cancel, &mut env);
    assert!(matches!(
        effects.as_slice(),
        [Effect::CancelTimer, Effect::ClosePopup]
    ));
    assert_eq!(reported(), vec!["cancelled"]);
    assert_eq!(flow.position(), Position::Cancelled);
}

#[test]
fn each_attempt_has_fresh_state() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    let urls = Rc::new(RefCell::new(Vec::<String>::new()));
    let u = urls.clone();
    d.popup = Box::new(move |url| {
        u.borrow_mut().push(url.to_owned());
        PopupOutcome::Closed
    });
    let flow = d.run(LinkFlow::new(config()), prepare());
    d.run(flow, Event::Retry);
    let urls = urls.borrow();
    assert_eq!(urls.len(), 2);
    assert_ne!(
        query_param(&urls[0], "state"),
        query_param(&urls[1], "state")
    );
    assert_ne!(
        query_param(&urls[0], "code_challenge"),
        query_param(&urls[1], "code_challenge")
    );
}

fn run_op(
    config: LinkConfig,
    kind: IdentityOpKind,
    response: HttpResponse,
    token: String,
) -> (
    Result<Vec<Identity>, auth0_account_link_core::LinkError>,
    Vec<String>,
) {
    let mut sent = Vec::new();
    let result = test_support::run_identity_op(
        config,
        kind,
        None,
        None,
        &mut TestEnv::new(NOW, 1),
        || Ok(token.clone()),
        |r| {
            sent.push(format!("{} {}", r.method.as_str(), r.url));
            Ok(response.clone())
        },
    );
    (result, sent)
}

#[test]
fn list_identities_op() {
    let body = json!({"user_id": PRIMARY, "identities": serde_json::from_str::<Value>(&linked_identities()).expect("json")}).to_string();
    let (result, sent) = run_op(
        config(),
        IdentityOpKind::List,
        HttpResponse::new(200, body),
        access_token(&access_claims()),
    );
    assert!(matches!(result, Ok(ids) if ids.len() == 2));
    assert_eq!(
        sent,
        vec!["GET https://tenant.example.com/api/v2/users/auth0%7Cprimary"]
    );
}

#[test]
fn unlink_op_refuses_the_primary_without_a_request() {
    let target = IdentityRef {
        provider: "auth0".into(),
        user_id: "primary".into(),
    };
    let (result, sent) = run_op(
        config(),
        IdentityOpKind::Unlink(target),
        HttpResponse::new(200, "[]"),
        access_token(&access_claims()),
    );
    assert_eq!(
        result.expect_err("primary").code(),
        ErrorCode::ConfigInvalid
    );
    assert!(sent.is_empty());
}

#[test]
fn unlink_op_sends_delete() {
    let target = IdentityRef {
        provider: "google-oauth2".into(),
        user_id: "123".into(),
    };
    let (result, sent) = run_op(
        config(),
        IdentityOpKind::Unlink(target),
        HttpResponse::new(200, "[]"),
        access_token(&access_claims()),
    );
    assert!(matches!(result, Ok(ids) if ids.is_empty()));
    assert_eq!(sent, vec![format!("DELETE {LINK_URL}/google-oauth2/123")]);
}

/// Steps a flow by hand until its popup waits for the login; returns the flow, the env
/// and the authorize URL.
fn flow_awaiting_login(confirm: bool) -> (LinkFlow, TestEnv, String) {
    let mut env = TestEnv::new(NOW, 42);
    let flow = LinkFlow::new(config());
    give(Given {
        asks_first: confirm,
        ..Given::default()
    });
    let (flow, _) = step(flow, Event::Prepare, &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    let (flow, _) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    let (flow, effects) = step(
        flow,
        Event::Start {
            via: Via::Popup,
            connection: None,
        },
        &mut env,
    );
    let url = effects
        .iter()
        .find_map(|e| match e {
            Effect::OpenPopup { url } => Some(url.clone()),
            _ => None,
        })
        .expect("the popup opens");
    (flow, env, url.secret().to_owned())
}

/// Steps a flow by hand up to the callback; returns the flow, the env, the nonce of the
/// authorize URL and the callback's effects.
fn flow_at_callback(confirm: bool) -> (LinkFlow, TestEnv, String, Vec<Effect>) {
    let (flow, mut env, url) = flow_awaiting_login(confirm);
    let (state, nonce) = (
        query_param(&url, "state").expect("state"),
        query_param(&url, "nonce").expect("nonce"),
    );
    let (flow, effects) = step(
        flow,
        Event::Callback(CallbackResponse {
            code: Some("code-1".into()),
            state: Some(state),
            ..Default::default()
        }),
        &mut env,
    );
    (flow, env, nonce, effects)
}

/// Token exchange, JWKS, a valid signature, and the secondary's own user (one login).
fn verify(flow: LinkFlow, env: &mut TestEnv, nonce: &str) -> (LinkFlow, Vec<Effect>) {
    let (flow, _) = step(
        flow,
        Event::TokenResponse(Ok(token_response(&id_token_for(nonce, |_| {})))),
        env,
    );
    let jwks = HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)]));
    let (flow, _) = step(flow, Event::JwksResponse(Ok(jwks)), env);
    let (flow, effects) = step(flow, Event::SignatureChecked(true), env);
    assert!(
        matches!(effects.as_slice(), [Effect::Send { purpose: RequestPurpose::SecondaryUser, request }] if request.url == SECONDARY_URL && request.method == Method::Get),
        "the secondary's own user is read first: {effects:?}"
    );
    step(
        flow,
        Event::SecondaryUserResponse(Ok(secondary_user(&[("google-oauth2", "123")]))),
        env,
    )
}

fn sends_link(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(e, Effect::Send { request, .. } if request.method == Method::Post && request.url == LINK_URL)
    })
}

#[test]
fn without_confirm_the_link_token_is_fetched_during_the_exchange() {
    let (flow, mut env, nonce, effects) = flow_at_callback(false);
    assert!(effects.iter().any(|e| matches!(e, Effect::Send { .. })));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::GetPrimaryToken)),
        "asked together with the token exchange: {effects:?}"
    );
    let (flow, effects) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    assert!(effects.is_empty(), "kept until the ID token is verified");
    let (_, effects) = verify(flow, &mut env, &nonce);
    assert!(sends_link(&effects), "links at once: {effects:?}");
    assert!(!effects.iter().any(|e| matches!(e, Effect::GetPrimaryToken)));
}

#[test]
fn without_confirm_a_link_token_arriving_after_verification_links_once() {
    let (flow, mut env, nonce, _) = flow_at_callback(false);
    let (flow, effects) = verify(flow, &mut env, &nonce);
    assert!(
        effects.is_empty(),
        "waits for the token already asked for: {effects:?}"
    );
    assert!(flow.position() == Position::Linking);
    let (_, effects) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    assert!(sends_link(&effects));
}

#[test]
fn without_confirm_a_failed_early_token_fails_after_verification_without_a_link() {
    let (flow, mut env, nonce, _) = flow_at_callback(false);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Err("no session".into())),
        &mut env,
    );
    let (flow, effects) = verify(flow, &mut env, &nonce);
    assert!(!sends_link(&effects));
    match flow.failure() {
        Some(e) => assert_eq!(e.code(), ErrorCode::PrimaryTokenUnavailable),
        other => panic!("expected primary_token_unavailable, got {other:?}"),
    }
}

/// Bob's login: an existing user whose GitHub is linked to him.
fn bobs_login(d: &mut Driver) {
    d.secondary_user = Some(Ok(secondary_user(&[("auth0", "bob"), ("github", "4242")])));
}

fn as_bob(claims: &mut Value) {
    claims["sub"] = json!("auth0|bob");
    claims["email"] = json!("bob@example.com");
}

#[test]
fn a_login_that_is_an_existing_user_with_other_logins_is_refused_by_default() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    bobs_login(&mut d);
    d.popup = answering_popup(&mock, as_bob, jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    match d.last_outcome() {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::SecondaryHasOtherLogins);
            assert_eq!(e.account(), Some("bob@example.com"));
            assert!(
                e.detail().contains("2 logins (auth0|bob, github|4242)"),
                "{}",
                e.detail()
            );
            assert!(e.detail().contains("set allowMerge"), "{}", e.detail());
        }
        other => panic!("expected the refusal, got {other:?}"),
    }
    assert!(d.asked.is_none(), "nobody is asked about a refused merge");
    assert!(!d.sent("/identities"));
}

#[test]
fn with_allow_merge_the_question_carries_what_moves_and_the_link_merges() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    bobs_login(&mut d);
    d.popup = answering_popup(&mock, as_bob, |m| {
        jwks_ok(m);
        // After the merge the primary has Bob's logins.
        m.expect(
            Method::Post,
            LINK_URL,
            None,
            HttpResponse::new(
                201,
                json!([
                    {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
                    {"connection": "Username-Password-Authentication", "user_id": "bob", "provider": "auth0", "isSocial": false},
                    {"connection": "github", "user_id": "4242", "provider": "github", "isSocial": true}
                ])
                .to_string(),
            ),
        );
    });
    d.run(
        LinkFlow::new(config_with(|o| o.allow_merge = Some(true))),
        prepare(),
    );
    let merge = d
        .asked
        .as_ref()
        .and_then(|p| p.merge.clone())
        .expect("asked with the merge");
    assert_eq!(merge.user_id, "auth0|bob");
    assert_eq!(merge.identities.len(), 2);
    assert!(matches!(d.last_outcome(), Outcome::Linked(_)));
}

#[test]
fn allow_merge_without_anyone_to_confirm_is_still_refused() {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    bobs_login(&mut d);
    d.popup = answering_popup(&mock, as_bob, jwks_ok);
    d.given.asks_first = false;
    d.run(
        LinkFlow::new(config_with(|o| o.allow_merge = Some(true))),
        Event::Prepare,
    );
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::SecondaryHasOtherLogins && e.detail().contains("needs someone to confirm"))
    );
    assert!(!d.sent("/identities"));
}

#[test]
fn the_secondary_read_fails_closed() {
    // The read is refused (a tenant whose policy does not grant read:current_user)...
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.secondary_user = Some(Ok(HttpResponse::new(
        403,
        json!({"statusCode": 403, "error": "Forbidden", "message": "Insufficient scope, expected any of: read:current_user", "errorCode": "insufficient_scope"}).to_string(),
    )));
    d.popup = answering_popup(&mock, |_| {}, jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::InsufficientScope)
    );
    assert!(!d.sent("/identities"));
    // ...or the token response brings no access token: nothing is linked either.
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|url: &str| {
        let nonce = query_param(url, "nonce").expect("nonce");
        mock.expect(
            Method::Post,
            TOKEN_URL,
            None,
            HttpResponse::new(
                200,
                json!({"id_token": id_token_for(&nonce, |_| {}), "token_type": "Bearer"})
                    .to_string(),
            ),
        );
        jwks_ok(&mock);
        PopupOutcome::Callback(CallbackResponse {
            code: Some("code-1".into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    });
    d.run(LinkFlow::new(config()), prepare());
    assert!(
        matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::TokenExchangeFailed && e.detail().contains("read:current_user"))
    );
    assert!(!d.sent("/identities"));
}

#[test]
fn the_secondary_login_asks_for_its_own_read_current_user() {
    let (_, _, url) = flow_awaiting_login(true);
    assert_eq!(
        query_param(&url, "scope").as_deref(),
        Some("openid profile email read:current_user")
    );
    assert_eq!(
        query_param(&url, "audience").as_deref(),
        Some("https://tenant.example.com/api/v2/")
    );
}

#[test]
fn with_confirm_the_link_token_is_fetched_after_the_answer() {
    let (_, _, _, effects) = flow_at_callback(true);
    // The user may take minutes to confirm: the token is asked for then, fresh.
    assert!(!effects.iter().any(|e| matches!(e, Effect::GetPrimaryToken)));
}

#[test]
fn prepare_checks_the_token_and_hashes_side_by_side() {
    let mut env = TestEnv::new(NOW, 42);
    let (flow, effects) = step(LinkFlow::new(config()), prepare(), &mut env);
    assert!(effects.iter().any(|e| matches!(e, Effect::GetPrimaryToken)));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::ComputeSha256(_))));
    // The hash first: not ready until the token passed its pre-flight.
    let (flow, effects) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    assert!(effects.is_empty());
    assert!(flow.position() == Position::Preparing);
    let (flow, effects) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    assert!(flow.position() == Position::Ready);
    assert!(effects.is_empty());
    assert_eq!(reported(), vec!["pin", "ready"]);
}

#[test]
fn a_token_refused_while_hashing_fails_and_a_late_hash_changes_nothing() {
    let mut env = TestEnv::new(NOW, 42);
    let (flow, _) = step(LinkFlow::new(config()), prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Err("no session".into())),
        &mut env,
    );
    let (flow, effects) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    assert!(effects.is_empty());
    match flow.failure() {
        Some(e) => assert_eq!(e.code(), ErrorCode::PrimaryTokenUnavailable),
        other => panic!("expected primary_token_unavailable, got {other:?}"),
    }
}

#[test]
fn a_fresh_attempt_is_needed_after_a_started_login_ends_only() {
    let mut env = TestEnv::new(NOW, 42);
    // A failure while preparing: preparing again would fail again (the user retries).
    let (flow, _) = step(LinkFlow::new(config()), prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Err("no session".into())),
        &mut env,
    );
    assert!(flow.is_finished());
    assert!(!flow.needs_fresh_attempt());
    // A started login that ends (here: the popup closed) spent its PKCE material.
    let (flow, _) = step(flow, prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    let (flow, _) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    assert!(!flow.needs_fresh_attempt(), "ready, not used yet");
    let (flow, _) = step(
        flow,
        Event::Start {
            via: Via::Popup,
            connection: None,
        },
        &mut env,
    );
    let (blocked, _) = step(flow, Event::PopupBlocked, &mut env);
    assert!(
        !blocked.needs_fresh_attempt(),
        "a blocked popup keeps its attempt for the redirect"
    );
    let (flow, _) = step(blocked, Event::Cancel, &mut env);
    assert!(flow.needs_fresh_attempt());
    // Preparing again clears it.
    let (flow, _) = step(flow, prepare(), &mut env);
    assert!(!flow.needs_fresh_attempt());
}

/// One run for the redaction check: `tweak` changes the ID token's claims, `after` arms
/// what follows the token exchange. Returns the driver (with its debug log) and every
/// secret of the run.
fn run_collecting_secrets(
    confirm: bool,
    tweak: impl Fn(&mut Value) + Clone + 'static,
    after: impl Fn(&MockTransport) + 'static,
) -> (Vec<String>, Vec<String>) {
    let mock = MockTransport::new();
    let bodies: Rc<RefCell<Vec<String>>> = Rc::default();
    let urls: Rc<RefCell<Vec<String>>> = Rc::default();
    let token = access_token(&access_claims());
    let (b, m) = (bodies.clone(), &mock);
    let mut d = Driver::new(
        TestEnv::new(NOW, 42),
        Box::new(move |r| {
            b.borrow_mut().extend(r.body.clone());
            Ok(m.send(r))
        }),
        {
            let token = token.clone();
            move || Ok(token.clone())
        },
    );
    d.confirm = confirm;
    let popup = answering_popup(&mock, tweak.clone(), after);
    let seen = urls.clone();
    let mut popup = popup;
    d.popup = Box::new(move |url| {
        seen.borrow_mut().push(url.to_owned());
        popup(url)
    });
    d.given.asks_first = confirm;
    d.run(LinkFlow::new(config()), Event::Prepare);
    let url = urls.borrow().first().cloned().expect("the popup opened");
    let nonce = query_param(&url, "nonce").expect("nonce");
    let id_token = id_token_for(&nonce, tweak);
    let mut secrets = vec![
        token,
        "code-1".to_owned(),
        query_param(&url, "state").expect("state"),
        nonce,
    ];
    for body in bodies.borrow().iter() {
        if let Some(verifier) = query_param(&format!("?{body}"), "code_verifier") {
            secrets.push(verifier);
        }
    }
    // The ID token, and each of its parts (the signing input reaches WebCrypto).
    secrets.extend(id_token.split('.').map(str::to_owned));
    secrets.push(id_token);
    (d.debug_log.clone(), secrets)
}

#[track_caller]
fn assert_no_secret_in(log: &[String], secrets: &[String]) {
    assert!(log.len() > 10, "the run was logged");
    for secret in secrets {
        for line in log {
            assert!(
                !line.contains(secret.as_str()),
                "a secret ({}…) is printed in: {line}",
                &secret[..secret.len().min(8)]
            );
        }
    }
}

#[test]
fn no_event_effect_or_state_prints_a_secret() {
    // Success with and without the confirm step; an ID token refused; a failed link.
    let runs = [
        run_collecting_secrets(true, |_| {}, jwks_then_link_created),
        run_collecting_secrets(false, |_| {}, jwks_then_link_created),
        run_collecting_secrets(true, |c| c["nonce"] = json!("another-nonce"), jwks_ok),
        run_collecting_secrets(
            false,
            |_| {},
            |m| {
                jwks_ok(m);
                m.expect(
                    Method::Post,
                    LINK_URL,
                    None,
                    HttpResponse::new(
                        500,
                        r#"{"statusCode":500,"error":"Internal Server Error","message":"boom"}"#,
                    ),
                );
                // A 5xx may have linked: the identities are read again, then after each
                // wait.
                for _ in 0..3 {
                    m.expect(
                        Method::Get,
                        USER_URL,
                        None,
                        HttpResponse::new(200, r#"{"user_id":"auth0|primary","identities":[]}"#),
                    );
                }
            },
        ),
    ];
    for (log, secrets) in &runs {
        assert_no_secret_in(log, secrets);
    }
}

#[test]
fn events_and_effects_outside_a_popup_run_print_no_secret_either() {
    let secret = "s3cr3t-value-that-must-not-print";
    let callback = CallbackResponse {
        code: Some(secret.into()),
        state: Some(secret.into()),
        ..Default::default()
    };
    let printed = [
        format!(
            "{:?}",
            Event::Resume {
                persisted: Some(PersistedTransaction::new(secret)),
                callback: callback.clone(),
            }
        ),
        format!("{:?}", Event::Callback(callback)),
        format!("{:?}", Event::Sha256(Ok(Sha256Digest([0x5a; 32])))),
        format!(
            "{:?}",
            Effect::PersistTransaction(PersistedTransaction::new(secret))
        ),
        format!(
            "{:?}",
            Effect::ComputeSha256(OpaqueBytes::new(secret.as_bytes()))
        ),
        format!(
            "{:?}",
            Effect::Navigate {
                url: AuthorizeUrl::new(format!(
                    "https://tenant.example.com/authorize?state={secret}"
                ))
            }
        ),
        format!("{:?}", Event::PrimaryToken(Ok(AccessToken::new(secret)))),
        format!(
            "{:?}",
            Event::TokenResponse(Ok(HttpResponse::new(
                200,
                format!(r#"{{"id_token":"{secret}"}}"#)
            )))
        ),
    ];
    for line in &printed {
        assert!(!line.contains(secret), "printed: {line}");
        // The digest, however it would print (bytes in decimal, or hex).
        assert!(
            !line.contains("90, 90") && !line.contains("5a5a"),
            "printed: {line}"
        );
    }
    assert!(printed[5].contains("https://tenant.example.com/authorize?[redacted]"));
}

fn token_for(sub: &str) -> AccessToken {
    let mut claims = access_claims();
    claims["sub"] = json!(sub);
    AccessToken::new(access_token(&claims))
}

#[test]
fn a_link_token_for_another_user_is_user_mismatch_and_nothing_is_sent() {
    // As after a secondary login: the host's silent renewal now yields the other account.
    let (flow, mut env, nonce, _) = flow_at_callback(true);
    give(Given {
        pin: Some(PRIMARY.to_owned()),
        ..Given::default()
    });
    let (flow, _) = verify(flow, &mut env, &nonce);
    let (flow, effects) = step(flow, Event::Decided(true), &mut env);
    assert!(effects.iter().any(|e| matches!(e, Effect::GetPrimaryToken)));
    let (flow, effects) = step(
        flow,
        Event::PrimaryToken(Ok(token_for("github|4242"))),
        &mut env,
    );
    assert!(!sends_link(&effects));
    match flow.failure() {
        Some(e) => {
            assert_eq!(e.code(), ErrorCode::UserMismatch);
            assert!(e.detail().contains("github|4242"), "{}", e.detail());
        }
        other => panic!("expected user_mismatch, got {other:?}"),
    }
}

#[test]
fn the_attempt_reports_the_primary_user_it_saw_and_keeps_none_of_its_own() {
    let mut env = TestEnv::new(NOW, 42);
    let (flow, _) = step(LinkFlow::new(config()), prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    assert!(matches!(reports().as_slice(), [Report::PinLearned(user)] if user == PRIMARY));
    // The session did not take it (no pin handed over): the attempt has no pin to keep.
    let (flow, _) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    let (flow, _) = step(flow, prepare(), &mut env);
    let (flow, _) = step(flow, Event::Sha256(Ok(Sha256Digest([7; 32]))), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(token_for("github|4242"))),
        &mut env,
    );
    assert_eq!(flow.position(), Position::Ready, "{:?}", flow.failure());
}

#[test]
fn the_pin_handed_over_refuses_a_token_for_anybody_else() {
    let mut env = TestEnv::new(NOW, 42);
    give(Given {
        pin: Some(PRIMARY.to_owned()),
        ..Given::default()
    });
    let (flow, _) = step(LinkFlow::new(config()), prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(token_for("github|4242"))),
        &mut env,
    );
    assert!(flow
        .failure()
        .is_some_and(|e| e.code() == ErrorCode::UserMismatch));
    assert_eq!(
        reported(),
        vec!["failed"],
        "no pin learned from a refused token"
    );
}

#[test]
fn identity_ops_refuse_a_token_for_another_user_without_a_request() {
    let mut sent = Vec::new();
    let result = test_support::run_identity_op(
        config(),
        IdentityOpKind::List,
        None,
        Some(PRIMARY.to_owned()),
        &mut TestEnv::new(NOW, 1),
        || Ok(token_for("github|4242").secret().to_owned()),
        |r| {
            sent.push(r.url.clone());
            Ok(HttpResponse::new(200, "{}"))
        },
    );
    assert_eq!(result.expect_err("refused").code(), ErrorCode::UserMismatch);
    assert!(
        sent.is_empty(),
        "nothing is sent for the other user: {sent:?}"
    );
}

/// The names of what the last [`step`] reported, in order.
fn reported() -> Vec<&'static str> {
    reports()
        .iter()
        .map(|r| match r {
            Report::Ready => "ready",
            Report::PinLearned(_) => "pin",
            Report::LoginLeavesTab => "leaves_tab",
            Report::SecondarySignedIn => "signed_in",
            Report::SecondaryVerified(_) => "verified",
            Report::Reauthenticated => "reauthenticated",
            Report::Asks(_) => "asks",
            Report::Ended(Outcome::Linked(_)) => "linked",
            Report::Ended(Outcome::Unlinked(_)) => "unlinked",
            Report::Ended(Outcome::Failed(_)) => "failed",
            Report::Ended(Outcome::Cancelled) => "cancelled",
        })
        .collect()
}

#[test]
fn a_code_is_reported_as_a_secondary_sign_in_and_a_no_as_cancelled() {
    let (flow, mut env, nonce, _) = flow_at_callback(true);
    assert_eq!(reported(), vec!["signed_in"]);
    let (flow, _) = verify(flow, &mut env, &nonce);
    assert_eq!(reported(), vec!["asks"]);
    let (_, effects) = step(flow, Event::Decided(false), &mut env);
    assert!(effects.is_empty());
    assert_eq!(reported(), vec!["cancelled"]);
}

#[test]
fn a_refused_id_token_names_no_verified_user() {
    let (flow, mut env, _, _) = flow_at_callback(true);
    let (flow, _) = step(
        flow,
        Event::TokenResponse(Ok(token_response(&id_token_for("another-nonce", |_| {})))),
        &mut env,
    );
    let jwks = HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)]));
    let (flow, _) = step(flow, Event::JwksResponse(Ok(jwks)), &mut env);
    let (flow, _) = step(flow, Event::SignatureChecked(true), &mut env);
    assert_eq!(reported(), vec!["failed"]);
    // Over: a later event reports nothing.
    step(flow, Event::Cancel, &mut env);
    assert!(reported().is_empty());
}

#[test]
fn a_link_or_an_end_before_any_login_reports_no_secondary_sign_in() {
    // Linked: the session follows the secondary identity into the primary user.
    let (flow, mut env, nonce, _) = flow_at_callback(false);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    let (flow, _) = verify(flow, &mut env, &nonce);
    step(
        flow,
        Event::LinkResponse(Ok(HttpResponse::new(201, linked_identities()))),
        &mut env,
    );
    assert_eq!(reported(), vec!["linked"]);

    // The popup closed before any login: nothing changed at the tenant.
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.popup = Box::new(|_| PopupOutcome::Closed);
    d.run(LinkFlow::new(config()), prepare());
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::PopupClosed));
    assert!(!d
        .reports
        .iter()
        .any(|r| matches!(r, Report::SecondarySignedIn)));

    // The IdP refused (error=, no code, our state): no login happened.
    let (flow, mut env, url) = flow_awaiting_login(true);
    let (flow, _) = step(
        flow,
        Event::Callback(CallbackResponse {
            error: Some("access_denied".into()),
            state: query_param(&url, "state"),
            ..Default::default()
        }),
        &mut env,
    );
    assert!(
        flow.failure()
            .is_some_and(|e| e.code() == ErrorCode::AuthorizationDenied),
        "{:?}",
        flow.position()
    );
    assert_eq!(reported(), vec!["failed"]);
}

#[test]
fn a_redirect_return_acts_for_the_user_the_login_left_from() {
    let cfg = redirect_config();
    let mock = MockTransport::new();
    let (url, persisted) = blocked_then_redirected(&mut driver(&mock), &cfg);
    expect_code_exchange(&mock, &url, |_| {});
    jwks_ok(&mock);
    // Back on the page, the host's silent renewal now yields the secondary login's user.
    let other = token_for("github|4242");
    let mut d = Driver::new(
        TestEnv::new(NOW, 43),
        Box::new(|r| Ok(mock.send(r))),
        move || Ok(other.secret().to_owned()),
    );
    let callback = CallbackResponse::from_query(&format!(
        "?code=abc&state={}",
        query_param(&url, "state").expect("state")
    ))
    .expect("query");
    // The session takes the user the transaction names; the attempt is handed it.
    d.given.pin = Some(PRIMARY.to_owned());
    d.run(
        LinkFlow::new(cfg),
        Event::Resume {
            persisted: Some(PersistedTransaction::new(persisted)),
            callback,
        },
    );
    assert!(
        matches!(d.reports.as_slice(), [Report::PinLearned(user), Report::SecondarySignedIn, ..] if user == PRIMARY),
        "the transaction's user first, then the sign-in: {:?}",
        d.reports
    );
    assert!(!d.sent("/identities"), "nothing is sent for the other user");
    assert!(matches!(d.last_outcome(), Outcome::Failed(e) if e.code() == ErrorCode::UserMismatch));
}

#[test]
fn a_token_source_that_does_not_answer_in_time_is_a_timeout() {
    let mut env = TestEnv::new(NOW, 42);
    let (flow, _) = step(LinkFlow::new(config()), prepare(), &mut env);
    let (flow, _) = step(
        flow,
        Event::PrimaryToken(Err(TokenFailure::TimedOut(10))),
        &mut env,
    );
    match flow.failure() {
        Some(e) => {
            assert_eq!(e.code(), ErrorCode::Timeout);
            assert!(e.detail().contains("getAccessToken"), "{}", e.detail());
        }
        other => panic!("expected timeout, got {other:?}"),
    }
    assert_eq!(
        auth0_account_link_core::config::DEFAULT_REQUEST_TIMEOUT_SECONDS,
        10,
        "auth0-spa-js's default"
    );
}

const USER_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary";

/// A no-confirm link whose POST gets `link_answer`; the re-reads of the user (if any) get
/// `rereads` in order. Returns the requests and the outcome.
fn link_with_ambiguous_answer(
    link_answer: Result<HttpResponse, auth0_account_link_core::http::TransportError>,
    rereads: Vec<Result<HttpResponse, auth0_account_link_core::http::TransportError>>,
) -> (Vec<String>, Outcome) {
    let (sent, outcome, _) = link_with_answers(link_answer, rereads);
    (sent, outcome)
}

/// [`link_with_ambiguous_answer`], with the seconds waited before each later re-read.
fn link_with_answers(
    link_answer: Result<HttpResponse, auth0_account_link_core::http::TransportError>,
    rereads: Vec<Result<HttpResponse, auth0_account_link_core::http::TransportError>>,
) -> (Vec<String>, Outcome, Vec<u64>) {
    let mut reread = rereads.into_iter();
    let mock = MockTransport::new();
    let sent: Rc<RefCell<Vec<String>>> = Rc::default();
    let log = sent.clone();
    let mut link_answer = Some(link_answer);
    let token = access_token(&access_claims());
    let mut d = Driver::new(
        TestEnv::new(NOW, 42),
        Box::new(|r| {
            log.borrow_mut()
                .push(format!("{} {}", r.method.as_str(), r.url));
            match (r.method, r.url.as_str()) {
                (Method::Post, LINK_URL) => link_answer.take().expect("one link request"),
                (Method::Get, USER_URL) => reread.next().expect("a re-read answer"),
                _ => Ok(mock.send(r)),
            }
        }),
        move || Ok(token.clone()),
    );
    d.popup = answering_popup(&mock, |_| {}, jwks_ok);
    d.given.asks_first = false;
    d.run(LinkFlow::new(config()), Event::Prepare);
    let outcome = d.last_outcome().clone();
    let waited = d.waited.clone();
    drop(d);
    let sent = sent.borrow().clone();
    (sent, outcome, waited)
}

fn user_with(identities: &str) -> HttpResponse {
    HttpResponse::new(
        200,
        format!(r#"{{"user_id":"auth0|primary","identities":{identities}}}"#),
    )
}

#[test]
fn a_link_that_timed_out_but_happened_is_reported_linked_once() {
    use auth0_account_link_core::http::TransportError;
    let (sent, outcome) = link_with_ambiguous_answer(
        Err(TransportError::Timeout),
        vec![Ok(user_with(&linked_identities()))],
    );
    match outcome {
        Outcome::Linked(l) => assert_eq!(l.identities.len(), 2),
        other => panic!("expected Linked, got {other:?}"),
    }
    assert_eq!(
        sent.iter()
            .filter(|r| r.starts_with("POST") && r.ends_with("/identities"))
            .count(),
        1,
        "never a second link request: {sent:?}"
    );
    assert_eq!(
        sent.last().map(String::as_str),
        Some(format!("GET {USER_URL}").as_str())
    );
}

#[test]
fn a_5xx_link_that_did_not_happen_says_so_truthfully() {
    let only_primary = r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0","isSocial":false}]"#;
    let (_, outcome) = link_with_ambiguous_answer(
        Ok(HttpResponse::new(
            503,
            r#"{"statusCode":503,"error":"Service Unavailable","message":"try later"}"#,
        )),
        vec![Ok(user_with(only_primary)); 3],
    );
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::ServerError);
            assert!(e.detail().contains("nothing was linked"), "{}", e.detail());
            assert!(!e.link_outcome_unknown());
        }
        other => panic!("expected server_error, got {other:?}"),
    }
}

#[test]
fn a_link_whose_outcome_cannot_be_confirmed_does_not_claim_nothing_was_linked() {
    use auth0_account_link_core::http::TransportError;
    let (_, outcome) = link_with_ambiguous_answer(
        Err(TransportError::Network("offline".into())),
        vec![Err(TransportError::Network("offline".into())); 3],
    );
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::Network);
            assert!(e.link_outcome_unknown());
            assert!(
                !e.user_message().contains("Nothing was linked"),
                "{}",
                e.user_message()
            );
            assert!(
                e.user_message().contains("did not confirm"),
                "{}",
                e.user_message()
            );
        }
        other => panic!("expected network, got {other:?}"),
    }
}

#[test]
fn a_timed_out_link_is_read_again_after_waiting_and_found() {
    use auth0_account_link_core::flow::RECHECK_DELAYS_SECONDS;
    use auth0_account_link_core::http::TransportError;
    let only_primary = r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0","isSocial":false}]"#;
    // The server applies the link late: absent at once and after 2 s, there after 5 s.
    let (sent, outcome, waited) = link_with_answers(
        Err(TransportError::Timeout),
        vec![
            Ok(user_with(only_primary)),
            Ok(user_with(only_primary)),
            Ok(user_with(&linked_identities())),
        ],
    );
    assert!(
        matches!(outcome, Outcome::Linked(ref l) if l.identities.len() == 2),
        "{outcome:?}"
    );
    assert_eq!(waited, RECHECK_DELAYS_SECONDS.to_vec());
    assert_eq!(
        sent.iter()
            .filter(|r| r.starts_with("POST") && r.ends_with("/identities"))
            .count(),
        1
    );
}

#[test]
fn a_timed_out_link_never_seen_is_could_not_confirm_not_nothing_linked() {
    use auth0_account_link_core::http::TransportError;
    let only_primary = r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0","isSocial":false}]"#;
    let (_, outcome, waited) = link_with_answers(
        Err(TransportError::Timeout),
        vec![Ok(user_with(only_primary)); 3],
    );
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::Timeout);
            assert!(e.link_outcome_unknown(), "{}", e.detail());
            assert!(!e.detail().contains("nothing was linked"), "{}", e.detail());
        }
        other => panic!("expected timeout, got {other:?}"),
    }
    assert_eq!(waited.len(), 2);
}

#[test]
fn a_success_whose_list_lacks_the_account_is_no_link() {
    let only_primary = r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0","isSocial":false}]"#;
    // 201, but the answer does not list the account; re-read: still absent.
    let (sent, outcome, _) = link_with_answers(
        Ok(HttpResponse::new(201, only_primary)),
        vec![Ok(user_with(only_primary)); 3],
    );
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
            assert!(e.link_outcome_unknown());
        }
        other => panic!("expected unexpected_response, got {other:?}"),
    }
    assert_eq!(
        sent.iter()
            .filter(|r| r.starts_with("GET") && r.ends_with("auth0%7Cprimary"))
            .count(),
        3
    );
}

#[test]
fn a_definite_refusal_is_not_read_again() {
    let (sent, outcome) = link_with_ambiguous_answer(
        Ok(HttpResponse::new(
            403,
            r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: update:current_user_identities","errorCode":"insufficient_scope"}"#,
        )),
        vec![],
    );
    assert!(matches!(outcome, Outcome::Failed(e) if e.code() == ErrorCode::InsufficientScope));
    assert!(!sent.contains(&format!("GET {USER_URL}")), "{sent:?}");
}

fn conflict() -> HttpResponse {
    HttpResponse::new(
        409,
        r#"{"statusCode":409,"error":"Conflict","message":"Identity is already linked"}"#,
    )
}

#[test]
fn a_conflict_over_an_identity_another_user_has_says_so() {
    let only_primary = r#"[{"connection":"Username-Password-Authentication","user_id":"primary","provider":"auth0","isSocial":false}]"#;
    let (sent, outcome) =
        link_with_ambiguous_answer(Ok(conflict()), vec![Ok(user_with(only_primary))]);
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::LinkedToAnotherUser);
            assert!(!e.link_outcome_unknown());
            assert!(
                e.user_message().contains("another user"),
                "{}",
                e.user_message()
            );
        }
        other => panic!("expected linked_to_another_user, got {other:?}"),
    }
    assert_eq!(
        sent.last(),
        Some(&format!("GET {USER_URL}")),
        "read again: {sent:?}"
    );
}

#[test]
fn a_conflict_over_an_identity_the_user_has_is_already_linked_not_linked_now() {
    let (sent, outcome) =
        link_with_ambiguous_answer(Ok(conflict()), vec![Ok(user_with(&linked_identities()))]);
    assert!(
        matches!(&outcome, Outcome::Failed(e) if e.code() == ErrorCode::AlreadyLinked),
        "{outcome:?}"
    );
    let posts = sent
        .iter()
        .filter(|r| r.starts_with("POST") && r.ends_with("/identities"))
        .count();
    assert_eq!(posts, 1, "never a second link request: {sent:?}");
}

#[test]
fn a_conflict_whose_re_read_fails_is_still_a_definite_refusal() {
    use auth0_account_link_core::http::TransportError;
    let (_, outcome) = link_with_ambiguous_answer(
        Ok(conflict()),
        vec![Err(TransportError::Network("offline".into()))],
    );
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::LinkedToAnotherUser);
            assert!(!e.link_outcome_unknown(), "a 409 links nothing");
        }
        other => panic!("expected linked_to_another_user, got {other:?}"),
    }
}

/// The secondary read answers `body`: refused (fail closed) with nothing linked.
fn refused_secondary_read(body: Value) -> auth0_account_link_core::LinkError {
    let mock = MockTransport::new();
    let mut d = driver(&mock);
    d.secondary_user = Some(Ok(HttpResponse::new(200, body.to_string())));
    d.popup = answering_popup(&mock, |_| {}, jwks_ok);
    d.run(LinkFlow::new(config()), prepare());
    assert!(!d.sent("/identities"), "nothing linked");
    assert!(d.asked.is_none(), "nobody is asked about it");
    match d.last_outcome() {
        Outcome::Failed(e) => e.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_secondary_read_that_lists_no_login_is_refused() {
    let e = refused_secondary_read(json!({"user_id": "google-oauth2|123", "identities": []}));
    assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
    assert!(e.detail().contains("without logins"), "{}", e.detail());
}

#[test]
fn a_secondary_read_about_another_user_is_refused() {
    let e = refused_secondary_read(json!({"user_id": "google-oauth2|999", "identities": [
        {"connection": "google-oauth2", "provider": "google-oauth2", "user_id": "999", "isSocial": true}
    ]}));
    assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
    assert!(e.detail().contains("google-oauth2|999"), "{}", e.detail());
}

#[test]
fn a_secondary_read_whose_one_login_is_not_the_one_used_is_refused() {
    let e = refused_secondary_read(json!({"user_id": "google-oauth2|123", "identities": [
        {"connection": "github", "provider": "github", "user_id": "4242", "isSocial": true}
    ]}));
    assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
    assert!(e.detail().contains("github|4242"), "{}", e.detail());
}

#[test]
fn a_yes_that_comes_after_the_decision_window_links_nothing() {
    let (flow, mut env, nonce, _) = flow_at_callback(true);
    let (flow, _) = verify(flow, &mut env, &nonce);
    assert_eq!(flow.position(), Position::Confirming);
    env.now += auth0_account_link_core::flow::DECISION_WINDOW_SECONDS + 1;
    let (flow, effects) = step(flow, Event::Decided(true), &mut env);
    assert!(
        effects.is_empty(),
        "no token asked, nothing sent: {effects:?}"
    );
    assert!(flow
        .failure()
        .is_some_and(|e| e.code() == ErrorCode::Timeout
            && e.detail().contains("sign in with the account again")));
    // Within the window, the same yes goes on.
    let (flow, mut env, nonce, _) = flow_at_callback(true);
    let (flow, _) = verify(flow, &mut env, &nonce);
    env.now += auth0_account_link_core::flow::DECISION_WINDOW_SECONDS;
    let (_, effects) = step(flow, Event::Decided(true), &mut env);
    assert!(matches!(effects.as_slice(), [Effect::GetPrimaryToken]));
}

#[test]
fn cancel_is_refused_once_the_link_request_is_out() {
    let (flow, mut env, nonce, _) = flow_at_callback(true);
    let (flow, _) = verify(flow, &mut env, &nonce);
    let (flow, _) = step(flow, Event::Decided(true), &mut env);
    assert!(flow.can_cancel(), "before the request: a cancel stops it");
    let (flow, effects) = step(
        flow,
        Event::PrimaryToken(Ok(AccessToken::new(access_token(&access_claims())))),
        &mut env,
    );
    assert!(sends_link(&effects));
    assert!(!flow.can_cancel());
    let (flow, effects) = step(flow, Event::Cancel, &mut env);
    assert!(effects.is_empty() && reports().is_empty());
    assert_eq!(flow.position(), Position::Linking);
    let (flow, _) = step(
        flow,
        Event::LinkResponse(Ok(HttpResponse::new(201, linked_identities()))),
        &mut env,
    );
    assert_eq!(flow.position(), Position::Linked);
    assert_eq!(reported(), vec!["linked"]);
}
