//! The JS-value deserializer (`browser::de`) in headless Chromium: the core's types read
//! from `JSON.parse` output and from options objects, errors that name the path and the
//! kind of value but never the value, strict where the types are strict.
#![cfg(target_arch = "wasm32")]

use auth0_account_link::browser::de::{from_value, DeError};
use auth0_account_link::browser::env::JsJson;
use auth0_account_link_core::config::{ConnectionOption, LinkOptions};
use auth0_account_link_core::env::JsonParser;
use auth0_account_link_core::jwt::Jwks;
use auth0_account_link_core::management::{Identity, PrimaryUser};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

fn error<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> DeError {
    from_value::<T>(js(json)).expect_err("should be refused")
}

#[wasm_bindgen_test]
fn reads_a_management_api_user() {
    let user: PrimaryUser = from_value(js(r#"{
        "user_id": "auth0|1", "email": "a@example.com", "logins_count": 3,
        "identities": [
            {"connection": "Username-Password-Authentication", "user_id": "1", "provider": "auth0", "isSocial": false},
            {"connection": "github", "user_id": 4711, "provider": "github", "isSocial": true,
             "profileData": {"email": "a@github.example", "email_verified": true, "followers": 2}}
        ]}"#))
    .expect("user");
    assert_eq!(user.user_id, "auth0|1");
    assert_eq!(user.identities.len(), 2);
    // Numeric provider ids are kept as text.
    assert_eq!(user.identities[1].user_id, "4711");
    assert!(user.identities[1].is_social);
    let profile = user.identities[1].profile_data.clone().expect("profile");
    assert_eq!(profile.email_verified, Some(true));
    assert_eq!(user.name, None);
}

#[wasm_bindgen_test]
fn reads_through_json_parse_as_the_core_sees_it() {
    let jwks: Jwks = JsJson
        .parse(r#"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"AQAB","e":"AQAB"}]}"#)
        .expect("jwks");
    assert_eq!(jwks.rs256_keys().len(), 1);
    assert_eq!(
        JsJson.parse::<Jwks>("{not json").expect_err("not JSON"),
        "not JSON"
    );
}

#[wasm_bindgen_test]
fn errors_name_the_path_and_the_kind_found() {
    let e = error::<PrimaryUser>(
        r#"{"user_id":"auth0|1","identities":[{"connection":"c","user_id":"1","provider":"auth0"},{"connection":"c","user_id":"2","provider":7}]}"#,
    );
    assert_eq!(e.path(), "identities[1].provider");
    assert_eq!(e.message(), "expected a string, found a number");
    assert_eq!(
        e.to_string(),
        "identities[1].provider: expected a string, found a number"
    );

    let e = error::<Vec<Identity>>(r#"[{"connection":"c","user_id":"1"}]"#);
    assert_eq!(e.path(), "[0]");
    assert_eq!(e.message(), "missing field `provider`");

    let e = error::<PrimaryUser>(r#"["not", "an", "object"]"#);
    assert_eq!(e.path(), "");
    assert!(e.message().ends_with("found an array"), "{e}");
}

#[wasm_bindgen_test]
fn errors_never_carry_the_value() {
    let secret = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln";
    let e = error::<LinkOptions>(&format!(r#"{{"popupTimeoutSeconds": "{secret}"}}"#));
    assert_eq!(e.path(), "popupTimeoutSeconds");
    assert!(e.message().ends_with("found a string"), "{e}");
    assert!(!e.to_string().contains(secret));

    let e = error::<Vec<Identity>>(r#"[{"connection":"c","user_id":1.5,"provider":"p"}]"#);
    assert_eq!(e.path(), "[0].user_id");
    assert!(!e.to_string().contains("1.5"), "{e}");
}

#[wasm_bindgen_test]
fn strict_types_stay_strict() {
    // deny_unknown_fields is honoured, with the path.
    let e = error::<LinkOptions>(r#"{"connections":[{"name":"github","lable":"GitHub"}]}"#);
    assert_eq!(e.path(), "connections[0]");
    assert!(e.message().starts_with("unknown field `lable`"), "{e}");
    // Whole numbers are integers, fractions are not.
    let ok: Vec<ConnectionOption> = from_value(js(r#"[{"name":"github"}]"#)).expect("ok");
    assert_eq!(ok[0].name, "github");
    let seconds: LinkOptions = from_value(js(r#"{"leewaySeconds": 30}"#)).expect("f64");
    assert_eq!(seconds.leeway_seconds, Some(30.0));
    // A negative number for an unsigned integer: the right kind, not an accepted value.
    let e = error::<u64>("-3");
    assert_eq!(
        e.message(),
        "expected u64, found a number it does not accept"
    );
    let e = error::<u64>("1.5");
    assert_eq!(e.message(), "expected u64, found a number");
}

#[wasm_bindgen_test]
fn a_function_where_data_belongs_is_named() {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(
        &options,
        &"domain".into(),
        &js_sys::Function::new_no_args("return 1"),
    )
    .expect("set");
    let e = from_value::<LinkOptions>(options.into()).expect_err("function");
    assert_eq!(e.path(), "domain");
    assert_eq!(e.message(), "expected a string, found a function");
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    WebMessage,
    Query,
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WithMode {
    response_mode: Mode,
}

#[wasm_bindgen_test]
fn reads_unit_enums_by_variant_name() {
    let read: WithMode = from_value(js(r#"{"responseMode":"web_message"}"#)).expect("enum");
    assert_eq!(read.response_mode, Mode::WebMessage);
    let read: Vec<Mode> = from_value(js(r#"["query","web_message"]"#)).expect("enums");
    assert_eq!(read, vec![Mode::Query, Mode::WebMessage]);

    let unknown = error::<WithMode>(r#"{"responseMode":"fragment"}"#);
    assert_eq!(unknown.path(), "responseMode");
    assert!(unknown.message().contains("web_message"), "{unknown}");
    let wrong_kind = error::<WithMode>(r#"{"responseMode":3}"#);
    assert_eq!(wrong_kind.path(), "responseMode");
    assert!(wrong_kind.message().contains("number"), "{wrong_kind}");
    assert!(
        !wrong_kind.to_string().contains('3'),
        "the value stays out: {wrong_kind}"
    );
}

/// An unsigned access token with `claims` (the pre-flight reads, it does not verify).
fn access_token(claims: &str) -> String {
    use auth0_account_link_core::encoding::base64url_encode;
    format!(
        "{}.{}.c2ln",
        base64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url_encode(claims.as_bytes())
    )
}

#[wasm_bindgen_test]
fn aud_is_read_as_one_string_or_an_array_through_json_parse() {
    use auth0_account_link_core::config::LinkConfig;
    use auth0_account_link_core::primary::{PrimaryToken, Purpose};
    let config = LinkConfig::new(&LinkOptions {
        domain: Some("tenant.example.com".into()),
        client_id: Some("spa-client".into()),
        app_origin: Some("https://app.example.com".into()),
        ..Default::default()
    })
    .expect("config");
    let inspect = |aud: &str| {
        let claims = format!(
            r#"{{"iss":"https://tenant.example.com/","sub":"auth0|1","aud":{aud},"azp":"spa-client","exp":4000000000,"scope":"read:current_user"}}"#
        );
        PrimaryToken::inspect(
            &JsJson,
            Some(&access_token(&claims)),
            &config,
            1_800_000_000,
            Purpose::ReadIdentities,
        )
    };
    let api = r#""https://tenant.example.com/api/v2/""#;
    assert_eq!(inspect(api).expect("one string").user_id(), "auth0|1");
    let both = format!(r#"[{api}, "https://tenant.example.com/userinfo"]"#);
    assert_eq!(inspect(&both).expect("an array").user_id(), "auth0|1");
    // Neither form: the token is not read at all (and says so, without the token).
    let e = inspect("7").expect_err("a number is no audience");
    assert!(e.detail().contains("not a JWT"), "{}", e.detail());
    let e = inspect(r#"["https://tenant.example.com/userinfo"]"#).expect_err("another audience");
    assert!(
        e.detail()
            .contains("audience is https://tenant.example.com/userinfo"),
        "{}",
        e.detail()
    );
}
