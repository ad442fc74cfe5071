//! The secondary's saved settings carried to the primary before the link
//! (`carryUserMetadata`): the primary-wins rule and the host's function, Auth0's PATCH
//! semantics (root merge, nested replaced, `null` deletes), the scope checked before
//! anything is sent, a failed write linking nothing, a failed link saying what was written,
//! and a retry that does not write twice. One test per rule, against a stand-in tenant that
//! keeps the primary's `user_metadata` across attempts.

mod common;

use auth0_account_link_core::error::ErrorCode;
use auth0_account_link_core::flow::{LinkFlow, Linked, Outcome};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, Method};
use auth0_account_link_core::transaction::CallbackResponse;
use common::driver::{query_param, Driver, PopupOutcome};
use common::*;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use test_support::{jwks_json, TestEnv, TestKey};

const TOKEN_URL: &str = "https://tenant.example.com/oauth/token";
const JWKS_URL: &str = "https://tenant.example.com/.well-known/jwks.json";
const USER_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary";
const LINK_URL: &str = "https://tenant.example.com/api/v2/users/auth0%7Cprimary/identities";

/// The primary user as the tenant keeps it, and every request it was sent.
struct Tenant {
    user_metadata: RefCell<Map<String, Value>>,
    /// The link request's status (201 links).
    link_status: RefCell<u16>,
    patch_status: u16,
    requests: RefCell<Vec<(Method, String, Option<String>)>>,
    nonce: RefCell<String>,
}

impl Tenant {
    fn new(primary: Value) -> Self {
        Tenant {
            user_metadata: RefCell::new(primary.as_object().cloned().unwrap_or_default()),
            link_status: RefCell::new(201),
            patch_status: 200,
            requests: RefCell::new(Vec::new()),
            nonce: RefCell::new(String::new()),
        }
    }

