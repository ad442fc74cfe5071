//! Shared helpers for the core's tests.
#![allow(dead_code)]

pub mod driver;
pub mod session_driver;

use auth0_account_link_core::config::{ConnectionOption, LinkConfig, LinkOptions};
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
        // The secondary's login alone: tests of the primary's sign-in again turn it on
        // (`reauth_options`).
        reauthenticate: Some(false),
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

/// The facts a test hands the attempt, standing in for the session that owns them
/// (`session.rs` tests the session's own rules).
#[derive(Debug, Clone)]
pub struct Given {
    pub pin: Option<String>,
    pub identities: Option<Vec<auth0_account_link_core::management::Identity>>,
    pub asks_first: bool,
    pub other_session: bool,
}

impl Default for Given {
    fn default() -> Self {
        Given {
            pin: None,
            identities: None,
            asks_first: true,
            other_session: false,
        }
    }
}

impl Given {
    pub fn facts(&self) -> auth0_account_link_core::flow::Facts<'_> {
        auth0_account_link_core::flow::Facts {
            pin: self.pin.as_deref(),
            identities: self.identities.as_deref(),
            asks_first: self.asks_first,
            other_session: self.other_session,
        }
    }
}

thread_local! {
    /// What [`step`] hands the attempt (each test runs on its own thread).
    static GIVEN: std::cell::RefCell<Given> = std::cell::RefCell::new(Given::default());
    /// What the last [`step`] reported.
    static REPORTS: std::cell::RefCell<Vec<auth0_account_link_core::flow::Report>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sets the facts the next [`step`]s hand the attempt.
pub fn give(given: Given) {
    GIVEN.with(|g| *g.borrow_mut() = given);
}

/// What the last [`step`] reported.
pub fn reports() -> Vec<auth0_account_link_core::flow::Report> {
    REPORTS.with(|r| r.borrow().clone())
}

/// One step of a link attempt, by value (the tests read each state as a new binding),
/// with the facts [`give`] set; its reports are kept for [`reports`].
pub fn step(
    mut flow: auth0_account_link_core::flow::LinkFlow,
    event: auth0_account_link_core::flow::Event,
    env: &mut test_support::TestEnv,
) -> (
    auth0_account_link_core::flow::LinkFlow,
    Vec<auth0_account_link_core::flow::Effect>,
) {
    let step = GIVEN.with(|g| flow.step(&g.borrow().facts(), event, env));
    REPORTS.with(|r| *r.borrow_mut() = step.reports);
    (flow, step.effects)
}
