//! In-memory harness for the dev tenant: builds the router, sends requests with
//! `oneshot`, logs fixture users in through the real `/authorize` → `/oauth/token` path.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use dev_tenant::{app, AppState, TenantConfig};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

pub const ISS: &str = "http://127.0.0.1:4000/";
pub const API: &str = "http://127.0.0.1:4000/api/v2/";
pub const SPA: &str = "demo-spa-client";
pub const APP_ORIGIN: &str = "http://127.0.0.1:5173";
pub const CALLBACK: &str = "http://127.0.0.1:5173/callback.html";
pub const ALICE: &str = "auth0|alice";
pub const GOOGLE: &str = "google-oauth2|100000000000000000001";
pub const GITHUB: &str = "github|4242";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub struct Tenant {
    pub state: AppState,
    pub router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn location_param(&self, key: &str) -> Option<String> {
        let loc = self.header("location")?;
        let query = loc.split_once('?')?.1;
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
    /// Asserts an Auth0 Management API error body exactly: status, `statusCode`, `error`
    /// (the status's reason phrase), `message` and `errorCode` (absent when `None`), and
    /// nothing else in the body.
    #[track_caller]
    pub fn assert_mgmt_error(&self, status: u16, error_code: Option<&str>, message: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        let reason = self.status.canonical_reason().expect("known status");
        let mut expected = json!({
            "statusCode": status,
            "error": reason,
            "message": message,
        });
        if let Some(code) = error_code {
            expected["errorCode"] = json!(code);
        }
        assert_eq!(self.json(), expected, "{}", self.text);
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            self.header("content-type")
        );
    }
}

pub fn tenant() -> Tenant {
    tenant_with(|_| {})
}

pub fn tenant_with(f: impl FnOnce(&mut TenantConfig)) -> Tenant {
    let dir = TenantConfig::default_fixture_dir();
    let fixtures =
        dev_tenant::fixtures::Fixtures::load(&dir.join("tenant.json")).expect("fixtures");
    let keys = dev_tenant::keys::KeyRing::load_dir(&dir.join("keys")).expect("keys");
    let mut config = TenantConfig::new(4000, fixtures, &[], true);
    f(&mut config);
    let state = AppState::new(config, keys);
    Tenant {
        router: app(state.clone()),
        state,
    }
}

impl Tenant {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        let mut r = Request::get(uri);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        self.send(r.body(Body::empty()).expect("request")).await
    }

    pub async fn post_form(&self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(pairs).expect("form");
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, bearer: Option<&str>, body: &Value) -> Reply {
        self.post_raw(uri, bearer, "application/json", body.to_string())
            .await
    }

    pub async fn post_raw(
        &self,
        uri: &str,
        bearer: Option<&str>,
        content_type: &str,
        body: String,
    ) -> Reply {
        let mut r = Request::post(uri).header(header::CONTENT_TYPE, content_type);
        if let Some(t) = bearer {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(r.body(Body::from(body)).expect("request")).await
    }

    pub async fn delete(&self, uri: &str, bearer: &str) -> Reply {
        self.send(
            Request::delete(uri)
                .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    pub async fn arm(&self, switch: &str, extra: Value) {
        let mut body = json!({ "switch": switch });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self.post_json("/test/misbehave", None, &body).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    }

    /// `/authorize` URL for the SPA with PKCE, auto-login as `identity` (test mode hint).
    pub fn authorize_url(&self, identity: &str, extra: &[(&str, &str)]) -> String {
        let mut params = vec![
            ("client_id", SPA),
            ("response_type", "code"),
            ("redirect_uri", CALLBACK),
            ("scope", "openid profile email"),
            ("state", "st4te"),
            ("nonce", "n0nce"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("login_hint", identity),
        ];
        params.extend_from_slice(extra);
        format!(
            "/authorize?{}",
            serde_urlencoded::to_string(&params).expect("query")
        )
    }

    /// Logs `identity` in and exchanges the code: returns the token response body.
    pub async fn login(&self, identity: &str, extra: &[(&str, &str)]) -> Value {
        let r = self.get(&self.authorize_url(identity, extra)).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        let code = r
            .location_param("code")
            .unwrap_or_else(|| panic!("no code in {:?}", r.header("location")));
        self.exchange_code(&code).await
    }

    /// Exchanges a code issued for [`authorize_url`](Self::authorize_url): the token body.
    pub async fn exchange_code(&self, code: &str) -> Value {
        let t = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", SPA),
                    ("code", code),
                    ("code_verifier", VERIFIER),
                    ("redirect_uri", CALLBACK),
                ],
            )
            .await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.text);
        t.json()
    }

    /// Opens the login page (no auto-login) with `extra` parameters: its transaction id.
    pub async fn login_page_tx(&self, extra: &[(&str, &str)]) -> String {
        let url = self.authorize_url("", extra).replace("login_hint=&", "");
        let page = self.get(&url).await.text;
        page.split("name=\"tx\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the login page carries a transaction id")
            .to_owned()
    }

    /// A browser session for `identity`, signed in through the login page: its cookie.
    pub async fn signed_in(&self, identity: &str, extra: &[(&str, &str)]) -> String {
        let tx = self.login_page_tx(extra).await;
        self.post_form("/login", &[("tx", &tx), ("identity", identity)])
            .await
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned()
    }

    /// The primary's Management API token (user-scoped).
    pub async fn user_token(&self, identity: &str) -> String {
        let body = self
            .login(
                identity,
                &[
                    ("audience", API),
                    (
                        "scope",
                        "openid profile email read:current_user update:current_user_identities",
                    ),
                ],
            )
            .await;
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn id_token(&self, identity: &str) -> String {
        self.login(identity, &[]).await["id_token"]
            .as_str()
            .expect("id_token")
            .to_owned()
    }

    pub async fn backend_token(&self) -> String {
        let r = self
            .post_form(
                "/oauth/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "demo-backend"),
                    (
                        "client_secret",
                        "dev-tenant-backend-secret-not-for-production",
                    ),
                    ("audience", API),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["access_token"].as_str().expect("token").to_owned()
    }
}

pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("jwt");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

pub fn header_of(token: &str) -> Value {
    let h = token.split('.').next().expect("jwt");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).expect("b64")).expect("json")
}

/// Signs arbitrary claims with the tenant's current fixture key (key1).
pub fn sign_with_tenant_key(claims: &Value) -> String {
    let pem = std::fs::read(dev_tenant::TenantConfig::default_fixture_dir().join("keys/key1.pem"))
        .expect("pem");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("dev-tenant-key1".into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(&pem).expect("key"),
    )
    .expect("sign")
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}
