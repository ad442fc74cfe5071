//! The primary's sign-in again asked ahead of the click, in a hidden frame with
//! `prompt=none`: a recent session's proof sends the window straight to the account to
//! link (its token makes the change); anything the proof does not show — an older session,
//! another user, a token without the scope, a replayed nonce, a proof gone stale before the
//! click — leaves the window to ask, or (when the window already went on the frame's code)
//! links nothing. One test per rule.

mod common;

use auth0_account_link_core::encoding::form_parse;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::flow::{Event, LinkFlow, Outcome, Report, Via};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, Method};
use auth0_account_link_core::management::{Identity, IdentityRef, ProfileData};
use auth0_account_link_core::session::Position;
use auth0_account_link_core::transaction::{CallbackResponse, Transaction};
use common::driver::{login_required, query_param, Driver, PopupOutcome};
use common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use test_support::{jwks_json, TestEnv, TestKey};

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const JWKS_URL: &str = "https://tenant.example.com/.well-known/jwks.json";
const LINK_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities";
const UNLINK_URL: &str =
    "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities/github/777";

/// The three access tokens differ in `iat`, so a request's bearer tells whose it is.
fn token_iat(iat: u64) -> String {
    let mut claims = access_claims();
    claims["iat"] = json!(iat);
    access_token(&claims)
}
fn host_token() -> String {
    token_iat(NOW - 10)
}
fn frame_token() -> String {
    token_iat(NOW - 2)
}
fn window_token() -> String {
    token_iat(NOW - 1)
}

fn alice() -> Given {
    Given {
        pin: Some(PRIMARY.into()),
        identities: Some(vec![
            Identity {
                connection: "Username-Password-Authentication".into(),
                user_id: "primary".into(),
                provider: "auth0".into(),
                is_social: false,
                profile_data: Some(ProfileData {
                    email: Some("alice@example.com".into()),
                    ..Default::default()
                }),
            },
            Identity {
                connection: "github".into(),
                user_id: "777".into(),
                provider: "github".into(),
                is_social: true,
                profile_data: None,
            },
        ]),
        asks_first: false,
        other_session: false,
    }
}

/// The primary's ID token for the nonce of `url`, signed in 30 s ago, bent by `tweak`.
fn primary_id_token(url: &str, tweak: &dyn Fn(&mut Value)) -> String {
    let mut claims = id_claims(&query_param(url, "nonce").expect("nonce"));
    claims["sub"] = json!(PRIMARY);
    claims["email"] = json!("alice@example.com");
    claims["auth_time"] = json!(NOW - 30);
    tweak(&mut claims);
    let key = TestKey::fixture(1);
    key.sign(&key.header(), &claims)
}

/// A tenant standing in for the real one: codes handed out by the frame and the window,
/// each exchanged for the tokens its login got; every request's bearer recorded.
#[derive(Default)]
struct Tenant {
    /// code → the token endpoint's answer.
    codes: RefCell<HashMap<String, Value>>,
    frames: RefCell<Vec<String>>,
    windows: RefCell<Vec<String>>,
    bearers: RefCell<Vec<(String, String)>>,
}

impl Tenant {
    fn code(&self, code: &str, url: &str, answer: Value) -> PopupOutcome {
        self.codes.borrow_mut().insert(code.to_owned(), answer);
        PopupOutcome::Callback(CallbackResponse {
            code: Some(code.into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    }

    fn send(&self, r: &HttpRequest) -> HttpResponse {
        let bearer = r
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.trim_start_matches("Bearer ").to_owned())
            .unwrap_or_default();
        self.bearers.borrow_mut().push((r.url.clone(), bearer));
        match (r.method, r.url.as_str()) {
            (Method::Post, TOKEN_URL) => {
                let body = r.body.as_deref().unwrap_or_default();
                let code = form_parse(body)
                    .and_then(|f| f.into_iter().find(|(k, _)| k == "code"))
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                match self.codes.borrow_mut().remove(&code) {
                    Some(answer) => HttpResponse::new(200, answer.to_string()),
                    None => HttpResponse::new(403, r#"{"error":"invalid_grant"}"#.to_owned()),
                }
            }
            (Method::Get, JWKS_URL) => {
                HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)]))
            }
            (Method::Post, LINK_URL) => HttpResponse::new(
                201,
                json!([
                    {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
                    {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}
                ])
                .to_string(),
            ),
            (Method::Delete, UNLINK_URL) => HttpResponse::new(
                200,
                json!([{"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false}])
                    .to_string(),
            ),
            (method, url) => panic!("unexpected {} {url}", method.as_str()),
        }
    }

    fn bearer_of(&self, url: &str) -> Option<String> {
        self.bearers
            .borrow()
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, b)| b.clone())
    }

    fn windows(&self) -> Vec<String> {
        self.windows.borrow().clone()
    }
}

/// How the frame answers: the primary's ID token bent by the function, with this access
/// token.
type FrameAnswer<'a> = Option<(&'a dyn Fn(&mut Value), Option<String>)>;

