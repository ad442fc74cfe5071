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

/// Alice's Management API token with `read:current_user` only (no right to link).
async fn read_only_token(t: &Tenant) -> String {
    t.login(
        ALICE,
        &[("audience", API), ("scope", "openid read:current_user")],
    )
    .await["access_token"]
        .as_str()
        .expect("at")
        .to_owned()
}

/// Auth0's 403 message (`unowned_resource`) when the path's user is not the token's `sub`.
const NOT_THE_SUBJECT: &str = "User to be acted on does not match subject in bearer token.";

/// The refusal of an ID token whose `kid` names no published key (or that has none).
/// axum's reason for a path segment that is not UTF-8, in the tenant's 400 body.
const PATH_ERROR: &str = "Path validation error: Invalid UTF-8 in `id`";
const NO_KEY: &str = "no signing key of this tenant matches the token's kid";

/// The number of identities the user has, read with the back end's token.
async fn identity_count(t: &Tenant, id: &str) -> usize {
    let admin = t.backend_token().await;
    get_user(t, id, &admin).await.json()["identities"]
        .as_array()
        .map_or(0, Vec::len)
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
        .assert_mgmt_error(401, None, "Missing authentication");
    // A header that is not `Bearer <token>` is malformed: 400, not 401.
    for value in [
        "Basic abc",
        "Bearer ",
        "Bearer a b",
        "bearer abc",
        "Bearerabc",
    ] {
        t.get_with(&user_uri(ALICE), &[("authorization", value)])
            .await
            .assert_mgmt_error(400, None, "Bad HTTP authentication header format");
    }
    t.get_with(&user_uri(ALICE), &[("authorization", "Bearer not.a.jwt")])
        .await
        .assert_mgmt_error(401, None, "Invalid token");
    let expired = sign_with_tenant_key(
        &json!({"iss": ISS, "sub": ALICE, "aud": API, "azp": SPA, "scope": "read:current_user", "iat": now() - 7200, "exp": now() - 3600}),
    );
    get_user(&t, ALICE, &expired).await.assert_mgmt_error(
        401,
        None,
        "Expired token received for JSON Web Token validation",
    );
    let foreign = sign_with_tenant_key(
        &json!({"iss": "https://other.example/", "sub": ALICE, "aud": API, "scope": "read:current_user", "iat": now(), "exp": now() + 60}),
    );
    get_user(&t, ALICE, &foreign)
        .await
        .assert_mgmt_error(401, None, "Invalid token");
    let other_api = sign_with_tenant_key(
        &json!({"iss": ISS, "sub": ALICE, "aud": "https://api.example/", "scope": "read:current_user", "iat": now(), "exp": now() + 60}),
    );
    get_user(&t, ALICE, &other_api).await.assert_mgmt_error(
        401,
        None,
        "Bad audience: https://api.example/",
    );
}

#[tokio::test]
async fn id_token_as_bearer_is_the_deprecated_flow() {
    let t = tenant();
    let id_token = t.id_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, ALICE, &id_token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(401, None, &format!("Bad audience: {SPA}"));
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
        Some("unowned_resource"),
        NOT_THE_SUBJECT,
    );
    let no_scope = t
        .login(ALICE, &[("audience", API), ("scope", "openid")])
        .await["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    get_user(&t, ALICE, &no_scope).await.assert_mgmt_error(
        403,
        Some("insufficient_scope"),
        "Insufficient scope, expected any of: read:users,read:current_user",
    );
    let admin = t.backend_token().await;
    assert_eq!(
        get_user(&t, "auth0|bob", &admin).await.status,
        StatusCode::OK
    );
    get_user(&t, "auth0|nobody", &admin)
        .await
        .assert_mgmt_error(404, Some("inexistent_user"), "The user does not exist.");
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
    r.assert_mgmt_error(
        403,
        Some("insufficient_scope"),
        "Insufficient scope, expected any of: update:users",
    );
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
    .assert_mgmt_error(
        400,
        Some("invalid_body"),
        "Payload validation error: link_with cannot be combined with provider, user_id or connection_id",
    );
    link(&t, ALICE, &token, json!({}))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_body"),
            "Payload validation error: 'Missing required property: link_with' (or provider and user_id with update:users)",
        );
    link(
        &t,
        ALICE,
        &token,
        json!({"link_with": secondary, "extra": 1}),
    )
    .await
    .assert_mgmt_error(
        400,
        Some("invalid_body"),
        "Payload validation error: 'Additional properties not allowed: extra'",
    );
    link(&t, ALICE, &token, json!({"link_with": 42}))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_body"),
            "Payload validation error: 'Expected type string' on property link_with",
        );
    link(&t, ALICE, &token, json!(["link_with"]))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_body"),
            "Payload validation error: 'Expected type object'",
        );
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "application/json",
        "{nope".into(),
    )
    .await
    .assert_mgmt_error(
        400,
        Some("invalid_body"),
        "Invalid request payload JSON format",
    );
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "text/plain",
        "{}".into(),
    )
    .await
    .assert_mgmt_error(415, None, "Content-Type must be application/json");
    t.post_raw(
        &identities_uri(ALICE),
        Some(&token),
        "application/json",
        format!("{{\"link_with\":\"{}\"}}", "x".repeat(100_000)),
    )
    .await
    .assert_mgmt_error(
        413,
        None,
        "Payload content length greater than maximum allowed: 65536",
    );
}

