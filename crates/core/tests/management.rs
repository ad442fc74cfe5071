//! Management API requests and responses: exact requests, every status mapped.

mod common;

use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::http::{HttpResponse, Method};
use auth0_account_link_core::id_token::{self, Expectations, VerifiedIdToken};
use auth0_account_link_core::management::*;
use auth0_account_link_core::primary::{PrimaryToken, Purpose};
use auth0_account_link_core::secret::{IdToken, Nonce};
use common::*;
use serde_json::json;
use test_support::{json as parser, jwks_of, RsaVerifier, TestKey};

fn token() -> PrimaryToken {
    PrimaryToken::inspect(
        &parser(),
        Some(&access_token(&access_claims())),
        &config(),
        NOW,
        Purpose::ChangeIdentities,
    )
    .expect("valid")
}

fn secondary(sub: &str) -> (VerifiedIdToken, String) {
    let key = TestKey::fixture(1);
    let mut claims = id_claims("n");
    claims["sub"] = json!(sub);
    let raw = key.sign(&key.header(), &claims);
    let nonce = Nonce::new("n");
    let cfg = config();
    let v = id_token::verify(
        &parser(),
        &RsaVerifier,
        IdToken::new(raw.clone()),
        &jwks_of(&[&key]),
        Expectations {
            config: &cfg,
            nonce: &nonce,
            now: NOW,
        },
    )
    .expect("valid");
    (v, raw)
}

fn identities_json() -> String {
    json!([
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
        {"connection": "github", "user_id": 4242, "provider": "github", "isSocial": true, "profileData": {"email": "a@b.test", "name": "A"}}
    ])
    .to_string()
}

#[test]
fn link_request_is_exactly_link_with() {
    let (v, raw) = secondary("google-oauth2|123");
    let r = prepare_link(&config(), &token(), &v, None).expect("request");
    assert_eq!(r.method, Method::Post);
    assert_eq!(
        r.url,
        "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r
        .header("authorization")
        .is_some_and(|h| h.starts_with("Bearer eyJ")));
    let body: serde_json::Value =
        serde_json::from_str(r.body.as_deref().expect("body")).expect("json");
    assert_eq!(
        body,
        json!({ "link_with": raw }),
        "nothing but link_with: never user_id/provider"
    );
    assert!(
        !format!("{r:?}").contains(&raw),
        "Debug of the request leaks the ID token"
    );
}

#[test]
fn link_refuses_the_same_account() {
    let (v, _) = secondary(PRIMARY);
    assert_eq!(
        prepare_link(&config(), &token(), &v, None)
            .expect_err("same")
            .code(),
        ErrorCode::SameAccount
    );
}

#[test]
fn link_refuses_an_identity_already_listed() {
    let (v, _) = secondary("github|4242");
    let known: Vec<Identity> = serde_json::from_str(&identities_json()).expect("identities");
    assert_eq!(
        prepare_link(&config(), &token(), &v, Some(&known))
            .expect_err("already")
            .code(),
        ErrorCode::AlreadyLinked
    );
}

#[test]
fn identities_parse_numeric_user_ids() {
    let ids =
        process_link(&parser(), &HttpResponse::new(201, identities_json()), NOW).expect("201");
    assert_eq!(ids[1].user_id, "4242");
    assert_eq!(ids[1].full_user_id(), "github|4242");
    assert_eq!(
        ids[1]
            .profile_data
            .as_ref()
            .and_then(|p| p.email.as_deref()),
        Some("a@b.test")
    );
    assert!(
        process_link(&parser(), &HttpResponse::new(200, identities_json()), NOW).is_ok(),
        "any 2xx is success"
    );
}

#[track_caller]
fn mapped(status: u16, body: serde_json::Value) -> auth0_account_link_core::LinkError {
    process_link(&parser(), &HttpResponse::new(status, body.to_string()), NOW)
        .expect_err("error status")
}

