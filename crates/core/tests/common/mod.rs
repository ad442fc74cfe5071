//! Shared helpers for the core's tests.
#![allow(dead_code)]

pub mod driver;
pub mod session_driver;

use account_link_core::config::{ConnectionOption, LinkConfig, LinkOptions};
use serde_json::{json, Value};
use test_support::TestKey;

pub const DOMAIN: &str = "tenant.example.com";
pub const ISSUER: &str = "https://tenant.example.com/";
pub const CLIENT_ID: &str = "spa-client";
pub const NOW: u64 = 1_800_000_000;
pub const PRIMARY: &str = "auth0|primary";

pub fn options() -> LinkOptions {
    LinkOptions {
        domain: Some(DOMAIN.into()),
        client_id: Some(CLIENT_ID.into()),
        app_origin: Some("https://app.example.com".into()),
        connections: Some(vec![
            ConnectionOption {
                name: "google-oauth2".into(),
                label: None,
            },
            ConnectionOption {
                name: "github".into(),
                label: Some("GitHub".into()),
            },
        ]),
        ..Default::default()
    }
}

pub fn config() -> LinkConfig {
    LinkConfig::new(&options()).expect("test options are valid")
}

pub fn config_with(f: impl FnOnce(&mut LinkOptions)) -> LinkConfig {
    let mut o = options();
    f(&mut o);
    LinkConfig::new(&o).expect("test options are valid")
}

/// Claims of a valid secondary ID token for `nonce`.
pub fn id_claims(nonce: &str) -> Value {
    json!({
        "iss": ISSUER,
        "sub": "google-oauth2|123",
        "aud": CLIENT_ID,
        "iat": NOW - 10,
        "exp": NOW + 3600,
        "auth_time": NOW - 20,
        "nonce": nonce,
        "email": "alice@gmail.test",
        "email_verified": true,
        "name": "Alice",
        "picture": "https://example.com/a.png"
    })
}

/// Claims of a valid primary access token.
pub fn access_claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": PRIMARY,
        "aud": [format!("{ISSUER}api/v2/"), format!("{ISSUER}userinfo")],
        "azp": CLIENT_ID,
        "iat": NOW - 10,
        "exp": NOW + 3600,
        "scope": "openid profile email read:current_user update:current_user_identities"
    })
}

pub fn access_token(claims: &Value) -> String {
    let key = TestKey::fixture(1);
    key.sign(&key.header(), claims)
}

/// One step of a link attempt, by value (the tests read each state as a new binding).
pub fn step(
    mut flow: account_link_core::flow::LinkFlow,
    event: account_link_core::flow::Event,
    env: &mut test_support::TestEnv,
) -> (
    account_link_core::flow::LinkFlow,
    Vec<account_link_core::flow::Effect>,
) {
    let effects = flow.step(event, env);
    (flow, effects)
}
