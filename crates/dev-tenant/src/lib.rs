//! A strict, local, Auth0-compatible tenant: an OIDC provider (authorization code + PKCE,
//! `query` and `web_message` response modes) and the Management API subset that account
//! linking needs, with Auth0's routes, refusals and error bodies.
//!
//! `app(state)` builds the router; `main.rs` only parses flags and binds 127.0.0.1.

pub mod error;
pub mod fixtures;
pub mod keys;
mod mgmt;
mod oidc;
mod pages;
pub mod store;
mod testmode;
mod tokens;
mod util;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use fixtures::{ClientFixture, Fixtures};
use keys::KeyRing;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use store::Store;

pub use store::{MgmtRoute, Misbehaviour};

/// Largest request body any endpoint reads; larger ones get a 413 in Auth0's shape.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Default lifetime of authorization codes (seconds).
pub const CODE_LIFETIME_SECS: u64 = 60;
pub const ID_TOKEN_LIFETIME_SECS: u64 = 36_000;
pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 86_400;

/// Everything fixed at start.
#[derive(Debug)]
pub struct TenantConfig {
    /// `http://127.0.0.1:PORT/`, with the trailing slash, as Auth0 issuers have.
    pub issuer: String,
    pub fixtures: Fixtures,
    pub clients: Vec<ClientFixture>,
    pub test_mode: bool,
    /// Management API requests per user per minute before 429.
    pub rate_limit_per_minute: u32,
    /// An unmodified auth0-spa-js build to serve at `/auth0-spa-js.production.esm.js`.
    pub spa_js: Option<PathBuf>,
    /// Authorization codes live this long (seconds) and are single use.
    pub code_lifetime_secs: u64,
    /// A second host name (`host:port`) the tenant answers on as its custom domain: tokens
    /// requested through it carry `http://{custom_domain}/` as `iss`, the Management API's
    /// audience stays the canonical identifier, and the Management API accepts such a token
    /// only when called through the custom domain (as Auth0 documents).
    pub custom_domain: Option<String>,
    /// `--require-recent-auth SECONDS`: the post-login Action docs/real-tenant.md shows,
    /// run at every token issue (a code exchange, a refresh): a token whose sign-in is
    /// older than this does not get `update:current_user_identities` (nor
    /// `update:current_user_metadata`).
    pub require_recent_auth_secs: Option<u64>,
}

impl TenantConfig {
    /// Builds the config; `app_origins` are added to every client that accepts them.
    pub fn new(port: u16, fixtures: Fixtures, app_origins: &[String], test_mode: bool) -> Self {
        let mut clients = fixtures.clients.clone();
        for client in clients.iter_mut().filter(|c| c.accept_app_origins) {
            for origin in app_origins {
                let origin = origin.trim_end_matches('/').to_owned();
                // The JS demo (`/`, `/callback.html`), the Trunk-built Yew demo (`/yew/`) and
                // the React and Vue examples built from the packed package.
                for cb in [
                    format!("{origin}/"),
                    format!("{origin}/callback.html"),
                    format!("{origin}/yew/"),
                    format!("{origin}/react/"),
                    format!("{origin}/vue/"),
                ] {
                    if !client.callbacks.contains(&cb) {
                        client.callbacks.push(cb.clone());
                    }
                    if !client.allowed_logout_urls.contains(&cb) {
                        client.allowed_logout_urls.push(cb);
                    }
                }
                if !client.web_origins.contains(&origin) {
                    client.web_origins.push(origin);
                }
            }
        }
        TenantConfig {
            issuer: format!("http://127.0.0.1:{port}/"),
            fixtures,
            clients,
            test_mode,
            rate_limit_per_minute: 100,
            spa_js: None,
            code_lifetime_secs: CODE_LIFETIME_SECS,
            custom_domain: None,
            require_recent_auth_secs: None,
        }
    }

    /// The issuer a request is answered as: the custom domain's when it came in through
    /// that host (its `Host` header), the canonical one otherwise.
    pub fn issuer_for(&self, headers: &axum::http::HeaderMap) -> String {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok());
        match (&self.custom_domain, host) {
            (Some(custom), Some(host)) if custom.eq_ignore_ascii_case(host) => {
                format!("http://{custom}/")
            }
            _ => self.issuer.clone(),
        }
    }

    pub fn mgmt_audience(&self) -> String {
        format!("{}api/v2/", self.issuer)
    }
    pub fn userinfo_audience(&self) -> String {
        format!("{}userinfo", self.issuer)
    }
    pub fn client(&self, client_id: &str) -> Option<&ClientFixture> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
    pub fn origin_allowed_anywhere(&self, origin: &str) -> bool {
        self.clients
            .iter()
            .any(|c| c.web_origins.iter().any(|o| o == origin))
    }
    pub fn default_fixture_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
    }
}

/// Shared state: fixed config, keys and the mutable store. Locks are never held across
/// an `.await`.
#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<TenantConfig>,
    keys: Arc<Mutex<KeyRing>>,
    store: Arc<Mutex<Store>>,
}

