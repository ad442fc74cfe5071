//! PKCE, state and nonce, the authorize URL, and callback validation.

mod common;

use auth0_account_link_core::config::ResponseMode;
use auth0_account_link_core::encoding::{base64url_decode, form_parse};
use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::transaction::{
    CallbackResponse, Transaction, TransactionDraft, WebMessage,
};
use common::driver::query_param;
use common::*;
use test_support::{sha256, SeededRandom};

fn transaction(seed: u64, connection: Option<&str>) -> Transaction {
    let draft = TransactionDraft::new(&mut SeededRandom::new(seed));
    let digest = sha256(draft.digest_input());
    draft
        .finish(digest)
        .with_connection(connection.map(str::to_owned))
}

fn params(url: &str) -> Vec<(String, String)> {
    form_parse(url.split_once('?').expect("query").1).expect("valid query")
}

fn param<'a>(p: &'a [(String, String)], k: &str) -> Option<&'a str> {
    p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

#[test]
fn authorize_url_has_every_parameter() {
    let txn = transaction(1, Some("github"));
    let url = txn.authorize_url(&config(), ResponseMode::WebMessage);
    assert!(
        url.starts_with("https://tenant.example.com/authorize?"),
        "{url}"
    );
    let p = params(&url);
    assert_eq!(param(&p, "client_id"), Some(CLIENT_ID));
    assert_eq!(param(&p, "response_type"), Some("code"));
    assert_eq!(param(&p, "redirect_uri"), Some("https://app.example.com"));
    assert_eq!(
        param(&p, "scope"),
        Some("openid profile email read:current_user")
    );
    assert_eq!(param(&p, "code_challenge_method"), Some("S256"));
    assert_eq!(param(&p, "response_mode"), Some("web_message"));
    assert_eq!(param(&p, "prompt"), Some("login"));
    assert_eq!(param(&p, "connection"), Some("github"));
    assert_eq!(param(&p, "max_age"), None);
    assert_eq!(
        param(&p, "ui_locales"),
        None,
        "no locale chosen: the browser's"
    );
    assert_eq!(
        param(&p, "audience"),
        Some("https://tenant.example.com/api/v2/"),
        "the secondary's own user is read before a link (does it have other logins?)"
    );
}

