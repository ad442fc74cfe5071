//! Config validation: one negative test per rule, each naming the option.

mod common;

use auth0_account_link_core::config::{ConnectionOption, LinkConfig, LinkOptions, ResponseMode};
use auth0_account_link_core::error::ErrorCode;
use common::*;

#[track_caller]
fn refused(f: impl FnOnce(&mut LinkOptions), option: &str) {
    let mut o = options();
    f(&mut o);
    let e = LinkConfig::new(&o).expect_err("options must be refused");
    assert_eq!(e.code(), ErrorCode::ConfigInvalid, "{e}");
    assert!(
        e.detail().contains(&format!("option `{option}`")),
        "detail must name {option}: {}",
        e.detail()
    );
}

#[test]
fn defaults() {
    let c = config();
    assert_eq!(c.domain().origin(), "https://tenant.example.com");
    assert_eq!(c.domain().issuer(), "https://tenant.example.com/");
    assert_eq!(
        c.domain().management_audience(),
        "https://tenant.example.com/api/v2/"
    );
    assert_eq!(c.response_mode(), ResponseMode::WebMessage);
    assert_eq!(c.redirect_uri(), "https://app.example.com");
    assert_eq!(c.redirect_fallback_uri(), None);
    assert_eq!(c.leeway_seconds(), 60);
    assert!(c.require_verified_email());
    assert_eq!(c.connections()[0].label(), "Google");
    assert_eq!(c.connections()[1].label(), "GitHub");
}

#[test]
fn domain_forms_accepted() {
    for (input, origin) in [
        ("tenant.eu.auth0.com", "https://tenant.eu.auth0.com"),
        ("https://tenant.eu.auth0.com", "https://tenant.eu.auth0.com"),
        (
            "https://tenant.eu.auth0.com/",
            "https://tenant.eu.auth0.com",
        ),
        ("TENANT.example.com", "https://tenant.example.com"),
        ("http://127.0.0.1:4000", "http://127.0.0.1:4000"),
        ("http://localhost:4000/", "http://localhost:4000"),
        ("http://[::1]:4000", "http://[::1]:4000"),
        ("login.example.com:8443", "https://login.example.com:8443"),
    ] {
        let c = config_with(|o| o.domain = Some(input.into()));
        assert_eq!(c.domain().origin(), origin, "{input}");
    }
}

#[test]
fn domain_missing_or_empty() {
    refused(|o| o.domain = None, "domain");
    refused(|o| o.domain = Some("  ".into()), "domain");
}

#[test]
fn domain_http_only_on_loopback() {
    refused(
        |o| o.domain = Some("http://tenant.example.com".into()),
        "domain",
    );
    refused(|o| o.domain = Some("http://192.168.1.1".into()), "domain");
}

#[test]
fn domain_other_schemes() {
    refused(
        |o| o.domain = Some("ftp://tenant.example.com".into()),
        "domain",
    );
    refused(|o| o.domain = Some("javascript://x".into()), "domain");
}

#[test]
fn domain_no_path_query_fragment_userinfo() {
    refused(
        |o| o.domain = Some("tenant.example.com/api".into()),
        "domain",
    );
    refused(
        |o| o.domain = Some("tenant.example.com?x=1".into()),
        "domain",
    );
    refused(|o| o.domain = Some("tenant.example.com#f".into()), "domain");
    refused(
        |o| o.domain = Some("user@tenant.example.com".into()),
        "domain",
    );
    refused(
        |o| o.domain = Some("https://user:pw@tenant.example.com".into()),
        "domain",
    );
}

#[test]
fn domain_bad_host_or_port() {
    refused(|o| o.domain = Some("tenant..example.com".into()), "domain");
    refused(|o| o.domain = Some("ten ant.example.com".into()), "domain");
    refused(|o| o.domain = Some("tenant.example.com:0".into()), "domain");
    refused(
        |o| o.domain = Some("tenant.example.com:99999".into()),
        "domain",
    );
    refused(|o| o.domain = Some("tenant.example.com:".into()), "domain");
    refused(|o| o.domain = Some("[::2]:4000".into()), "domain");
}