impl AppState {
    pub fn new(config: TenantConfig, keys: KeyRing) -> Self {
        let store = Store::from_fixtures(&config.fixtures);
        AppState {
            config: Arc::new(config),
            keys: Arc::new(Mutex::new(keys)),
            store: Arc::new(Mutex::new(store)),
        }
    }

    /// Loads fixtures and keys from a fixture directory (`tenant.json`, `keys/*.pem`).
    pub fn from_fixture_dir(
        dir: &std::path::Path,
        port: u16,
        app_origins: &[String],
        test_mode: bool,
    ) -> Result<Self, String> {
        let fixtures = Fixtures::load(&dir.join("tenant.json"))?;
        let keys = KeyRing::load_dir(&dir.join("keys"))?;
        Ok(Self::new(
            TenantConfig::new(port, fixtures, app_origins, test_mode),
            keys,
        ))
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    pub(crate) fn keys(&self) -> MutexGuard<'_, KeyRing> {
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    pub(crate) fn reset(&self) {
        *self.store() = Store::from_fixtures(&self.config.fixtures);
        self.keys().reset();
    }
}

/// Serves the tenant on an already bound (loopback) listener until the future is dropped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}

/// The whole tenant. Test-mode routes exist only when `config.test_mode` is set.
pub fn app(state: AppState) -> Router {
    let mgmt_routes = Router::new()
        .route(
            "/api/v2/users/{id}",
            get(mgmt::get_user).patch(mgmt::patch_user),
        )
        .route("/api/v2/users/{id}/identities", post(mgmt::link))
        .route(
            "/api/v2/users/{id}/identities/{provider}/{user_id}",
            delete(mgmt::unlink),
        )
        .route("/api/v2/{*rest}", axum::routing::any(mgmt::unknown_route))
        .layer(middleware::from_fn_with_state(state.clone(), mgmt::record));
    let cors_routes = Router::new()
        .route("/oauth/token", post(oidc::token))
        .route("/userinfo", get(oidc::userinfo))
        .merge(mgmt_routes)
        .layer(middleware::from_fn_with_state(state.clone(), cors));

    let mut router = Router::new()
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route("/.well-known/jwks.json", get(oidc::jwks))
        .route("/authorize", get(oidc::authorize))
        .route("/login", post(oidc::login))
        .route("/v2/logout", get(oidc::logout))
        // Compressed, as a CDN serves it (the demo page's own files are too: the bench
        // compares the bytes users download).
        .route(
            "/auth0-spa-js.production.esm.js",
            get(oidc::spa_js).layer(tower_http::compression::CompressionLayer::new()),
        )
        .merge(cors_routes);
    if state.config.test_mode {
        router = router.merge(testmode::routes());
    }
    let router = router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), served_host));
    let router = if state.config.test_mode {
        router.layer(middleware::from_fn_with_state(
            state.clone(),
            seen_by_tenant,
        ))
    } else {
        router
    };
    router.with_state(state)
}

/// Test mode: records what the browser asked of a server (`/test/requests` lists it), so
/// end-to-end tests see every request in every browser, popups and navigations included.
/// Wrap the app site's router with [`record_requests`] to see its requests too.
pub fn record_requests(router: Router, state: AppState, server: &'static str) -> Router {
    router.layer(middleware::from_fn_with_state(
        (state, server),
        |State((state, server)): State<(AppState, &'static str)>, request: Request, next: Next| async move {
            seen(state, server, request, next).await
        },
    ))
}

async fn seen_by_tenant(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/test/") {
        return next.run(request).await;
    }
    seen(state, "tenant", request, next).await
}

async fn seen(state: AppState, server: &'static str, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let referer = parts
        .headers
        .get(header::REFERER)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let url = format!(
        "http://{host}{}",
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let method = parts.method.to_string();
    // The token endpoint's grant type, read from a copy of a form body of a size the endpoint
    // takes; any other body goes on untouched, for the endpoint to refuse as it does.
    let small = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|n| n <= MAX_BODY_BYTES);
    let (body, grant_type) =
        if small && parts.method == Method::POST && parts.uri.path() == "/oauth/token" {
            match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
                Ok(bytes) => {
                    let grant = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                        .ok()
                        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "grant_type"))
                        .map(|(_, v)| v);
                    (axum::body::Body::from(bytes), grant)
                }
                Err(_) => (axum::body::Body::empty(), None),
            }
        } else {
            (body, None)
        };
    let response = next.run(Request::from_parts(parts, body)).await;
    state.store().seen.push(store::SeenRequest {
        server,
        method,
        url,
        referer,
        grant_type,
        status: response.status().as_u16(),
    });
    response
}

