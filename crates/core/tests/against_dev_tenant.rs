//! The whole flow through the core with a real HTTP transport against the dev tenant
//! (in-process, loopback, test mode): the happy path ends with the secondary in the
//! primary's identities; each misbehaviour switch ends in the right code with no
//! `POST …/identities` sent.

mod common;

use auth0_account_link_core::config::{ConnectionOption, LinkOptions};
use auth0_account_link_core::error::{ErrorCode, IdTokenReason};
use auth0_account_link_core::flow::{Event, IdentityOpKind, LinkFlow, Linked, Outcome};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, Method};
use auth0_account_link_core::management::{Identity, IdentityRef};
use auth0_account_link_core::transaction::CallbackResponse;
use auth0_account_link_core::LinkConfig;
use common::driver::{Driver, PopupOutcome};
use serde_json::{json, Value};
use std::time::Duration;
use test_support::{HttpTransport, TestEnv};

const SPA: &str = "demo-spa-client";
const CALLBACK: &str = "http://127.0.0.1:5173/callback.html";
const ALICE: &str = "auth0|alice";
const GOOGLE: &str = "google-oauth2|100000000000000000001";
const GITHUB: &str = "github|4242";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct Tenant {
    /// Where the widget sends its requests: the canonical host, or the custom domain.
    base: String,
    /// `http://127.0.0.1:PORT`: the tenant's canonical name (the API's identifier).
    canonical: String,
    http: HttpTransport,
}

impl Tenant {
    /// Starts a fresh tenant (test mode) on a free loopback port in a background thread.
    fn start() -> Self {
        Self::start_with(false)
    }

    /// The same tenant, answering on `localhost:PORT` as its custom domain too; the widget
    /// is pointed at the custom domain.
    fn start_with_custom_domain() -> Self {
        Self::start_with(true)
    }

