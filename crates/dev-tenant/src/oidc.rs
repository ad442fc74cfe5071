//! The OIDC provider: discovery, JWKS, `/authorize` + login page, `/oauth/token`,
//! `/userinfo`, `/v2/logout`. Each endpoint is a short list of named checks.

use crate::error::ApiError;
use crate::pages;
use crate::store::{AuthRequest, CodeGrant, Misbehaviour, RefreshGrant, ResponseMode, Session};
use crate::tokens::{self, AccessTokenInput, IdTokenInput};
use crate::util::{cookie, now, origin_of, random_id, with_query};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const SESSION_COOKIE: &str = "dev_tenant_session";

/// Scopes a user-scoped Management API token may carry (Auth0 grants them to SPAs).
/// What the recent-sign-in rule withholds from an older sign-in.
const RECENT_AUTH_SCOPES: &[&str] = &[
    "update:current_user_identities",
    "update:current_user_metadata",
];

const CURRENT_USER_SCOPES: &[&str] = &[
    "read:current_user",
    "update:current_user_identities",
    "update:current_user_metadata",
    "create:current_user_metadata",
    "delete:current_user_metadata",
];
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

pub async fn discovery(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let iss = &state.config.issuer_for(&headers);
    let body = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}authorize"),
        "token_endpoint": format!("{iss}oauth/token"),
        "userinfo_endpoint": format!("{iss}userinfo"),
        "jwks_uri": format!("{iss}.well-known/jwks.json"),
        "end_session_endpoint": format!("{iss}v2/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "web_message"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name", "nickname", "picture"],
        "request_parameter_supported": false
    });
    public_json(body)
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    public_json(state.keys().jwks())
}

