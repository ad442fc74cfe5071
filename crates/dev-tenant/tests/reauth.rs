//! Signing in again as Auth0 does it: `max_age` against the session's age (set by a test
//! route), `auth_time` in the ID token, the login page naming the hinted user, and the
//! recent-sign-in rule a tenant can add (a post-login Action withholding the scopes that
//! change the user from an older sign-in).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn signed_in(t: &Tenant, identity: &str) -> String {
    t.signed_in(identity, &[]).await
}

/// The primary's sign-in again, as the widget asks it: `max_age`, hinted with the
/// primary's email, for the Management API.
fn again(t: &Tenant, max_age: &str) -> String {
    t.authorize_url(
        "alice@example.com",
        &[
            ("max_age", max_age),
            ("audience", API),
            (
                "scope",
                "openid profile email read:current_user update:current_user_identities",
            ),
        ],
    )
}

async fn age_sessions(t: &Tenant, seconds: u64) {
    let r = t
        .post_json("/test/session-age", None, &json!({ "seconds": seconds }))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
}

#[tokio::test]
async fn a_recent_session_answers_max_age_at_once_with_its_auth_time() {
    let t = tenant();
    let cookie = signed_in(&t, ALICE).await;
    age_sessions(&t, 120).await;
    let r = t.get_with(&again(&t, "600"), &[("cookie", &cookie)]).await;
    let code = r
        .location_param("code")
        .unwrap_or_else(|| panic!("no code: {}", r.text));
    let body = t.exchange_code(&code).await;
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(id["sub"], json!(ALICE));
    let auth_time = id["auth_time"].as_u64().expect("auth_time");
    let age = now() - auth_time;
    assert!(
        (119..=125).contains(&age),
        "the session's sign-in, not now: {age}"
    );
}

#[tokio::test]
async fn an_older_session_is_asked_for_credentials_naming_the_hinted_user() {
    let t = tenant();
    let cookie = signed_in(&t, ALICE).await;
    age_sessions(&t, 3600).await;
    let r = t.get_with(&again(&t, "600"), &[("cookie", &cookie)]).await;
    // No code at once (and the test tenant's login_hint shortcut does not answer max_age).
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.headers);
    assert!(
        r.text.contains("data-reauthenticate=\"true\""),
        "{}",
        r.text
    );
    assert!(r.text.contains("Confirm it's you") && r.text.contains("alice@example.com"));
    assert!(r
        .text
        .contains(&format!("data-identity=\"{ALICE}\" data-hinted=\"true\"")));
    // Signing in there gives a fresh auth_time.
    let tx = r
        .text
        .split("name=\"tx\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("tx")
        .to_owned();
    let r = t
        .post_form("/login", &[("tx", &tx), ("identity", ALICE)])
        .await;
    let code = r.location_param("code").expect("code");
    let body = t.exchange_code(&code).await;
    let id = claims(body["id_token"].as_str().expect("id_token"));
    assert!(now() - id["auth_time"].as_u64().expect("auth_time") <= 2);
    assert!(body["scope"]
        .as_str()
        .is_some_and(|s| s.contains("update:current_user_identities")));
}

#[tokio::test]
async fn session_age_takes_only_json() {
    let t = tenant();
    let r = t.post_form("/test/session-age", &[("seconds", "60")]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn the_recent_sign_in_rule_withholds_the_scopes_that_change_the_user() {
    let t = tenant();
    let r = t
        .post_json(
            "/test/require-recent-auth",
            None,
            &json!({ "max_age_seconds": 300 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let cookie = signed_in(&t, ALICE).await;
    let scope = "openid profile email offline_access read:current_user update:current_user_identities update:current_user_metadata";
    let ask = |t: &Tenant| {
        t.authorize_url("", &[("audience", API), ("scope", scope)])
            .replace("login_hint=&", "")
    };
    // A recent sign-in gets them.
    let r = t.get_with(&ask(&t), &[("cookie", &cookie)]).await;
    let fresh = t
        .exchange_code(&r.location_param("code").expect("code"))
        .await;
    let granted = fresh["scope"].as_str().expect("scope").to_owned();
    assert!(
        granted.contains("update:current_user_identities")
            && granted.contains("update:current_user_metadata")
    );
    // An older one (the same session, an hour later) does not, by code or by refresh.
    age_sessions(&t, 3600).await;
    let r = t.get_with(&ask(&t), &[("cookie", &cookie)]).await;
    let stale = t
        .exchange_code(&r.location_param("code").expect("code"))
        .await;
    let granted = stale["scope"].as_str().expect("scope");
    assert!(granted.contains("read:current_user"), "{granted}");
    assert!(!granted.contains("update:current_user"), "{granted}");
    let refreshed = t
        .post_form(
            "/oauth/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", SPA),
                (
                    "refresh_token",
                    fresh["refresh_token"].as_str().expect("refresh_token"),
                ),
            ],
        )
        .await
        .json();
    assert!(
        !refreshed["scope"]
            .as_str()
            .expect("scope")
            .contains("update:"),
        "{refreshed}"
    );
    // And the Management API refuses the link with that token.
    let token = stale["access_token"].as_str().expect("access_token");
    let link = t
        .post_json(
            &format!("/api/v2/users/{}/identities", urlencoding(ALICE)),
            Some(token),
            &json!({ "link_with": t.id_token(GITHUB).await }),
        )
        .await;
    link.assert_mgmt_error(
        403,
        Some("insufficient_scope"),
        "Insufficient scope, expected any of: update:users,update:current_user_identities",
    );
    // Turned off again: granted.
    t.post_json(
        "/test/require-recent-auth",
        None,
        &json!({ "max_age_seconds": null }),
    )
    .await;
    let r = t.get_with(&ask(&t), &[("cookie", &cookie)]).await;
    let again = t
        .exchange_code(&r.location_param("code").expect("code"))
        .await;
    assert!(again["scope"]
        .as_str()
        .expect("scope")
        .contains("update:current_user_identities"));
}

#[tokio::test]
async fn the_rule_can_be_set_when_the_tenant_starts() {
    let t = tenant_with(|c| c.require_recent_auth_secs = Some(0));
    let cookie = signed_in(&t, ALICE).await;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let url = t
        .authorize_url(
            "",
            &[
                ("audience", API),
                (
                    "scope",
                    "openid read:current_user update:current_user_identities",
                ),
            ],
        )
        .replace("login_hint=&", "");
    let r = t.get_with(&url, &[("cookie", &cookie)]).await;
    let body = t
        .exchange_code(&r.location_param("code").expect("code"))
        .await;
    assert_eq!(body["scope"], json!("openid read:current_user"));
}

fn urlencoding(s: &str) -> String {
    s.replace('|', "%7C")
}
