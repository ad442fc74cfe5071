//! The primary user's sign-in again before a login is added (`reauthenticate`, on by
//! default): one window, the primary first (`max_age`, hinted), its ID token checked for
//! recency and for being the primary, its access token used for the link request. One
//! negative test per rule, each showing nothing linked.

mod common;

use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::flow::{Event, LinkFlow, Outcome, Via};
use auth0_account_link_core::http::{HttpResponse, Method};
use auth0_account_link_core::management::{Identity, ProfileData};
use auth0_account_link_core::secret::PersistedTransaction;
use auth0_account_link_core::session::Position;
use auth0_account_link_core::transaction::{CallbackResponse, Transaction};
use common::driver::{query_param, Driver, PopupOutcome};
use common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use test_support::{jwks_json, MockTransport, TestEnv, TestKey};

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const JWKS_URL: &str = "https://tenant.example.com/.well-known/jwks.json";
const LINK_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities";
const SECONDARY_URL: &str = "https://tenant.example.com/api/v2/users/google-oauth2%7C123";

/// The session's list: the primary's own login (its email is the `login_hint`).
fn primary_listed() -> Vec<Identity> {
    vec![Identity {
        connection: "Username-Password-Authentication".into(),
        user_id: "primary".into(),
        provider: "auth0".into(),
        is_social: false,
        profile_data: Some(ProfileData {
            email: Some("alice@example.com".into()),
            ..Default::default()
        }),
    }]
}

fn reauth_config() -> auth0_account_link_core::LinkConfig {
    config_with(|o| o.reauthenticate = None)
}

/// The host's token (from its own session) and the fresh one of the sign-in again differ
/// in `iat`, so the link request's bearer tells which one it used.
fn host_token() -> String {
    access_token(&access_claims())
}

fn fresh_token() -> String {
    let mut claims = access_claims();
    claims["iat"] = json!(NOW - 1);
    access_token(&claims)
}

/// The primary's ID token for the nonce of `url`, bent by `tweak`.
fn primary_id_token(url: &str, tweak: &dyn Fn(&mut Value)) -> String {
    let mut claims = id_claims(&query_param(url, "nonce").expect("nonce"));
    claims["sub"] = json!(PRIMARY);
    claims["email"] = json!("alice@example.com");
    claims["auth_time"] = json!(NOW - 30);
    tweak(&mut claims);
    let key = TestKey::fixture(1);
    key.sign(&key.header(), &claims)
}

fn secondary_id_token(url: &str) -> String {
    let key = TestKey::fixture(1);
    key.sign(
        &key.header(),
        &id_claims(&query_param(url, "nonce").expect("nonce")),
    )
}

fn answer(url: &str) -> PopupOutcome {
    PopupOutcome::Callback(CallbackResponse {
        code: Some("code".into()),
        state: query_param(url, "state"),
        ..Default::default()
    })
}

fn linked() -> String {
    json!([
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
        {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}
    ])
    .to_string()
}

/// What a run saw: the URLs the window was pointed at, and the bearer of each request.
#[derive(Default)]
struct Seen {
    windows: RefCell<Vec<String>>,
    bearers: RefCell<Vec<(String, String)>>,
}

/// A driver whose window answers the primary's sign-in again with `tweak`ed claims (and
/// the fresh access token `fresh`), then the secondary's login; the JWKS and the link
/// answer as a tenant would.
fn run<'a>(
    mock: &'a MockTransport,
    seen: &'a Seen,
    tweak: &'a dyn Fn(&mut Value),
    fresh: Option<String>,
    given: Given,
) -> (Driver<'a>, LinkFlow) {
    run_with_host(mock, seen, tweak, fresh, given, host_token())
}

