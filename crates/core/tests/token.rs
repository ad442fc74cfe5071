//! Token exchange and JWKS responses.

mod common;

use auth0_account_link_core::config::ResponseMode;
use auth0_account_link_core::encoding::form_parse;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::http::{HttpResponse, Method};
use auth0_account_link_core::token::*;
use auth0_account_link_core::transaction::{CallbackResponse, TransactionDraft};
use common::*;
use test_support::{json as parser, sha256, SeededRandom};

#[test]
fn token_request_is_a_public_client_pkce_exchange() {
    let cfg = config();
    let draft = TransactionDraft::new(&mut SeededRandom::new(9));
    let verifier = String::from_utf8(draft.digest_input().to_vec()).expect("ascii");
    let txn = draft.finish(sha256(verifier.as_bytes()));
    let url = txn.authorize_url(&cfg, ResponseMode::WebMessage);
    let state = form_parse(url.split_once('?').expect("query").1)
        .expect("q")
        .into_iter()
        .find(|(k, _)| k == "state")
        .expect("state")
        .1;
    let cb = txn
        .validate_callback(
            CallbackResponse {
                code: Some("c0de".into()),
                state: Some(state),
                ..Default::default()
            },
            &cfg,
        )
        .expect("valid");
    let r = prepare_token_request(&cfg, &cb);
    assert_eq!(
        (r.method, r.url.as_str()),
        (Method::Post, "https://tenant.example.com/oauth/token")
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let body = form_parse(r.body.as_deref().expect("body")).expect("form");
    let get = |k: &str| {
        body.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(get("client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(get("code").as_deref(), Some("c0de"));
    assert_eq!(get("code_verifier"), Some(verifier));
    assert_eq!(
        get("redirect_uri").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(
        get("client_secret"),
        None,
        "a public client sends no secret"
    );
}

#[test]
fn token_response_yields_the_id_token() {
    let r = HttpResponse::new(
        200,
        r#"{"access_token":"x","id_token":"a.b.c","token_type":"Bearer","expires_in":86400}"#,
    );
    assert_eq!(
        process_token_response(&parser(), &r).expect("ok").secret(),
        "a.b.c"
    );
}

#[test]
fn token_error_body_is_kept() {
    let r = HttpResponse::new(
        403,
        r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#,
    );
    let e = process_token_response(&parser(), &r).expect_err("403");
    assert_eq!(e.code(), ErrorCode::TokenExchangeFailed);
    assert_eq!(
        e.idp_error(),
        Some(("invalid_grant", Some("Invalid authorization code")))
    );
}

#[test]
fn a_token_refusal_is_shown_as_text_like_a_callback_refusal() {
    // A right-to-left override and a zero-width space: what the user sees must read as
    // what was sent, as the callback path already made sure.
    let r = HttpResponse::new(
        400,
        r#"{"error":"invalid\u200b_grant","error_description":"see \u202eevil.example"}"#,
    );
    let e = process_token_response(&parser(), &r).expect_err("400");
    assert_eq!(
        e.idp_error(),
        Some(("invalid_grant", Some("see evil.example")))
    );
    assert!(!e.detail().contains('\u{202e}') && !e.detail().contains('\u{200b}'));
    assert_eq!(e.http_status(), Some(400));
}

#[test]
fn token_unusable_bodies() {
    for body in [
        "<html>",
        r#"{"access_token":"x"}"#,
        r#"{"id_token":""}"#,
        r#"{"id_token":"a.b.c","token_type":"mac"}"#,
    ] {
        let e = process_token_response(&parser(), &HttpResponse::new(200, body)).expect_err(body);
        assert_eq!(e.code(), ErrorCode::TokenExchangeFailed, "{body}");
    }
    assert_eq!(
        process_token_response(&parser(), &HttpResponse::new(500, ""))
            .expect_err("500")
            .code(),
        ErrorCode::TokenExchangeFailed
    );
    assert_eq!(
        process_token_response(&parser(), &HttpResponse::new(429, ""))
            .expect_err("429")
            .code(),
        ErrorCode::RateLimited
    );
}

#[test]
fn jwks_parsing() {
    let cfg = config();
    let r = prepare_jwks_request(&cfg);
    assert_eq!(r.url, "https://tenant.example.com/.well-known/jwks.json");
    let set = process_jwks_response(
        &parser(),
        &HttpResponse::new(
            200,
            test_support::jwks_json(&[&test_support::TestKey::fixture(1)]),
        ),
    )
    .expect("jwks");
    assert_eq!(set.rs256_keys().len(), 1);
    let mixed = r#"{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"a","y":"b"},{"kty":"RSA","kid":"enc","use":"enc","n":"a","e":"AQAB"},{"kty":"RSA","kid":"ok","n":"a","e":"AQAB"}]}"#;
    let set = process_jwks_response(&parser(), &HttpResponse::new(200, mixed)).expect("jwks");
    assert_eq!(
        set.rs256_keys()
            .iter()
            .map(|k| k.kid.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        vec!["ok"]
    );
    assert_eq!(
        process_jwks_response(&parser(), &HttpResponse::new(200, "[]"))
            .expect_err("shape")
            .code(),
        ErrorCode::UnexpectedResponse
    );
    assert_eq!(
        process_jwks_response(&parser(), &HttpResponse::new(503, ""))
            .expect_err("503")
            .code(),
        ErrorCode::ServerError
    );
}