/// Public metadata is readable from any origin, as Auth0 serves it.
fn public_json(body: Value) -> Response {
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// Where an authorization response goes, once `client_id` and `redirect_uri` are trusted.
#[derive(Debug, Clone)]
struct ReplyTo {
    redirect_uri: String,
    mode: ResponseMode,
    state: Option<String>,
}

/// `GET /authorize`. Checks, in order: client, redirect_uri, response_mode (failures so far
/// get an error page: the redirect target is not trusted yet); then response_type, PKCE,
/// state, connection, audience, max_age, prompt (failures go back to the client).
pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query_params(query)?;
    let client = check_client(&state, p.get("client_id"))?;
    let mode = check_response_mode(p.get("response_mode"))?;
    let redirect_uri = check_redirect_uri(client, p.get("redirect_uri"), mode)?;
    let reply = ReplyTo {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: p.get("state").cloned(),
    };
    let fail = |error: &str, description: &str| Ok(reply_error(&state, &reply, error, description));

    if p.get("response_type").map(String::as_str) != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let Some(code_challenge) = p.get("code_challenge") else {
        return fail(
            "invalid_request",
            "code_challenge is required: this tenant only accepts PKCE",
        );
    };
    if p.get("code_challenge_method").map(String::as_str) != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    if code_challenge.len() != 43 || URL_SAFE_NO_PAD.decode(code_challenge).is_err() {
        return fail(
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
        );
    }
    if p.get("state").is_none_or(|s| s.is_empty()) {
        return fail("invalid_request", "state is required");
    }
    let connection = p.get("connection").filter(|c| !c.is_empty()).cloned();
    if let Some(name) = &connection {
        if !state
            .config
            .fixtures
            .connections
            .iter()
            .any(|c| &c.name == name)
        {
            return fail("invalid_request", "the connection was not found");
        }
    }
    let audience = p.get("audience").filter(|a| !a.is_empty()).cloned();
    if let Some(aud) = &audience {
        if *aud != state.config.mgmt_audience() && *aud != state.config.userinfo_audience() {
            return fail("access_denied", &format!("Service not found: {aud}"));
        }
    }
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return fail("invalid_request", "max_age must be a number of seconds"),
        },
    };
    let prompt = p.get("prompt").map(String::as_str).unwrap_or("");
    if !prompt
        .split(' ')
        .all(|v| matches!(v, "" | "none" | "login" | "consent" | "select_account"))
    {
        return fail("invalid_request", "unsupported prompt value");
    }

    if state.config.test_mode
        && state
            .store()
            .take(Misbehaviour::AuthorizeAccessDenied, None)
            .is_some()
    {
        return fail("access_denied", "User did not authorize the request");
    }

    let request = AuthRequest {
        client_id: client.client_id.clone(),
        redirect_uri,
        response_mode: mode,
        state: reply.state.clone(),
        nonce: p.get("nonce").cloned(),
        scope: p.get("scope").cloned().unwrap_or_else(|| "openid".into()),
        audience,
        connection: connection.clone(),
        code_challenge: code_challenge.clone(),
        max_age,
    };

    let session = current_session(&state, &headers, max_age);
    if prompt == "none" {
        return match session {
            Some(s) => Ok(complete(&state, request, &s.identity, s.auth_time, None)),
            None => fail("login_required", "Login required"),
        };
    }
    // A `max_age` asks for the user's credentials when the session is older: the test
    // tenant's shortcut (`login_hint` or an armed identity signing in without the page)
    // does not answer it.
    let shortcut = if max_age.is_some() {
        None
    } else {
        auto_login(&state, p.get("login_hint"), connection.as_deref())
    };
    if let Some(identity) = shortcut {
        return Ok(complete(
            &state,
            request,
            &identity,
            now(),
            Some(random_id(24)),
        ));
    }
    if let (Some(s), false) = (&session, prompt.contains("login")) {
        return Ok(complete(&state, request, &s.identity, s.auth_time, None));
    }
    let tx = random_id(24);
    let choices = state.store().login_choices(connection.as_deref());
    let label = connection
        .as_deref()
        .and_then(|c| {
            state
                .config
                .fixtures
                .connections
                .iter()
                .find(|x| x.name == c)
        })
        .map(|c| c.label.clone());
    state.store().auth_requests.insert(tx.clone(), request);
    let confirm_hint = max_age.and(p.get("login_hint")).map(String::as_str);
    Ok(Html(pages::login_page(
        &tx,
        &client.name,
        label.as_deref(),
        &choices,
        confirm_hint,
    ))
    .into_response())
}

fn check_client<'a>(
    state: &'a AppState,
    client_id: Option<&String>,
) -> Result<&'a crate::fixtures::ClientFixture, ApiError> {
    let id = client_id
        .ok_or_else(|| ApiError::page(StatusCode::BAD_REQUEST, "client_id is required"))?;
    let client = state
        .config
        .client(id)
        .ok_or_else(|| ApiError::page(StatusCode::BAD_REQUEST, format!("Unknown client: {id}")))?;
    if client.app_type != crate::fixtures::AppType::Spa {
        return Err(ApiError::page(
            StatusCode::BAD_REQUEST,
            format!("client {id} cannot use /authorize"),
        ));
    }
    Ok(client)
}

fn check_response_mode(mode: Option<&String>) -> Result<ResponseMode, ApiError> {
    match mode.map(String::as_str) {
        None | Some("query") => Ok(ResponseMode::Query),
        Some("web_message") => Ok(ResponseMode::WebMessage),
        Some(other) => Err(ApiError::page(
            StatusCode::BAD_REQUEST,
            format!(
                "response_mode {other} is not supported by this tenant (use query or web_message)"
            ),
        )),
    }
}

