//! The Management API subset: both linking flows, the deprecated one refused and logged,
//! unlink, rate limits, CORS, switches and bad input.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

fn user_uri(id: &str) -> String {
    format!("/api/v2/users/{}", id.replace('|', "%7C"))
}

fn identities_uri(id: &str) -> String {
    format!("{}/identities", user_uri(id))
}

async fn get_user(t: &Tenant, id: &str, token: &str) -> Reply {
    t.get_with(
        &user_uri(id),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
}

async fn link(t: &Tenant, primary: &str, token: &str, body: Value) -> Reply {
    t.post_json(&identities_uri(primary), Some(token), &body)
        .await
}

async fn deprecated_log(t: &Tenant) -> Vec<String> {
    serde_json::from_value(t.get("/test/deprecated-log").await.json()).expect("log")
}

#[tokio::test]
async fn get_own_user() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let r = get_user(&t, ALICE, &token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let user = r.json();
    assert_eq!(user["user_id"], json!(ALICE));
    assert_eq!(
        user["identities"],
        json!([{"connection": "Username-Password-Authentication", "user_id": "alice", "provider": "auth0", "isSocial": false}])
    );
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(r.header(h).is_some(), "{h}");
    }
}

#[tokio::test]
async fn authentication_refusals() {
    let t = tenant();
    t.get(&user_uri(ALICE))
        .await
        .assert_mgmt_error(401, "Missing authentication");
    t.get_with(&user_uri(ALICE), &[("authorization", "Basic abc")])
        .await
        .assert_mgmt_error(401, "Bad HTTP authentication header format");
    t.get_with(&user_uri(ALICE), &[("authorization", "Bearer not.a.jwt")])
        .await
        .assert_mgmt_error(401, "Invalid token");
    let expired = sign_with_tenant_key(
        &json!({"iss": ISS, "sub": ALICE, "aud": API, "azp": SPA, "scope": "read:current_user", "iat": now() - 7200, "exp": now() - 3600}),
    );
    get_user(&t, ALICE, &expired)
        .await
        .assert_mgmt_error(401, "Expired token");
    let foreign = sign_with_tenant_key(
        &json!({"iss": "https://other.example/", "sub": ALICE, "aud": API, "scope": "read:current_user", "iat": now(), "exp": now() + 60}),
    );
    get_user(&t, ALICE, &foreign)
        .await
        .assert_mgmt_error(401, "Invalid token");
    let other_api = sign_with_tenant_key(
        &json!({"iss": ISS, "sub": ALICE, "aud": "https://api.example/", "scope": "read:current_user", "iat": now(), "exp": now() + 60}),
    );
    get_user(&t, ALICE, &other_api)
        .await
        .assert_mgmt_error(401, "Bad audience");
}

#[tokio::test]
async fn id_token_as_bearer_is_the_deprecated_flow() {
    let t = tenant();
    let id_token = t.id_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, ALICE, &id_token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(401, "Bad audience");
    let log = deprecated_log(&t).await;
    assert_eq!(log.len(), 1);
    assert!(
        log[0].contains("ID token was sent as the bearer") && log[0].contains("link_with"),
        "{}",
        log[0]
    );
}

#[tokio::test]
async fn scope_and_subject_checks_on_read() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    get_user(&t, "auth0|bob", &token).await.assert_mgmt_error(
        403,
        "user to be acted on does not match subject in bearer token",
    );
    let no_scope = t
        .login(ALICE, &[("audience", API), ("scope", "openid")])
        .await["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    get_user(&t, ALICE, &no_scope)
        .await
        .assert_mgmt_error(403, "Insufficient scope");
    let admin = t.backend_token().await;
    assert_eq!(
        get_user(&t, "auth0|bob", &admin).await.status,
        StatusCode::OK
    );
    get_user(&t, "auth0|nobody", &admin)
        .await
        .assert_mgmt_error(404, "The user does not exist.");
}