    fn start_with(custom_domain: bool) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let port = listener.local_addr().expect("addr").port();
                let dir = dev_tenant::TenantConfig::default_fixture_dir();
                let mut state = dev_tenant::AppState::from_fixture_dir(&dir, port, &[], true)
                    .expect("fixtures");
                if custom_domain {
                    std::sync::Arc::get_mut(&mut state.config)
                        .expect("config not shared yet")
                        .custom_domain = Some(format!("localhost:{port}"));
                }
                tx.send(port).expect("send port");
                dev_tenant::serve(listener, state)
                    .await
                    .expect("tenant stopped");
            });
        });
        let port = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("tenant started");
        let canonical = format!("http://127.0.0.1:{port}");
        Tenant {
            base: if custom_domain {
                format!("http://localhost:{port}")
            } else {
                canonical.clone()
            },
            canonical,
            http: HttpTransport::new(),
        }
    }

    fn request(&self, method: Method, path: &str, body: Option<Value>) -> HttpResponse {
        let mut headers = vec![];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        let req = HttpRequest {
            method,
            url: format!("{}{path}", self.base),
            headers,
            body: body.map(|b| b.to_string()),
        };
        self.http.send(&req).expect("tenant reachable")
    }

    fn arm(&self, switch: &str, extra: Value) {
        let mut body = json!({ "switch": switch });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        assert_eq!(
            self.request(Method::Post, "/test/misbehave", Some(body))
                .status,
            204
        );
    }

    fn auto_login(&self, identity: &str) {
        assert_eq!(
            self.request(
                Method::Post,
                "/test/auto-login",
                Some(json!({ "identity": identity }))
            )
            .status,
            204
        );
    }

    /// The primary's Management API token, through /authorize + /oauth/token.
    fn primary_token(&self, identity: &str) -> String {
        self.primary_session(identity).0
    }

    /// [`Tenant::primary_token`], and the `Cookie` header of the tenant session that sign-in
    /// made (what the browser sends the tenant afterwards, a hidden frame's request too).
    fn primary_session(&self, identity: &str) -> (String, String) {
        let query = auth0_account_link_core::encoding::form_encode(&[
            ("client_id", SPA),
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            (
                "scope",
                "openid profile email read:current_user update:current_user_identities",
            ),
            ("audience", &format!("{}/api/v2/", self.canonical)),
            ("state", "primary-state"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("login_hint", identity),
        ]);
        let r = self.request(Method::Get, &format!("/authorize?{query}"), None);
        let cookie = r
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let cb = CallbackResponse::from_query(
            r.header("location")
                .and_then(|l| l.split_once('?'))
                .expect("redirect")
                .1,
        )
        .expect("query");
        let body = auth0_account_link_core::encoding::form_encode(&[
            ("grant_type", "authorization_code"),
            ("client_id", SPA),
            ("code", &cb.code.expect("code")),
            ("code_verifier", VERIFIER),
            ("redirect_uri", CALLBACK),
        ]);
        let req = HttpRequest {
            method: Method::Post,
            url: format!("{}/oauth/token", self.base),
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(body),
        };
        let r = self.http.send(&req).expect("token");
        assert_eq!(r.status, 200, "{}", r.body);
        let token = serde_json::from_str::<Value>(&r.body).expect("json")["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        (token, cookie)
    }

    fn link_posts(&self) -> usize {
        let log: Value =
            serde_json::from_str(&self.request(Method::Get, "/test/mgmt-log", None).body)
                .expect("log");
        log.as_array()
            .expect("array")
            .iter()
            .filter(|e| {
                e["method"] == "POST"
                    && e["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with("/identities"))
            })
            .count()
    }

    fn config(&self, mode: &str) -> LinkConfig {
        self.config_with(mode, |_| {})
    }

    fn config_with(&self, mode: &str, tweak: impl FnOnce(&mut LinkOptions)) -> LinkConfig {
        let mut options = LinkOptions {
            domain: Some(self.base.clone()),
            management_audience: Some(format!("{}/api/v2/", self.canonical)),
            client_id: Some(SPA.into()),
            response_mode: Some(mode.into()),
            redirect_uri: Some(CALLBACK.into()),
            connections: Some(vec![
                ConnectionOption {
                    name: "google-oauth2".into(),
                    label: None,
                },
                ConnectionOption {
                    name: "Username-Password-Authentication".into(),
                    label: None,
                },
            ]),
            // The secondary's login alone; the runs of the primary's sign-in again turn
            // it on.
            reauthenticate: Some(false),
            ..Default::default()
        };
        tweak(&mut options);
        LinkConfig::new(&options).expect("valid config")
    }

    /// A popup link in query mode with bent options; answers what the user was asked.
    fn link_with(
        &self,
        secondary: &str,
        options: impl FnOnce(&mut LinkOptions),
        tweak: impl FnOnce(&mut Driver<'_>),
    ) -> (
        Outcome,
        Option<auth0_account_link_core::id_token::SecondaryProfile>,
    ) {
        let token = self.primary_token(ALICE);
        self.auto_login(secondary);
        let mut d = Driver::new(TestEnv::real_time(7), self.send_fn(), move || {
            Ok(token.clone())
        });
        d.popup = Box::new(self.popup());
        d.secondary_user = None;
        tweak(&mut d);
        d.run(
            LinkFlow::new(self.config_with("query", options)),
            Event::Prepare,
        );
        (d.last_outcome().clone(), d.asked.clone())
    }

    /// The "popup": follows the authorize URL like a browser would and reads the answer.
    /// A `web_message` posted from another origin than the tenant is ignored, as the shell
    /// does, so the popup then times out.
    fn popup(&self) -> impl FnMut(&str) -> PopupOutcome + '_ {
        move |url: &str| {
            let r = self
                .http
                .send(&HttpRequest {
                    method: Method::Get,
                    url: url.to_owned(),
                    headers: vec![],
                    body: None,
                })
                .expect("authorize");
            if let Some(location) = r.header("location") {
                if !location.starts_with(CALLBACK) {
                    return PopupOutcome::TimedOut;
                }
                let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
                return PopupOutcome::Callback(
                    CallbackResponse::from_query(query).expect("callback query"),
                );
            }
            let response = r
                .body
                .split("var response=")
                .nth(1)
                .and_then(|s| s.split(";var w=").next())
                .expect("web_message page");
            PopupOutcome::Callback(serde_json::from_str(response).expect("response JSON"))
        }
    }

    fn send_fn(&self) -> common::driver::Send<'_> {
        Box::new(move |r| self.http.send(r))
    }

    /// Runs one link attempt as `secondary`, returning the driver for inspection.
    fn link(
        &self,
        secondary: &str,
        mode: &str,
        known: Option<Vec<Identity>>,
        tweak: impl FnOnce(&mut Driver<'_>),
    ) -> (Outcome, Vec<String>) {
        self.link_armed(None, secondary, mode, known, tweak)
    }

    /// Like `link`, with a switch armed after the primary signed in (so it hits the
    /// secondary login).
    fn link_armed(
        &self,
        switch: Option<(&str, Value)>,
        secondary: &str,
        mode: &str,
        known: Option<Vec<Identity>>,
        tweak: impl FnOnce(&mut Driver<'_>),
    ) -> (Outcome, Vec<String>) {
        let token = self.primary_token(ALICE);
        if let Some((name, extra)) = switch {
            self.arm(name, extra);
        }
        self.auto_login(secondary);
        let mut d = Driver::new(TestEnv::real_time(7), self.send_fn(), move || {
            Ok(token.clone())
        });
        d.popup = Box::new(self.popup());
        // The secondary's own user is read from the tenant itself.
        d.secondary_user = None;
        d.given.identities = known;
        tweak(&mut d);
        d.run(LinkFlow::new(self.config(mode)), Event::Prepare);
        (d.last_outcome().clone(), d.requests.clone())
    }

    fn identities(
        &self,
        kind: IdentityOpKind,
    ) -> Result<Vec<Identity>, auth0_account_link_core::LinkError> {
        let token = self.primary_token(ALICE);
        test_support::run_identity_op(
            self.config("query"),
            kind,
            None,
            None,
            &mut TestEnv::real_time(1),
            || Ok(token.clone()),
            |r| self.http.send(r),
        )
    }
}

#[track_caller]
fn assert_failed(outcome: &Outcome, code: ErrorCode, reason: Option<IdTokenReason>) {
    match outcome {
        Outcome::Failed(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(e.reason(), reason, "{e}");
        }
        other => panic!("expected {code}, got {other:?}"),
    }
}

fn primary_identities(t: &Tenant) -> Vec<Identity> {
    t.identities(IdentityOpKind::List).expect("list")
}

#[test]
fn links_lists_and_unlinks_against_the_dev_tenant() {
    let t = Tenant::start();
    let (outcome, requests) = t.link(GOOGLE, "query", None, |_| {});
    let Outcome::Linked(Linked {
        identities: ids, ..
    }) = outcome
    else {
        panic!("expected Linked, got {outcome:?}")
    };
    assert_eq!(
        ids.iter().map(Identity::full_user_id).collect::<Vec<_>>(),
        vec![ALICE.to_owned(), GOOGLE.to_owned()]
    );
    assert_eq!(
        requests.len(),
        4,
        "token, JWKS, the secondary's own user, link: {requests:?}"
    );
    assert!(
        requests[2].starts_with("GET ")
            && requests[2].ends_with("/api/v2/users/google-oauth2%7C100000000000000000001")
    );
    assert_eq!(primary_identities(&t).len(), 2);
    let target = IdentityRef {
        provider: "google-oauth2".into(),
        user_id: "100000000000000000001".into(),
    };
    let rest = t
        .identities(IdentityOpKind::Unlink(target))
        .expect("unlink");
    assert_eq!(rest.len(), 1);
    assert_eq!(primary_identities(&t).len(), 1);
}

#[test]
fn links_with_web_message_too() {
    let t = Tenant::start();
    let (outcome, _) = t.link(GOOGLE, "web_message", None, |_| {});
    assert!(
        matches!(outcome, Outcome::Linked(ref l) if l.identities.len() == 2),
        "{outcome:?}"
    );
}

#[test]
fn every_id_token_misbehaviour_is_refused_before_linking() {
    let t = Tenant::start();
    let cases = [
        ("id_token_wrong_nonce", IdTokenReason::Nonce),
        ("id_token_wrong_iss", IdTokenReason::Iss),
        ("id_token_wrong_aud", IdTokenReason::Aud),
        ("id_token_multi_aud_no_azp", IdTokenReason::Azp),
        ("id_token_bad_signature", IdTokenReason::Signature),
        ("id_token_alg_none", IdTokenReason::Alg),
        ("id_token_hs256", IdTokenReason::Alg),
        ("id_token_expired", IdTokenReason::Exp),
        ("id_token_future_iat", IdTokenReason::Iat),
        ("id_token_unknown_kid", IdTokenReason::KeyNotFound),
        ("id_token_no_kid", IdTokenReason::KeyNotFound),
    ];
    for (switch, reason) in cases {
        let (outcome, requests) =
            t.link_armed(Some((switch, json!({}))), GOOGLE, "query", None, |_| {});
        assert_failed(&outcome, ErrorCode::IdTokenInvalid, Some(reason));
        assert!(
            !requests.iter().any(|r| r.contains("/identities")),
            "{switch}: {requests:?}"
        );
        if switch == "id_token_unknown_kid" {
            assert_eq!(
                requests.iter().filter(|r| r.contains("jwks")).count(),
                2,
                "one JWKS refresh: {requests:?}"
            );
        }
    }
    assert_eq!(t.link_posts(), 0);
}

#[test]
fn authorization_misbehaviours() {
    let t = Tenant::start();
    let (outcome, requests) = t.link_armed(
        Some(("authorize_access_denied", json!({}))),
        GOOGLE,
        "query",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::AuthorizationDenied, None);
    assert!(requests.is_empty());
    let (outcome, requests) = t.link_armed(
        Some(("authorize_wrong_state", json!({}))),
        GOOGLE,
        "query",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::StateMismatch, None);
    assert!(
        requests.is_empty(),
        "no token request after a state mismatch"
    );
    let (outcome, requests) = t.link_armed(
        Some(("authorize_wrong_origin", json!({}))),
        GOOGLE,
        "web_message",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::Timeout, None);
    assert!(requests.is_empty());
    assert_eq!(t.link_posts(), 0);
}

#[test]
fn token_endpoint_misbehaviours() {
    let t = Tenant::start();
    let (outcome, _) = t.link_armed(
        Some(("token_server_error", json!({}))),
        GOOGLE,
        "query",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::TokenExchangeFailed, None);
    let (outcome, _) = t.link_armed(
        Some(("token_slow", json!({"delay_ms": 2500}))),
        GOOGLE,
        "query",
        None,
        |d| {
            let http = HttpTransport::with_timeout(Duration::from_millis(800));
            d.send = Box::new(move |r| http.send(r));
        },
    );
    assert_failed(&outcome, ErrorCode::Timeout, None);
    assert_eq!(t.link_posts(), 0);
}

#[test]
fn management_api_misbehaviours() {
    let t = Tenant::start();
    let (outcome, _) = t.link_armed(
        Some(("mgmt_server_error", json!({"route": "link"}))),
        GOOGLE,
        "query",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::ServerError, None);
    let (outcome, _) = t.link_armed(
        Some(("mgmt_rate_limited", json!({"route": "link"}))),
        GOOGLE,
        "query",
        None,
        |_| {},
    );
    assert_failed(&outcome, ErrorCode::RateLimited, None);
    if let Outcome::Failed(e) = outcome {
        assert_eq!(e.retry_after_seconds(), Some(2));
    }
    assert_eq!(primary_identities(&t).len(), 1, "nothing was linked");
}

#[test]
fn key_rotation_is_followed_with_one_jwks_refresh() {
    let t = Tenant::start();
    let jwks = t.request(Method::Get, "/.well-known/jwks.json", None);
    // Rotate twice: the cached set no longer holds the signing key.
    t.request(Method::Post, "/test/rotate-keys", Some(json!({})));
    t.request(Method::Post, "/test/rotate-keys", Some(json!({})));
    let (outcome, requests) = t.link(GOOGLE, "query", None, |d| d.jwks_cache = Some(jwks));
    assert!(matches!(outcome, Outcome::Linked(_)), "{outcome:?}");
    assert_eq!(
        requests.iter().filter(|r| r.contains("jwks")).count(),
        1,
        "{requests:?}"
    );
}

#[test]
fn user_level_refusals() {
    let t = Tenant::start();
    let (outcome, _) = t.link("google-oauth2|100000000000000000002", "query", None, |_| {});
    assert_failed(&outcome, ErrorCode::EmailUnverified, None);
    let (outcome, _) = t.link(ALICE, "query", None, |_| {});
    assert_failed(&outcome, ErrorCode::SameAccount, None);
    assert_eq!(t.link_posts(), 0);
    let (outcome, _) = t.link(GOOGLE, "query", None, |_| {});
    let Outcome::Linked(Linked {
        identities: ids, ..
    }) = outcome
    else {
        panic!("{outcome:?}")
    };
    // Logging in with the linked identity now signs in as the primary (Auth0 signs a
    // linked identity in as its user): the true outcome names the login, already linked.
    let (outcome, _) = t.link(GOOGLE, "query", Some(ids), |d| {
        d.connection = Some("google-oauth2".into());
        d.given.pin = Some(ALICE.into());
    });
    assert_failed(&outcome, ErrorCode::AlreadyLinked, None);
    let Outcome::Failed(e) = &outcome else {
        unreachable!()
    };
    assert!(
        e.detail().contains("\"google-oauth2\" login"),
        "{}",
        e.detail()
    );
    assert_eq!(t.link_posts(), 1, "only the first link was sent");
}

/// The back end's `update:users` token (client credentials) from the tenant at `base`.
fn backend_token(http: &HttpTransport, base: &str) -> String {
    let cc = auth0_account_link_core::encoding::form_encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", "demo-backend"),
        (
            "client_secret",
            "dev-tenant-backend-secret-not-for-production",
        ),
        ("audience", &format!("{base}/api/v2/")),
    ]);
    let r = http
        .send(&HttpRequest {
            method: Method::Post,
            url: format!("{base}/oauth/token"),
            headers: vec![(
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: Some(cc),
        })
        .expect("cc");
    serde_json::from_str::<Value>(&r.body).expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// The server-side flow: links `provider|user_id` to `primary` with the back end's token.
fn link_server_side(base: &str, primary: &str, provider: &str, user_id: &str) -> u16 {
    let http = HttpTransport::new();
    let link = HttpRequest {
        method: Method::Post,
        url: format!(
            "{base}/api/v2/users/{}/identities",
            primary.replace('|', "%7C")
        ),
        headers: vec![
            (
                "Authorization".into(),
                format!("Bearer {}", backend_token(&http, base)),
            ),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some(json!({"provider": provider, "user_id": user_id}).to_string()),
    };
    http.send(&link).expect("link").status
}

/// Links Google as Alice's secondary while, just before her link call, a back end links
/// the same Google identity to `owner` (server-side flow).
fn link_racing_the_back_end(t: &Tenant, owner: &'static str) -> (Outcome, Vec<String>) {
    let base = t.base.clone();
    t.link(GOOGLE, "query", None, move |d| {
        let mut send = std::mem::replace(&mut d.send, Box::new(|_| unreachable!()));
        let mut raced = false;
        d.send = Box::new(move |r| {
            if r.method == Method::Post && r.url.ends_with("/identities") && !raced {
                raced = true;
                let status =
                    link_server_side(&base, owner, "google-oauth2", "100000000000000000001");
                assert_eq!(status, 201);
            }
            send(r)
        });
    })
}

#[test]
fn already_linked_elsewhere_is_reported_by_the_server() {
    // Between the secondary login and the link call, Bob's back end links the same Google
    // identity to Bob: Auth0 answers 409, the widget reads Alice's identities again and
    // reports linked_to_another_user (not "already linked to you").
    let t = Tenant::start();
    let (outcome, requests) = link_racing_the_back_end(&t, "auth0|bob");
    assert_failed(&outcome, ErrorCode::LinkedToAnotherUser, None);
    let posts = requests
        .iter()
        .filter(|r| r.starts_with("POST") && r.contains("/identities"));
    assert_eq!(posts.count(), 1, "{requests:?}");
    assert!(
        requests
            .last()
            .is_some_and(|r| r.starts_with("GET") && r.contains("/api/v2/users/")),
        "the identities were read again after the 409: {requests:?}"
    );
}

#[test]
fn a_conflict_over_an_identity_the_user_already_has_is_already_linked() {
    // Another tab of Alice's links Google between this tab's secondary login and its link
    // call: the 409 is about Alice's own identity.
    let t = Tenant::start();
    let (outcome, _) = link_racing_the_back_end(&t, ALICE);
    assert_failed(&outcome, ErrorCode::AlreadyLinked, None);
}

#[test]
fn a_login_that_is_an_existing_user_with_other_logins_is_refused_by_default() {
    // Bob's back end links GitHub to Bob; signing in with GitHub signs Bob in (Auth0 signs
    // a linked identity in as its primary user), and linking that login would move Bob's
    // whole user into Alice. Refused: nothing is linked, Bob keeps his logins.
    let t = Tenant::start();
    assert_eq!(
        link_server_side(&t.base, "auth0|bob", "github", "4242"),
        201
    );
    let (outcome, requests) = t.link(GITHUB, "query", None, |_| {});
    let Outcome::Failed(e) = outcome else {
        panic!("expected Failed, got {outcome:?}")
    };
    assert_eq!(e.code(), ErrorCode::SecondaryHasOtherLogins);
    assert_eq!(e.account(), Some("bob@example.com"));
    assert!(
        e.detail().contains("auth0|bob, github|4242"),
        "{}",
        e.detail()
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("POST") && r.ends_with("/identities")),
        "{requests:?}"
    );
    let keys: Vec<String> = primary_identities(&t)
        .iter()
        .map(Identity::full_user_id)
        .collect();
    assert_eq!(keys, vec![ALICE]);
}

#[test]
fn with_allow_merge_the_user_sees_the_merge_and_the_whole_user_moves() {
    let t = Tenant::start();
    assert_eq!(
        link_server_side(&t.base, "auth0|bob", "github", "4242"),
        201
    );
    let (outcome, asked) = t.link_with(GITHUB, |o| o.allow_merge = Some(true), |_| {});
    let merge = asked
        .and_then(|profile| profile.merge)
        .expect("the user was shown the merge");
    assert_eq!(merge.user_id, "auth0|bob");
    assert_eq!(
        merge
            .identities
            .iter()
            .map(Identity::full_user_id)
            .collect::<Vec<_>>(),
        vec!["auth0|bob", GITHUB]
    );
    let Outcome::Linked(Linked {
        identities: ids, ..
    }) = outcome
    else {
        panic!("expected Linked, got {outcome:?}")
    };
    let keys: Vec<String> = ids.iter().map(|i| i.full_user_id()).collect();
    assert_eq!(keys, vec![ALICE, "auth0|bob", GITHUB]);
}

#[test]
fn links_through_a_custom_domain_with_the_apis_own_audience() {
    // domain = the custom domain (tokens carry it as iss), managementAudience = the API's
    // canonical identifier, every request through the custom domain.
    let t = Tenant::start_with_custom_domain();
    let (outcome, requests) = t.link(GOOGLE, "query", None, |_| {});
    let Outcome::Linked(Linked {
        identities: ids, ..
    }) = outcome
    else {
        panic!("expected Linked, got {outcome:?}")
    };
    assert_eq!(ids.len(), 2);
    assert!(
        requests.iter().all(|r| r.contains("//localhost:")),
        "every request goes to the custom domain: {requests:?}"
    );
}

/// The primary's sign-in again against the real tenant: with no session the tenant shows
/// its "Confirm it's you" page (`max_age`, the hint naming Alice), Alice signs in there,
/// the ID token (real signature) carries a fresh `auth_time`, and the link is made with
/// that sign-in's token (the tenant's recent-sign-in rule on, the session an hour old).
#[test]
fn the_primary_signs_in_again_and_that_sign_ins_token_links_under_the_tenants_rule() {
    let t = Tenant::start();
    let known = primary_identities(&t);
    assert_eq!(
        t.request(
            Method::Post,
            "/test/require-recent-auth",
            Some(json!({ "max_age_seconds": 300 }))
        )
        .status,
        204
    );
    // The host's token (its own sign-in); the sessions then age by an hour.
    let host = t.primary_token(ALICE);
    let host_bearer = format!("Bearer {host}");
    assert_eq!(
        t.request(
            Method::Post,
            "/test/session-age",
            Some(json!({ "seconds": 3600 }))
        )
        .status,
        204
    );
    t.auto_login(GOOGLE);
    let asked_again = std::cell::Cell::new(false);
    let mut follow = t.popup();
    let link_bearer = std::cell::RefCell::new(None);
    let mut d = Driver::new(
        TestEnv::real_time(7),
        Box::new(|r: &HttpRequest| {
            if r.method == Method::Post && r.url.ends_with("/identities") {
                *link_bearer.borrow_mut() = r
                    .headers
                    .iter()
                    .find(|(k, _)| k == "Authorization")
                    .map(|(_, v)| v.clone());
            }
            t.http.send(r)
        }),
        move || Ok(host.clone()),
    );
    d.given.pin = Some(ALICE.into());
    d.given.identities = Some(known);
    d.given.asks_first = false;
    d.secondary_user = None;
    d.popup = Box::new(|url: &str| {
        if !url.contains("max_age=") {
            return follow(url);
        }
        // No session in this "browser": the tenant's login page, naming Alice.
        let page = t
            .http
            .send(&HttpRequest {
                method: Method::Get,
                url: url.to_owned(),
                headers: vec![],
                body: None,
            })
            .expect("authorize");
        assert!(
            page.body.contains("data-reauthenticate=\"true\""),
            "{}",
            page.body
        );
        assert!(page.body.contains("alice@example.com"));
        asked_again.set(true);
        let tx = page
            .body
            .split("name=\"tx\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("tx")
            .to_owned();
        let r = t
            .http
            .send(&HttpRequest {
                method: Method::Post,
                url: format!("{}/login", t.base),
                headers: vec![(
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: Some(auth0_account_link_core::encoding::form_encode(&[
                    ("tx", &tx),
                    ("identity", ALICE),
                ])),
            })
            .expect("login");
        let location = r.header("location").expect("back to the callback");
        let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
        PopupOutcome::Callback(CallbackResponse::from_query(query).expect("callback query"))
    });
    d.run(
        LinkFlow::new(t.config_with("query", |o| o.reauthenticate = None)),
        Event::Prepare,
    );
    assert!(asked_again.get(), "the tenant asked Alice first");
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(l) if l.identities.len() == 2),
        "{:?}",
        d.debug_log
    );
    assert_eq!(t.link_posts(), 1);
    let used = link_bearer.borrow().clone().expect("the link request");
    assert_ne!(
        used, host_bearer,
        "the sign-in again's token linked, not the host's"
    );
}

/// The sign-in ahead of the click against the real tenant: the hidden frame's `prompt=none`
/// request, sent with the browser's tenant cookie, is answered by the tenant's own
/// `web_message` page with a code for a recent session; its ID token (real signature, real
/// `auth_time`) proves Alice, so the window shows only the account to link, and the frame's
/// token links under the tenant's recent-sign-in rule. Aged by an hour, the same request is
/// answered `login_required`.
#[test]
fn a_recent_session_answers_the_hidden_frame_and_the_window_shows_only_the_account() {
    let t = Tenant::start();
    let known = primary_identities(&t);
    assert_eq!(
        t.request(
            Method::Post,
            "/test/require-recent-auth",
            Some(json!({ "max_age_seconds": 300 }))
        )
        .status,
        204
    );
    let (host, cookie) = t.primary_session(ALICE);
    t.auto_login(GOOGLE);
    let frame_answer = |url: &str| {
        let page = t
            .http
            .send(&HttpRequest {
                method: Method::Get,
                url: url.to_owned(),
                headers: vec![("Cookie".into(), cookie.clone())],
                body: None,
            })
            .expect("authorize");
        let response = page
            .body
            .split("var response=")
            .nth(1)
            .and_then(|s| s.split(";var w=").next())
            .expect("the tenant's web_message page");
        serde_json::from_str::<CallbackResponse>(response).expect("response JSON")
    };
    let windows = std::cell::RefCell::new(Vec::new());
    let mut follow = t.popup();
    let mut d = Driver::new(TestEnv::real_time(7), t.send_fn(), move || Ok(host.clone()));
    d.given.pin = Some(ALICE.into());
    d.given.identities = Some(known);
    d.given.asks_first = false;
    d.secondary_user = None;
    d.frame = Box::new(|url: &str| PopupOutcome::Callback(frame_answer(url)));
    d.popup = Box::new(|url: &str| {
        windows.borrow_mut().push(url.to_owned());
        follow(url)
    });
    d.run(
        LinkFlow::new(t.config_with("web_message", |o| o.reauthenticate = None)),
        Event::Prepare,
    );
    assert!(
        matches!(d.last_outcome(), Outcome::Linked(l) if l.identities.len() == 2),
        "{:?}",
        d.debug_log
    );
    let frames = std::mem::take(&mut d.frames);
    assert_eq!(frames.len(), 1);
    let windows = windows.borrow();
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert!(
        !windows[0].contains("max_age="),
        "the account to link's login"
    );
    assert_eq!(t.link_posts(), 1);
    // An hour later the tenant answers the same frame request `login_required`.
    assert_eq!(
        t.request(
            Method::Post,
            "/test/session-age",
            Some(json!({ "seconds": 3600 }))
        )
        .status,
        204
    );
    let aged = frame_answer(&frames[0]);
    assert_eq!(aged.error.as_deref(), Some("login_required"));
}
