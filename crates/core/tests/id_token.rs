//! One negative test per ID token rule (OIDC Core 3.1.3.7), each asserting the exact
//! code and reason.

mod common;

use auth0_account_link_core::encoding::base64url_encode;
use auth0_account_link_core::error::{ErrorCode, IdTokenReason as R};
use auth0_account_link_core::id_token::{self, Expectations};
use auth0_account_link_core::secret::{IdToken, Nonce};
use auth0_account_link_core::{LinkConfig, LinkError};
use common::*;
use serde_json::{json, Value};
use test_support::{json as parser, jwks_of, RsaVerifier, TestKey};

const NONCE: &str = "n-0S6_WzA2Mj";

fn verify_with(
    config: &LinkConfig,
    token: &str,
    keys: &[&TestKey],
    now: u64,
) -> Result<auth0_account_link_core::id_token::VerifiedIdToken, LinkError> {
    let nonce = Nonce::new(NONCE);
    id_token::verify(
        &parser(),
        &RsaVerifier,
        IdToken::new(token),
        &jwks_of(keys),
        Expectations {
            config,
            nonce: &nonce,
            now,
        },
    )
}

fn verify(token: &str) -> Result<auth0_account_link_core::id_token::VerifiedIdToken, LinkError> {
    let key = TestKey::fixture(1);
    verify_with(&config(), token, &[&key], NOW)
}

fn signed(claims: &Value) -> String {
    let key = TestKey::fixture(1);
    key.sign(&key.header(), claims)
}

fn with(f: impl FnOnce(&mut Value)) -> String {
    let mut claims = id_claims(NONCE);
    f(&mut claims);
    signed(&claims)
}

#[track_caller]
fn assert_reason(result: Result<impl std::fmt::Debug, LinkError>, reason: R) {
    let e = result.expect_err("the token must be refused");
    assert_eq!(e.code(), ErrorCode::IdTokenInvalid, "{e}");
    assert_eq!(e.reason(), Some(reason), "{e}");
}

#[test]
fn a_valid_token_verifies_and_exposes_the_profile() {
    let v = verify(&with(|_| {})).expect("valid token");
    assert_eq!(v.sub(), "google-oauth2|123");
    assert_eq!(v.profile().provider, "google-oauth2");
    assert_eq!(v.profile().email.as_deref(), Some("alice@gmail.test"));
    assert_eq!(v.profile().email_verified, Some(true));
}

#[test]
fn malformed_not_three_parts() {
    assert_reason(verify("abc.def"), R::Malformed);
    assert_reason(verify("a.b.c.d"), R::Malformed);
    assert_reason(verify(""), R::Malformed);
}

#[test]
fn malformed_bad_base64_or_json() {
    let good = with(|_| {});
    let parts: Vec<&str> = good.split('.').collect();
    assert_reason(
        verify(&format!("{}.{}!.{}", parts[0], parts[1], parts[2])),
        R::Malformed,
    );
    let not_json = b64("not json");
    assert_reason(
        verify(&format!("{}.{not_json}.{}", parts[0], parts[2])),
        R::Malformed,
    );
    assert_reason(
        verify(&format!("{not_json}.{}.{}", parts[1], parts[2])),
        R::Malformed,
    );
}

#[test]
fn malformed_crit_header() {
    let key = TestKey::fixture(1);
    let token = key.sign(
        &json!({"alg": "RS256", "kid": key.kid, "crit": ["exp"]}),
        &id_claims(NONCE),
    );
    assert_reason(verify(&token), R::Malformed);
}

