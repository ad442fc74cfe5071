//! The OIDC provider: every endpoint and every refusal, in memory.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn discovery_and_jwks() {
    let t = tenant();
    let d = t.get("/.well-known/openid-configuration").await.json();
    assert_eq!(d["issuer"], json!(ISS));
    assert_eq!(d["token_endpoint"], json!(format!("{ISS}oauth/token")));
    assert_eq!(
        d["response_modes_supported"],
        json!(["query", "web_message"])
    );
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    let jwks = t.get("/.well-known/jwks.json").await;
    assert_eq!(jwks.header("access-control-allow-origin"), Some("*"));
    let keys = jwks.json()["keys"].as_array().expect("keys").clone();
    assert_eq!(keys.len(), 2, "current and next key are published");
    assert!(keys
        .iter()
        .all(|k| k["kty"] == "RSA" && k["alg"] == "RS256" && k["use"] == "sig"));
}

#[tokio::test]
async fn key_rotation_changes_the_signing_key() {
    let t = tenant();
    let before = header_of(&t.id_token(ALICE).await)["kid"].clone();
    let r = t.post_json("/test/rotate-keys", None, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let after = header_of(&t.id_token(ALICE).await)["kid"].clone();
    assert_ne!(before, after);
    let kids: Vec<_> = t.get("/.well-known/jwks.json").await.json()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert!(kids.contains(&after));
}

#[tokio::test]
async fn code_flow_issues_a_complete_id_token() {
    let t = tenant();
    let body = t.login(GOOGLE, &[]).await;
    assert_eq!(body["token_type"], json!("Bearer"));
    let c = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(c["iss"], json!(ISS));
    assert_eq!(c["sub"], json!(GOOGLE));
    assert_eq!(c["aud"], json!(SPA));
    assert_eq!(c["nonce"], json!("n0nce"));
    assert_eq!(c["email_verified"], json!(true));
    for k in ["exp", "iat", "auth_time", "email", "name", "picture"] {
        assert!(!c[k].is_null(), "missing {k}");
    }
    assert_eq!(
        header_of(body["id_token"].as_str().expect("id")).get("alg"),
        Some(&json!("RS256"))
    );
}

#[tokio::test]
async fn management_audience_gets_a_user_scoped_jwt() {
    let t = tenant();
    let token = t.user_token(ALICE).await;
    let c = claims(&token);
    assert_eq!(c["sub"], json!(ALICE));
    assert_eq!(c["azp"], json!(SPA));
    assert_eq!(c["aud"], json!([API, format!("{ISS}userinfo")]));
    assert_eq!(
        c["scope"],
        json!("openid profile email read:current_user update:current_user_identities")
    );
}

#[tokio::test]
async fn user_tokens_never_get_admin_scopes() {
    let t = tenant();
    let body = t
        .login(
            ALICE,
            &[
                ("audience", API),
                (
                    "scope",
                    "openid update:users read:users update:current_user_identities",
                ),
            ],
        )
        .await;
    assert_eq!(
        claims(body["access_token"].as_str().expect("at"))["scope"],
        json!("openid update:current_user_identities")
    );
}

#[tokio::test]
async fn authorize_unknown_client_gets_an_error_page_not_a_redirect() {
    let t = tenant();
    let r = t
        .get(
            &t.authorize_url(ALICE, &[])
                .replace("demo-spa-client", "nope"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.header("location").is_none());
    assert!(r.text.contains("Unknown client"));
}

#[tokio::test]
async fn authorize_redirect_uri_must_match_exactly() {
    let t = tenant();
    for bad in [
        "http://127.0.0.1:5173/callback.html?x=1",
        "http://127.0.0.1:5173/other",
        "http://evil.example/callback.html",
        "http://127.0.0.1:5173",
    ] {
        let url = t.authorize_url(ALICE, &[]).replace(
            &serde_urlencoded::to_string([("r", CALLBACK)]).expect("q")[2..],
            &serde_urlencoded::to_string([("r", bad)]).expect("q")[2..],
        );
        let r = t.get(&url).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.header("location").is_none(),
            "{bad}: never redirect to an unregistered URI"
        );
    }
}

#[tokio::test]
async fn authorize_unsupported_response_mode_is_an_error_page() {
    let t = tenant();
    let r = t
        .get(&t.authorize_url(ALICE, &[("response_mode", "form_post")]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.header("location").is_none());
}

async fn error_back(t: &Tenant, url: String) -> (String, String) {
    let r = t.get(&url).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert_eq!(r.location_param("state").as_deref(), Some("st4te"));
    assert!(r.location_param("code").is_none());
    (
        r.location_param("error").expect("error"),
        r.location_param("error_description").unwrap_or_default(),
    )
}

#[tokio::test]
async fn authorize_refusals_go_back_to_the_client() {
    let t = tenant();
    let base = t.authorize_url(ALICE, &[]);
    let cases = [
        (
            base.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            base.replace(&format!("code_challenge={CHALLENGE}&"), ""),
            "invalid_request",
        ),
        (
            base.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (base.replace(CHALLENGE, "short"), "invalid_request"),
        (
            t.authorize_url(ALICE, &[("connection", "myspace")]),
            "invalid_request",
        ),
        (
            t.authorize_url(ALICE, &[("audience", "https://api.example.com/")]),
            "access_denied",
        ),
        (
            t.authorize_url(ALICE, &[("max_age", "soon")]),
            "invalid_request",
        ),
        (
            t.authorize_url(ALICE, &[("prompt", "sometimes")]),
            "invalid_request",
        ),
    ];
    for (url, expected) in cases {
        let (error, description) = error_back(&t, url.clone()).await;
        assert_eq!(error, expected, "{url}: {description}");
    }
}

#[tokio::test]
async fn authorize_requires_state() {
    let t = tenant();
    let r = t
        .get(&t.authorize_url(ALICE, &[]).replace("state=st4te&", ""))
        .await;
    assert_eq!(
        r.location_param("error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn login_page_lists_the_connection_users_escaped() {
    let t = tenant();
    let url = t
        .authorize_url("", &[("connection", "google-oauth2")])
        .replace("login_hint=&", "");
    let r = t.get(&url).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains(GOOGLE) && r.text.contains("google-oauth2|100000000000000000002"));
    assert!(
        !r.text.contains(ALICE),
        "only users of the requested connection"
    );
    assert!(
        r.text.contains("Unverified &lt;b&gt;Mallory&lt;/b&gt;") && !r.text.contains("<b>Mallory")
    );
}

#[tokio::test]
async fn login_form_completes_with_a_session_and_single_use_tx() {
    let t = tenant();
    let tx = t.login_page_tx(&[]).await;
    let r = t
        .post_form("/login", &[("tx", &tx), ("identity", ALICE)])
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r.location_param("code").is_some());
    let cookie = r.header("set-cookie").expect("session cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let again = t
        .post_form("/login", &[("tx", &tx), ("identity", ALICE)])
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a login transaction is single use"
    );
    // SSO: with the cookie, prompt=none answers at once; prompt=login shows the page again.
    let session = cookie.split(';').next().expect("cookie pair");
    let url = t
        .authorize_url("", &[("prompt", "none")])
        .replace("login_hint=&", "");
    let silent = t.get_with(&url, &[("cookie", session)]).await;
    assert!(
        silent.location_param("code").is_some(),
        "{:?}",
        silent.header("location")
    );
    let url = t
        .authorize_url("", &[("prompt", "login")])
        .replace("login_hint=&", "");
    assert_eq!(
        t.get_with(&url, &[("cookie", session)]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn login_refuses_an_identity_of_another_connection() {
    let t = tenant();
    let tx = t.login_page_tx(&[("connection", "github")]).await;
    assert_eq!(
        t.post_form("/login", &[("tx", &tx), ("identity", ALICE)])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn prompt_none_without_session_is_login_required() {
    let t = tenant();
    let url = t
        .authorize_url("", &[("prompt", "none")])
        .replace("login_hint=&", "");
    assert_eq!(
        t.get(&url).await.location_param("error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn web_message_posts_to_the_registered_origin_only() {
    let t = tenant();
    let url = t
        .authorize_url(ALICE, &[("response_mode", "web_message")])
        .replace(
            "st4te",
            "%3C%2Fscript%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        );
    let r = t.get(&url).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.contains("var target=\"http://127.0.0.1:5173\""),
        "{}",
        r.text
    );
    assert!(!r.text.contains("\"*\""));
    assert!(r.text.contains("authorization_response"));
    assert!(
        !r.text.contains("</script><script>alert"),
        "state must be escaped inside the script"
    );
}

#[tokio::test]
async fn web_message_with_origin_as_redirect_uri() {
    let t = tenant();
    let url = t
        .authorize_url(ALICE, &[("response_mode", "web_message")])
        .replace(
            &serde_urlencoded::to_string([("r", CALLBACK)]).expect("q")[2..],
            &serde_urlencoded::to_string([("r", APP_ORIGIN)]).expect("q")[2..],
        );
    assert_eq!(t.get(&url).await.status, StatusCode::OK);
}

async fn code_for(t: &Tenant) -> String {
    t.get(&t.authorize_url(ALICE, &[]))
        .await
        .location_param("code")
        .expect("code")
}

async fn exchange(t: &Tenant, pairs: &[(&str, &str)]) -> Reply {
    t.post_form("/oauth/token", pairs).await
}

/// A refresh-token grant by `client_id`, with any `extra` parameters.
async fn refresh_grant(t: &Tenant, client_id: &str, token: &str, extra: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("refresh_token", token),
    ];
    pairs.extend_from_slice(extra);
    exchange(t, &pairs).await
}

#[tokio::test]
async fn token_wrong_verifier_is_invalid_grant() {
    let t = tenant();
    let code = code_for(&t).await;
    let other = "A".repeat(43);
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("code_verifier", &other),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::FORBIDDEN, json!("invalid_grant"))
    );
    assert_eq!(
        r.json()["error_description"],
        json!("Failed to verify code verifier")
    );
}

#[tokio::test]
async fn token_missing_or_malformed_verifier() {
    let t = tenant();
    let code = code_for(&t).await;
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], json!("invalid_grant"));
    let code = code_for(&t).await;
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("code_verifier", "short"),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], json!("invalid_grant"));
}

#[tokio::test]
async fn token_code_is_single_use() {
    let t = tenant();
    let code = code_for(&t).await;
    let pairs = [
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", code.as_str()),
        ("code_verifier", VERIFIER),
        ("redirect_uri", CALLBACK),
    ];
    assert_eq!(exchange(&t, &pairs).await.status, StatusCode::OK);
    let r = exchange(&t, &pairs).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::FORBIDDEN, json!("invalid_grant"))
    );
}

#[tokio::test]
async fn token_code_expires() {
    let t = tenant_with(|c| c.code_lifetime_secs = 0);
    let code = code_for(&t).await;
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap_or("")
            .contains("expired"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn token_redirect_uri_and_client_must_match() {
    let t = tenant();
    let code = code_for(&t).await;
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("redirect_uri", "http://127.0.0.1:5173/"),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], json!("invalid_grant"));
    let code = code_for(&t).await;
    let r = exchange(
        &t,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "other-spa-client"),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], json!("invalid_grant"));
}