#[tokio::test]
async fn client_side_link_succeeds_and_changes_logins() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    let r = link(&t, ALICE, &token, json!({"link_with": secondary})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let ids = r.json();
    assert_eq!(ids.as_array().map(Vec::len), Some(2));
    assert_eq!(ids[1]["provider"], json!("google-oauth2"));
    assert_eq!(ids[1]["user_id"], json!("100000000000000000001"));
    assert_eq!(ids[1]["isSocial"], json!(true));
    assert_eq!(
        ids[1]["profileData"]["email"],
        json!("alice.example@gmail.test")
    );
    // Signing in with the linked identity now signs in the primary user.
    assert_eq!(claims(&t.id_token(GOOGLE).await)["sub"], json!(ALICE));
    // The secondary no longer exists on its own.
    let admin = t.backend_token().await;
    assert_eq!(
        get_user(&t, GOOGLE, &admin).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn deprecated_user_id_provider_with_user_token_is_refused_and_logged() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let r = link(
        &t,
        ALICE,
        &token,
        json!({"provider": "google-oauth2", "user_id": "100000000000000000001"}),
    )
    .await;
    r.assert_mgmt_error(403, "Insufficient scope, expected any of: update:users");
    let log = deprecated_log(&t).await;
    assert!(
        log.iter().any(
            |l| l.contains("provider/user_id sent with a user-scoped token")
                && l.contains("link_with")
        ),
        "{log:?}"
    );
    // Nothing was linked.
    assert_eq!(
        get_user(&t, ALICE, &token).await.json()["identities"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn body_shape_refusals() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    link(
        &t,
        ALICE,
        &token,
        json!({"link_with": secondary, "user_id": "x"}),
    )
    .await
    .assert_mgmt_error(400, "cannot be combined");
    link(&t, ALICE, &token, json!({}))
        .await
        .assert_mgmt_error(400, "Missing required property: link_with");
    link(
        &t,
        ALICE,
        &token,
        json!({"link_with": secondary, "extra": 1}),
    )
    .await
    .assert_mgmt_error(400, "Additional properties not allowed: extra");
    link(&t, ALICE, &token, json!({"link_with": 42}))
        .await
        .assert_mgmt_error(400, "Expected type string");
    link(&t, ALICE, &token, json!(["link_with"]))
        .await
        .assert_mgmt_error(400, "Expected type object");
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "application/json",
        "{nope".into(),
    )
    .await
    .assert_mgmt_error(400, "Invalid request payload JSON format");
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "text/plain",
        "{}".into(),
    )
    .await
    .assert_mgmt_error(415, "application/json");
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "application/json",
        format!("{{\"link_with\":\"{}\"}}", "x".repeat(100_000)),
    )
    .await
    .assert_mgmt_error(413, "Payload content length");
}

#[tokio::test]
async fn path_must_be_the_token_subject() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, "auth0|bob", &token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(
            403,
            "user to be acted on does not match subject in bearer token",
        );
}

#[tokio::test]
async fn link_with_must_be_a_valid_rs256_token_of_this_tenant() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    for (switch, message) in [
        ("id_token_alg_none", "invalid algorithm"),
        ("id_token_hs256", "invalid algorithm"),
        ("id_token_bad_signature", "invalid signature"),
        ("id_token_expired", "jwt expired"),
        ("id_token_wrong_iss", "invalid issuer"),
        ("id_token_unknown_kid", "kid"),
    ] {
        t.arm(switch, json!({})).await;
        let secondary = t.id_token(GOOGLE).await;
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .assert_mgmt_error(400, message);
    }
    link(&t, ALICE, &token, json!({"link_with": "garbage"}))
        .await
        .assert_mgmt_error(400, "jwt malformed");
}

#[tokio::test]
async fn link_with_aud_must_equal_the_access_token_azp() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.arm("id_token_wrong_aud", json!({})).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, ALICE, &token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(400, "must match the azp");
}

#[tokio::test]
async fn same_account_is_refused() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let same = t.id_token(ALICE).await;
    link(&t, ALICE, &token, json!({"link_with": same}))
        .await
        .assert_mgmt_error(400, "Main identity and the new one are the same.");
}

