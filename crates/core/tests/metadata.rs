//! Nothing is lost by linking without a word: what the secondary account's own user holds
//! (its `user_metadata`, its `app_metadata`), read before the link, rides on the profile
//! that `confirm`, `beforeLink` and the confirm screen get.

mod common;

use auth0_account_link_core::flow::{Event, LinkFlow, Outcome};
use auth0_account_link_core::http::{HttpResponse, Method};
use auth0_account_link_core::json::Json;
use auth0_account_link_core::transaction::CallbackResponse;
use common::driver::{query_param, Driver, PopupOutcome};
use common::*;
use serde_json::json;
use test_support::{jwks_json, MockTransport, TestEnv, TestKey};

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const JWKS_URL: &str = "https://tenant.example.com/.well-known/jwks.json";
const LINK_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities";

fn parse(text: &str) -> Json {
    serde_json::from_str(text).expect("JSON")
}

#[test]
fn any_json_is_read_in_order_and_written_back_the_same() {
    let text = r#"{"theme":"dark","newsletter":true,"count":3,"ratio":0.5,"tags":["a",null],"nested":{"z":1,"a":{}}}"#;
    let value = parse(text);
    assert_eq!(
        value.keys(),
        ["theme", "newsletter", "count", "ratio", "tags", "nested"]
    );
    assert!(value.has_properties());
    assert_eq!(
        serde_json::to_value(&value).expect("serialize"),
        serde_json::from_str::<serde_json::Value>(text).expect("json")
    );
    assert!(!parse("{}").has_properties());
    assert!(!parse("[1]").has_properties());
    assert_eq!(parse("null"), Json::Null);
}

/// A link whose secondary's own user answers `user` (its metadata); returns what the
/// confirm step was shown and the outcome.
fn asked_with(
    user: serde_json::Value,
) -> (
    Option<auth0_account_link_core::id_token::SecondaryProfile>,
    Outcome,
) {
    let mock = MockTransport::new();
    let token = access_token(&access_claims());
    let mut d = Driver::new(
        TestEnv::new(NOW, 3),
        Box::new(|r| Ok(mock.send(r))),
        move || Ok(token.clone()),
    );
    d.connection = Some("google-oauth2".into());
    d.secondary_user = Some(Ok(HttpResponse::new(200, user.to_string())));
    d.popup = Box::new(|url: &str| {
        let key = TestKey::fixture(1);
        let id = key.sign(
            &key.header(),
            &id_claims(&query_param(url, "nonce").expect("nonce")),
        );
        let body = json!({"id_token": id, "access_token": "opaque", "token_type": "Bearer"});
        mock.expect(
            Method::Post,
            TOKEN_URL,
            None,
            HttpResponse::new(200, body.to_string()),
        );
        mock.expect(
            Method::Get,
            JWKS_URL,
            None,
            HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)])),
        );
        mock.expect(
            Method::Post,
            LINK_URL,
            None,
            HttpResponse::new(201, json!([
                {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0"},
                {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2"}
            ]).to_string()),
        );
        PopupOutcome::Callback(CallbackResponse {
            code: Some("code".into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    });
    d.run(LinkFlow::new(config()), Event::Prepare);
    (d.asked.clone(), d.last_outcome().clone())
}

fn google_user(extra: serde_json::Value) -> serde_json::Value {
    let mut user = json!({"user_id": "google-oauth2|123", "identities": [
        {"connection": "google-oauth2", "provider": "google-oauth2", "user_id": "123", "isSocial": true}
    ]});
    for (k, v) in extra.as_object().expect("object") {
        user[k] = v.clone();
    }
    user
}

#[test]
fn what_a_link_discards_is_read_from_the_secondarys_own_user_and_shown_before_it() {
    let (asked, outcome) = asked_with(google_user(json!({
        "user_metadata": {"theme": "dark", "newsletter": true},
        "app_metadata": {"plan": "pro"}
    })));
    let profile = asked.expect("asked before the link");
    assert!(profile.holds_data());
    // (The mock's body lists keys in serde_json's order; a real answer keeps the tenant's.)
    let mut keys = profile.user_metadata.as_ref().expect("settings").keys();
    keys.sort_unstable();
    assert_eq!(keys, ["newsletter", "theme"]);
    assert_eq!(
        profile.app_metadata.as_ref().expect("app data").keys(),
        ["plan"]
    );
    // What confirm and beforeLink receive (camelCase, the values as they came).
    let shown = serde_json::to_value(&profile).expect("serialize");
    assert_eq!(shown["userId"], json!("google-oauth2|123"));
    assert_eq!(
        shown["userMetadata"],
        json!({"theme": "dark", "newsletter": true})
    );
    assert_eq!(shown["appMetadata"], json!({"plan": "pro"}));
    assert!(matches!(outcome, Outcome::Linked(_)));
}

#[test]
fn an_account_without_metadata_or_with_empty_objects_holds_nothing() {
    for extra in [json!({}), json!({"user_metadata": {}, "app_metadata": {}})] {
        let (asked, _) = asked_with(google_user(extra));
        let profile = asked.expect("asked");
        assert!(!profile.holds_data());
        let shown = serde_json::to_value(&profile).expect("serialize");
        assert!(
            shown.get("userMetadata").is_none() && shown.get("appMetadata").is_none(),
            "{shown}"
        );
    }
}
