//! Encoders and decoders: known vectors and property tests (round trips, no panics).

use auth0_account_link_core::encoding::*;
use auth0_account_link_core::jwt;
use proptest::prelude::*;

#[test]
fn base64url_rfc4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64url_encode(plain.as_bytes()), encoded);
        assert_eq!(base64url_decode(encoded).as_deref(), Some(plain.as_bytes()));
    }
    assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
}

#[test]
fn base64url_is_strict() {
    assert_eq!(base64url_decode("Zg=="), None, "padding");
    assert_eq!(base64url_decode("+/8"), None, "standard alphabet");
    assert_eq!(base64url_decode("Zh"), None, "non-zero trailing bits");
    assert_eq!(base64url_decode("Z"), None, "impossible length");
    assert_eq!(base64url_decode("Zm 9v"), None, "whitespace");
}

#[test]
fn percent_encoding_of_user_ids() {
    assert_eq!(percent_encode("auth0|123"), "auth0%7C123");
    assert_eq!(percent_encode("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
    assert_eq!(percent_encode("é"), "%C3%A9");
    assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
}

#[test]
fn form_parsing() {
    let pairs = form_parse("code=abc&state=x%2By+z&empty=&flag").expect("valid");
    assert_eq!(
        pairs,
        vec![
            ("code".into(), "abc".into()),
            ("state".into(), "x+y z".into()),
            ("empty".into(), "".into()),
            ("flag".into(), "".into())
        ]
    );
    assert_eq!(form_parse("a=%zz"), None);
    assert_eq!(form_parse("a=%C3"), None, "invalid UTF-8");
}

#[test]
fn json_string_escapes() {
    assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

#[test]
fn constant_time_eq_compares() {
    assert!(constant_time_eq("abc", "abc"));
    assert!(!constant_time_eq("abc", "abd"));
    assert!(!constant_time_eq("abc", "ab"));
}

proptest! {
    #[test]
    fn base64url_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let encoded = base64url_encode(&bytes);
        prop_assert!(!encoded.contains(['+', '/', '=']));
        prop_assert_eq!(base64url_decode(&encoded), Some(bytes));
    }

    #[test]
    fn base64url_decode_never_panics(s in ".{0,64}") {
        let _ = base64url_decode(&s);
    }

    #[test]
    fn base64url_decode_is_canonical(s in "[A-Za-z0-9_-]{0,40}") {
        if let Some(bytes) = base64url_decode(&s) {
            prop_assert_eq!(base64url_encode(&bytes), s);
        }
    }

    #[test]
    fn percent_encoding_round_trips_through_form_decode(s in "\\PC{0,40}") {
        let encoded = percent_encode(&s);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(form_decode(&encoded), Some(s));
    }

    #[test]
    fn form_encode_parse_round_trip(k in "\\PC{1,10}", v in "\\PC{0,20}") {
        let encoded = form_encode(&[(&k, &v)]);
        prop_assert_eq!(form_parse(&encoded), Some(vec![(k, v)]));
    }

    #[test]
    fn form_parse_never_panics(s in ".{0,64}") {
        let _ = form_parse(&s);
    }

    #[test]
    fn jwt_split_never_panics(s in "[A-Za-z0-9_.-]{0,80}") {
        let _ = jwt::split(&s);
    }

    #[test]
    fn jwt_split_recovers_the_parts(h in "\\PC{1,20}", p in "\\PC{1,20}", sig in proptest::collection::vec(any::<u8>(), 0..40)) {
        let token = format!("{}.{}.{}", base64url_encode(h.as_bytes()), base64url_encode(p.as_bytes()), base64url_encode(&sig));
        let parts = jwt::split(&token).expect("well formed");
        prop_assert_eq!(parts.header_json, h);
        prop_assert_eq!(parts.payload_json, p);
        prop_assert_eq!(parts.signature, sig);
    }

    #[test]
    fn json_string_is_valid_json(s in "\\PC{0,40}") {
        let parsed: String = serde_json::from_str(&json_string(&s)).expect("valid JSON string");
        prop_assert_eq!(parsed, s);
    }
}

#[test]
fn display_text_drops_every_format_separator_and_default_ignorable_code_point() {
    use auth0_account_link_core::encoding::display_text;
    for (hidden, what) in [
        ('\u{061C}', "ARABIC LETTER MARK (Cf)"),
        ('\u{2028}', "LINE SEPARATOR (Zl)"),
        ('\u{2029}', "PARAGRAPH SEPARATOR (Zp)"),
        ('\u{00AD}', "SOFT HYPHEN (Cf)"),
        ('\u{E0041}', "TAG LATIN CAPITAL LETTER A (Cf)"),
        ('\u{E007F}', "CANCEL TAG (Cf)"),
        ('\u{FE0F}', "VARIATION SELECTOR-16 (Default_Ignorable)"),
        ('\u{3164}', "HANGUL FILLER (Default_Ignorable)"),
        ('\u{034F}', "COMBINING GRAPHEME JOINER (Default_Ignorable)"),
        ('\u{2066}', "LEFT-TO-RIGHT ISOLATE (Cf)"),
        ('\u{202E}', "RIGHT-TO-LEFT OVERRIDE (Cf)"),
        ('\u{FFF9}', "INTERLINEAR ANNOTATION ANCHOR (Cf)"),
    ] {
        assert_eq!(
            display_text(&format!("bob{hidden}@example.com")),
            "bob@example.com",
            "{what}"
        );
    }
    // Letters of every script stay, right-to-left ones included.
    for kept in ["أليس", "עליזה", "アリス", "Ålice", "🙂"] {
        assert_eq!(display_text(kept), kept);
    }
}