#[tokio::test]
async fn token_unknown_client_unknown_grant_missing_grant() {
    let t = tenant();
    let r = exchange(
        &t,
        &[("grant_type", "authorization_code"), ("client_id", "nope")],
    )
    .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_client"))
    );
    let r = exchange(&t, &[("grant_type", "password"), ("client_id", SPA)]).await;
    assert_eq!(r.json()["error"], json!("unauthorized_client"));
    let r = exchange(&t, &[("client_id", SPA)]).await;
    assert_eq!(r.json()["error"], json!("invalid_request"));
}

#[tokio::test]
async fn token_refuses_unlisted_origins() {
    let t = tenant();
    let code = code_for(&t).await;
    let body = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", &code),
        ("code_verifier", VERIFIER),
        ("redirect_uri", CALLBACK),
    ])
    .expect("form");
    let r = t
        .send(
            Request::post("/oauth/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "http://evil.example")
                .body(Body::from(body))
                .expect("req"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn token_accepts_json_bodies_and_refuses_bad_ones() {
    let t = tenant();
    let code = code_for(&t).await;
    let r = t.post_json("/oauth/token", None, &json!({"grant_type": "authorization_code", "client_id": SPA, "code": code, "code_verifier": VERIFIER, "redirect_uri": CALLBACK})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        t.post_raw("/oauth/token", None, "application/json", "{nope".into())
            .await
            .json()["error"],
        json!("invalid_request")
    );
    assert_eq!(
        t.post_raw("/oauth/token", None, "text/plain", "a=b".into())
            .await
            .json()["error"],
        json!("invalid_request")
    );
    let huge = t
        .post_raw(
            "/oauth/token",
            None,
            "application/x-www-form-urlencoded",
            "a=".to_owned() + &"x".repeat(200_000),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn client_credentials_for_the_back_end_only() {
    let t = tenant();
    let token = t.backend_token().await;
    let c = claims(&token);
    assert_eq!(
        (c["sub"].clone(), c["scope"].clone(), c["gty"].clone()),
        (
            json!("demo-backend@clients"),
            json!("read:users update:users"),
            json!("client-credentials")
        )
    );
    let r = exchange(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-backend"),
            ("client_secret", "wrong"),
            ("audience", API),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = exchange(
        &t,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", SPA),
            ("audience", API),
        ],
    )
    .await;
    assert_eq!(r.json()["error"], json!("unauthorized_client"));
}

#[tokio::test]
async fn refresh_tokens_when_offline_access_is_asked() {
    let t = tenant();
    let body = t
        .login(
            ALICE,
            &[("scope", "openid offline_access"), ("audience", API)],
        )
        .await;
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh_token")
        .to_owned();
    let r = refresh_grant(&t, SPA, &refresh, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = refresh_grant(&t, "other-spa-client", &refresh, &[]).await;
    assert_eq!(r.json()["error"], json!("invalid_grant"));
    assert!(t.login(ALICE, &[]).await.get("refresh_token").is_none());
}

#[tokio::test]
async fn userinfo_with_access_token_only() {
    let t = tenant();
    let token = t.user_token(GOOGLE).await;
    let r = t
        .get_with(
            "/userinfo",
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(r.json()["sub"], json!(GOOGLE));
    let id = t.id_token(GOOGLE).await;
    assert_eq!(
        t.get_with("/userinfo", &[("authorization", &format!("Bearer {id}"))])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.get("/userinfo").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_checks_return_to() {
    let t = tenant();
    let r = t
        .get("/v2/logout?client_id=demo-spa-client&returnTo=http%3A%2F%2F127.0.0.1%3A5173%2F")
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r
        .header("set-cookie")
        .is_some_and(|c| c.contains("Max-Age=0")));
    assert_eq!(
        t.get("/v2/logout?returnTo=http%3A%2F%2Fevil.example%2F")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

/// Asserts an ID token is exactly what an unbent login issues: RS256 with a published
/// `kid`, a signature that verifies with that JWKS key, and every claim as requested.
async fn assert_normal_id_token(t: &Tenant, token: &str, why: &str) {
    let header = header_of(token);
    assert_eq!(header["alg"], json!("RS256"), "{why}");
    let jwks = t.get("/.well-known/jwks.json").await.json();
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("{why}: kid {} is not published", header["kid"]))
        .clone();
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[ISS]);
    validation.set_audience(&[SPA]);
    validation.leeway = 0;
    let c = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("{why}: {e}"))
        .claims;
    assert_eq!(c["aud"], json!(SPA), "{why}: a single audience");
    assert_eq!(c["nonce"], json!("n0nce"), "{why}");
    assert_eq!(c["sub"], json!(GOOGLE), "{why}");
    let now = now();
    assert!(c["iat"].as_u64().is_some_and(|iat| iat <= now), "{why}");
    assert!(c["exp"].as_u64().is_some_and(|exp| exp > now), "{why}");
}

async fn armed(t: &Tenant) -> serde_json::Value {
    t.get("/test/misbehave").await.json()
}

#[tokio::test]
async fn id_token_switches_bend_the_next_token_only() {
    let t = tenant();
    let cases = [
        ("id_token_wrong_nonce", "nonce"),
        ("id_token_wrong_iss", "iss"),
        ("id_token_wrong_aud", "aud"),
        ("id_token_multi_aud_no_azp", "aud"),
        ("id_token_expired", "exp"),
        ("id_token_future_iat", "iat"),
    ];
    for (switch, claim) in cases {
        let normal = claims(&t.id_token(GOOGLE).await)[claim].clone();
        t.arm(switch, json!({})).await;
        let bent = claims(&t.id_token(GOOGLE).await)[claim].clone();
        assert_ne!(normal, bent, "{switch} must change {claim}");
        assert_eq!(armed(&t).await, json!([]), "{switch} is used up");
        let again = t.id_token(GOOGLE).await;
        assert_normal_id_token(&t, &again, &format!("after {switch}")).await;
    }
    type Bent = fn(&serde_json::Value) -> bool;
    let header_cases: [(&str, Bent); 4] = [
        ("id_token_alg_none", |h| h["alg"] == json!("none")),
        ("id_token_hs256", |h| h["alg"] == json!("HS256")),
        ("id_token_unknown_kid", |h| {
            h["kid"] == json!("dev-tenant-unknown-kid")
        }),
        ("id_token_no_kid", |h| h.get("kid").is_none()),
    ];
    for (switch, bent) in header_cases {
        t.arm(switch, json!({})).await;
        let h = header_of(&t.id_token(GOOGLE).await);
        assert!(bent(&h), "{switch}: {h}");
        let again = t.id_token(GOOGLE).await;
        assert_normal_id_token(&t, &again, &format!("after {switch}")).await;
    }
    let good = t.id_token(GOOGLE).await;
    t.arm("id_token_bad_signature", json!({})).await;
    let bad = t.id_token(GOOGLE).await;
    assert_ne!(good.rsplit('.').next(), bad.rsplit('.').next());
    assert_normal_id_token(
        &t,
        &t.id_token(GOOGLE).await,
        "after id_token_bad_signature",
    )
    .await;
    // `times` bends exactly that many tokens.
    t.arm("id_token_wrong_nonce", json!({"times": 2})).await;
    for _ in 0..2 {
        assert_eq!(
            claims(&t.id_token(GOOGLE).await)["nonce"],
            json!("n0nce-tampered")
        );
    }
    assert_normal_id_token(&t, &t.id_token(GOOGLE).await, "after two wrong nonces").await;
}

/// A normal `/authorize` answer: a redirect to the callback with a code and our state.
#[track_caller]
fn assert_normal_authorize(r: &Reply, why: &str) {
    assert_eq!(r.status, StatusCode::FOUND, "{why}");
    assert!(
        r.header("location")
            .is_some_and(|l| l.starts_with(CALLBACK)),
        "{why}: {:?}",
        r.header("location")
    );
    assert!(r.location_param("code").is_some(), "{why}");
    assert_eq!(r.location_param("state").as_deref(), Some("st4te"), "{why}");
}

#[tokio::test]
async fn authorize_switches() {
    let t = tenant();
    t.arm("authorize_access_denied", json!({})).await;
    let r = t.get(&t.authorize_url(ALICE, &[])).await;
    assert_eq!(r.location_param("error").as_deref(), Some("access_denied"));
    assert_normal_authorize(
        &t.get(&t.authorize_url(ALICE, &[])).await,
        "after access_denied",
    );
    t.arm("authorize_wrong_state", json!({})).await;
    let r = t.get(&t.authorize_url(ALICE, &[])).await;
    assert_ne!(r.location_param("state").as_deref(), Some("st4te"));
    assert_normal_authorize(
        &t.get(&t.authorize_url(ALICE, &[])).await,
        "after wrong_state",
    );
    t.arm("authorize_wrong_origin", json!({})).await;
    let web_message = t.authorize_url(ALICE, &[("response_mode", "web_message")]);
    let r = t.get(&web_message).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert!(r
        .header("location")
        .is_some_and(|l| l.starts_with("http://localhost:4000/authorize/relay?")));
    let r = t.get(&web_message).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "after wrong_origin: served by the issuer"
    );
    assert!(posted_response(&r.text)["code"].is_string());
    assert_eq!(armed(&t).await, json!([]));
}

#[tokio::test]
async fn token_switches() {
    let t = tenant();
    t.arm("token_server_error", json!({})).await;
    let code = code_for(&t).await;
    let pairs = |code: &str| {
        [
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", SPA.to_owned()),
            ("code", code.to_owned()),
            ("code_verifier", VERIFIER.to_owned()),
            ("redirect_uri", CALLBACK.to_owned()),
        ]
    };
    let send = |code: String| {
        let t = &t;
        async move {
            let p = pairs(&code);
            let borrowed: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
            exchange(t, &borrowed).await
        }
    };
    let r = send(code).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let r = send(code_for(&t).await).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "after token_server_error: {}",
        r.text
    );
    t.arm("token_slow", json!({"delay_ms": 300})).await;
    let start = std::time::Instant::now();
    t.login(ALICE, &[]).await;
    assert!(start.elapsed() >= std::time::Duration::from_millis(300));
    let start = std::time::Instant::now();
    t.login(ALICE, &[]).await;
    assert!(
        start.elapsed() < std::time::Duration::from_millis(300),
        "token_slow delays one exchange"
    );
    assert_eq!(armed(&t).await, json!([]));
}

#[tokio::test]
async fn unknown_switch_is_a_400() {
    let t = tenant();
    let r = t
        .post_json("/test/misbehave", None, &json!({"switch": "make_coffee"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn test_routes_do_not_exist_outside_test_mode() {
    let t = tenant_with(|c| c.test_mode = false);
    assert_eq!(
        t.post_json("/test/reset", None, &json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post_json(
            "/test/misbehave",
            None,
            &json!({"switch": "mgmt_server_error"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // ...and login_hint does not log anyone in.
    assert_eq!(
        t.get(&t.authorize_url(ALICE, &[])).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_secondary_login_replaces_the_browser_session_as_auth0_does() {
    // Auth0 keeps one signed-in user per browser session: the widget's secondary login
    // (prompt=login) takes the session over, which is why the widget pins its primary
    // user and reports session_changed when nothing was linked.
    let t = tenant();
    let session_cookie = |r: &Reply| {
        r.header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned()
    };
    let tx = t.login_page_tx(&[]).await;
    let alice = session_cookie(
        &t.post_form("/login", &[("tx", &tx), ("identity", ALICE)])
            .await,
    );
    let tx = t
        .login_page_tx(&[("connection", "github"), ("prompt", "login")])
        .await;
    let github = session_cookie(
        &t.post_form("/login", &[("tx", &tx), ("identity", GITHUB)])
            .await,
    );
    let cookie_name = |c: &str| c.split('=').next().unwrap_or_default().to_owned();
    assert_eq!(
        cookie_name(&alice),
        cookie_name(&github),
        "one session cookie per browser"
    );
    // The browser now holds the second cookie: a silent renewal gets the GitHub user.
    let url = t
        .authorize_url("", &[("prompt", "none")])
        .replace("login_hint=&", "");
    let silent = t.get_with(&url, &[("cookie", &github)]).await;
    let code = silent.location_param("code").expect("code");
    let body = t.exchange_code(&code).await;
    assert_eq!(
        claims(body["id_token"].as_str().expect("id_token"))["sub"],
        json!(GITHUB)
    );
}

const CUSTOM_DOMAIN: &str = "login.example.test:4000";

/// A code for `identity` (Management API audience), exchanged through `host`.
async fn tokens_through(t: &Tenant, identity: &str, host: &str) -> serde_json::Value {
    let r = t
        .get(&t.authorize_url(
            identity,
            &[
                ("audience", API),
                (
                    "scope",
                    "openid profile email read:current_user update:current_user_identities",
                ),
            ],
        ))
        .await;
    let code = r.location_param("code").expect("code");
    let form = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("client_id", SPA),
        ("code", code.as_str()),
        ("code_verifier", VERIFIER),
        ("redirect_uri", CALLBACK),
    ])
    .expect("form");
    let reply = t
        .send(
            Request::post("/oauth/token")
                .header(header::HOST, host)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn a_custom_domain_issues_its_own_iss_and_the_api_keeps_its_identifier() {
    let t = tenant_with(|c| c.custom_domain = Some(CUSTOM_DOMAIN.into()));
    let discovery = t
        .get_with(
            "/.well-known/openid-configuration",
            &[("host", CUSTOM_DOMAIN)],
        )
        .await
        .json();
    assert_eq!(
        discovery["issuer"],
        json!(format!("http://{CUSTOM_DOMAIN}/"))
    );

    let body = tokens_through(&t, ALICE, CUSTOM_DOMAIN).await;
    let access = body["access_token"].as_str().expect("access token");
    let id = claims(body["id_token"].as_str().expect("id token"));
    assert_eq!(id["iss"], json!(format!("http://{CUSTOM_DOMAIN}/")));
    let access_claims = claims(access);
    assert_eq!(
        access_claims["iss"],
        json!(format!("http://{CUSTOM_DOMAIN}/"))
    );
    assert!(
        access_claims["aud"]
            .as_array()
            .expect("aud")
            .contains(&json!(API)),
        "the Management API's audience stays its identifier: {access_claims}"
    );

    // /userinfo answers it through the custom domain, like every endpoint there.
    let userinfo = t
        .get_with(
            "/userinfo",
            &[
                ("host", CUSTOM_DOMAIN),
                ("authorization", &format!("Bearer {access}")),
            ],
        )
        .await;
    assert_eq!(userinfo.status, StatusCode::OK, "{}", userinfo.text);

    // The Management API takes that token only through the custom domain.
    let user = "/api/v2/users/auth0%7Calice";
    let bearer = format!("Bearer {access}");
    let through_custom = t
        .get_with(user, &[("host", CUSTOM_DOMAIN), ("authorization", &bearer)])
        .await;
    assert_eq!(
        through_custom.status,
        StatusCode::OK,
        "{}",
        through_custom.text
    );
    let through_canonical = t
        .get_with(
            user,
            &[("host", "127.0.0.1:4000"), ("authorization", &bearer)],
        )
        .await;
    assert_eq!(through_canonical.status, StatusCode::UNAUTHORIZED);
    // And a canonical token is not taken through the custom domain.
    let canonical = t.user_token(ALICE).await;
    let reply = t
        .get_with(
            user,
            &[
                ("host", CUSTOM_DOMAIN),
                ("authorization", &format!("Bearer {canonical}")),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

/// Signs `identity` in through the login page: the session cookie (`name=value`).
async fn signed_in(t: &Tenant, identity: &str, extra: &[(&str, &str)]) -> String {
    t.signed_in(identity, extra).await
}

/// `/authorize` without the test-mode login hint.
fn authorize_without_hint(t: &Tenant, extra: &[(&str, &str)]) -> String {
    t.authorize_url("", extra).replace("login_hint=&", "")
}

/// The `response` object a `web_message` page posts.
fn posted_response(page: &str) -> serde_json::Value {
    let json = page
        .split("var response=")
        .nth(1)
        .and_then(|s| s.split(";var w=").next())
        .unwrap_or_else(|| panic!("no response in {page}"));
    serde_json::from_str(json).expect("response JSON")
}

#[tokio::test]
async fn login_required_is_posted_back_through_web_message() {
    // What getTokenSilently's iframe receives when there is no session.
    let t = tenant();
    let url = authorize_without_hint(&t, &[("prompt", "none"), ("response_mode", "web_message")]);
    let r = t.get(&url).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("var target=\"http://127.0.0.1:5173\""));
    assert_eq!(
        posted_response(&r.text),
        json!({"error": "login_required", "error_description": "Login required", "state": "st4te"})
    );
}

#[tokio::test]
async fn web_message_only_for_allowed_web_origins() {
    // The callback URL is allowed, but its origin is not an Allowed Web Origin.
    let t = tenant_with(|c| {
        for client in &mut c.clients {
            client.web_origins.retain(|o| o != APP_ORIGIN);
        }
    });
    let r = t
        .get(&t.authorize_url(ALICE, &[("response_mode", "web_message")]))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.text.contains("postMessage"), "{}", r.text);
    assert!(
        r.text.contains("is not in the list of allowed web origins"),
        "{}",
        r.text
    );
    // The query response mode still works for that callback.
    let r = t.get(&t.authorize_url(ALICE, &[])).await;
    assert!(r.location_param("code").is_some(), "{:?}", r.headers);
}

#[tokio::test]
async fn max_age_older_than_the_session_forces_a_new_login() {
    let t = tenant();
    let cookie = signed_in(&t, ALICE, &[]).await;
    let silent = |max_age: &'static str| {
        authorize_without_hint(&t, &[("prompt", "none"), ("max_age", max_age)])
    };
    let r = t.get_with(&silent("60"), &[("cookie", &cookie)]).await;
    assert!(r.location_param("code").is_some(), "{:?}", r.headers);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = t.get_with(&silent("0"), &[("cookie", &cookie)]).await;
    assert_eq!(r.location_param("error").as_deref(), Some("login_required"));
    // Interactively, the login page is shown instead of single sign-on.
    let url = authorize_without_hint(&t, &[("max_age", "0")]);
    let r = t.get_with(&url, &[("cookie", &cookie)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("name=\"tx\""), "{}", r.text);
    // Without max_age the same session still signs in silently.
    let r = t
        .get_with(
            &authorize_without_hint(&t, &[("prompt", "none")]),
            &[("cookie", &cookie)],
        )
        .await;
    assert!(r.location_param("code").is_some());
}

#[tokio::test]
async fn logout_ends_the_session() {
    let t = tenant();
    let cookie = signed_in(&t, ALICE, &[]).await;
    let silent = authorize_without_hint(&t, &[("prompt", "none")]);
    let signs_in_silently = || async {
        t.get_with(&silent, &[("cookie", &cookie)])
            .await
            .location_param("code")
            .is_some()
    };
    assert!(signs_in_silently().await);
    // A refused returnTo signs nobody out.
    let r = t
        .get_with(
            "/v2/logout?returnTo=http%3A%2F%2Fevil.example%2F",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(signs_in_silently().await);
    let r = t
        .get_with(
            "/v2/logout?client_id=demo-spa-client&returnTo=http%3A%2F%2F127.0.0.1%3A5173%2F",
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    // Even a browser that kept the old cookie is signed out.
    let r = t.get_with(&silent, &[("cookie", &cookie)]).await;
    assert_eq!(r.location_param("error").as_deref(), Some("login_required"));
}

#[tokio::test]
async fn refresh_keeps_auth_time_and_its_audience() {
    let t = tenant();
    let body = t
        .login(
            ALICE,
            &[("scope", "openid offline_access"), ("audience", API)],
        )
        .await;
    let first = claims(body["id_token"].as_str().expect("id_token"));
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = refresh_grant(&t, SPA, &refresh, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let refreshed = claims(r.json()["id_token"].as_str().expect("id_token"));
    assert_eq!(refreshed["auth_time"], first["auth_time"], "OIDC Core 12.2");
    assert!(refreshed["iat"].as_u64() > first["auth_time"].as_u64());
    assert_eq!(
        claims(r.json()["access_token"].as_str().expect("at"))["aud"][0],
        json!(API)
    );
    // A refresh token serves the audience it was issued for only.
    let r = refresh_grant(
        &t,
        SPA,
        &refresh,
        &[("audience", &format!("{ISS}userinfo"))],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json(),
        json!({"error": "access_denied", "error_description": "the refresh token was issued for another audience"})
    );
}

#[tokio::test]
async fn token_endpoint_preflight_allows_the_auth0_client_header() {
    // auth0-spa-js sends `Auth0-Client` with every /oauth/token request.
    let t = tenant();
    let preflight = |origin: &str| {
        Request::options("/oauth/token")
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "auth0-client,content-type",
            )
            .body(Body::empty())
            .expect("request")
    };
    let ok = t.send(preflight(APP_ORIGIN)).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP_ORIGIN));
    let allowed: Vec<String> = ok
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    assert!(allowed.contains(&"auth0-client".to_owned()), "{allowed:?}");
    assert!(allowed.contains(&"content-type".to_owned()), "{allowed:?}");
    let bad = t.send(preflight("http://evil.example")).await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert!(bad.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_rotated_key_stays_valid_until_revoked() {
    let t = tenant();
    let access = t.user_token(ALICE).await;
    let secondary = t.id_token(GOOGLE).await;
    let old_kid = header_of(&secondary)["kid"].clone();
    let get_alice = |token: String| {
        let t = &t;
        async move {
            t.get_with(
                "/api/v2/users/auth0%7Calice",
                &[("authorization", &format!("Bearer {token}"))],
            )
            .await
        }
    };
    let kids = || async {
        t.get("/.well-known/jwks.json").await.json()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .map(|k| k["kid"].clone())
            .collect::<Vec<_>>()
    };
    let r = t.post_json("/test/rotate-keys", None, &json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    let current = r.json()["current_kid"].clone();
    assert_ne!(current, old_kid);
    assert!(
        kids().await.contains(&old_kid),
        "the previous key stays published"
    );
    assert_eq!(get_alice(access.clone()).await.status, StatusCode::OK);
    // An ID token signed before the rotation still links.
    let fresh = t.user_token(ALICE).await;
    assert_eq!(header_of(&fresh)["kid"], current);
    let link = |token: String, id_token: String| {
        let t = &t;
        async move {
            t.post_json(
                "/api/v2/users/auth0%7Calice/identities",
                Some(&token),
                &json!({ "link_with": id_token }),
            )
            .await
        }
    };
    let r = link(fresh.clone(), secondary).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Revoked: gone from the JWKS, and what it signed is refused.
    let github = t.id_token(GITHUB).await;
    let r = t
        .post_json("/test/revoke-previous-key", None, &json!({}))
        .await;
    assert_eq!(r.json()["revoked_kid"], old_kid);
    assert!(!kids().await.contains(&old_kid));
    get_alice(access)
        .await
        .assert_mgmt_error(401, None, "Invalid token");
    assert_eq!(get_alice(fresh.clone()).await.status, StatusCode::OK);
    assert_eq!(link(fresh, github).await.status, StatusCode::CREATED);
    let r = t
        .post_json("/test/revoke-previous-key", None, &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "nothing left to revoke");
}

#[tokio::test]
async fn a_token_signed_by_a_revoked_key_is_refused_as_link_with() {
    let t = tenant();
    let old = t.id_token(GOOGLE).await;
    t.post_json("/test/rotate-keys", None, &json!({})).await;
    t.post_json("/test/revoke-previous-key", None, &json!({}))
        .await;
    let token = t.user_token(ALICE).await;
    t.post_json(
        "/api/v2/users/auth0%7Calice/identities",
        Some(&token),
        &json!({ "link_with": old }),
    )
    .await
    .assert_mgmt_error(
        400,
        Some("invalid_token"),
        "Unable to verify link_with: no signing key of this tenant matches the token's kid",
    );
}