/// [`run`] with the host's own token `host` (what `getAccessToken` gives).
fn run_with_host<'a>(
    mock: &'a MockTransport,
    seen: &'a Seen,
    tweak: &'a dyn Fn(&mut Value),
    fresh: Option<String>,
    given: Given,
    host: String,
) -> (Driver<'a>, LinkFlow) {
    let mut d = Driver::new(
        TestEnv::new(NOW, 7),
        Box::new(move |r| {
            let bearer = r
                .headers
                .iter()
                .find(|(k, _)| k == "Authorization")
                .map(|(_, v)| v.trim_start_matches("Bearer ").to_owned())
                .unwrap_or_default();
            seen.bearers.borrow_mut().push((r.url.clone(), bearer));
            Ok(mock.send(r))
        }),
        move || Ok(host.clone()),
    );
    d.given = given;
    d.connection = Some("google-oauth2".into());
    d.popup = Box::new(move |url: &str| {
        seen.windows.borrow_mut().push(url.to_owned());
        if query_param(url, "max_age").is_some() {
            let access = fresh.clone().map_or(Value::Null, Value::String);
            let body = json!({"id_token": primary_id_token(url, tweak), "access_token": access, "token_type": "Bearer"});
            mock.expect(
                Method::Post,
                TOKEN_URL,
                None,
                HttpResponse::new(200, body.to_string()),
            );
            mock.expect(
                Method::Get,
                JWKS_URL,
                None,
                HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)])),
            );
        } else {
            let body = json!({"id_token": secondary_id_token(url), "access_token": "opaque", "token_type": "Bearer"});
            mock.expect(
                Method::Post,
                TOKEN_URL,
                None,
                HttpResponse::new(200, body.to_string()),
            );
            mock.expect(
                Method::Post,
                LINK_URL,
                None,
                HttpResponse::new(201, linked()),
            );
        }
        answer(url)
    });
    let flow = d.run(LinkFlow::new(reauth_config()), Event::Prepare);
    (d, flow)
}

fn alice() -> Given {
    Given {
        pin: Some(PRIMARY.into()),
        identities: Some(primary_listed()),
        asks_first: false,
        other_session: false,
    }
}

fn failed(d: &Driver) -> (ErrorCode, String) {
    match d.last_outcome() {
        // The text, and the ID token check that failed (kept under the re-coded error).
        Outcome::Failed(e) => (e.code(), format!("{e}; reason: {:?}", e.reason())),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn reauthentication_is_on_by_default_with_ten_minutes() {
    let config =
        auth0_account_link_core::LinkConfig::new(&auth0_account_link_core::config::LinkOptions {
            reauthenticate: None,
            ..options()
        })
        .expect("valid");
    assert_eq!(config.reauthenticate_max_age_seconds(), Some(600));
}

#[test]
fn a_recent_session_links_in_one_window_with_the_fresh_token() {
    let mock = MockTransport::new();
    let seen = Seen::default();
    let (d, flow) = run(&mock, &seen, &|_| {}, Some(fresh_token()), alice());
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(_)),
        "{:?}",
        d.debug_log
    );
    assert_eq!(flow.position(), Position::Linked);
    let windows = seen.windows.borrow();
    assert_eq!(windows.len(), 2, "the primary, then the secondary");
    // The first login is the primary's, hinted and bounded; the second the account to link.
    let first = &windows[0];
    assert_eq!(query_param(first, "max_age").as_deref(), Some("600"));
    assert_eq!(
        query_param(first, "login_hint").as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        query_param(first, "connection").as_deref(),
        Some("Username-Password-Authentication")
    );
    assert_eq!(
        query_param(first, "prompt"),
        None,
        "a recent session answers at once"
    );
    assert!(
        query_param(first, "scope").is_some_and(|s| s.contains("update:current_user_identities"))
    );
    assert_eq!(
        query_param(&windows[1], "connection").as_deref(),
        Some("google-oauth2")
    );
    assert_eq!(query_param(&windows[1], "prompt").as_deref(), Some("login"));
    // One window: it is not closed between the two logins.
    let between: Vec<&String> = d
        .effects
        .iter()
        .skip_while(|e| *e != "OpenPopup")
        .skip(1)
        .take_while(|e| *e != "OpenPopup")
        .collect();
    assert!(!between.iter().any(|e| *e == "ClosePopup"), "{between:?}");
    // The link request carries the fresh sign-in's token, not the host's.
    let bearers = seen.bearers.borrow();
    let link = bearers
        .iter()
        .find(|(url, _)| url == LINK_URL)
        .expect("linked");
    assert_eq!(link.1, fresh_token());
    assert!(d.sent(SECONDARY_URL), "the secondary's own user is read");
    assert_eq!(mock.remaining(), 0);
}