    fn user(&self) -> HttpResponse {
        let identities = json!([{"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false}]);
        HttpResponse::new(
            200,
            json!({"user_id": "auth0|primary", "identities": identities, "user_metadata": Value::Object(self.user_metadata.borrow().clone())})
                .to_string(),
        )
    }

    fn send(&self, r: &HttpRequest) -> HttpResponse {
        self.requests
            .borrow_mut()
            .push((r.method, r.url.clone(), r.body.clone()));
        match (r.method, r.url.as_str()) {
            (Method::Post, TOKEN_URL) => {
                let key = TestKey::fixture(1);
                let id_token = key.sign(&key.header(), &id_claims(&self.nonce.borrow()));
                HttpResponse::new(
                    200,
                    json!({"id_token": id_token, "access_token": "opaque", "token_type": "Bearer"})
                        .to_string(),
                )
            }
            (Method::Get, JWKS_URL) => HttpResponse::new(200, jwks_json(&[&TestKey::fixture(1)])),
            (Method::Get, USER_URL) => self.user(),
            (Method::Patch, USER_URL) => {
                if self.patch_status != 200 {
                    return HttpResponse::new(self.patch_status, r#"{"statusCode":503,"error":"Service Unavailable","message":"try later"}"#.to_owned());
                }
                // Auth0: the root properties merge, a nested object replaces, null deletes.
                let body: Value = serde_json::from_str(r.body.as_deref().unwrap_or("{}")).expect("JSON");
                let mut kept = self.user_metadata.borrow_mut();
                for (k, v) in body["user_metadata"].as_object().expect("an object") {
                    match v {
                        Value::Null => kept.remove(k),
                        v => kept.insert(k.clone(), v.clone()),
                    };
                }
                drop(kept);
                self.user()
            }
            (Method::Post, LINK_URL) => match *self.link_status.borrow() {
                201 => HttpResponse::new(
                    201,
                    json!([
                        {"connection": "Username-Password-Authentication", "user_id": "primary", "provider": "auth0", "isSocial": false},
                        {"connection": "google-oauth2", "user_id": "123", "provider": "google-oauth2", "isSocial": true}
                    ])
                    .to_string(),
                ),
                status => HttpResponse::new(status, r#"{"statusCode":400,"error":"Bad Request","message":"Unable to link"}"#.to_owned()),
            },
            (method, url) => panic!("unexpected {} {url}", method.as_str()),
        }
    }

    fn sent(&self, method: Method, url: &str) -> Vec<Option<String>> {
        self.requests
            .borrow()
            .iter()
            .filter(|(m, u, _)| *m == method && u == url)
            .map(|(_, _, b)| b.clone())
            .collect()
    }
}

/// The secondary's own user (read before the link), with these saved settings (serde_json
/// writes an object's properties in name order, as the requests below expect).
fn secondary_with(settings: Value) -> HttpResponse {
    HttpResponse::new(
        200,
        json!({"user_id": "google-oauth2|123", "identities": [{"connection": "google-oauth2", "provider": "google-oauth2", "user_id": "123", "isSocial": true}],
               "user_metadata": settings, "app_metadata": {"plan": "pro"}})
        .to_string(),
    )
}

fn token_with_scope(scope: &str) -> String {
    let mut claims = access_claims();
    claims["scope"] = json!(scope);
    access_token(&claims)
}

const ALL_SCOPES: &str =
    "openid read:current_user update:current_user_identities update:current_user_metadata";

fn driver<'a>(tenant: &'a Tenant, scope: &'a str, settings: Value) -> Driver<'a> {
    let token = token_with_scope(scope);
    let mut d = Driver::new(
        TestEnv::new(NOW, 5),
        Box::new(move |r| Ok(tenant.send(r))),
        move || Ok(token.clone()),
    );
    d.secondary_user = Some(Ok(secondary_with(settings)));
    d.popup = Box::new(move |url: &str| {
        *tenant.nonce.borrow_mut() = query_param(url, "nonce").expect("nonce");
        PopupOutcome::Callback(CallbackResponse {
            code: Some("code".into()),
            state: query_param(url, "state"),
            ..Default::default()
        })
    });
    d
}

fn carrying(mode: &str) -> LinkFlow {
    let mode = mode.to_owned();
    LinkFlow::new(config_with(|o| o.carry_user_metadata = Some(mode)))
}

fn linked(d: &Driver) -> Linked {
    match d.last_outcome() {
        Outcome::Linked(l) => l.clone(),
        other => panic!("expected a link, got {other:?}: {:?}", d.debug_log),
    }
}

fn failure(d: &Driver) -> (ErrorCode, String) {
    match d.last_outcome() {
        Outcome::Failed(e) => (e.code(), e.to_string()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn settings() -> Value {
    json!({"theme": "dark", "newsletter": true, "locale": "fr", "layout": {"cols": 2}})
}

#[test]
fn primary_wins_writes_only_what_the_primary_lacks_then_links_and_reads_the_end_state() {
    let tenant = Tenant::new(json!({"locale": "en", "layout": {"rows": 1}}));
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.run(carrying("primary-wins"), Event::Prepare);
    let l = linked(&d);
    assert_eq!(
        tenant.sent(Method::Patch, USER_URL),
        [Some(
            r#"{"user_metadata":{"newsletter":true,"theme":"dark"}}"#.to_owned()
        )],
        "the primary's locale and layout stay"
    );
    assert_eq!(l.carried_user_metadata, ["newsletter", "theme"]);
    assert_eq!(l.secondary_user_id, "google-oauth2|123");
    // Read again after the link: the end state.
    let end = serde_json::to_value(l.user_metadata.expect("read after the link")).expect("json");
    assert_eq!(
        end,
        json!({"locale": "en", "layout": {"rows": 1}, "theme": "dark", "newsletter": true})
    );
    // The order: read, write, link, read.
    let order: Vec<String> = tenant
        .requests
        .borrow()
        .iter()
        .filter(|(_, u, _)| u.starts_with(USER_URL))
        .map(|(m, u, _)| format!("{} {}", m.as_str(), &u[USER_URL.len()..]))
        .collect();
    assert_eq!(order, ["GET ", "PATCH ", "POST /identities", "GET "]);
}

#[test]
fn the_hosts_function_decides_and_what_it_leaves_out_is_deleted() {
    let tenant = Tenant::new(json!({"locale": "en", "old": 1}));
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.merge = Box::new(|primary, secondary| {
        let (p, s) = (
            serde_json::to_value(primary).expect("json"),
            serde_json::to_value(secondary).expect("json"),
        );
        let wanted = json!({"locale": p["locale"], "theme": s["theme"], "layout": s["layout"]});
        Ok(serde_json::from_value(wanted).expect("json"))
    });
    d.run(
        LinkFlow::new(config().merging_user_metadata_with_host()),
        Event::Prepare,
    );
    let l = linked(&d);
    let (primary, secondary) = &d.merges[0];
    assert_eq!(
        serde_json::to_value(primary).expect("json"),
        json!({"locale": "en", "old": 1})
    );
    assert_eq!(serde_json::to_value(secondary).expect("json"), settings());
    assert_eq!(
        tenant.sent(Method::Patch, USER_URL),
        [Some(
            r#"{"user_metadata":{"layout":{"cols":2},"theme":"dark","old":null}}"#.to_owned()
        )]
    );
    assert_eq!(
        serde_json::to_value(l.user_metadata.expect("read after")).expect("json"),
        json!({"locale": "en", "theme": "dark", "layout": {"cols": 2}})
    );
}

#[test]
fn a_token_without_the_metadata_scope_is_refused_before_anything_is_sent() {
    let tenant = Tenant::new(json!({}));
    let mut d = driver(
        &tenant,
        "openid read:current_user update:current_user_identities",
        settings(),
    );
    d.run(carrying("primary-wins"), Event::Prepare);
    let (code, text) = failure(&d);
    assert_eq!(code, ErrorCode::InsufficientScope);
    assert!(text.contains("update:current_user_metadata"), "{text}");
    assert!(tenant.sent(Method::Get, USER_URL).is_empty());
    assert!(tenant.sent(Method::Patch, USER_URL).is_empty());
    assert!(
        tenant.sent(Method::Post, LINK_URL).is_empty(),
        "nothing linked"
    );
}

#[test]
fn a_failed_write_links_nothing() {
    let mut tenant = Tenant::new(json!({}));
    tenant.patch_status = 503;
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.run(carrying("primary-wins"), Event::Prepare);
    let (code, text) = failure(&d);
    assert_eq!(code, ErrorCode::ServerError, "{text}");
    assert!(text.contains("nothing was linked"), "{text}");
    assert!(tenant.sent(Method::Post, LINK_URL).is_empty());
}

#[test]
fn a_link_failing_after_the_write_says_so_and_a_retry_does_not_write_again() {
    let tenant = Tenant::new(json!({"locale": "en"}));
    *tenant.link_status.borrow_mut() = 400;
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.run(carrying("primary-wins"), Event::Prepare);
    let (_, text) = failure(&d);
    assert!(
        text.contains("layout, newsletter, theme had already been written to the primary user"),
        "{text}"
    );
    assert_eq!(tenant.sent(Method::Patch, USER_URL).len(), 1);
    // The user tries again; the tenant now links.
    *tenant.link_status.borrow_mut() = 201;
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.run(carrying("primary-wins"), Event::Prepare);
    let l = linked(&d);
    assert_eq!(
        tenant.sent(Method::Patch, USER_URL).len(),
        1,
        "not written twice"
    );
    assert!(l.carried_user_metadata.is_empty());
    assert_eq!(
        l.user_metadata, None,
        "nothing carried this time: no read after"
    );
}

#[test]
fn nothing_is_read_or_written_without_settings_or_when_not_asked() {
    let tenant = Tenant::new(json!({"locale": "en"}));
    let mut d = driver(&tenant, ALL_SCOPES, json!({}));
    d.run(carrying("primary-wins"), Event::Prepare);
    assert_eq!(linked(&d).secondary_user_id, "google-oauth2|123");
    let tenant2 = Tenant::new(json!({}));
    let mut d = driver(
        &tenant2,
        "openid read:current_user update:current_user_identities",
        settings(),
    );
    d.run(LinkFlow::new(config()), Event::Prepare);
    linked(&d);
    for t in [&tenant, &tenant2] {
        assert!(t.sent(Method::Get, USER_URL).is_empty());
        assert!(t.sent(Method::Patch, USER_URL).is_empty());
    }
}

#[test]
fn a_function_that_answers_no_object_links_nothing() {
    let tenant = Tenant::new(json!({}));
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    d.merge = Box::new(|_, _| Ok(auth0_account_link_core::json::Json::Null));
    d.run(
        LinkFlow::new(config().merging_user_metadata_with_host()),
        Event::Prepare,
    );
    let (code, text) = failure(&d);
    assert_eq!(code, ErrorCode::ConfigInvalid);
    assert!(text.contains("carryUserMetadata"), "{text}");
    assert!(tenant.sent(Method::Patch, USER_URL).is_empty());
    assert!(tenant.sent(Method::Post, LINK_URL).is_empty());
}

#[test]
fn an_unknown_carry_rule_names_the_option() {
    let e =
        auth0_account_link_core::LinkConfig::new(&auth0_account_link_core::config::LinkOptions {
            carry_user_metadata: Some("secondary-wins".into()),
            ..options()
        })
        .expect_err("refused");
    assert!(e.to_string().contains("carryUserMetadata"), "{e}");
}

use auth0_account_link_core::flow::Event;

#[test]
fn the_sign_in_again_asks_for_the_scope_that_writes_the_settings() {
    let tenant = Tenant::new(json!({}));
    let mut d = driver(&tenant, ALL_SCOPES, settings());
    let config = config_with(|o| {
        o.reauthenticate = None;
        o.carry_user_metadata = Some("primary-wins".into());
    });
    d.run(LinkFlow::new(config), Event::Prepare);
    let frame = d.frames.first().expect("asked ahead of the click");
    let scope = query_param(frame, "scope").expect("scope");
    assert!(scope.contains("update:current_user_metadata"), "{scope}");
    assert!(scope.contains("update:current_user_identities"), "{scope}");
}