#[test]
fn pkce_challenge_is_the_s256_of_the_verifier() {
    let cfg = config();
    let draft = TransactionDraft::new(&mut SeededRandom::new(7));
    let verifier = String::from_utf8(draft.digest_input().to_vec()).expect("ascii");
    assert_eq!(verifier.len(), 43, "32 random bytes → 43 base64url chars");
    assert!(verifier
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let expected =
        auth0_account_link_core::encoding::base64url_encode(&sha256(verifier.as_bytes()));
    let url = draft
        .finish(sha256(verifier.as_bytes()))
        .authorize_url(&cfg, ResponseMode::Query);
    assert_eq!(
        param(&params(&url), "code_challenge"),
        Some(expected.as_str())
    );
    // RFC 7636 Appendix B vector, through the same encoder.
    let rfc = auth0_account_link_core::encoding::base64url_encode(&sha256(
        b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ));
    assert_eq!(rfc, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

#[test]
fn state_and_nonce_are_256_bit_and_fresh_per_attempt() {
    let a = params(&transaction(1, None).authorize_url(&config(), ResponseMode::WebMessage));
    let b = params(&transaction(2, None).authorize_url(&config(), ResponseMode::WebMessage));
    for k in ["state", "nonce", "code_challenge"] {
        let (va, vb) = (param(&a, k).expect(k), param(&b, k).expect(k));
        assert_ne!(va, vb, "{k} must differ between attempts");
        // The state carries the widget's mark before its random part.
        let random = match k {
            "state" => va
                .strip_prefix(auth0_account_link_core::transaction::STATE_MARK)
                .expect("the widget's mark"),
            _ => va,
        };
        assert!(
            base64url_decode(random).expect(k).len() >= 32,
            "{k} carries 256 bits"
        );
    }
    assert_ne!(param(&a, "state"), param(&a, "nonce"));
}

#[test]
fn max_age_is_sent_when_configured() {
    let cfg = config_with(|o| o.max_age_seconds = Some(600.0));
    let url = transaction(1, None).authorize_url(&cfg, ResponseMode::Query);
    assert_eq!(param(&params(&url), "max_age"), Some("600"));
}

fn state_of(txn: &Transaction) -> String {
    param(
        &params(&txn.authorize_url(&config(), ResponseMode::Query)),
        "state",
    )
    .expect("state")
    .to_owned()
}

#[test]
fn callback_with_matching_state_yields_the_code() {
    let txn = transaction(3, None);
    let state = state_of(&txn);
    let cb = CallbackResponse {
        code: Some("the-code".into()),
        state: Some(state),
        ..Default::default()
    };
    let v = txn.validate_callback(cb, &config()).expect("valid");
    assert_eq!(v.code().secret(), "the-code");
}

#[test]
fn callback_without_state_is_dropped() {
    let cb = CallbackResponse {
        code: Some("c".into()),
        ..Default::default()
    };
    assert_eq!(
        transaction(3, None)
            .validate_callback(cb, &config())
            .expect_err("no state")
            .code(),
        ErrorCode::StateMismatch
    );
}

#[test]
fn callback_with_other_state_is_dropped_even_with_an_error() {
    let cb = CallbackResponse {
        error: Some("access_denied".into()),
        state: Some("forged".into()),
        ..Default::default()
    };
    assert_eq!(
        transaction(3, None)
            .validate_callback(cb, &config())
            .expect_err("state")
            .code(),
        ErrorCode::StateMismatch
    );
}

#[test]
fn callback_error_is_authorization_denied_with_text_kept() {
    let txn = transaction(3, None);
    let cb = CallbackResponse {
        error: Some("access_denied".into()),
        error_description: Some("User did not <b>authorize</b>".into()),
        state: Some(state_of(&txn)),
        ..Default::default()
    };
    let e = txn.validate_callback(cb, &config()).expect_err("denied");
    assert_eq!(e.code(), ErrorCode::AuthorizationDenied);
    assert_eq!(
        e.idp_error(),
        Some(("access_denied", Some("User did not <b>authorize</b>")))
    );
}

#[test]
fn callback_iss_must_be_the_tenant_when_present() {
    let txn = transaction(3, None);
    let cb = CallbackResponse {
        code: Some("c".into()),
        state: Some(state_of(&txn)),
        iss: Some("https://evil.example.com/".into()),
        ..Default::default()
    };
    assert_eq!(
        txn.validate_callback(cb, &config())
            .expect_err("iss")
            .code(),
        ErrorCode::UnexpectedResponse
    );
    let txn = transaction(3, None);
    let cb = CallbackResponse {
        code: Some("c".into()),
        state: Some(state_of(&txn)),
        iss: Some(ISSUER.into()),
        ..Default::default()
    };
    txn.validate_callback(cb, &config()).expect("matching iss");
}

#[test]
fn callback_without_code_or_error_is_unexpected() {
    let txn = transaction(3, None);
    let cb = CallbackResponse {
        state: Some(state_of(&txn)),
        ..Default::default()
    };
    assert_eq!(
        txn.validate_callback(cb, &config())
            .expect_err("no code")
            .code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn callback_query_parsing() {
    let cb = CallbackResponse::from_query("?code=abc&state=s%2B1&extra=1").expect("valid");
    assert_eq!(cb.code.as_deref(), Some("abc"));
    assert_eq!(cb.state.as_deref(), Some("s+1"));
    assert_eq!(
        CallbackResponse::from_query("code=a&code=b")
            .expect_err("repeated")
            .code(),
        ErrorCode::UnexpectedResponse
    );
}

#[test]
fn web_messages_of_other_types_are_not_callbacks() {
    let other: WebMessage =
        serde_json::from_str(r#"{"type":"something_else","response":{"code":"x","state":"y"}}"#)
            .expect("json");
    assert!(other.into_callback().is_none());
    let ours: WebMessage = serde_json::from_str(
        r#"{"type":"authorization_response","response":{"code":"x","state":"y"}}"#,
    )
    .expect("json");
    assert_eq!(
        ours.into_callback().and_then(|c| c.code).as_deref(),
        Some("x")
    );
}

#[test]
fn persisted_transaction_round_trips_and_rejects_tampering() {
    let txn = transaction(4, Some("google-oauth2"));
    let restored = Transaction::restore(&txn.persist()).expect("round trip");
    assert_eq!(restored, txn);
    // With the primary user the page acted for (redirect mode pins it on return).
    let pinned = txn.clone().with_primary_user(Some("auth0|alice.1".into()));
    let restored = Transaction::restore(&pinned.persist()).expect("round trip");
    assert_eq!(restored.primary_user_id(), Some("auth0|alice.1"));
    assert_eq!(restored, pinned);
    // The primary's sign-in again, and the secondary's login after it, keep what they are.
    let again = txn.clone().for_reauthentication();
    assert_eq!(
        Transaction::restore(&again.persist()).expect("round trip"),
        again
    );
    let after = txn.clone().after_reauthentication(Some(1_800_000_000));
    let restored = Transaction::restore(&after.persist()).expect("round trip");
    assert_eq!(restored.reauthenticated_at(), Some(1_800_000_000));
    let persisted = txn.persist();
    let (head, _) = persisted.rsplit_once('.').expect("parts");
    let (head, _) = head.rsplit_once('.').expect("parts");
    for bad in [
        "",
        "v1.a.b.c.d.e",
        "v2.x",
        &txn.persist().replace("v4.", "v9."),
        &format!("{}.extra", txn.persist()),
        // An unknown purpose, an unreadable time of the sign-in again.
        &format!("{head}.x."),
        &format!("{head}.s.soon"),
    ] {
        assert_eq!(
            Transaction::restore(bad).expect_err("bad").code(),
            ErrorCode::StateMismatch
        );
    }
}

#[test]
fn secrets_print_redacted() {
    use auth0_account_link_core::secret::*;
    for printed in [
        format!("{:?}", AccessToken::new("eyJsecret")),
        format!("{:?}", IdToken::new("eyJsecret")),
        format!("{:?}", CodeVerifier::new("eyJsecret")),
        format!("{:?}", State::new("eyJsecret")),
        format!("{:?}", Nonce::new("eyJsecret")),
        format!("{:?}", AuthorizationCode::new("eyJsecret")),
    ] {
        assert!(
            printed.contains("[redacted]") && !printed.contains("eyJsecret"),
            "{printed}"
        );
    }
    let txn = transaction(5, None);
    let state = state_of(&txn);
    let debug = format!("{txn:?}");
    assert!(
        !debug.contains(&state),
        "Debug of a transaction leaks its state: {debug}"
    );
}

#[test]
fn state_matches_only_its_own_state() {
    let txn = transaction(6, None);
    let state = state_of(&txn);
    assert!(txn.state_matches(&state));
    assert!(!txn.state_matches("someone-elses-state"));
    assert!(!txn.state_matches(""));
}

#[test]
fn a_chosen_locale_is_sent_as_ui_locales() {
    let mut o = options();
    o.locale = Some("de-AT".into());
    let cfg = auth0_account_link_core::config::LinkConfig::new(&o).expect("valid");
    let url = transaction(1, None).authorize_url(&cfg, ResponseMode::WebMessage);
    assert_eq!(param(&params(&url), "ui_locales"), Some("de-AT"));
}

#[test]
fn a_login_that_leaves_the_tab_carries_the_redirect_mark_and_restores() {
    use auth0_account_link_core::transaction::{is_widget_state, REDIRECT_STATE_MARK, STATE_MARK};
    let draft = TransactionDraft::new(&mut SeededRandom::new(5));
    let txn = draft.finish([3; 32]);
    let popup_url = txn.authorize_url(&config(), ResponseMode::WebMessage);
    let popup_state = query_param(&popup_url, "state").expect("state");
    assert!(popup_state.starts_with(STATE_MARK) && !popup_state.starts_with(REDIRECT_STATE_MARK));
    let left = txn.started(NOW);
    let url = left.authorize_url(&config(), ResponseMode::Query);
    let state = query_param(&url, "state").expect("state");
    assert!(state.starts_with(REDIRECT_STATE_MARK), "{state}");
    assert!(is_widget_state(&state));
    let restored = Transaction::restore(&left.persist()).expect("restores");
    assert!(restored.state_matches(&state));
    // Marked once: a second start keeps the state.
    assert!(restored.started(NOW).state_matches(&state));
}