/// `query`: an exact match against Allowed Callback URLs. `web_message`: the response is
/// posted to the redirect URI's origin, so that origin must be an Allowed Web Origin (an
/// Allowed Callback URL alone is not enough), and the URI is either an Allowed Callback
/// URL or the bare origin, as Auth0 allows for silent authentication.
fn check_redirect_uri(
    client: &crate::fixtures::ClientFixture,
    uri: Option<&String>,
    mode: ResponseMode,
) -> Result<String, ApiError> {
    let uri =
        uri.ok_or_else(|| ApiError::page(StatusCode::BAD_REQUEST, "redirect_uri is required"))?;
    let exact = client.callbacks.iter().any(|c| c == uri);
    if mode == ResponseMode::WebMessage {
        let origin = origin_of(uri).filter(|o| client.web_origins.contains(o));
        let Some(origin) = origin else {
            return Err(ApiError::page(
                StatusCode::BAD_REQUEST,
                format!(
                    "response_mode=web_message: the origin of {uri} is not in the list of allowed web origins of client {}",
                    client.client_id
                ),
            ));
        };
        if exact || uri == &origin || uri == &format!("{origin}/") {
            return Ok(uri.clone());
        }
    } else if exact {
        return Ok(uri.clone());
    }
    Err(ApiError::page(
        StatusCode::BAD_REQUEST,
        format!(
            "Callback URL mismatch. {uri} is not in the list of allowed callback URLs of client {}",
            client.client_id
        ),
    ))
}

fn current_session(state: &AppState, headers: &HeaderMap, max_age: Option<u64>) -> Option<Session> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let store = state.store();
    let session = store.sessions.get(&id)?.clone();
    store.owner_of_identity(&session.identity)?;
    if max_age.is_some_and(|m| now().saturating_sub(session.auth_time) > m) {
        return None;
    }
    Some(session)
}

/// Test mode only: `login_hint` naming a fixture identity or email, or an identity armed
/// with `POST /test/auto-login`, signs in without the login page.
fn auto_login(state: &AppState, hint: Option<&String>, connection: Option<&str>) -> Option<String> {
    if !state.config.test_mode {
        return None;
    }
    let mut store = state.store();
    let wanted = hint.cloned().or_else(|| store.auto_login.take())?;
    let choice = store
        .login_choices(connection)
        .into_iter()
        .find(|(key, _, profile)| {
            *key == wanted || profile.email.as_deref() == Some(wanted.as_str())
        })?;
    Some(choice.0)
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    tx: String,
    identity: String,
}

