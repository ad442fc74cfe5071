//! Metadata as Auth0 keeps it: the fixture users carry `user_metadata` / `app_metadata`,
//! `GET /api/v2/users/{id}` shows them, a link discards the secondary's ("Metadata is not
//! automatically merged"), and `PATCH /api/v2/users/{id}` merges as Auth0's Management API
//! does (root-level properties merged, nested objects replaced, `null` deletes, `{}`
//! clears), with its scope checks.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use serde_json::{json, Value};

async fn patch(t: &Tenant, id: &str, bearer: &str, body: Value) -> Reply {
    let request = Request::patch(format!("/api/v2/users/{}", id.replace('|', "%7C")))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .body(Body::from(body.to_string()))
        .expect("request");
    t.send(request).await
}

async fn user(t: &Tenant, id: &str) -> Value {
    let backend = t.backend_token().await;
    let r = t
        .get_with(
            &format!("/api/v2/users/{}", id.replace('|', "%7C")),
            &[("authorization", &format!("Bearer {backend}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

/// Alice's user-scoped token with `scope` (Management API audience).
async fn alice_token(t: &Tenant, scope: &str) -> String {
    t.login(ALICE, &[("audience", API), ("scope", scope)]).await["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

#[tokio::test]
async fn the_fixture_users_show_their_metadata_and_a_link_discards_the_secondarys() {
    let t = tenant();
    let google = user(&t, GOOGLE).await;
    assert_eq!(
        google["user_metadata"],
        json!({"theme": "dark", "newsletter": true, "locale": "fr"})
    );
    assert_eq!(google["app_metadata"], json!({"plan": "pro"}));
    let token = t.user_token(ALICE).await;
    let r = t
        .post_json(
            "/api/v2/users/auth0%7Calice/identities",
            Some(&token),
            &json!({ "link_with": t.id_token(GOOGLE).await }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let alice = user(&t, ALICE).await;
    assert_eq!(
        alice["user_metadata"],
        json!({"locale": "en"}),
        "the primary's own, nothing merged"
    );
    assert!(alice.get("app_metadata").is_none());
    // The secondary user is gone, its metadata with it; unlinked, it is a user without any.
    let backend = t.backend_token().await;
    let gone = t
        .get_with(
            "/api/v2/users/google-oauth2%7C100000000000000000001",
            &[("authorization", &format!("Bearer {backend}"))],
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let r = t
        .delete(
            "/api/v2/users/auth0%7Calice/identities/google-oauth2/100000000000000000001",
            &token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let again = user(&t, GOOGLE).await;
    assert!(
        again.get("user_metadata").is_none() && again.get("app_metadata").is_none(),
        "{again}"
    );
}

#[tokio::test]
async fn patch_merges_user_metadata_as_auth0_does() {
    let t = tenant();
    let token = alice_token(&t, "openid read:current_user update:current_user_metadata").await;
    // Root-level properties merge into what is there.
    let r = patch(
        &t,
        ALICE,
        &token,
        json!({"user_metadata": {"theme": "dark", "addresses": {"home": "1 Main St"}}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["user_metadata"],
        json!({"locale": "en", "theme": "dark", "addresses": {"home": "1 Main St"}})
    );
    // A nested object is replaced whole, not merged.
    let r = patch(
        &t,
        ALICE,
        &token,
        json!({"user_metadata": {"addresses": {"work": "2 Side St"}}}),
    )
    .await;
    assert_eq!(
        r.json()["user_metadata"]["addresses"],
        json!({"work": "2 Side St"})
    );
    // null deletes a property.
    let r = patch(&t, ALICE, &token, json!({"user_metadata": {"theme": null}})).await;
    assert_eq!(
        r.json()["user_metadata"],
        json!({"locale": "en", "addresses": {"work": "2 Side St"}})
    );
    // An empty object removes it all.
    let r = patch(&t, ALICE, &token, json!({"user_metadata": {}})).await;
    assert!(r.json().get("user_metadata").is_none(), "{}", r.text);
    assert!(user(&t, ALICE).await.get("user_metadata").is_none());
}

#[tokio::test]
async fn patch_refuses_what_the_token_may_not_change() {
    let t = tenant();
    // Without update:current_user_metadata: refused before the body is read.
    let reader = alice_token(
        &t,
        "openid read:current_user update:current_user_identities",
    )
    .await;
    let r = patch(
        &t,
        ALICE,
        &reader,
        json!({"user_metadata": {"theme": "dark"}}),
    )
    .await;
    r.assert_mgmt_error(
        403,
        Some("insufficient_scope"),
        "Insufficient scope, expected any of: update:users,update:current_user_metadata",
    );
    let writer = alice_token(&t, "openid update:current_user_metadata").await;
    // Another user's metadata.
    let r = patch(
        &t,
        "auth0|bob",
        &writer,
        json!({"user_metadata": {"theme": "dark"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // app_metadata (or any other field) is not a user's to change.
    let r = patch(
        &t,
        ALICE,
        &writer,
        json!({"app_metadata": {"plan": "free"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = patch(&t, ALICE, &writer, json!({"email": "mallory@example.com"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Not an object.
    let r = patch(&t, ALICE, &writer, json!({"user_metadata": ["dark"]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        user(&t, ALICE).await["user_metadata"],
        json!({"locale": "en"}),
        "nothing changed"
    );
    // A back end (update:users) may change app_metadata.
    let backend = t.backend_token().await;
    let r = patch(
        &t,
        GOOGLE,
        &backend,
        json!({"app_metadata": {"plan": null, "moved_to": "auth0|alice"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["app_metadata"], json!({"moved_to": "auth0|alice"}));
}