#[tokio::test]
async fn path_must_be_the_token_subject() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, "auth0|bob", &token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(403, Some("unowned_resource"), NOT_THE_SUBJECT);
}

#[tokio::test]
async fn link_with_must_be_a_valid_rs256_token_of_this_tenant() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    for (switch, message) in [
        (
            "id_token_alg_none",
            "invalid algorithm none: only RS256 is accepted",
        ),
        (
            "id_token_hs256",
            "invalid algorithm HS256: only RS256 is accepted",
        ),
        ("id_token_bad_signature", "invalid signature"),
        ("id_token_expired", "jwt expired"),
        ("id_token_wrong_iss", "invalid issuer"),
        ("id_token_unknown_kid", NO_KEY),
        // Without `kid` the token cannot name one of the published keys.
        ("id_token_no_kid", NO_KEY),
    ] {
        t.arm(switch, json!({})).await;
        let secondary = t.id_token(GOOGLE).await;
        link(&t, ALICE, &token, json!({"link_with": secondary}))
            .await
            .assert_mgmt_error(
                400,
                Some("invalid_token"),
                &format!("Unable to verify link_with: {message}"),
            );
    }
    link(&t, ALICE, &token, json!({"link_with": "garbage"}))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_token"),
            "Unable to verify link_with: jwt malformed",
        );
    assert_eq!(identity_count(&t, ALICE).await, 1, "nothing was linked");
}

#[tokio::test]
async fn link_with_aud_must_equal_the_access_token_azp() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.arm("id_token_wrong_aud", json!({})).await;
    let secondary = t.id_token(GOOGLE).await;
    link(&t, ALICE, &token, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_token"),
            &format!("The link_with token's aud (other-spa-client) must match the azp of the access token ({SPA})"),
        );
}