/// `POST /login` from the login page.
pub async fn login(
    State(state): State<AppState>,
    form: Result<axum::Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, ApiError> {
    let axum::Form(form) = form
        .map_err(|e| ApiError::page(StatusCode::BAD_REQUEST, format!("invalid login form: {e}")))?;
    let request = state
        .store()
        .auth_requests
        .remove(&form.tx)
        .ok_or_else(|| {
            ApiError::page(
                StatusCode::BAD_REQUEST,
                "This login transaction is unknown or was already used. Start again.",
            )
        })?;
    let allowed = state
        .store()
        .login_choices(request.connection.as_deref())
        .iter()
        .any(|(key, _, _)| *key == form.identity);
    if !allowed {
        return Err(ApiError::page(
            StatusCode::BAD_REQUEST,
            "That account cannot sign in with this connection.",
        ));
    }
    Ok(complete(
        &state,
        request,
        &form.identity,
        now(),
        Some(random_id(24)),
    ))
}

/// Issues a code for the user who owns `identity` and answers in the request's response
/// mode; `new_session` sets the cookie.
fn complete(
    state: &AppState,
    request: AuthRequest,
    identity: &str,
    auth_time: u64,
    new_session: Option<String>,
) -> Response {
    let owner = state
        .store()
        .owner_of_identity(identity)
        .map(|u| u.user_id.clone());
    let Some(owner) = owner else {
        return ApiError::page(StatusCode::BAD_REQUEST, "unknown account").into_response();
    };
    let user_id = owner.as_str();
    let code = random_id(32);
    let mut reply = ReplyTo {
        redirect_uri: request.redirect_uri.clone(),
        mode: request.response_mode,
        state: request.state.clone(),
    };
    let (wrong_state, wrong_origin) = {
        let mut store = state.store();
        if let Some(id) = &new_session {
            store.sessions.insert(
                id.clone(),
                Session {
                    identity: identity.to_owned(),
                    auth_time,
                },
            );
        }
        store.codes.insert(
            code.clone(),
            CodeGrant {
                request,
                user_id: user_id.to_owned(),
                auth_time,
                expires_at: now() + state.config.code_lifetime_secs,
                used: false,
            },
        );
        let test = state.config.test_mode;
        (
            test && store
                .take(Misbehaviour::AuthorizeWrongState, None)
                .is_some(),
            test && reply.mode == ResponseMode::WebMessage
                && store
                    .take(Misbehaviour::AuthorizeWrongOrigin, None)
                    .is_some(),
        )
    };
    if wrong_state {
        reply.state = Some(format!("{}-tampered", reply.state.unwrap_or_default()));
    }
    let mut response = if wrong_origin {
        // The same page, served from http://localhost:PORT: another origin than the issuer.
        let payload = json!({ "code": code, "state": reply.state });
        let relay = with_query(
            &format!(
                "{}authorize/relay",
                state.config.issuer.replace("127.0.0.1", "localhost")
            ),
            &[
                (
                    "target",
                    &origin_of(&reply.redirect_uri).unwrap_or_default(),
                ),
                ("response", &payload.to_string()),
            ],
        );
        found(&relay)
    } else {
        reply_success(&reply, &code)
    };
    if let Some(id) = new_session {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax"
        )) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn reply_success(reply: &ReplyTo, code: &str) -> Response {
    let mut params = vec![("code", code)];
    if let Some(s) = &reply.state {
        params.push(("state", s));
    }
    reply_with(reply, &params)
}

fn reply_error(_state: &AppState, reply: &ReplyTo, error: &str, description: &str) -> Response {
    eprintln!("dev-tenant: /authorize answered {error}: {description}");
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = &reply.state {
        params.push(("state", s));
    }
    reply_with(reply, &params)
}

fn reply_with(reply: &ReplyTo, params: &[(&str, &str)]) -> Response {
    match reply.mode {
        ResponseMode::Query => found(&with_query(&reply.redirect_uri, params)),
        ResponseMode::WebMessage => {
            let response: serde_json::Map<String, Value> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            let target = origin_of(&reply.redirect_uri).unwrap_or_default();
            Html(pages::web_message_page(&target, &Value::Object(response))).into_response()
        }
    }
}

/// Reads a form or JSON body (both are accepted by Auth0's token endpoint) as strings.
async fn read_params(request: Request) -> Result<(HeaderMap, HashMap<String, String>), ApiError> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::oauth(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "request body too large",
            )
        })?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let params = if content_type.starts_with("application/x-www-form-urlencoded") {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map_err(|_| ApiError::invalid_request("malformed form body"))?
            .into_iter()
            .collect()
    } else if content_type.starts_with("application/json") {
        let v: HashMap<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|_| ApiError::invalid_request("malformed JSON body"))?;
        v.into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect()
    } else {
        return Err(ApiError::invalid_request(
            "Content-Type must be application/x-www-form-urlencoded or application/json",
        ));
    };
    Ok((parts.headers, params))
}