#[test]
fn client_id_required_and_clean() {
    refused(|o| o.client_id = None, "clientId");
    refused(|o| o.client_id = Some("".into()), "clientId");
    refused(|o| o.client_id = Some("abc def".into()), "clientId");
}

#[test]
fn response_mode_known_values_only() {
    refused(
        |o| o.response_mode = Some("fragment".into()),
        "responseMode",
    );
    refused(
        |o| o.response_mode = Some("form_post".into()),
        "responseMode",
    );
}

#[test]
fn query_mode_needs_redirect_uri() {
    refused(|o| o.response_mode = Some("query".into()), "redirectUri");
    let c = config_with(|o| {
        o.response_mode = Some("query".into());
        o.redirect_uri = Some("https://app.example.com/callback.html".into());
    });
    assert_eq!(
        c.redirect_fallback_uri(),
        Some("https://app.example.com/callback.html")
    );
}

#[test]
fn web_message_needs_an_origin_or_redirect_uri() {
    refused(|o| o.app_origin = None, "redirectUri");
    refused(
        |o| o.app_origin = Some("https://app.example.com/path".into()),
        "appOrigin",
    );
}

#[test]
fn redirect_uri_absolute_https_no_fragment() {
    refused(|o| o.redirect_uri = Some("/callback".into()), "redirectUri");
    refused(
        |o| o.redirect_uri = Some("https://app.example.com/cb#x".into()),
        "redirectUri",
    );
    refused(
        |o| o.redirect_uri = Some("http://app.example.com/cb".into()),
        "redirectUri",
    );
    refused(
        |o| o.redirect_uri = Some("custom://cb".into()),
        "redirectUri",
    );
    refused(
        |o| o.redirect_uri = Some("https://user@app.example.com/cb".into()),
        "redirectUri",
    );
    config_with(|o| {
        o.app_origin = Some("http://127.0.0.1:5173".into());
        o.redirect_uri = Some("http://127.0.0.1:5173/callback.html".into());
    });
}

#[test]
fn connections_named_once() {
    refused(
        |o| {
            o.connections = Some(vec![ConnectionOption {
                name: "".into(),
                label: None,
            }])
        },
        "connections[0].name",
    );
    refused(
        |o| {
            o.connections = Some(vec![ConnectionOption {
                name: "a b".into(),
                label: None,
            }])
        },
        "connections[0].name",
    );
    refused(
        |o| {
            o.connections = Some(vec![
                ConnectionOption {
                    name: "github".into(),
                    label: None,
                },
                ConnectionOption {
                    name: "github".into(),
                    label: None,
                },
            ])
        },
        "connections[1].name",
    );
}

#[test]
fn timeouts_in_range() {
    refused(
        |o| o.popup_timeout_seconds = Some(1.0),
        "popupTimeoutSeconds",
    );
    refused(
        |o| o.popup_timeout_seconds = Some(f64::NAN),
        "popupTimeoutSeconds",
    );
    refused(
        |o| o.request_timeout_seconds = Some(0.0),
        "requestTimeoutSeconds",
    );
    refused(
        |o| o.request_timeout_seconds = Some(1.5),
        "requestTimeoutSeconds",
    );
}

#[test]
fn leeway_is_capped() {
    refused(|o| o.leeway_seconds = Some(301.0), "leewaySeconds");
    refused(|o| o.leeway_seconds = Some(-1.0), "leewaySeconds");
    assert_eq!(
        config_with(|o| o.leeway_seconds = Some(300.0)).leeway_seconds(),
        300
    );
}

#[test]
fn max_age_whole_seconds() {
    refused(|o| o.max_age_seconds = Some(-3.0), "maxAgeSeconds");
    assert_eq!(
        config_with(|o| o.max_age_seconds = Some(0.0)).max_age_seconds(),
        Some(0)
    );
}