#[tokio::test]
async fn already_linked_is_409() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    assert_eq!(
        link(&t, ALICE, &token, json!({"link_with": secondary.clone()}))
            .await
            .status,
        StatusCode::CREATED
    );
    // The same (still valid) ID token again: its sub is now an identity of Alice.
    link(&t, ALICE, &token, json!({"link_with": secondary.clone()}))
        .await
        .assert_mgmt_error(409, "already linked to this user");
    // Bob tries to take it over.
    let bob = t.user_token("auth0|bob").await;
    link(&t, "auth0|bob", &bob, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(409, "linked to another user");
}

#[tokio::test]
async fn server_side_flow_with_update_users() {
    let t = tenant();
    let admin = t.backend_token().await;
    let r = link(
        &t,
        ALICE,
        &admin,
        json!({"provider": "github", "user_id": "4242"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = link(
        &t,
        ALICE,
        &admin,
        json!({"provider": "auth0", "user_id": "carol", "connection_id": "con_wrong"}),
    )
    .await;
    r.assert_mgmt_error(400, "connection_id");
    let r = link(&t, ALICE, &admin, json!({"provider": "auth0", "user_id": "carol", "connection_id": "con_UsernamePasswordAuthentication"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secondary = t.id_token(GOOGLE).await;
    assert_eq!(
        link(&t, "auth0|bob", &admin, json!({"link_with": secondary}))
            .await
            .status,
        StatusCode::CREATED
    );
    assert!(
        deprecated_log(&t).await.is_empty(),
        "the server-side flow is not deprecated"
    );
    link(
        &t,
        ALICE,
        &admin,
        json!({"provider": "github", "user_id": "nope"}),
    )
    .await
    .assert_mgmt_error(400, "Secondary user does not exist");
}

#[tokio::test]
async fn unlink_returns_the_rest_and_restores_the_user() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    assert_eq!(
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .status,
        StatusCode::CREATED
    );
    let r = t
        .delete(
            &format!(
                "{}/google-oauth2/100000000000000000001",
                identities_uri(ALICE)
            ),
            &token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json().as_array().map(Vec::len), Some(1));
    let admin = t.backend_token().await;
    let restored = get_user(&t, GOOGLE, &admin).await;
    assert_eq!(restored.status, StatusCode::OK);
    assert_eq!(restored.json()["email"], json!("alice.example@gmail.test"));
    assert_eq!(claims(&t.id_token(GOOGLE).await)["sub"], json!(GOOGLE));
}

#[tokio::test]
async fn unlink_refusals() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.delete(&format!("{}/auth0/alice", identities_uri(ALICE)), &token)
        .await
        .assert_mgmt_error(400, "Main identity cannot be removed");
    t.delete(&format!("{}/github/4242", identities_uri(ALICE)), &token)
        .await
        .assert_mgmt_error(404, "identity does not exist");
    t.delete(
        &format!("{}/github/4242", identities_uri("auth0|bob")),
        &token,
    )
    .await
    .assert_mgmt_error(403, "does not match subject");
    let read_only = t
        .login(
            ALICE,
            &[("audience", API), ("scope", "openid read:current_user")],
        )
        .await["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    t.delete(
        &format!("{}/github/4242", identities_uri(ALICE)),
        &read_only,
    )
    .await
    .assert_mgmt_error(403, "Insufficient scope");
}

#[tokio::test]
async fn rate_limit_per_user() {
    let t = tenant_with(|c| c.rate_limit_per_minute = 2);
    let token = t.user_token(ALICE).await;
    assert_eq!(
        get_user(&t, ALICE, &token)
            .await
            .header("x-ratelimit-remaining"),
        Some("1")
    );
    assert_eq!(get_user(&t, ALICE, &token).await.status, StatusCode::OK);
    let r = get_user(&t, ALICE, &token).await;
    r.assert_mgmt_error(429, "Global limit has been reached");
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(r
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|s| s <= 60));
    assert!(r.header("x-ratelimit-reset").is_some());
    // Another user has their own window.
    let bob = t.user_token("auth0|bob").await;
    assert_eq!(get_user(&t, "auth0|bob", &bob).await.status, StatusCode::OK);
}

#[tokio::test]
async fn management_switches() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.arm("mgmt_server_error", json!({"route": "link"})).await;
    assert_eq!(
        get_user(&t, ALICE, &token).await.status,
        StatusCode::OK,
        "route-scoped switch leaves GET alone"
    );
    let secondary = t.id_token(GOOGLE).await;
    link(&t, ALICE, &token, json!({"link_with": secondary.clone()}))
        .await
        .assert_mgmt_error(500, "Internal");
    t.arm("mgmt_rate_limited", json!({})).await;
    let r = get_user(&t, ALICE, &token).await;
    r.assert_mgmt_error(429, "Global limit");
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .status,
        StatusCode::CREATED,
        "switches are one-shot"
    );
    let log: Value = t.get("/test/mgmt-log").await.json();
    let entries: Vec<String> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|e| format!("{} {}", e["method"].as_str().unwrap_or(""), e["status"]))
        .collect();
    assert_eq!(entries, vec!["GET 200", "POST 500", "GET 429", "POST 201"]);
}