/// `POST /oauth/token`: `authorization_code` (PKCE), `refresh_token`, `client_credentials`.
pub async fn token(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (headers, p) = read_params(request).await?;
    let client_id = p.get("client_id").ok_or_else(|| {
        ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id is required",
        )
    })?;
    let client = state.config.client(client_id).ok_or_else(|| {
        ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", "Unknown client")
    })?;
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if !client.web_origins.iter().any(|o| o == origin) {
            return Err(ApiError::oauth(
                StatusCode::FORBIDDEN,
                "access_denied",
                format!("Unauthorized origin {origin}: add it to the Allowed Web Origins of client {client_id}"),
            ));
        }
    }
    if state.config.test_mode {
        let slow = state.store().take(Misbehaviour::TokenSlow, None);
        if let Some(s) = slow {
            tokio::time::sleep(std::time::Duration::from_millis(s.delay_ms.max(1))).await;
        }
        if state
            .store()
            .take(Misbehaviour::TokenServerError, None)
            .is_some()
        {
            return Err(ApiError::oauth(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the token endpoint failed (test switch)",
            ));
        }
    }
    match p.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            authorization_code_grant(&state, client_id, &p, &state.config.issuer_for(&headers))
        }
        Some("refresh_token") => {
            refresh_grant(&state, client_id, &p, &state.config.issuer_for(&headers))
        }
        Some("client_credentials") => client_credentials_grant(&state, client, &p),
        Some(other) => Err(ApiError::oauth(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            format!("Grant type '{other}' not allowed for the client."),
        )),
        None => Err(ApiError::invalid_request(
            "Missing required parameter: grant_type",
        )),
    }
}

/// Checks: code known, unused, unexpired, same client, same redirect_uri, verifier well
/// formed and hashing to the challenge. The code is spent even when a later check fails.
fn authorization_code_grant(
    state: &AppState,
    client_id: &str,
    p: &HashMap<String, String>,
    issuer: &str,
) -> Result<Response, ApiError> {
    let code = p
        .get("code")
        .ok_or_else(|| ApiError::invalid_request("Missing required parameter: code"))?;
    let grant = {
        let mut store = state.store();
        let grant = store
            .codes
            .get_mut(code)
            .ok_or_else(|| ApiError::invalid_grant("Invalid authorization code"))?;
        if grant.used {
            return Err(ApiError::invalid_grant(
                "Invalid authorization code (already used)",
            ));
        }
        grant.used = true;
        grant.clone()
    };
    if grant.expires_at <= now() {
        return Err(ApiError::invalid_grant(
            "Invalid authorization code (expired)",
        ));
    }
    if grant.request.client_id != client_id {
        return Err(ApiError::invalid_grant(
            "Invalid authorization code (issued to another client)",
        ));
    }
    if p.get("redirect_uri") != Some(&grant.request.redirect_uri) {
        return Err(ApiError::invalid_grant(
            "redirect_uri does not match the one used at /authorize",
        ));
    }
    let verifier = p
        .get("code_verifier")
        .ok_or_else(|| ApiError::invalid_grant("Missing required parameter: code_verifier"))?;
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if !well_formed || challenge != grant.request.code_challenge {
        return Err(ApiError::invalid_grant("Failed to verify code verifier"));
    }
    let refresh = grant
        .request
        .scope
        .split(' ')
        .any(|s| s == "offline_access")
        .then(|| {
            let token = random_id(32);
            state.store().refresh_tokens.insert(
                token.clone(),
                RefreshGrant {
                    client_id: client_id.to_owned(),
                    user_id: grant.user_id.clone(),
                    scope: grant.request.scope.clone(),
                    audience: grant.request.audience.clone(),
                    auth_time: grant.auth_time,
                },
            );
            token
        });
    issue_user_tokens(
        state,
        issuer,
        client_id,
        &grant.user_id,
        &grant.request.scope,
        grant.request.audience.as_deref(),
        grant.request.nonce.as_deref(),
        grant.auth_time,
        refresh,
    )
}