fn refused(
    tweak: &dyn Fn(&mut Value),
    fresh: Option<String>,
    given: Given,
) -> (ErrorCode, String, usize) {
    let mock = MockTransport::new();
    let seen = Seen::default();
    let (d, _) = run(&mock, &seen, tweak, fresh, given);
    let (code, text) = failed(&d);
    assert!(
        !seen.bearers.borrow().iter().any(|(url, _)| url == LINK_URL),
        "nothing is linked"
    );
    let windows = seen.windows.borrow().len();
    (code, text, windows)
}

#[test]
fn a_stale_auth_time_is_refused_before_the_secondary_login() {
    let (code, text, windows) = refused(
        &|c| c["auth_time"] = json!(NOW - 600 - 61),
        Some(fresh_token()),
        alice(),
    );
    assert_eq!(code, ErrorCode::ReauthenticationFailed);
    assert!(text.contains("auth_time"), "{text}");
    assert!(text.ends_with("reason: Some(AuthTime)"), "{text}");
    assert_eq!(windows, 1, "the secondary's login is never shown");
}

#[test]
fn a_missing_auth_time_is_refused() {
    let (code, text, _) = refused(
        &|c| {
            c.as_object_mut().expect("claims").remove("auth_time");
        },
        Some(fresh_token()),
        alice(),
    );
    assert_eq!(code, ErrorCode::ReauthenticationFailed);
    assert!(text.contains("auth_time: required"), "{text}");
    assert!(text.ends_with("reason: Some(AuthTime)"), "{text}");
}

#[test]
fn a_sign_in_again_as_another_user_is_a_user_mismatch() {
    let (code, text, windows) = refused(
        &|c| c["sub"] = json!("auth0|mallory"),
        Some(fresh_token()),
        alice(),
    );
    assert_eq!(code, ErrorCode::UserMismatch);
    assert!(text.contains("auth0|mallory"), "{text}");
    assert_eq!(windows, 1);
}

#[test]
fn a_replayed_id_token_fails_its_nonce() {
    let (code, text, _) = refused(
        &|c| c["nonce"] = json!("a-nonce-of-an-earlier-sign-in"),
        Some(fresh_token()),
        alice(),
    );
    assert_eq!(code, ErrorCode::ReauthenticationFailed);
    assert!(text.contains("nonce"), "{text}");
    assert!(text.ends_with("reason: Some(Nonce)"), "{text}");
}

#[test]
fn a_sign_in_again_without_an_access_token_links_nothing() {
    let (code, _, windows) = refused(&|_| {}, None, alice());
    assert_eq!(code, ErrorCode::TokenExchangeFailed);
    assert_eq!(windows, 1);
}

#[test]
fn a_fresh_token_the_tenant_granted_without_the_scope_links_nothing() {
    // A tenant rule withholds update:current_user_identities from a stale sign-in.
    let mut claims = access_claims();
    claims["scope"] = json!("openid profile email read:current_user");
    let (code, text, _) = refused(&|_| {}, Some(access_token(&claims)), alice());
    assert_eq!(code, ErrorCode::InsufficientScope);
    assert!(text.contains("update:current_user_identities"), "{text}");
}

#[test]
fn a_window_closed_before_the_sign_in_again_ends_with_its_own_code() {
    let mock = MockTransport::new();
    let mut d = Driver::new(TestEnv::new(NOW, 7), Box::new(|r| Ok(mock.send(r))), || {
        Ok(host_token())
    });
    d.given = alice();
    d.popup = Box::new(|_| PopupOutcome::Closed);
    d.run(LinkFlow::new(reauth_config()), Event::Prepare);
    assert_eq!(failed(&d).0, ErrorCode::ReauthenticationFailed);
    assert!(d.requests.is_empty(), "{:?}", d.requests);
}