#[tokio::test]
async fn cors_only_for_allowed_web_origins() {
    let t = tenant();
    let preflight = |origin: &'static str| {
        Request::options(identities_uri(ALICE))
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .body(Body::empty())
            .expect("req")
    };
    let ok = t.send(preflight(APP_ORIGIN)).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP_ORIGIN));
    assert!(ok
        .header("access-control-allow-headers")
        .is_some_and(|h| h.contains("Authorization")));
    let bad = t.send(preflight("http://evil.example")).await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert!(bad.header("access-control-allow-origin").is_none());
    let token = t.user_token(ALICE).await;
    let r = t
        .get_with(
            &user_uri(ALICE),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("origin", APP_ORIGIN),
            ],
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some(APP_ORIGIN));
    assert!(r
        .header("access-control-expose-headers")
        .is_some_and(|h| h.contains("x-ratelimit-reset") && h.contains("retry-after")));
    let r = t
        .get_with(
            &user_uri(ALICE),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("origin", "http://evil.example"),
            ],
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn reset_restores_the_fixtures() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    assert_eq!(
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .status,
        StatusCode::CREATED
    );
    t.arm("mgmt_server_error", json!({})).await;
    assert_eq!(
        t.post_json("/test/reset", None, &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    let token = t.user_token(ALICE).await;
    assert_eq!(
        get_user(&t, ALICE, &token).await.json()["identities"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn malformed_paths_and_unknown_routes_get_auth0_bodies() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.get_with(
        "/api/v2/users/%FF%FE",
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await
    .assert_mgmt_error(400, "Path validation error");
    t.get("/api/v2/clients")
        .await
        .assert_mgmt_error(404, "Not Found");
}

#[tokio::test]
async fn a_session_follows_its_identity_into_the_primary() {
    let t = tenant();
    // Sign in with Google through the login page: the session is Google's.
    let tx = t.login_page_tx(&[("connection", "google-oauth2")]).await;
    let r = t
        .post_form("/login", &[("tx", &tx), ("identity", GOOGLE)])
        .await;
    let cookie = r
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    // Alice links Google.
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    assert_eq!(
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .status,
        StatusCode::CREATED
    );
    // The Google session now signs Alice in silently.
    let url = t
        .authorize_url("", &[("prompt", "none")])
        .replace("login_hint=&", "");
    let silent = t.get_with(&url, &[("cookie", &cookie)]).await;
    let code = silent.location_param("code").expect("code");
    let body = t.exchange_code(&code).await;
    assert_eq!(
        claims(body["id_token"].as_str().expect("id_token"))["sub"],
        json!(ALICE)
    );
}