fn refresh_grant(
    state: &AppState,
    client_id: &str,
    p: &HashMap<String, String>,
    issuer: &str,
) -> Result<Response, ApiError> {
    let token = p
        .get("refresh_token")
        .ok_or_else(|| ApiError::invalid_request("Missing required parameter: refresh_token"))?;
    let grant = state
        .store()
        .refresh_tokens
        .get(token)
        .cloned()
        .ok_or_else(|| ApiError::invalid_grant("Unknown or invalid refresh token."))?;
    if grant.client_id != client_id {
        return Err(ApiError::invalid_grant("Unknown or invalid refresh token."));
    }
    let audience = p.get("audience").cloned().or(grant.audience.clone());
    if audience != grant.audience {
        return Err(ApiError::oauth(
            StatusCode::FORBIDDEN,
            "access_denied",
            "the refresh token was issued for another audience",
        ));
    }
    issue_user_tokens(
        state,
        issuer,
        client_id,
        &grant.user_id,
        &grant.scope,
        audience.as_deref(),
        None,
        // A refreshed ID token states when the user really authenticated (OIDC Core 12.2).
        grant.auth_time,
        None,
    )
}

#[allow(clippy::too_many_arguments)]
fn issue_user_tokens(
    state: &AppState,
    issuer: &str,
    client_id: &str,
    user_id: &str,
    requested_scope: &str,
    audience: Option<&str>,
    nonce: Option<&str>,
    auth_time: u64,
    refresh_token: Option<String>,
) -> Result<Response, ApiError> {
    let cfg = &state.config;
    let (profile, switch) = {
        let mut store = state.store();
        let user = store
            .user(user_id)
            .ok_or_else(|| ApiError::invalid_grant("the user no longer exists"))?;
        let profile = user.profile.clone();
        let switch = if cfg.test_mode {
            store.take_id_token_switch()
        } else {
            None
        };
        (profile, switch)
    };
    let is_mgmt = audience == Some(cfg.mgmt_audience().as_str());
    // The recent-sign-in rule (a post-login Action's `api.accessToken.removeScope`, which
    // runs on a code exchange and on a refresh alike): a sign-in older than the bound
    // does not get the scopes that change the user.
    let rule = {
        let store = state.store();
        store
            .recent_auth_rule
            .unwrap_or(cfg.require_recent_auth_secs)
    };
    let stale = rule.is_some_and(|bound| now().saturating_sub(auth_time) > bound);
    let granted: Vec<&str> = requested_scope
        .split(' ')
        .filter(|s| OIDC_SCOPES.contains(s) || (is_mgmt && CURRENT_USER_SCOPES.contains(s)))
        .filter(|s| !(stale && RECENT_AUTH_SCOPES.contains(s)))
        .collect();
    let scope = granted.join(" ");
    let openid = granted.contains(&"openid");
    let mut audiences = Vec::new();
    if let Some(a) = audience {
        audiences.push(a.to_owned());
    }
    if openid && !audiences.contains(&cfg.userinfo_audience()) {
        audiences.push(cfg.userinfo_audience());
    }
    let keys = state.keys();
    let access_token = tokens::mint_access_token(
        &keys,
        &AccessTokenInput {
            issuer,
            sub: user_id,
            audiences,
            azp: client_id,
            scope: &scope,
            client_credentials: false,
        },
    );
    let mut body = json!({
        "access_token": access_token,
        "scope": scope,
        "expires_in": crate::ACCESS_TOKEN_LIFETIME_SECS,
        "token_type": "Bearer",
    });
    if openid {
        let input = IdTokenInput {
            issuer,
            sub: user_id,
            client_id,
            nonce,
            auth_time,
            profile: &profile,
        };
        body["id_token"] = json!(tokens::mint_id_token(&keys, &input, switch));
    }
    if let Some(r) = refresh_token {
        body["refresh_token"] = json!(r);
    }
    Ok(no_store(Json(body).into_response()))
}