/// An Auth0 Management API error body without `errorCode`.
fn auth0(status: u16, error: &str, message: &str) -> serde_json::Value {
    json!({"statusCode": status, "error": error, "message": message})
}

/// An Auth0 Management API error body with its `errorCode`.
fn auth0_coded(status: u16, error: &str, message: &str, code: &str) -> serde_json::Value {
    json!({"statusCode": status, "error": error, "message": message, "errorCode": code})
}

#[test]
fn status_400_same_identity_is_same_account() {
    let e = mapped(
        400,
        auth0(
            400,
            "Bad Request",
            "Main identity and the new one are the same.",
        ),
    );
    assert_eq!(e.code(), ErrorCode::SameAccount);
    assert_eq!(
        e.api_error().and_then(|b| b.message.as_deref()),
        Some("Main identity and the new one are the same.")
    );
}

#[test]
fn status_400_other_is_unexpected_response() {
    assert_eq!(
        mapped(400, auth0(400, "Bad Request", "Payload validation error")).code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn status_401_is_primary_token_rejected() {
    assert_eq!(
        mapped(401, auth0(401, "Unauthorized", "Invalid token")).code(),
        ErrorCode::PrimaryTokenRejected
    );
}

#[test]
fn status_403_scope_is_insufficient_scope_naming_it() {
    let e = mapped(
        403,
        auth0_coded(
            403,
            "Forbidden",
            "Insufficient scope, expected any of: update:users,update:current_user_identities",
            "insufficient_scope",
        ),
    );
    assert_eq!(e.code(), ErrorCode::InsufficientScope);
    assert!(e.detail().contains("update:current_user_identities"));
}

#[test]
fn status_403_auth0s_exact_subject_mismatch_is_user_mismatch() {
    // Auth0's own wording, capitalised, with its errorCode.
    let e = mapped(
        403,
        auth0_coded(
            403,
            "Forbidden",
            "User to be acted on does not match subject in bearer token.",
            "unowned_resource",
        ),
    );
    assert_eq!(e.code(), ErrorCode::UserMismatch);
    assert_eq!(
        e.api_error().and_then(|b| b.error_code.as_deref()),
        Some("unowned_resource")
    );
}

#[test]
fn status_403_classified_by_error_code_before_message() {
    // The errorCode decides, whatever the wording.
    assert_eq!(
        mapped(
            403,
            auth0_coded(403, "Forbidden", "Not yours", "unowned_resource")
        )
        .code(),
        ErrorCode::UserMismatch
    );
    assert_eq!(
        mapped(
            403,
            auth0_coded(
                403,
                "Forbidden",
                "user to be acted on does not match subject in bearer token (but)",
                "insufficient_scope"
            )
        )
        .code(),
        ErrorCode::InsufficientScope
    );
    // Without an errorCode the message is read, in any case.
    assert_eq!(
        mapped(
            403,
            auth0(
                403,
                "Forbidden",
                "USER TO BE ACTED ON DOES NOT MATCH SUBJECT IN BEARER TOKEN."
            )
        )
        .code(),
        ErrorCode::UserMismatch
    );
    // A 403 of another kind is not reported as a missing scope.
    assert_eq!(
        mapped(
            403,
            auth0_coded(403, "Forbidden", "Blocked", "operation_not_supported")
        )
        .code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn status_400_same_account_in_any_case() {
    assert_eq!(
        mapped(
            400,
            auth0(
                400,
                "Bad Request",
                "main identity and the new one are the same"
            )
        )
        .code(),
        ErrorCode::SameAccount
    );
}

#[test]
fn status_403_subject_mismatch_is_user_mismatch() {
    assert_eq!(
        mapped(
            403,
            auth0(
                403,
                "Forbidden",
                "user to be acted on does not match subject in bearer token"
            )
        )
        .code(),
        ErrorCode::UserMismatch
    );
}

#[test]
fn status_409_is_linked_to_another_user() {
    // The widget never sends an identity it lists as the user's own; the flow re-reads the
    // identities to tell a conflict with the user's own list apart (see flow tests).
    assert_eq!(
        mapped(409, auth0(409, "Conflict", "Identity already exists")).code(),
        ErrorCode::LinkedToAnotherUser
    );
}

#[test]
fn status_429_keeps_retry_after() {
    let r = HttpResponse::new(
        429,
        auth0(429, "Too Many Requests", "Global limit has been reached").to_string(),
    )
    .with_header("Retry-After", "7");
    let e = process_link(&parser(), &r, NOW).expect_err("429");
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.retry_after_seconds(), Some(7));
    let r = HttpResponse::new(429, "{}").with_header("x-ratelimit-reset", &(NOW + 12).to_string());
    assert_eq!(
        process_link(&parser(), &r, NOW)
            .expect_err("429")
            .retry_after_seconds(),
        Some(12)
    );
    let r = HttpResponse::new(429, "not json");
    let e = process_link(&parser(), &r, NOW).expect_err("429");
    assert_eq!(
        (e.code(), e.retry_after_seconds()),
        (ErrorCode::RateLimited, None)
    );
}

#[test]
fn status_5xx_is_server_error() {
    assert_eq!(
        mapped(500, auth0(500, "Internal Server Error", "oops")).code(),
        ErrorCode::ServerError
    );
    assert_eq!(
        process_link(&parser(), &HttpResponse::new(503, "<html>"), NOW)
            .expect_err("503")
            .code(),
        ErrorCode::ServerError
    );
}

#[test]
fn status_404_is_unexpected_response() {
    assert_eq!(
        mapped(404, auth0(404, "Not Found", "The user does not exist.")).code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn unreadable_2xx_body_is_unexpected_response() {
    assert_eq!(
        process_link(
            &parser(),
            &HttpResponse::new(201, "{\"not\":\"a list\"}"),
            NOW
        )
        .expect_err("shape")
        .code(),
        ErrorCode::UnexpectedResponse
    );
    assert_eq!(
        process_link(&parser(), &HttpResponse::new(201, "<html>"), NOW)
            .expect_err("html")
            .code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn get_user_request_and_response() {
    let t = PrimaryToken::inspect(
        &parser(),
        Some(&access_token(&access_claims())),
        &config(),
        NOW,
        Purpose::ReadIdentities,
    )
    .expect("valid");
    let r = prepare_get_user(&config(), &t);
    assert_eq!(
        (r.method, r.url.as_str()),
        (
            Method::Get,
            "https://tenant.example.com/api/v2/users/auth0%7Cprimary"
        )
    );
    assert_eq!(r.body, None);
    let body = json!({"user_id": PRIMARY, "email": "p@example.com", "identities": serde_json::from_str::<serde_json::Value>(&identities_json()).expect("json")});
    let user =
        process_get_user(&parser(), &HttpResponse::new(200, body.to_string()), NOW).expect("200");
    assert_eq!(user.identities.len(), 2);
    assert_eq!(
        process_get_user(&parser(), &HttpResponse::new(403, "{}"), NOW)
            .expect_err("403")
            .code(),
        ErrorCode::InsufficientScope
    );
}

#[test]
fn unlink_request_encodes_segments() {
    let target = IdentityRef {
        provider: "google-oauth2".into(),
        user_id: "12/3".into(),
    };
    let r = prepare_unlink(&config(), &token(), &target, None).expect("request");
    assert_eq!((r.method, r.url.as_str()), (Method::Delete, "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities/google-oauth2/12%2F3"));
    let ids =
        process_unlink(&parser(), &HttpResponse::new(200, identities_json()), NOW).expect("200");
    assert_eq!(ids.len(), 2);
}

#[test]
fn unlink_refuses_the_primary_identity() {
    let target = IdentityRef {
        provider: "auth0".into(),
        user_id: "primary".into(),
    };
    assert_eq!(
        prepare_unlink(&config(), &token(), &target, None)
            .expect_err("primary")
            .code(),
        ErrorCode::ConfigInvalid
    );
    let known: Vec<Identity> = serde_json::from_str(&identities_json()).expect("identities");
    let other_primary = IdentityRef {
        provider: "auth0".into(),
        user_id: "primary".into(),
    };
    assert!(prepare_unlink(&config(), &token(), &other_primary, Some(&known)).is_err());
    let empty = IdentityRef {
        provider: "".into(),
        user_id: "x".into(),
    };
    assert_eq!(
        prepare_unlink(&config(), &token(), &empty, None)
            .expect_err("empty")
            .code(),
        ErrorCode::ConfigInvalid
    );
}

#[test]
fn transport_errors_map_to_network_and_timeout() {
    use auth0_account_link_core::http::TransportError;
    assert_eq!(
        transport_error(&TransportError::Network("offline".into()), "x").code(),
        ErrorCode::Network
    );
    assert_eq!(
        transport_error(&TransportError::Timeout, "x").code(),
        ErrorCode::Timeout
    );
}

#[test]
fn identities_from_the_api_lose_hidden_characters_and_non_https_pictures() {
    let body = json!({
        "user_id": "auth0|primary",
        "identities": [
            {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
            {"connection": "github", "user_id": "7", "provider": "github", "isSocial": true,
             "profileData": {"email": "a\u{202E}moc\u{200D}@github.test", "name": "Eve\u{FEFF}", "picture": "http://x.example/p.png"}}
        ]
    });
    let user =
        process_get_user(&parser(), &HttpResponse::new(200, body.to_string()), NOW).expect("200");
    let profile = user.identities[1].profile_data.clone().expect("profile");
    assert_eq!(profile.email.as_deref(), Some("amoc@github.test"));
    assert_eq!(profile.name.as_deref(), Some("Eve"));
    assert_eq!(profile.picture, None);
    // The same for the lists that link and unlink answer.
    let ids = process_unlink(
        &parser(),
        &HttpResponse::new(200, json!([body["identities"][1]]).to_string()),
        NOW,
    )
    .expect("200");
    assert_eq!(
        ids[0]
            .profile_data
            .as_ref()
            .and_then(|p| p.email.as_deref()),
        Some("amoc@github.test")
    );
}

#[test]
fn the_primary_row_gets_the_users_own_profile() {
    let body = json!({
        "user_id": "auth0|primary", "email": "alice@example.test", "name": "Alice",
        "picture": "http://insecure.example/a.png",
        "identities": [
            {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
            {"connection": "github", "user_id": 4242, "provider": "github", "isSocial": true, "profileData": {"email": "a@b.test"}}
        ]
    });
    let user =
        process_get_user(&parser(), &HttpResponse::new(200, body.to_string()), NOW).expect("200");
    let primary = user.identities[0].profile_data.clone().expect("profile");
    assert_eq!(primary.email.as_deref(), Some("alice@example.test"));
    assert_eq!(primary.name.as_deref(), Some("Alice"));
    assert_eq!(primary.picture, None, "pictures only from https");
    assert_eq!(
        user.identities[1]
            .profile_data
            .as_ref()
            .and_then(|p| p.email.as_deref()),
        Some("a@b.test")
    );
}

#[test]
fn link_answers_keep_the_profiles_known_before() {
    let before: Vec<Identity> = serde_json::from_value(json!([
        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false, "profileData": {"email": "alice@example.test"}}
    ]))
    .expect("ids");
    let after =
        process_link(&parser(), &HttpResponse::new(201, identities_json()), NOW).expect("201");
    let merged = carry_profiles(&before, after);
    assert_eq!(
        merged[0]
            .profile_data
            .as_ref()
            .and_then(|p| p.email.as_deref()),
        Some("alice@example.test")
    );
    assert_eq!(
        merged[1]
            .profile_data
            .as_ref()
            .and_then(|p| p.email.as_deref()),
        Some("a@b.test"),
        "what the answer has is kept"
    );
}