#[test]
fn after_a_secondary_sign_in_the_primary_is_asked_for_credentials() {
    // The tenant's session may be the other account's: without prompt=login it would
    // answer as that account.
    let mock = MockTransport::new();
    let seen = Seen::default();
    let mut given = alice();
    given.other_session = true;
    let (d, _) = run(&mock, &seen, &|_| {}, Some(fresh_token()), given);
    assert!(matches!(d.last_outcome(), Outcome::Linked(_)));
    assert_eq!(
        query_param(&seen.windows.borrow()[0], "prompt").as_deref(),
        Some("login")
    );
}

#[test]
fn turned_off_the_secondary_login_comes_first_and_the_host_token_links() {
    let mock = MockTransport::new();
    let seen = Seen::default();
    let host = host_token();
    let mut d = Driver::new(
        TestEnv::new(NOW, 7),
        Box::new(|r| {
            let bearer = r
                .headers
                .iter()
                .find(|(k, _)| k == "Authorization")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            seen.bearers.borrow_mut().push((r.url.clone(), bearer));
            Ok(mock.send(r))
        }),
        move || Ok(host.clone()),
    );
    d.given = alice();
    d.connection = Some("google-oauth2".into());
    d.popup = Box::new(|url: &str| {
        seen.windows.borrow_mut().push(url.to_owned());
        let body = json!({"id_token": secondary_id_token(url), "access_token": "opaque", "token_type": "Bearer"});
        mock.expect(
            Method::Post,
            TOKEN_URL,
            None,
            HttpResponse::new(200, body.to_string()),
        );
        mock.expect(
            Method::Get,
            JWKS_URL,
            None,
            HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)])),
        );
        mock.expect(
            Method::Post,
            LINK_URL,
            None,
            HttpResponse::new(201, linked()),
        );
        answer(url)
    });
    d.run(
        LinkFlow::new(config_with(|o| o.reauthenticate = Some(false))),
        Event::Prepare,
    );
    assert!(matches!(d.last_outcome(), Outcome::Linked(_)));
    assert_eq!(seen.windows.borrow().len(), 1);
    assert_eq!(query_param(&seen.windows.borrow()[0], "max_age"), None);
    let bearers = seen.bearers.borrow();
    let link = bearers
        .iter()
        .find(|(url, _)| url == LINK_URL)
        .expect("linked");
    assert_eq!(link.1, format!("Bearer {}", host_token()));
}

/// Back on the page after a login that left it for `url`: its code, the stored transaction.
fn returned(url: &str, stored: String) -> Event {
    Event::Resume {
        persisted: Some(PersistedTransaction::new(stored)),
        callback: CallbackResponse {
            code: Some("code".into()),
            state: query_param(url, "state"),
            ..Default::default()
        },
    }
}

