//! Property-based fuzzing of every reader of untrusted input: random bytes and mutations
//! of valid inputs, 10,000 cases each. No reader may panic, and every refusal carries the
//! stable code that reader is documented to give.

mod common;

use auth0_account_link_core::config::{LinkConfig, LinkOptions};
use auth0_account_link_core::env::JsonParser;
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::http::HttpResponse;
use auth0_account_link_core::id_token::{self, Expectations};
use auth0_account_link_core::jwt::{self, Jwks};
use auth0_account_link_core::management::{process_get_user, process_link, process_unlink};
use auth0_account_link_core::primary::{PrimaryToken, Purpose};
use auth0_account_link_core::secret::{IdToken, Nonce};
use auth0_account_link_core::token::{process_jwks_response, process_token_response};
use auth0_account_link_core::transaction::{CallbackResponse, WebMessage};
use common::*;
use proptest::prelude::*;
use test_support::{json as parser, jwks_json, jwks_of, TestKey};

const CASES: u32 = 10_000;
const NONCE: &str = "n-0S6_WzA2Mj";

/// Random edits of `valid`: replace, insert or delete a byte at random places.
fn mutated(valid: String) -> impl Strategy<Value = String> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0..3u8), 1..6).prop_map(move |edits| {
        let mut bytes = valid.clone().into_bytes();
        for (at, byte, op) in edits {
            let at = at % (bytes.len() + 1);
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => {}
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Random text, or a mutation of `valid`.
fn input(valid: String) -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        mutated(valid),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(409),
        Just(429),
        Just(500),
        Just(503),
        100u16..600
    ]
}

fn valid_id_token() -> String {
    let key = TestKey::fixture(1);
    key.sign(&key.header(), &id_claims(NONCE))
}

fn config() -> LinkConfig {
    LinkConfig::new(&options()).expect("test options are valid")
}

#[track_caller]
fn one_of(code: ErrorCode, allowed: &[ErrorCode]) {
    assert!(
        allowed.contains(&code),
        "{code:?} is not one of {allowed:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn jwt_splitter_never_panics(token in input(valid_id_token())) {
        let _ = jwt::split(&token);
    }

    #[test]
    fn id_token_checks_refuse_with_id_token_invalid(token in input(valid_id_token())) {
        let keys = jwks_of(&[&TestKey::fixture(1), &TestKey::fixture(2)]);
        let config = config();
        let nonce = Nonce::new(NONCE);
        let original = valid_id_token();
        let result = id_token::begin(&parser(), IdToken::new(token.clone()), &keys).and_then(|pending| {
            // What WebCrypto would answer: only the untouched token carries a valid signature.
            let valid = token == original;
            pending.finish(valid, Expectations { config: &config, nonce: &nonce, now: NOW })
        });
        match result {
            Ok(verified) => prop_assert_eq!(verified.raw().secret(), original.as_str()),
            Err(e) => {
                one_of(e.code(), &[ErrorCode::IdTokenInvalid, ErrorCode::EmailUnverified]);
                prop_assert!(!e.detail().contains(&token) || token.len() < 8);
            }
        }
    }

    #[test]
    fn jwks_reader_refuses_with_a_stable_code(body in input(jwks_json(&[&TestKey::fixture(1)])), status in status()) {
        if let Err(e) = process_jwks_response(&parser(), &HttpResponse::new(status, body)) {
            one_of(e.code(), &[ErrorCode::UnexpectedResponse, ErrorCode::ServerError, ErrorCode::RateLimited, ErrorCode::IdTokenInvalid]);
        }
    }

    #[test]
    fn callback_query_reader_refuses_with_a_stable_code(query in input("?code=abc&state=xyz&iss=https%3A%2F%2Ftenant.example.com%2F".to_owned())) {
        if let Err(e) = CallbackResponse::from_query(&query) {
            one_of(e.code(), &[ErrorCode::StateMismatch, ErrorCode::UnexpectedResponse]);
        }
    }

    #[test]
    fn web_message_reader_never_panics(body in input(r#"{"type":"authorization_response","response":{"code":"abc","state":"xyz"}}"#.to_owned())) {
        if let Ok(message) = parser().parse::<WebMessage>(&body) {
            let _ = message.into_callback();
        }
    }

    #[test]
    fn token_response_reader_refuses_with_a_stable_code(
        body in input(format!(r#"{{"access_token":"a","id_token":"{}","token_type":"Bearer","expires_in":86400}}"#, valid_id_token())),
        status in status(),
    ) {
        if let Err(e) = process_token_response(&parser(), &HttpResponse::new(status, body)) {
            one_of(e.code(), &[ErrorCode::TokenExchangeFailed, ErrorCode::RateLimited]);
        }
    }

    #[test]
    fn management_readers_refuse_with_a_stable_code(
        body in input(r#"{"user_id":"auth0|primary","identities":[{"connection":"c","user_id":"1","provider":"auth0","isSocial":false,"profileData":{"email":"a@b.c"}}]}"#.to_owned()),
        status in status(),
    ) {
        let allowed = [
            ErrorCode::UnexpectedResponse, ErrorCode::ServerError, ErrorCode::RateLimited,
            ErrorCode::PrimaryTokenRejected, ErrorCode::InsufficientScope, ErrorCode::UserMismatch,
            ErrorCode::AlreadyLinked, ErrorCode::LinkedToAnotherUser, ErrorCode::SameAccount,
        ];
        let response = HttpResponse::new(status, body);
        if let Err(e) = process_get_user(&parser(), &response, NOW) {
            one_of(e.code(), &allowed);
        }
        if let Err(e) = process_link(&parser(), &response, NOW) {
            one_of(e.code(), &allowed);
        }
        if let Err(e) = process_unlink(&parser(), &response, NOW) {
            one_of(e.code(), &allowed);
        }
    }

    #[test]
    fn primary_token_preflight_refuses_with_a_stable_code(token in input(access_token(&access_claims()))) {
        if let Err(e) = PrimaryToken::inspect(&parser(), Some(&token), &config(), NOW, Purpose::ChangeIdentities) {
            one_of(e.code(), &[ErrorCode::PrimaryTokenUnavailable, ErrorCode::PrimaryTokenRejected, ErrorCode::InsufficientScope, ErrorCode::ConfigInvalid, ErrorCode::UserMismatch]);
        }
    }

    #[test]
    fn option_reader_refuses_with_config_invalid(body in input(r#"{"domain":"tenant.example.com","clientId":"spa-client","appOrigin":"https://app.example.com","connections":[{"name":"github","label":"GitHub"}],"responseMode":"query","redirectUri":"https://app.example.com/cb","leewaySeconds":30}"#.to_owned())) {
        // The browser reads a JS object with the same serde derive; here from JSON.
        if let Ok(options) = parser().parse::<LinkOptions>(&body) {
            if let Err(e) = LinkConfig::new(&options) {
                prop_assert_eq!(e.code(), ErrorCode::ConfigInvalid);
                prop_assert!(e.detail().starts_with("option `"), "{}", e.detail());
            }
        }
    }
}

#[test]
fn the_valid_inputs_the_mutations_start_from_are_accepted() {
    let keys: Jwks = parser()
        .parse(&jwks_json(&[&TestKey::fixture(1)]))
        .expect("jwks");
    assert!(id_token::begin(&parser(), IdToken::new(valid_id_token()), &keys).is_ok());
    assert!(PrimaryToken::inspect(
        &parser(),
        Some(&access_token(&access_claims())),
        &config(),
        NOW,
        Purpose::ChangeIdentities
    )
    .is_ok());
}