/// A driver on `tenant`: the frame answers a recent session with the primary's ID token
/// (`tweak`ed) and `frame_access` (`None`: `login_required`); the window answers the
/// primary's sign-in again and the secondary's login.
fn driver<'a>(tenant: &'a Tenant, frame: FrameAnswer<'a>) -> Driver<'a> {
    let mut d = Driver::new(
        TestEnv::new(NOW, 11),
        Box::new(move |r| Ok(tenant.send(r))),
        || Ok(host_token()),
    );
    d.given = alice();
    d.connection = Some("google-oauth2".into());
    d.frame = Box::new(move |url: &str| {
        tenant.frames.borrow_mut().push(url.to_owned());
        match &frame {
            None => login_required(url),
            Some((tweak, access)) => tenant.code(
                "frame-code",
                url,
                json!({"id_token": primary_id_token(url, tweak), "access_token": access, "token_type": "Bearer"}),
            ),
        }
    });
    d.popup = Box::new(move |url: &str| {
        tenant.windows.borrow_mut().push(url.to_owned());
        if url == "about:blank" {
            return PopupOutcome::Pending;
        }
        if query_param(url, "max_age").is_some() {
            let answer = json!({"id_token": primary_id_token(url, &|_| {}), "access_token": window_token(), "token_type": "Bearer"});
            return tenant.code("window-primary", url, answer);
        }
        let key = TestKey::fixture(1);
        let id_token = key.sign(
            &key.header(),
            &id_claims(&query_param(url, "nonce").expect("nonce")),
        );
        tenant.code(
            "window-secondary",
            url,
            json!({"id_token": id_token, "access_token": "opaque", "token_type": "Bearer"}),
        )
    });
    d
}

fn reauth() -> LinkFlow {
    LinkFlow::new(config_with(|o| o.reauthenticate = None))
}

fn linked(d: &Driver) -> bool {
    matches!(d.last_outcome(), Outcome::Linked(_))
}

fn recent() -> FrameAnswer<'static> {
    Some((&|_| {}, Some(frame_token())))
}

#[test]
fn a_recent_session_answers_the_frame_and_the_window_goes_to_the_account() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    let flow = d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    assert_eq!(flow.position(), Position::Linked);
    let frames = tenant.frames.borrow();
    assert_eq!(frames.len(), 1);
    let frame = &frames[0];
    assert_eq!(query_param(frame, "prompt").as_deref(), Some("none"));
    assert_eq!(query_param(frame, "max_age").as_deref(), Some("600"));
    assert_eq!(
        query_param(frame, "response_mode").as_deref(),
        Some("web_message")
    );
    assert!(
        query_param(frame, "scope").is_some_and(|s| s.contains("update:current_user_identities"))
    );
    // One window, the account to link's, and the frame's token links.
    let windows = tenant.windows();
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert_eq!(
        query_param(&windows[0], "connection").as_deref(),
        Some("google-oauth2")
    );
    assert_eq!(tenant.bearer_of(LINK_URL), Some(frame_token()));
    assert!(d
        .reports
        .iter()
        .any(|r| matches!(r, Report::Reauthenticated)));
}

#[test]
fn an_older_session_answers_login_required_and_the_window_asks_first() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, None);
    d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    assert_eq!(tenant.frames.borrow().len(), 1);
    let windows = tenant.windows();
    assert_eq!(windows.len(), 2);
    assert_eq!(query_param(&windows[0], "max_age").as_deref(), Some("600"));
    assert_eq!(tenant.bearer_of(LINK_URL), Some(window_token()));
}

#[test]
fn a_click_before_the_frame_answers_waits_in_its_blank_window() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    d.click_early = true;
    d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    let windows = tenant.windows();
    assert_eq!(windows[0], "about:blank");
    assert_eq!(windows.len(), 2, "then the account to link: {windows:?}");
    assert_eq!(query_param(&windows[1], "max_age"), None);
    assert_eq!(tenant.bearer_of(LINK_URL), Some(frame_token()));
}

#[test]
fn a_click_before_a_login_required_sends_the_blank_window_to_the_primary() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, None);
    d.click_early = true;
    d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    let windows = tenant.windows();
    assert_eq!(windows.len(), 3, "{windows:?}");
    assert_eq!(windows[0], "about:blank");
    assert_eq!(query_param(&windows[1], "max_age").as_deref(), Some("600"));
    assert_eq!(tenant.bearer_of(LINK_URL), Some(window_token()));
}

#[test]
fn a_proof_gone_stale_before_the_click_is_not_used() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    // Signed in 30 s before the frame; the click comes 10 minutes (and the leeway) later.
    d.clock_at_click = Some(NOW + 700);
    d.run(reauth(), Event::Prepare);
    let windows = tenant.windows();
    assert_eq!(query_param(&windows[0], "max_age").as_deref(), Some("600"));
    assert_ne!(tenant.bearer_of(LINK_URL), Some(frame_token()));
}