#[tokio::test]
async fn same_account_is_refused() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let same = t.id_token(ALICE).await;
    link(&t, ALICE, &token, json!({"link_with": same}))
        .await
        .assert_mgmt_error(400, None, "Main identity and the new one are the same.");
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
        .assert_mgmt_error(
            409,
            Some("identity_conflict"),
            "The identity is already linked to this user.",
        );
    // Bob tries to take it over.
    let bob = t.user_token("auth0|bob").await;
    link(&t, "auth0|bob", &bob, json!({"link_with": secondary}))
        .await
        .assert_mgmt_error(
            409,
            Some("identity_conflict"),
            "The identity is already linked to another user.",
        );
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
    r.assert_mgmt_error(
        400,
        None,
        "connection_id does not match the secondary user's connection",
    );
    let r = link(&t, ALICE, &admin, json!({"provider": "auth0", "user_id": "carol", "connection_id": "con_UsernamePasswordAuthentication"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // `link_with` with `update:users` follows the same rule as the user flow: the ID
    // token's aud must be the caller's client (the SPA's token is not the back end's).
    let spa_id_token = t.id_token(GOOGLE).await;
    link(&t, "auth0|bob", &admin, json!({"link_with": spa_id_token}))
        .await
        .assert_mgmt_error(
            400,
            Some("invalid_token"),
            "The link_with token's aud (demo-spa-client) must match the azp of the access token (demo-backend)",
        );
    assert_eq!(identity_count(&t, "auth0|bob").await, 1);
    let backend_id_token = sign_with_tenant_key(
        &json!({"iss": ISS, "sub": GOOGLE, "aud": "demo-backend", "iat": now(), "exp": now() + 60}),
    );
    let r = link(
        &t,
        "auth0|bob",
        &admin,
        json!({"link_with": backend_id_token}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
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
    .assert_mgmt_error(
        400,
        Some("inexistent_user"),
        "Secondary user does not exist.",
    );
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
        .assert_mgmt_error(
            400,
            Some("operation_not_supported"),
            "Main identity cannot be removed.",
        );
    t.delete(&format!("{}/github/4242", identities_uri(ALICE)), &token)
        .await
        .assert_mgmt_error(
            404,
            Some("inexistent_identity"),
            "The identity does not exist for this user.",
        );
    t.delete(
        &format!("{}/github/4242", identities_uri("auth0|bob")),
        &token,
    )
    .await
    .assert_mgmt_error(403, Some("unowned_resource"), NOT_THE_SUBJECT);
    let read_only = read_only_token(&t).await;
    t.delete(
        &format!("{}/github/4242", identities_uri(ALICE)),
        &read_only,
    )
    .await
    .assert_mgmt_error(
        403,
        Some("insufficient_scope"),
        "Insufficient scope, expected any of: update:users,update:current_user_identities",
    );
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
    r.assert_mgmt_error(
        429,
        Some("too_many_requests"),
        "Global limit has been reached",
    );
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
        .assert_mgmt_error(500, None, "Internal error (test switch)");
    t.arm("mgmt_rate_limited", json!({})).await;
    let r = get_user(&t, ALICE, &token).await;
    r.assert_mgmt_error(
        429,
        Some("too_many_requests"),
        "Global limit has been reached",
    );
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
    .assert_mgmt_error(400, Some("invalid_uri"), PATH_ERROR);
    let r = t.get("/api/v2/clients").await;
    r.assert_mgmt_error(404, None, "Not Found");
    assert!(
        r.header("x-ratelimit-remaining").is_some(),
        "{:?}",
        r.headers
    );
    // Outside the Management API, the tenant's own 404.
    t.get("/nothing-here")
        .await
        .assert_mgmt_error(404, None, "Not Found");
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

#[tokio::test]
async fn a_secondary_with_linked_identities_brings_them_to_the_primary() {
    let t = tenant();
    // Bob's back end links GitHub to Bob; signing in with GitHub now signs Bob in.
    let admin = t.backend_token().await;
    let r = link(
        &t,
        "auth0|bob",
        &admin,
        json!({"provider": "github", "user_id": "4242"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let bob = t.id_token(GITHUB).await;
    assert_eq!(claims(&bob)["sub"], json!("auth0|bob"));
    // Alice links Bob: Bob's own identity and GitHub both move to Alice, as Auth0 does.
    let token = t.user_token(ALICE).await;
    let r = link(&t, ALICE, &token, json!({"link_with": bob})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let keys: Vec<String> = r
        .json()
        .as_array()
        .expect("identities")
        .iter()
        .map(|i| format!("{}|{}", i["provider"].as_str().unwrap_or(""), i["user_id"]))
        .collect();
    assert_eq!(
        keys,
        vec!["auth0|\"alice\"", "auth0|\"bob\"", "github|\"4242\""]
    );
    assert_eq!(
        get_user(&t, "auth0|bob", &admin).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(claims(&t.id_token(GITHUB).await)["sub"], json!(ALICE));
}

#[tokio::test]
async fn the_scope_is_checked_before_the_body() {
    let t = tenant();
    let read_only = read_only_token(&t).await;
    let expected =
        "Insufficient scope, expected any of: update:users,update:current_user_identities";
    for (content_type, body) in [
        ("application/json", "{nope".to_owned()),
        ("text/plain", "{}".to_owned()),
        ("application/json", "x".repeat(100_000)),
    ] {
        t.post_raw(&identities_uri(ALICE), Some(&read_only), content_type, body)
            .await
            .assert_mgmt_error(403, Some("insufficient_scope"), expected);
    }
}

#[tokio::test]
async fn every_management_response_states_the_rate_limit() {
    let t = tenant_with(|c| c.rate_limit_per_minute = 50);
    let token = t.user_token(ALICE).await;
    let bearer = format!("Bearer {token}");
    let replies = [
        ("no Authorization", t.get(&user_uri(ALICE)).await),
        (
            "malformed Authorization",
            t.get_with(&user_uri(ALICE), &[("authorization", "Basic x")])
                .await,
        ),
        (
            "invalid token",
            t.get_with(&user_uri(ALICE), &[("authorization", "Bearer x.y.z")])
                .await,
        ),
        (
            "another user",
            t.get_with(&user_uri("auth0|bob"), &[("authorization", &bearer)])
                .await,
        ),
        (
            "bad body",
            t.post_raw(
                &identities_uri(ALICE),
                Some(&token),
                "application/json",
                "{".into(),
            )
            .await,
        ),
        (
            "too large",
            t.post_raw(
                &identities_uri(ALICE),
                Some(&token),
                "application/json",
                "x".repeat(100_000),
            )
            .await,
        ),
        (
            "unknown identity",
            t.delete(&format!("{}/github/1", identities_uri(ALICE)), &token)
                .await,
        ),
        (
            "success",
            t.get_with(&user_uri(ALICE), &[("authorization", &bearer)])
                .await,
        ),
    ];
    for (what, r) in &replies {
        let limit = r.header("x-ratelimit-limit");
        let remaining = r.header("x-ratelimit-remaining").map(str::parse::<u32>);
        let reset = r.header("x-ratelimit-reset").map(str::parse::<u64>);
        assert_eq!(limit, Some("50"), "{what}: {:?}", r.headers);
        assert!(matches!(remaining, Some(Ok(n)) if n < 50), "{what}");
        assert!(
            matches!(reset, Some(Ok(at)) if at > now() && at <= now() + 60),
            "{what}"
        );
    }
    // Requests without a usable token share one window; Alice's are counted apart.
    let remaining = |i: usize| {
        replies[i]
            .1
            .header("x-ratelimit-remaining")
            .map(str::to_owned)
    };
    assert_eq!(remaining(0).as_deref(), Some("49"));
    assert_eq!(remaining(2).as_deref(), Some("47"));
    assert_eq!(remaining(3).as_deref(), Some("49"));
    assert_eq!(remaining(7).as_deref(), Some("45"));
}

#[tokio::test]
async fn the_test_mode_429_states_its_own_window() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.arm("mgmt_rate_limited", json!({})).await;
    let r = get_user(&t, ALICE, &token).await;
    r.assert_mgmt_error(
        429,
        Some("too_many_requests"),
        "Global limit has been reached",
    );
    let retry_after: u64 = r
        .header("retry-after")
        .expect("retry-after")
        .parse()
        .expect("n");
    let reset: u64 = r
        .header("x-ratelimit-reset")
        .expect("reset")
        .parse()
        .expect("n");
    assert_eq!(retry_after, 2);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        reset.abs_diff(now() + retry_after) <= 1,
        "reset {reset} agrees with retry-after {retry_after}"
    );
}

#[tokio::test]
async fn unlink_of_an_identity_the_user_does_not_have_is_404() {
    // The tenant's choice (Auth0 documents 400/401/403/429 for this route): the user and
    // the path are fine, the identity is not there.
    let t = tenant();
    let token = t.user_token(ALICE).await;
    t.delete(
        &format!(
            "{}/google-oauth2/100000000000000000001",
            identities_uri(ALICE)
        ),
        &token,
    )
    .await
    .assert_mgmt_error(
        404,
        Some("inexistent_identity"),
        "The identity does not exist for this user.",
    );
    assert_eq!(identity_count(&t, ALICE).await, 1);
}