#[test]
fn primary_user_id_not_blank() {
    refused(|o| o.primary_user_id = Some(" ".into()), "primaryUserId");
}

#[test]
fn unknown_options_are_refused_when_deserialising() {
    let err = serde_json::from_str::<LinkOptions>(r#"{"domain":"t.example.com","clientID":"x"}"#)
        .expect_err("typo");
    assert!(err.to_string().contains("clientID"), "{err}");
}

#[test]
fn unknown_option_names_are_refused_with_a_suggestion() {
    LinkOptions::check_names(["domain", "clientId", "getAccessToken"]).expect("known names");
    let e = LinkOptions::check_names(["domain", "clientID"]).expect_err("typo");
    assert_eq!(e.code(), ErrorCode::ConfigInvalid);
    assert!(
        e.detail().contains("option `clientID`") && e.detail().contains("did you mean `clientId`"),
        "{}",
        e.detail()
    );
    let e = LinkOptions::check_names(["popup"]).expect_err("unknown");
    assert!(e.detail().contains("known options are"), "{}", e.detail());
}

#[test]
fn response_messages_come_from_the_tenant_or_the_page() {
    let popup = config();
    assert_eq!(
        popup.response_message_origin(),
        "https://tenant.example.com"
    );
    let query = config_with(|o| {
        o.response_mode = Some("query".into());
        o.redirect_uri = Some("https://app.example.com/callback.html".into());
    });
    assert_eq!(query.response_message_origin(), "https://app.example.com");
    // The page's origin is the host's appOrigin, not a guess of the shell's.
    let portal = config_with(|o| {
        o.app_origin = Some("https://portal.example.org".into());
        o.response_mode = Some("query".into());
        o.redirect_uri = Some("https://portal.example.org/cb.html".into());
    });
    assert_eq!(
        portal.response_message_origin(),
        "https://portal.example.org"
    );
}

#[test]
fn a_default_port_is_the_origin_browsers_report() {
    let with_port = |domain: &str| {
        LinkConfig::new(&LinkOptions {
            domain: Some(domain.into()),
            ..options()
        })
        .expect("config")
        .domain()
        .origin()
        .to_owned()
    };
    assert_eq!(
        with_port("https://tenant.example.com:443"),
        "https://tenant.example.com"
    );
    assert_eq!(
        with_port("tenant.example.com:443/"),
        "https://tenant.example.com"
    );
    assert_eq!(with_port("http://127.0.0.1:80"), "http://127.0.0.1");
    // Other ports are part of the origin.
    assert_eq!(
        with_port("https://tenant.example.com:8443"),
        "https://tenant.example.com:8443"
    );
    assert_eq!(with_port("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
}

#[test]
fn a_redirect_uri_on_another_origin_is_refused_at_mount() {
    refused(
        |o| {
            o.response_mode = Some("query".into());
            o.redirect_uri = Some("https://other.example.com/callback.html".into());
        },
        "redirectUri",
    );
    // The redirect fallback resumes on that page too: same rule in web_message mode.
    refused(
        |o| o.redirect_uri = Some("https://app.example.com:8443/callback.html".into()),
        "redirectUri",
    );
    // The page's origin is the host's appOrigin when it gives one (not a guess).
    let elsewhere = LinkConfig::new(&LinkOptions {
        app_origin: Some("https://portal.example.org".into()),
        redirect_uri: Some("https://portal.example.org/callback.html".into()),
        ..options()
    });
    assert!(elsewhere.is_ok(), "{:?}", elsewhere.err());
    // The same origin, however spelled, is fine.
    let ok = LinkConfig::new(&LinkOptions {
        response_mode: Some("query".into()),
        redirect_uri: Some("https://APP.example.com:443/callback.html".into()),
        ..options()
    });
    assert!(ok.is_ok(), "{:?}", ok.err());
}

#[test]
fn management_audience_defaults_to_the_domain_and_must_be_the_apis_identifier() {
    assert_eq!(
        config().management_audience(),
        "https://tenant.example.com/api/v2/"
    );
    refused(
        |o| o.management_audience = Some("http://tenant.eu.auth0.com/api/v2/".into()),
        "managementAudience",
    );
    refused(
        |o| o.management_audience = Some("https://tenant.eu.auth0.com/".into()),
        "managementAudience",
    );
    refused(
        |o| o.management_audience = Some("https://bad host/api/v2/".into()),
        "managementAudience",
    );
    // http only on this machine (the dev tenant), as for domain.
    config_with(|o| o.management_audience = Some("http://127.0.0.1:4000/api/v2/".into()));
    let custom =
        config_with(|o| o.management_audience = Some("https://tenant.eu.auth0.com/api/v2/".into()));
    assert_eq!(
        custom.management_audience(),
        "https://tenant.eu.auth0.com/api/v2/"
    );
}

#[test]
fn locale_must_be_a_language_tag() {
    for bad in [
        "",
        "e",
        "english",
        "de_DE",
        "de-",
        "fr-toolongsubtag",
        "ar-<b>",
    ] {
        refused(|o| o.locale = Some(bad.into()), "locale");
    }
    for good in ["en", "de-AT", "zh-Hant-TW", "ar", "he"] {
        let mut o = options();
        o.locale = Some(good.into());
        let c = LinkConfig::new(&o).expect(good);
        assert_eq!(c.locale(), good);
        assert_eq!(c.ui_locales(), Some(good));
    }
    assert_eq!(config().locale(), "en");
    assert_eq!(config().ui_locales(), None);
}

#[test]
fn theme_is_auto_light_or_dark() {
    use auth0_account_link_core::config::{Theme, ViewOptions};
    assert_eq!(
        ViewOptions::new(&options()).expect("view").theme(),
        Theme::Auto
    );
    for (given, theme) in [
        ("auto", Theme::Auto),
        ("light", Theme::Light),
        ("dark", Theme::Dark),
    ] {
        let mut o = options();
        o.theme = Some(given.into());
        assert_eq!(ViewOptions::new(&o).expect(given).theme(), theme);
    }
    let mut o = options();
    o.theme = Some("Dark".into());
    let e = ViewOptions::new(&o).expect_err("Dark");
    assert!(e.detail().starts_with("option `theme`"), "{}", e.detail());
}

#[test]
fn heading_level_is_a_whole_number_from_2_to_6() {
    use auth0_account_link_core::config::ViewOptions;
    assert_eq!(
        ViewOptions::new(&options()).expect("view").heading_level(),
        2
    );
    let mut o = options();
    o.heading_level = Some(4.0);
    assert_eq!(ViewOptions::new(&o).expect("4").heading_level(), 4);
    for bad in [1.0, 7.0, 2.5, f64::NAN] {
        let mut o = options();
        o.heading_level = Some(bad);
        let e = ViewOptions::new(&o).expect_err("bad level");
        assert!(
            e.detail().starts_with("option `headingLevel`"),
            "{}",
            e.detail()
        );
    }
    // The session's configuration does not hold them: a new theme is no new session.
    let mut o = options();
    o.theme = Some("dark".into());
    o.heading_level = Some(3.0);
    assert_eq!(LinkConfig::new(&o).expect("valid"), config());
}

#[test]
fn a_config_error_for_a_rust_caller_names_the_rust_fields() {
    let e = LinkConfig::new(&LinkOptions {
        response_mode: Some("query".into()),
        ..options()
    })
    .expect_err("query needs a redirect URI");
    assert!(e.detail().contains("redirectUri"), "{}", e.detail());
    let rust = e.in_rust_terms();
    assert_eq!(
        rust.code(),
        auth0_account_link_core::ErrorCode::ConfigInvalid
    );
    assert!(
        rust.detail().contains("option `redirect_uri`") && rust.detail().contains("response_mode"),
        "{}",
        rust.detail()
    );
    assert!(!rust.detail().contains("redirectUri") && !rust.detail().contains("responseMode"));
}