#[test]
fn a_frame_answer_older_than_max_age_is_refused_by_the_widget() {
    // The tenant ignored max_age: the widget's own auth_time check holds.
    let tenant = Tenant::default();
    let mut d = driver(
        &tenant,
        Some((
            &|c: &mut Value| c["auth_time"] = json!(NOW - 600 - 61),
            Some(frame_token()),
        )),
    );
    d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    assert_eq!(
        query_param(&tenant.windows()[0], "max_age").as_deref(),
        Some("600")
    );
    assert_eq!(tenant.bearer_of(LINK_URL), Some(window_token()));
}

#[test]
fn a_frame_answering_as_another_user_is_not_used() {
    let tenant = Tenant::default();
    let mut d = driver(
        &tenant,
        Some((
            &|c: &mut Value| c["sub"] = json!("auth0|mallory"),
            Some(frame_token()),
        )),
    );
    d.run(reauth(), Event::Prepare);
    // The session hears the tenant's session may be another user's (its next window
    // asks `prompt=login`); this window asks the primary.
    assert!(d
        .reports
        .iter()
        .any(|r| matches!(r, Report::SecondarySignedIn)));
    assert_eq!(
        query_param(&tenant.windows()[0], "max_age").as_deref(),
        Some("600")
    );
    assert_ne!(tenant.bearer_of(LINK_URL), Some(frame_token()));
}

#[test]
fn a_frame_token_without_the_change_scope_is_not_used() {
    let tenant = Tenant::default();
    let mut claims = access_claims();
    claims["iat"] = json!(NOW - 2);
    claims["scope"] = json!("openid profile email read:current_user");
    let read_only = access_token(&claims);
    let mut d = driver(&tenant, Some((&|_| {}, Some(read_only.clone()))));
    d.run(reauth(), Event::Prepare);
    assert!(linked(&d), "{:?}", d.debug_log);
    assert_eq!(
        query_param(&tenant.windows()[0], "max_age").as_deref(),
        Some("600")
    );
    assert_eq!(tenant.bearer_of(LINK_URL), Some(window_token()));
}

#[test]
fn a_replayed_nonce_after_the_window_went_on_links_nothing() {
    // Clicked early: the frame's code sent the window to the account to link; the proof
    // then fails (an ID token of an earlier sign-in): the attempt ends, nothing linked.
    let tenant = Tenant::default();
    let mut d = driver(
        &tenant,
        Some((
            &|c: &mut Value| c["nonce"] = json!("an-earlier-nonce"),
            Some(frame_token()),
        )),
    );
    d.click_early = true;
    d.run(reauth(), Event::Prepare);
    match d.last_outcome() {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), ErrorCode::ReauthenticationFailed, "{e}");
            assert_eq!(format!("{:?}", e.reason()), "Some(Nonce)");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(tenant.bearer_of(LINK_URL), None, "nothing is linked");
}

#[test]
fn unlink_with_a_proof_needs_no_window() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    d.auto_start = None;
    let flow = d.run(reauth(), Event::Prepare);
    let target = IdentityRef {
        provider: "github".into(),
        user_id: "777".into(),
    };
    d.run(flow, Event::StartUnlink(target));
    assert!(
        matches!(d.last_outcome(), Outcome::Unlinked(ids) if ids.len() == 1),
        "{:?}",
        d.debug_log
    );
    assert!(tenant.windows().is_empty());
    assert_eq!(tenant.bearer_of(UNLINK_URL), Some(frame_token()));
}

#[test]
fn redirect_mode_with_a_proof_leaves_once_for_the_account() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    d.auto_start = Some(Via::Redirect);
    let config = config_with(|o| {
        o.reauthenticate = None;
        o.redirect_uri = Some("https://app.example.com/".into());
    });
    d.run(LinkFlow::new(config), Event::Prepare);
    let url = d.navigated.clone().expect("left");
    assert_eq!(
        query_param(&url, "max_age"),
        None,
        "the account to link's login"
    );
    let stored = d.storage.clone().expect("stored");
    let txn = Transaction::restore(&stored).expect("readable");
    assert_eq!(txn.reauthenticated_at(), Some(NOW - 30));
    assert!(!stored.contains(&frame_token()), "no token is stored");
}

#[test]
fn no_frame_when_the_tenant_session_may_be_another_users_or_popups_answer_by_query() {
    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    d.given.other_session = true;
    d.run(reauth(), Event::Prepare);
    assert!(tenant.frames.borrow().is_empty());
    assert_eq!(
        query_param(&tenant.windows()[0], "prompt").as_deref(),
        Some("login")
    );

    let tenant = Tenant::default();
    let mut d = driver(&tenant, recent());
    let query = config_with(|o| {
        o.reauthenticate = None;
        o.response_mode = Some("query".into());
        o.redirect_uri = Some("https://app.example.com/callback".into());
    });
    d.run(LinkFlow::new(query), Event::Prepare);
    assert!(tenant.frames.borrow().is_empty());
}