/// Redirect mode: the primary's round trip, then the secondary's; the return page links
/// with the host's token, the transaction carrying when the primary signed in again.
#[test]
fn redirect_mode_signs_the_primary_in_again_on_the_first_round_trip() {
    let mock = MockTransport::new();
    let config = config_with(|o| {
        o.reauthenticate = None;
        o.redirect_uri = Some("https://app.example.com/".into());
    });
    let mut d = Driver::new(TestEnv::new(NOW, 9), Box::new(|r| Ok(mock.send(r))), || {
        Ok(host_token())
    });
    d.given = alice();
    d.connection = Some("google-oauth2".into());
    d.auto_start = Some(Via::Redirect);
    d.run(LinkFlow::new(config.clone()), Event::Prepare);
    let first = d
        .navigated
        .take()
        .expect("left for the primary's sign-in again");
    assert_eq!(query_param(&first, "max_age").as_deref(), Some("600"));
    let stored = d.storage.clone().expect("stored");
    let txn = Transaction::restore(&stored).expect("readable");
    assert_eq!(
        txn.connection(),
        Some("google-oauth2"),
        "the chosen login waits"
    );

    // Back on a new page: the primary's answer; the page leaves again for the secondary.
    let body = json!({"id_token": primary_id_token(&first, &|_| {}), "access_token": fresh_token(), "token_type": "Bearer"});
    mock.expect(
        Method::Post,
        TOKEN_URL,
        None,
        HttpResponse::new(200, body.to_string()),
    );
    mock.expect(
        Method::Get,
        JWKS_URL,
        None,
        HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)])),
    );
    d.auto_start = None;
    let resume = returned(&first, stored);
    d.run(LinkFlow::new(config.clone()), resume);
    let second = d.navigated.take().expect("left for the secondary's login");
    assert_eq!(query_param(&second, "max_age"), None);
    assert_eq!(
        query_param(&second, "connection").as_deref(),
        Some("google-oauth2")
    );
    let stored = d.storage.clone().expect("stored again");
    let txn = Transaction::restore(&stored).expect("readable");
    assert_eq!(txn.reauthenticated_at(), Some(NOW - 30));
    assert!(!stored.contains(&fresh_token()), "no token is stored");

    // Back again: the secondary links with the host's token (the keys are in the page's
    // cache from the round trip before).
    let body = json!({"id_token": secondary_id_token(&second), "access_token": "opaque", "token_type": "Bearer"});
    mock.expect(
        Method::Post,
        TOKEN_URL,
        None,
        HttpResponse::new(200, body.to_string()),
    );
    mock.expect(
        Method::Post,
        LINK_URL,
        None,
        HttpResponse::new(201, linked()),
    );
    let resume = returned(&second, stored);
    d.run(LinkFlow::new(config), resume);
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(_)),
        "{:?}",
        d.debug_log
    );
    assert_eq!(mock.remaining(), 0);
}

#[test]
fn redirect_mode_refuses_a_secondary_return_without_the_sign_in_again() {
    let mock = MockTransport::new();
    let config = config_with(|o| {
        o.reauthenticate = None;
        o.redirect_uri = Some("https://app.example.com/".into());
    });
    // A secondary's transaction made with re-authentication off (or forged without it).
    let mut d = Driver::new(TestEnv::new(NOW, 9), Box::new(|r| Ok(mock.send(r))), || {
        Ok(host_token())
    });
    d.given = alice();
    d.connection = Some("google-oauth2".into());
    d.auto_start = Some(Via::Redirect);
    let off = config_with(|o| o.redirect_uri = Some("https://app.example.com/".into()));
    d.run(LinkFlow::new(off), Event::Prepare);
    let url = d.navigated.take().expect("left");
    let stored = d.storage.clone().expect("stored");
    d.auto_start = None;
    d.run(LinkFlow::new(config), returned(&url, stored));
    assert_eq!(failed(&d).0, ErrorCode::ReauthenticationFailed);
    assert!(
        d.requests.is_empty(),
        "nothing is exchanged: {:?}",
        d.requests
    );
}

#[test]
fn the_hosts_token_needs_only_to_read_when_the_sign_in_again_makes_the_change() {
    // A tenant that grants update:current_user_identities to recent sign-ins only: the
    // host's older token reads, the sign-in again's token links.
    let mock = MockTransport::new();
    let seen = Seen::default();
    let mut read_only = access_claims();
    read_only["scope"] = json!("openid profile email read:current_user");
    let host = access_token(&read_only);
    let (d, _) = run_with_host(&mock, &seen, &|_| {}, Some(fresh_token()), alice(), host);
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(_)),
        "{:?}",
        d.debug_log
    );
    let bearers = seen.bearers.borrow();
    let link = bearers
        .iter()
        .find(|(url, _)| url == LINK_URL)
        .expect("linked");
    assert_eq!(link.1, fresh_token());
    // Turned off, the same host token is refused before anything is sent.
    let mut read_only = access_claims();
    read_only["scope"] = json!("openid profile email read:current_user");
    let host = access_token(&read_only);
    let mut d = Driver::new(
        TestEnv::new(NOW, 7),
        Box::new(|r| Ok(mock.send(r))),
        move || Ok(host.clone()),
    );
    d.given = alice();
    d.run(LinkFlow::new(config()), Event::Prepare);
    assert_eq!(failed(&d).0, ErrorCode::InsufficientScope);
    assert!(d.requests.is_empty());
}