/// DNS rebinding guard: a request whose `Host` is not one of the tenant's own names (its
/// loopback address, `localhost`, `[::1]`, the custom domain) came through some other
/// name that resolves here: 421, nothing served. (Every HTTP/1.1 client sends `Host`;
/// in-process tests that send none are let through.)
async fn served_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(unreadable)").to_ascii_lowercase());
    if let Some(host) = host {
        let port = state
            .config
            .issuer
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let own = [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        let custom = state
            .config
            .custom_domain
            .as_deref()
            .map(str::to_ascii_lowercase);
        if !own.contains(&host) && custom.as_deref() != Some(host.as_str()) {
            eprintln!(
                "dev-tenant: refused a request for host {host:?} (not one of this tenant's names)"
            );
            return error::ApiError::mgmt(
                StatusCode::MISDIRECTED_REQUEST,
                "Misdirected Request: this tenant does not answer for that host",
                None,
            )
            .into_response();
        }
    }
    next.run(request).await
}

async fn not_found() -> error::ApiError {
    error::ApiError::mgmt(StatusCode::NOT_FOUND, "Not Found", None)
}

/// CORS as Auth0 does it for SPAs: only origins in some client's "Allowed Web Origins"
/// get `Access-Control-Allow-Origin`; preflights may carry `Authorization`; rate-limit
/// headers are exposed.
async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let allowed = origin
        .as_deref()
        .filter(|o| state.config.origin_allowed_anywhere(o))
        .map(str::to_owned);
    if request.method() == Method::OPTIONS {
        let Some(origin) = allowed else {
            eprintln!(
                "dev-tenant: refused CORS preflight from origin {:?}",
                origin.as_deref().unwrap_or("(none)")
            );
            return StatusCode::FORBIDDEN.into_response();
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        add_cors_headers(response.headers_mut(), &origin);
        let h = response.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PATCH, DELETE"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, Auth0-Client"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    if let Some(origin) = allowed {
        add_cors_headers(response.headers_mut(), &origin);
    }
    response
}

fn add_cors_headers(h: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after",
        ),
    );
}

/// A plain static file server for the demo app's origin (a second port), so one command
/// serves both the tenant and the page that signs in against it. `/config.json` tells the
/// page which tenant and client to use; HTML gets the Content-Security-Policy the widget
/// promises hosts (`script-src 'self' 'wasm-unsafe-eval'`, `connect-src` and `frame-src` the
/// tenant; `?frames=none` serves `frame-src 'none'`, a host that keeps frames out). Files go
/// out compressed (gzip or brotli, as the browser accepts), as a real host sends them.
pub fn static_app(dir: PathBuf, issuer: &str, client_id: &str) -> Router {
    let tenant = issuer.trim_end_matches('/').to_owned();
    let config_json = serde_json::json!({
        "domain": tenant,
        "clientId": client_id,
        "spaJs": format!("{tenant}/auth0-spa-js.production.esm.js"),
    })
    .to_string();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {tenant}; connect-src 'self' {tenant}; \
frame-src {tenant}; img-src 'self' data: http://127.0.0.1; style-src 'self'; base-uri 'none'; object-src 'none'; \
require-trusted-types-for 'script'"
    );
    Router::new()
        .route(
            "/config.json",
            get(move || {
                let body = config_json.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (header::CACHE_CONTROL, "no-store"),
                        ],
                        body,
                    )
                }
            }),
        )
        .fallback(move |uri: axum::http::Uri| {
            let dir = dir.clone();
            let csp = match uri.query().and_then(|q| url_query_value(q, "frames")) {
                // `?frames=none`: a host whose policy keeps every frame out.
                Some(v) if v == "none" => {
                    csp.replace(&format!("frame-src {tenant}"), "frame-src 'none'")
                }
                _ => csp.clone(),
            };
            async move { serve_file(&dir, uri.path(), &csp, opener_policy(uri.query())).await }
        })
        // gzip or brotli when the browser accepts it, as a real host serves its files.
        .layer(tower_http::compression::CompressionLayer::new())
}

/// A path that stays under the served folder on every platform: only plain names (no
/// `..`, no hidden files, nothing absolute, no drive letters or backslashes, which Windows
/// reads as separators).
fn is_plain_relative(relative: &str) -> bool {
    use std::path::{Component, Path};
    !relative.is_empty()
        && relative
            .split('/')
            .all(|seg| !seg.is_empty() && !seg.starts_with('.') && !seg.contains(['\\', ':']))
        && Path::new(relative)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// `?coop=<policy>` on a page's URL serves it with that `Cross-Origin-Opener-Policy`, so
/// the demo and the tests show what a host's policy does to the login popup. Only the
/// policies browsers know; anything else sends none.
fn opener_policy(query: Option<&str>) -> Option<&'static str> {
    const KNOWN: [&str; 4] = [
        "unsafe-none",
        "same-origin-allow-popups",
        "same-origin",
        "noopener-allow-popups",
    ];
    let value = url_query_value(query?, "coop")?;
    KNOWN.into_iter().find(|k| *k == value)
}

fn url_query_value(query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn serve_file(
    dir: &std::path::Path,
    path: &str,
    csp: &str,
    opener_policy: Option<&'static str>,
) -> Response {
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_owned()
    };
    if !is_plain_relative(&relative) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = dir.join(&relative);
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if content_type.starts_with("text/html") {
        if let Ok(v) = HeaderValue::from_str(csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        if let Some(policy) = opener_policy {
            h.insert(
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static(policy),
            );
        }
    }
    response
}