#[test]
fn alg_none_is_refused() {
    let header = b64(r#"{"alg":"none"}"#);
    let payload = b64(id_claims(NONCE).to_string());
    assert_reason(verify(&format!("{header}.{payload}.")), R::Alg);
}

#[test]
fn alg_hs256_es256_ps256_are_refused() {
    for alg in ["HS256", "ES256", "PS256", "RS512", "rs256"] {
        let key = TestKey::fixture(1);
        let token = key.sign(&json!({"alg": alg, "kid": key.kid}), &id_claims(NONCE));
        assert_reason(verify(&token), R::Alg);
    }
}

#[test]
fn signature_tampered_payload_is_refused() {
    let good = with(|_| {});
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims = id_claims(NONCE);
    claims["sub"] = json!("auth0|attacker");
    let forged = format!("{}.{}.{}", parts[0], b64(claims.to_string()), parts[2]);
    assert_reason(verify(&forged), R::Signature);
}

#[test]
fn signature_by_another_key_with_our_kid_is_refused() {
    let ours = TestKey::fixture(1);
    let attacker = TestKey::fixture(3);
    let token = attacker.sign(&ours.header(), &id_claims(NONCE));
    assert_reason(verify(&token), R::Signature);
}

#[test]
fn signature_empty_is_refused() {
    let good = with(|_| {});
    let (head, _) = good.rsplit_once('.').expect("three parts");
    assert_reason(verify(&format!("{head}.")), R::Signature);
}

#[test]
fn key_not_found_for_unknown_kid() {
    let key = TestKey::fixture(1);
    let token = key.sign(
        &json!({"alg": "RS256", "kid": "unknown"}),
        &id_claims(NONCE),
    );
    assert_reason(verify(&token), R::KeyNotFound);
}

#[test]
fn key_not_found_without_kid_when_several_keys() {
    let (k1, k2) = (TestKey::fixture(1), TestKey::fixture(2));
    let token = k1.sign(&json!({"alg": "RS256"}), &id_claims(NONCE));
    assert_reason(
        verify_with(&config(), &token, &[&k1, &k2], NOW),
        R::KeyNotFound,
    );
    // With exactly one RS256 key, a token without kid is verified with it.
    verify_with(&config(), &token, &[&k1], NOW).expect("single key, no kid");
}

#[test]
fn iss_must_match_exactly() {
    assert_reason(
        verify(&with(|c| c["iss"] = json!("https://tenant.example.com"))),
        R::Iss,
    );
    assert_reason(
        verify(&with(|c| c["iss"] = json!("https://evil.example.com/"))),
        R::Iss,
    );
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("iss"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Iss,
    );
}

#[test]
fn aud_must_contain_the_client() {
    assert_reason(verify(&with(|c| c["aud"] = json!("other-client"))), R::Aud);
    assert_reason(verify(&with(|c| c["aud"] = json!(["a", "b"]))), R::Aud);
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("aud"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Aud,
    );
}

#[test]
fn azp_required_with_several_audiences() {
    assert_reason(
        verify(&with(|c| c["aud"] = json!([CLIENT_ID, "other"]))),
        R::Azp,
    );
    verify(&with(|c| {
        c["aud"] = json!([CLIENT_ID, "other"]);
        c["azp"] = json!(CLIENT_ID);
    }))
    .expect("azp present and ours");
}

#[test]
fn azp_must_be_the_client_when_present() {
    assert_reason(verify(&with(|c| c["azp"] = json!("other"))), R::Azp);
}

#[test]
fn exp_expired_beyond_leeway() {
    assert_reason(verify(&with(|c| c["exp"] = json!(NOW - 61))), R::Exp);
    verify(&with(|c| c["exp"] = json!(NOW - 59))).expect("within the 60 s leeway");
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("exp"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Exp,
    );
    assert_reason(verify(&with(|c| c["exp"] = json!(-5))), R::Exp);
}

#[test]
fn leeway_is_configurable() {
    let strict = config_with(|o| o.leeway_seconds = Some(0.0));
    let key = TestKey::fixture(1);
    assert_reason(
        verify_with(&strict, &with(|c| c["exp"] = json!(NOW - 1)), &[&key], NOW),
        R::Exp,
    );
}

#[test]
fn iat_in_the_future_beyond_leeway() {
    assert_reason(verify(&with(|c| c["iat"] = json!(NOW + 61))), R::Iat);
    verify(&with(|c| c["iat"] = json!(NOW + 59))).expect("within leeway");
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("iat"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Iat,
    );
}

#[test]
fn nbf_in_the_future_beyond_leeway() {
    assert_reason(verify(&with(|c| c["nbf"] = json!(NOW + 120))), R::Nbf);
    verify(&with(|c| c["nbf"] = json!(NOW))).expect("nbf now");
}

#[test]
fn nonce_must_match() {
    assert_reason(verify(&with(|c| c["nonce"] = json!("other"))), R::Nonce);
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("nonce"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Nonce,
    );
}

#[test]
fn sub_is_required() {
    assert_reason(
        verify(&with(|c| {
            c.as_object_mut()
                .map(|o| o.remove("sub"))
                .map(drop)
                .unwrap_or(())
        })),
        R::Sub,
    );
    assert_reason(verify(&with(|c| c["sub"] = json!(""))), R::Sub);
}

#[test]
fn auth_time_checked_when_max_age_was_sent() {
    let cfg = config_with(|o| o.max_age_seconds = Some(300.0));
    let key = TestKey::fixture(1);
    assert_reason(
        verify_with(
            &cfg,
            &with(|c| c["auth_time"] = json!(NOW - 1000)),
            &[&key],
            NOW,
        ),
        R::AuthTime,
    );
    assert_reason(
        verify_with(
            &cfg,
            &with(|c| {
                c.as_object_mut()
                    .map(|o| o.remove("auth_time"))
                    .map(drop)
                    .unwrap_or(())
            }),
            &[&key],
            NOW,
        ),
        R::AuthTime,
    );
    verify_with(&cfg, &with(|_| {}), &[&key], NOW).expect("recent login");
}

#[test]
fn unverified_email_is_refused_by_default() {
    let e = verify(&with(|c| c["email_verified"] = json!(false))).expect_err("unverified");
    assert_eq!(e.code(), ErrorCode::EmailUnverified);
    assert_eq!(e.reason(), None);
    let e = verify(&with(|c| {
        c.as_object_mut()
            .map(|o| o.remove("email_verified"))
            .map(drop)
            .unwrap_or(())
    }))
    .expect_err("unknown verification");
    assert_eq!(e.code(), ErrorCode::EmailUnverified);
    // "true" as a string (some IdPs) counts as verified.
    verify(&with(|c| c["email_verified"] = json!("true"))).expect("string true");
}

#[test]
fn unverified_email_allowed_when_the_host_opts_out() {
    let cfg = config_with(|o| o.require_verified_email = Some(false));
    let key = TestKey::fixture(1);
    verify_with(
        &cfg,
        &with(|c| c["email_verified"] = json!(false)),
        &[&key],
        NOW,
    )
    .expect("opted out");
}

#[test]
fn error_messages_never_contain_the_token() {
    let token = with(|c| c["aud"] = json!("other"));
    let e = verify(&token).expect_err("aud");
    let parts: Vec<&str> = token.split('.').collect();
    for part in parts {
        assert!(
            !e.detail().contains(part),
            "detail leaks token material: {}",
            e.detail()
        );
    }
    assert!(
        e.detail().contains("expected to contain spa-client"),
        "{}",
        e.detail()
    );
}

fn b64(s: impl AsRef<[u8]>) -> String {
    base64url_encode(s.as_ref())
}

#[test]
fn the_profile_shown_loses_hidden_and_reordering_characters_and_non_https_pictures() {
    let token = with(|c| {
        c["name"] = json!("Alice\u{202E}moc.liame\u{202C}");
        c["email"] = json!("al\u{200B}ice@gmail.test");
        c["nickname"] = json!("ali\u{0007}ce\u{2066}x\u{2069}");
        c["picture"] = json!("http://cdn.example/alice.png");
    });
    let profile = verify(&token).expect("valid").profile().clone();
    assert_eq!(profile.name.as_deref(), Some("Alicemoc.liame"));
    assert_eq!(profile.email.as_deref(), Some("alice@gmail.test"));
    assert_eq!(profile.nickname.as_deref(), Some("alicex"));
    assert_eq!(profile.picture, None, "http: is never handed on");
    let token = with(|c| c["picture"] = json!("https://cdn.example/alice.png"));
    assert_eq!(
        verify(&token).expect("valid").profile().picture.as_deref(),
        Some("https://cdn.example/alice.png")
    );
    for refused in [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://",
        "https://a b",
    ] {
        let token = with(|c| c["picture"] = json!(refused));
        assert_eq!(
            verify(&token).expect("valid").profile().picture,
            None,
            "{refused}"
        );
    }
}