fn client_credentials_grant(
    state: &AppState,
    client: &crate::fixtures::ClientFixture,
    p: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let secret = client.client_secret.as_deref().ok_or_else(|| {
        ApiError::oauth(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'client_credentials' not allowed for the client.",
        )
    })?;
    if p.get("client_secret").map(String::as_str) != Some(secret) {
        return Err(ApiError::oauth(
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ));
    }
    let audience = p
        .get("audience")
        .ok_or_else(|| ApiError::invalid_request("Missing required parameter: audience"))?;
    if *audience != state.config.mgmt_audience() {
        return Err(ApiError::oauth(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!("Service not found: {audience}"),
        ));
    }
    let scope = client.client_credentials_scopes.join(" ");
    let sub = format!("{}@clients", client.client_id);
    let token = tokens::mint_access_token(
        &state.keys(),
        &AccessTokenInput {
            issuer: &state.config.issuer,
            sub: &sub,
            audiences: vec![audience.clone()],
            azp: &client.client_id,
            scope: &scope,
            client_credentials: true,
        },
    );
    Ok(no_store(
        Json(json!({ "access_token": token, "scope": scope, "expires_in": crate::ACCESS_TOKEN_LIFETIME_SECS, "token_type": "Bearer" }))
            .into_response(),
    ))
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /userinfo` with an access token whose audience includes `{issuer}userinfo`.
pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let unauthorized =
        |why: &str| ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_token", why.to_owned());
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("Missing access token"))?;
    let claims = tokens::verify(&state.keys(), &state.config.issuer_for(&headers), token)
        .map_err(|e| unauthorized(&e.to_string()))?;
    if !tokens::audiences(&claims).contains(&state.config.userinfo_audience()) {
        return Err(unauthorized(
            "the access token's audience does not include /userinfo",
        ));
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    let store = state.store();
    let user = store
        .user(sub)
        .ok_or_else(|| unauthorized("the user no longer exists"))?;
    let mut body = user.profile.to_json();
    body["sub"] = json!(user.user_id);
    Ok(Json(body).into_response())
}

/// `GET /v2/logout`: ends the tenant session; `returnTo` must be an allowed logout URL.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = query_params(query)?;
    let clear =
        HeaderValue::from_static("dev_tenant_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    let mut response = match p.get("returnTo") {
        Some(url) => {
            let allowed = state
                .config
                .clients
                .iter()
                .filter(|c| p.get("client_id").is_none_or(|id| *id == c.client_id))
                .any(|c| c.allowed_logout_urls.contains(url));
            if !allowed {
                return Err(ApiError::page(
                    StatusCode::BAD_REQUEST,
                    format!("returnTo {url} is not in the Allowed Logout URLs"),
                ));
            }
            found(url)
        }
        None => Html(pages::error_page("You are signed out of the dev tenant.")).into_response(),
    };
    // Only a logout whose returnTo is allowed ends the session.
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        state.store().sessions.remove(&id);
    }
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

/// Serves the unmodified auth0-spa-js build given with `--spa-js`.
pub async fn spa_js(State(state): State<AppState>) -> Result<Response, ApiError> {
    let path = state
        .config
        .spa_js
        .as_ref()
        .ok_or_else(|| ApiError::mgmt(StatusCode::NOT_FOUND, "auth0-spa-js is not served: start the tenant with --spa-js PATH (npm ci puts it in node_modules/@auth0/auth0-spa-js/dist)", None))?;
    let text = tokio::fs::read(path).await.map_err(|e| {
        ApiError::mgmt(
            StatusCode::NOT_FOUND,
            format!("cannot read {}: {e}", path.display()),
            None,
        )
    })?;
    let mut response = text.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// `302 Found`, the status Auth0 redirects with.
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::FOUND, [(header::LOCATION, v)]).into_response(),
        Err(_) => ApiError::page(
            StatusCode::BAD_REQUEST,
            "redirect target is not a valid header value",
        )
        .into_response(),
    }
}

/// The query as a map; a malformed one gets an error page (no redirect target is trusted).
fn query_params(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<HashMap<String, String>, ApiError> {
    query.map(|Query(p)| p).map_err(|e| {
        ApiError::page(
            StatusCode::BAD_REQUEST,
            format!("invalid query string: {e}"),
        )
    })
}
