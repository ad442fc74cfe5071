//! Pre-flight on the primary access token: one negative test per rule.

mod common;

use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::primary::{PrimaryToken, Purpose};
use common::*;
use serde_json::{json, Value};
use test_support::json as parser;

fn inspect(
    token: Option<&str>,
    purpose: Purpose,
) -> Result<PrimaryToken, auth0_account_link_core::LinkError> {
    PrimaryToken::inspect(&parser(), token, &config(), NOW, purpose)
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut c = access_claims();
    f(&mut c);
    access_token(&c)
}

#[track_caller]
fn code_of(token: Option<&str>, purpose: Purpose) -> ErrorCode {
    inspect(token, purpose).expect_err("must be refused").code()
}

#[test]
fn a_good_token_gives_the_primary_user_id() {
    let t = inspect(Some(&with(|_| {})), Purpose::ChangeIdentities).expect("valid");
    assert_eq!(t.user_id(), PRIMARY);
}

#[test]
fn nothing_returned() {
    assert_eq!(
        code_of(None, Purpose::ReadIdentities),
        ErrorCode::PrimaryTokenUnavailable
    );
    assert_eq!(
        code_of(Some("   "), Purpose::ReadIdentities),
        ErrorCode::PrimaryTokenUnavailable
    );
}

#[test]
fn opaque_token_names_the_audience() {
    let e = inspect(Some("opaque-token-value"), Purpose::ReadIdentities).expect_err("opaque");
    assert_eq!(e.code(), ErrorCode::PrimaryTokenUnavailable);
    assert!(
        e.detail().contains("https://tenant.example.com/api/v2/"),
        "{}",
        e.detail()
    );
}

#[test]
fn other_tenant_is_a_config_error() {
    assert_eq!(
        code_of(
            Some(&with(|c| c["iss"] = json!("https://other.example.com/"))),
            Purpose::ReadIdentities
        ),
        ErrorCode::ConfigInvalid
    );
}

#[test]
fn wrong_audience() {
    assert_eq!(
        code_of(
            Some(&with(|c| c["aud"] = json!("https://api.example.com"))),
            Purpose::ReadIdentities
        ),
        ErrorCode::PrimaryTokenUnavailable
    );
}

#[test]
fn azp_must_be_our_client() {
    let e = inspect(
        Some(&with(|c| c["azp"] = json!("other-client"))),
        Purpose::ChangeIdentities,
    )
    .expect_err("azp");
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert!(e.detail().contains("option `clientId`"), "{}", e.detail());
}

#[test]
fn expired_token_is_rejected() {
    assert_eq!(
        code_of(
            Some(&with(|c| c["exp"] = json!(NOW - 1))),
            Purpose::ReadIdentities
        ),
        ErrorCode::PrimaryTokenRejected
    );
}

#[test]
fn sub_is_required() {
    assert_eq!(
        code_of(
            Some(&with(|c| c["sub"] = json!(""))),
            Purpose::ReadIdentities
        ),
        ErrorCode::PrimaryTokenUnavailable
    );
}

#[test]
fn scope_for_changing_identities() {
    let e = inspect(
        Some(&with(|c| c["scope"] = json!("openid read:current_user"))),
        Purpose::ChangeIdentities,
    )
    .expect_err("scope");
    assert_eq!(e.code(), ErrorCode::InsufficientScope);
    assert!(
        e.detail().contains("update:current_user_identities"),
        "{}",
        e.detail()
    );
}

#[test]
fn scope_for_reading_identities() {
    let e = inspect(
        Some(&with(|c| {
            c["scope"] = json!("update:current_user_identities")
        })),
        Purpose::ReadIdentities,
    )
    .expect_err("scope");
    assert_eq!(e.code(), ErrorCode::InsufficientScope);
    assert!(e.detail().contains("read:current_user"), "{}", e.detail());
}

#[test]
fn configured_primary_user_id_must_be_the_subject() {
    let cfg = config_with(|o| o.primary_user_id = Some("auth0|someone-else".into()));
    let e = PrimaryToken::inspect(
        &parser(),
        Some(&with(|_| {})),
        &cfg,
        NOW,
        Purpose::ChangeIdentities,
    )
    .expect_err("mismatch");
    assert_eq!(e.code(), ErrorCode::UserMismatch);
}

#[test]
fn a_custom_domain_checks_its_issuer_and_the_apis_own_audience() {
    use auth0_account_link_core::config::{LinkConfig, LinkOptions};
    use auth0_account_link_core::management::prepare_get_user;
    let config = LinkConfig::new(&LinkOptions {
        domain: Some("login.example.com".into()),
        management_audience: Some("https://tenant.eu.auth0.com/api/v2/".into()),
        ..options()
    })
    .expect("config");
    let token_for = |iss: &str, aud: &str| {
        let mut claims = access_claims();
        claims["iss"] = json!(iss);
        claims["aud"] = json!([aud]);
        access_token(&claims)
    };
    // Issued through the custom domain, for the API's canonical identifier: accepted, and
    // the calls go through the custom domain.
    let good = token_for(
        "https://login.example.com/",
        "https://tenant.eu.auth0.com/api/v2/",
    );
    let token = PrimaryToken::inspect(
        &parser(),
        Some(&good),
        &config,
        NOW,
        Purpose::ChangeIdentities,
    )
    .expect("accepted");
    assert!(prepare_get_user(&config, &token)
        .url
        .starts_with("https://login.example.com/api/v2/users/"));
    // The audience is exact: the custom domain's own /api/v2/ is not the API's identifier.
    let wrong_aud = token_for(
        "https://login.example.com/",
        "https://login.example.com/api/v2/",
    );
    let e = PrimaryToken::inspect(
        &parser(),
        Some(&wrong_aud),
        &config,
        NOW,
        Purpose::ChangeIdentities,
    )
    .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::PrimaryTokenUnavailable);
    assert!(
        e.detail().contains("https://tenant.eu.auth0.com/api/v2/"),
        "{}",
        e.detail()
    );
    // And the issuer is exact: a token issued by the canonical domain is another tenant name.
    let canonical_iss = token_for(
        "https://tenant.eu.auth0.com/",
        "https://tenant.eu.auth0.com/api/v2/",
    );
    let e = PrimaryToken::inspect(
        &parser(),
        Some(&canonical_iss),
        &config,
        NOW,
        Purpose::ChangeIdentities,
    )
    .expect_err("refused");
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
}
