//! The Management API subset account linking needs, with Auth0's rules and error bodies.
//!
//! Every handler: authenticate (RS256 access token of this tenant for `{issuer}api/v2/`),
//! rate-limit per subject, apply armed test switches, then its own named checks.

use crate::error::ApiError;
use crate::store::{Identity, MgmtRoute, Misbehaviour, RateWindow, User};
use crate::tokens::{self, JwtRefusal};
use crate::util::now;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

pub const MIGRATION_HINT: &str = "use the primary user's access token (update:current_user_identities) and send the secondary account's ID token as {\"link_with\": \"<id token>\"}";

/// The authenticated caller of a Management API request.
#[derive(Debug)]
struct Caller {
    sub: String,
    azp: Option<String>,
    scopes: Vec<String>,
    origin: String,
}

impl Caller {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug, Clone, Copy)]
struct RateInfo {
    limit: u32,
    remaining: u32,
    reset: u64,
}

impl RateInfo {
    fn headers(&self) -> [(HeaderName, String); 3] {
        [
            (
                HeaderName::from_static("x-ratelimit-limit"),
                self.limit.to_string(),
            ),
            (
                HeaderName::from_static("x-ratelimit-remaining"),
                self.remaining.to_string(),
            ),
            (
                HeaderName::from_static("x-ratelimit-reset"),
                self.reset.to_string(),
            ),
        ]
    }
}

/// Attaches the rate-limit headers (when known) to whatever the handler produced, unless
/// the response already carries its own (a 429 states the window that refused it).
fn respond(rate: Option<RateInfo>, result: Result<(StatusCode, Value), ApiError>) -> Response {
    let mut response = match result {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => e.into_response(),
    };
    if let Some(rate) = rate {
        for (name, value) in rate.headers() {
            if response.headers().contains_key(&name) {
                continue;
            }
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
    }
    response
}

fn log_deprecated(state: &AppState, caller_origin: &str, what: &str) {
    let line = format!("deprecated account-linking flow refused ({what}) from origin {caller_origin}: {MIGRATION_HINT}");
    eprintln!("dev-tenant: {line}");
    state.store().deprecated_log.push(line);
}

fn bad_authorization_header() -> ApiError {
    ApiError::bad_request("Bad HTTP authentication header format", None)
}

/// Authentication: Bearer header, RS256 signature by a published key, `iss`, `exp`, and an
/// audience of `{issuer}api/v2/`. An ID token used as the bearer is the deprecated flow.
/// No header is 401; a header that is not `Bearer <token>` is 400, as Auth0 answers.
fn authenticate(state: &AppState, headers: &HeaderMap, origin: &str) -> Result<Caller, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("Missing authentication"))?
        .to_str()
        .map_err(|_| bad_authorization_header())?;
    let token = value
        .strip_prefix("Bearer ")
        .filter(|t| !t.is_empty() && !t.contains(' '))
        .ok_or_else(bad_authorization_header)?;
    // Through the custom domain, only tokens issued there; through the canonical host,
    // only the canonical ones.
    let claims = tokens::verify(&state.keys(), &state.config.issuer_for(headers), token).map_err(
        |e| match e {
            JwtRefusal::Expired => {
                ApiError::unauthorized("Expired token received for JSON Web Token validation")
            }
            other => {
                // Auth0 says only "Invalid token"; the log says why.
                eprintln!("dev-tenant: bearer token refused: {other}");
                ApiError::unauthorized("Invalid token")
            }
        },
    )?;
    let audiences = tokens::audiences(&claims);
    if !audiences.contains(&state.config.mgmt_audience()) {
        let aud = audiences.join(",");
        if audiences.iter().any(|a| state.config.client(a).is_some()) {
            log_deprecated(state, origin, "an ID token was sent as the bearer");
        }
        return Err(ApiError::unauthorized(format!("Bad audience: {aud}")));
    }
    Ok(Caller {
        sub: claims["sub"].as_str().unwrap_or_default().to_owned(),
        azp: claims["azp"].as_str().map(str::to_owned),
        scopes: claims["scope"]
            .as_str()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        origin: origin.to_owned(),
    })
}

/// Fixed one-minute windows, one per subject as Auth0's user-scoped limits behave; requests
/// that fail authentication share one window, so even a 401 states the limit.
fn rate_limit(state: &AppState, bucket: &str) -> Result<RateInfo, ApiError> {
    let limit = state.config.rate_limit_per_minute;
    let now = now();
    let mut store = state.store();
    let window = store.rate.entry(bucket.to_owned()).or_default();
    if now >= window.window_start + 60 {
        *window = RateWindow {
            window_start: now,
            count: 0,
        };
    }
    let reset = window.window_start + 60;
    if window.count >= limit {
        return Err(too_many_requests(
            RateInfo {
                limit,
                remaining: 0,
                reset,
            },
            reset - now,
        ));
    }
    window.count += 1;
    Ok(RateInfo {
        limit,
        remaining: limit - window.count,
        reset,
    })
}

fn too_many_requests(rate: RateInfo, retry_after: u64) -> ApiError {
    let mut e = ApiError::mgmt(
        StatusCode::TOO_MANY_REQUESTS,
        "Global limit has been reached",
        Some("too_many_requests"),
    );
    for (name, value) in rate.headers() {
        e = e.with_header(name, value);
    }
    e.with_header(header::RETRY_AFTER, retry_after.to_string())
}

/// Authenticates and counts the request in its rate window (the caller's, or the shared
/// one of requests that did not authenticate): the window goes to `rate` either way.
fn counted(
    state: &AppState,
    headers: &HeaderMap,
    rate: &mut Option<RateInfo>,
) -> Result<Result<Caller, ApiError>, ApiError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(no Origin header)");
    let caller = authenticate(state, headers, origin);
    let bucket = match &caller {
        Ok(c) => c.sub.as_str(),
        Err(_) => UNAUTHENTICATED_BUCKET,
    };
    *rate = Some(rate_limit(state, bucket)?);
    Ok(caller)
}

/// Any other `/api/v2/…` route: 404, counted and stated like every Management API answer.
pub async fn unknown_route(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut rate = None;
    let result = counted(&state, &headers, &mut rate)
        .and_then(|_| Err(ApiError::mgmt(StatusCode::NOT_FOUND, "Not Found", None)));
    respond(rate, result)
}

/// Authentication, rate limit and test switches, shared by every route.
fn guard(
    state: &AppState,
    headers: &HeaderMap,
    route: MgmtRoute,
    rate: &mut Option<RateInfo>,
) -> Result<Caller, ApiError> {
    let caller = counted(state, headers, rate)??;
    if state.config.test_mode {
        let mut store = state.store();
        if store
            .take(Misbehaviour::MgmtServerError, Some(route))
            .is_some()
        {
            return Err(ApiError::mgmt(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error (test switch)",
                None,
            ));
        }
        if store
            .take(Misbehaviour::MgmtRateLimited, Some(route))
            .is_some()
        {
            let limit = state.config.rate_limit_per_minute;
            return Err(too_many_requests(
                RateInfo {
                    limit,
                    remaining: 0,
                    reset: now() + 2,
                },
                2,
            ));
        }
    }
    Ok(caller)
}

/// The rate window of requests that did not authenticate (no subject can own them).
const UNAUTHENTICATED_BUCKET: &str = "(unauthenticated)";

fn path_or_400<T>(path: Result<Path<T>, PathRejection>) -> Result<T, ApiError> {
    path.map(|Path(p)| p).map_err(|e| {
        ApiError::bad_request(format!("Path validation error: {e}"), Some("invalid_uri"))
    })
}

fn user_mismatch() -> ApiError {
    ApiError::forbidden(
        "User to be acted on does not match subject in bearer token.",
        Some("unowned_resource"),
    )
}

fn insufficient_scope(expected: &str) -> ApiError {
    ApiError::forbidden(
        format!("Insufficient scope, expected any of: {expected}"),
        Some("insufficient_scope"),
    )
}

/// A writing route's caller and body: the route's guard, then the scopes (`update:users`
/// or the user-scoped one) before the body is read — a token that may not write learns
/// nothing about the body — then the body, at most `MAX_BODY_BYTES`.
async fn writer_and_body(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
    route: MgmtRoute,
    user_scope: &str,
    rate: &mut Option<RateInfo>,
) -> Result<(Caller, axum::body::Bytes), ApiError> {
    let caller = guard(state, headers, route, rate)?;
    if !caller.has("update:users") && !caller.has(user_scope) {
        return Err(insufficient_scope(&format!("update:users,{user_scope}")));
    }
    let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::mgmt(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Payload content length greater than maximum allowed: {}",
                    crate::MAX_BODY_BYTES
                ),
                None,
            )
        })?;
    Ok((caller, bytes))
}

fn no_such_user() -> ApiError {
    ApiError::mgmt(
        StatusCode::NOT_FOUND,
        "The user does not exist.",
        Some("inexistent_user"),
    )
}

fn identities_json(user: &User) -> Value {
    Value::Array(user.identities.iter().map(Identity::to_json).collect())
}

/// `GET /api/v2/users/{id}`: `read:users`, or `read:current_user` for one's own id.
pub async fn get_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let mut rate = None;
    let result = (|| {
        let caller = guard(&state, &headers, MgmtRoute::GetUser, &mut rate)?;
        let id = path_or_400(path)?;
        if !caller.has("read:users") {
            if !caller.has("read:current_user") {
                return Err(insufficient_scope("read:users,read:current_user"));
            }
            if caller.sub != id {
                return Err(user_mismatch());
            }
        }
        let store = state.store();
        let user = store.user(&id).ok_or_else(no_such_user)?;
        Ok((StatusCode::OK, user.to_json()))
    })();
    respond(rate, result)
}

/// `PATCH /api/v2/users/{id}`: `update:users` (a back end: `user_metadata` and
/// `app_metadata` of anyone), or `update:current_user_metadata` for one's own id and
/// `user_metadata` only. The metadata merges as Auth0's does ([`patch_metadata`]).
/// Answers the whole user.
pub async fn patch_user(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut rate = None;
    let written = writer_and_body(
        &state,
        &parts.headers,
        body,
        MgmtRoute::PatchUser,
        "update:current_user_metadata",
        &mut rate,
    )
    .await;
    let (caller, bytes) = match written {
        Ok(w) => w,
        Err(e) => return respond(rate, Err(e)),
    };
    let result = (|| {
        let id = path_or_400(path)?;
        let backend = caller.has("update:users");
        if !backend && caller.sub != id {
            return Err(user_mismatch());
        }
        let body: Value = serde_json::from_slice(&bytes).ok().ok_or_else(|| {
            ApiError::bad_request(
                "Payload validation error: invalid JSON",
                Some("invalid_body"),
            )
        })?;
        let Value::Object(fields) = body else {
            return Err(ApiError::bad_request(
                "Payload validation error: 'Expected type object but found type other'.",
                Some("invalid_body"),
            ));
        };
        let metadata = |name: &str| -> Result<Option<serde_json::Map<String, Value>>, ApiError> {
            match fields.get(name) {
                None => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m.clone())),
                Some(_) => Err(ApiError::bad_request(
                    format!("Payload validation error: '{name}' must be an object."),
                    Some("invalid_body"),
                )),
            }
        };
        for name in fields.keys() {
            let allowed = if backend {
                matches!(name.as_str(), "user_metadata" | "app_metadata")
            } else {
                name == "user_metadata"
            };
            if !allowed {
                return Err(insufficient_scope(if backend {
                    "update:users (this tenant changes user_metadata and app_metadata only)"
                } else {
                    "update:users (update:current_user_metadata changes user_metadata only)"
                }));
            }
        }
        let (user_metadata, app_metadata) = (metadata("user_metadata")?, metadata("app_metadata")?);
        let mut store = state.store();
        let user = store.user_mut(&id).ok_or_else(no_such_user)?;
        if let Some(patch) = &user_metadata {
            crate::store::patch_metadata(&mut user.user_metadata, patch);
        }
        if let Some(patch) = &app_metadata {
            crate::store::patch_metadata(&mut user.app_metadata, patch);
        }
        Ok((StatusCode::OK, user.to_json()))
    })();
    respond(rate, result)
}

/// `POST /api/v2/users/{id}/identities`.
pub async fn link(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut rate = None;
    let written = writer_and_body(
        &state,
        &parts.headers,
        body,
        MgmtRoute::Link,
        "update:current_user_identities",
        &mut rate,
    )
    .await;
    let (caller, bytes) = match written {
        Ok(w) => w,
        Err(e) => return respond(rate, Err(e)),
    };
    let result =
        path_or_400(path).and_then(|id| link_checks(&state, &caller, &id, &parts.headers, &bytes));
    respond(rate, result)
}

/// The body: a JSON object holding exactly `link_with`, or `provider` + `user_id`
/// (+ `connection_id`).
#[derive(Debug, Default)]
struct LinkBody {
    link_with: Option<String>,
    provider: Option<String>,
    user_id: Option<String>,
    connection_id: Option<String>,
}

fn parse_link_body(headers: &HeaderMap, bytes: &[u8]) -> Result<LinkBody, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(ApiError::mgmt(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
            None,
        ));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| {
        ApiError::bad_request("Invalid request payload JSON format", Some("invalid_body"))
    })?;
    let Value::Object(map) = value else {
        return Err(ApiError::bad_request(
            "Payload validation error: 'Expected type object'",
            Some("invalid_body"),
        ));
    };
    let mut body = LinkBody::default();
    for (key, value) in map {
        let slot = match key.as_str() {
            "link_with" => &mut body.link_with,
            "provider" => &mut body.provider,
            "user_id" => &mut body.user_id,
            "connection_id" => &mut body.connection_id,
            other => {
                return Err(ApiError::bad_request(
                    format!(
                        "Payload validation error: 'Additional properties not allowed: {other}'"
                    ),
                    Some("invalid_body"),
                ))
            }
        };
        let Value::String(s) = value else {
            return Err(ApiError::bad_request(
                format!("Payload validation error: 'Expected type string' on property {key}"),
                Some("invalid_body"),
            ));
        };
        *slot = Some(s);
    }
    let by_id = body.provider.is_some() || body.user_id.is_some() || body.connection_id.is_some();
    if body.link_with.is_some() && by_id {
        return Err(ApiError::bad_request(
            "Payload validation error: link_with cannot be combined with provider, user_id or connection_id",
            Some("invalid_body"),
        ));
    }
    if body.link_with.is_none() && !(body.provider.is_some() && body.user_id.is_some()) {
        return Err(ApiError::bad_request(
            "Payload validation error: 'Missing required property: link_with' (or provider and user_id with update:users)",
            Some("invalid_body"),
        ));
    }
    Ok(body)
}

fn link_checks(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<(StatusCode, Value), ApiError> {
    let body = parse_link_body(headers, bytes)?;
    let server_side = caller.has("update:users");
    // Either way, a `link_with` ID token must be meant for the caller's client.
    let azp = caller.azp.as_deref().unwrap_or_default();
    let secondary = if server_side {
        match (&body.link_with, &body.provider, &body.user_id) {
            (Some(token), _, _) => verified_secondary(state, headers, token, azp)?,
            (None, Some(provider), Some(user_id)) => {
                let secondary = format!("{provider}|{user_id}");
                if let Some(connection_id) = &body.connection_id {
                    check_connection_id(state, &secondary, connection_id)?;
                }
                secondary
            }
            _ => unreachable!("parse_link_body guarantees link_with or provider + user_id"),
        }
    } else {
        // Client-side flow: the deprecated body is refused and logged.
        if body.link_with.is_none() {
            log_deprecated(
                state,
                &caller.origin,
                "provider/user_id sent with a user-scoped token",
            );
            return Err(insufficient_scope("update:users"));
        }
        if caller.sub != id {
            return Err(user_mismatch());
        }
        let token = body.link_with.as_deref().unwrap_or_default();
        verified_secondary(state, headers, token, azp)?
    };
    do_link(state, id, &secondary)
}

/// `link_with`: an RS256 ID token of this tenant, unexpired, whose `aud` is exactly the
/// access token's `azp` (for user-scoped and `update:users` calls alike). Returns the
/// secondary's `sub`.
fn verified_secondary(
    state: &AppState,
    headers: &HeaderMap,
    token: &str,
    azp: &str,
) -> Result<String, ApiError> {
    // An ID token of the host the call came through (custom domain or canonical).
    let claims =
        tokens::verify(&state.keys(), &state.config.issuer_for(headers), token).map_err(|e| {
            ApiError::bad_request(
                format!("Unable to verify link_with: {e}"),
                Some("invalid_token"),
            )
        })?;
    let aud = tokens::audiences(&claims);
    if aud.len() != 1 || aud[0] != azp {
        return Err(ApiError::bad_request(
            format!(
                "The link_with token's aud ({}) must match the azp of the access token ({azp})",
                aud.join(",")
            ),
            Some("invalid_token"),
        ));
    }
    claims["sub"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request("link_with has no sub", Some("invalid_token")))
}

fn check_connection_id(
    state: &AppState,
    secondary: &str,
    connection_id: &str,
) -> Result<(), ApiError> {
    let store = state.store();
    let user = store.user(secondary).ok_or_else(|| {
        ApiError::bad_request("Secondary user does not exist.", Some("inexistent_user"))
    })?;
    let connection = state
        .config
        .fixtures
        .connections
        .iter()
        .find(|c| c.name == user.identities[0].connection);
    if connection.map(|c| c.id()).as_deref() != Some(connection_id) {
        return Err(ApiError::bad_request(
            "connection_id does not match the secondary user's connection",
            None,
        ));
    }
    Ok(())
}

/// Moves the secondary user's identities into the primary: its own identity and, as Auth0
/// does, any identities linked to it. Refuses the same account (400), an identity already
/// linked here or to another user (409), unknown users.
fn do_link(
    state: &AppState,
    primary_id: &str,
    secondary_id: &str,
) -> Result<(StatusCode, Value), ApiError> {
    let mut store = state.store();
    let primary = store.user(primary_id).ok_or_else(no_such_user)?;
    if primary_id == secondary_id {
        return Err(ApiError::bad_request(
            "Main identity and the new one are the same.",
            None,
        ));
    }
    if primary.identities.iter().any(|i| i.key() == secondary_id) {
        return Err(ApiError::mgmt(
            StatusCode::CONFLICT,
            "The identity is already linked to this user.",
            Some("identity_conflict"),
        ));
    }
    let Some(index) = store.users.iter().position(|u| u.user_id == secondary_id) else {
        if store.owner_of_identity(secondary_id).is_some() {
            return Err(ApiError::mgmt(
                StatusCode::CONFLICT,
                "The identity is already linked to another user.",
                Some("identity_conflict"),
            ));
        }
        return Err(ApiError::bad_request(
            "Secondary user does not exist.",
            Some("inexistent_user"),
        ));
    };
    // The secondary user goes: its identities move (its profile as the first one's
    // profileData); its user_metadata and app_metadata are discarded, as Auth0 does
    // ("Metadata is not automatically merged", user-account-linking).
    let secondary = store.users.remove(index);
    let mut moved = secondary.identities;
    if let Some(first) = moved.first_mut() {
        first.profile_data = Some(secondary.profile);
    }
    let primary = store.user_mut(primary_id).ok_or_else(no_such_user)?;
    primary.identities.extend(moved);
    Ok((StatusCode::CREATED, identities_json(primary)))
}

/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`: returns the remaining
/// identities; the detached identity becomes a standalone user again.
pub async fn unlink(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    let mut rate = None;
    let result = (|| {
        let caller = guard(&state, &headers, MgmtRoute::Unlink, &mut rate)?;
        let (id, provider, user_id) = path_or_400(path)?;
        if !caller.has("update:users") {
            if !caller.has("update:current_user_identities") {
                return Err(insufficient_scope(
                    "update:users,update:current_user_identities",
                ));
            }
            if caller.sub != id {
                return Err(user_mismatch());
            }
        }
        let mut store = state.store();
        let primary = store.user_mut(&id).ok_or_else(no_such_user)?;
        let index = primary
            .identities
            .iter()
            .position(|i| i.provider == provider && i.user_id == user_id)
            .ok_or_else(|| {
                ApiError::mgmt(
                    StatusCode::NOT_FOUND,
                    "The identity does not exist for this user.",
                    Some("inexistent_identity"),
                )
            })?;
        if index == 0 {
            return Err(ApiError::bad_request(
                "Main identity cannot be removed.",
                Some("operation_not_supported"),
            ));
        }
        let mut detached = primary.identities.remove(index);
        let remaining = identities_json(primary);
        let profile = detached
            .profile_data
            .take()
            .unwrap_or_else(|| crate::store::Profile {
                email: None,
                email_verified: None,
                name: detached.key(),
                nickname: None,
                picture: None,
            });
        // A new user of its own, with no metadata (what it had was discarded at the link).
        store.users.push(User {
            user_id: detached.key(),
            profile,
            identities: vec![detached],
            user_metadata: Default::default(),
            app_metadata: Default::default(),
        });
        Ok((StatusCode::OK, remaining))
    })();
    respond(rate, result)
}

/// Records each Management API request (method, path, status) for tests to assert on,
/// e.g. that no `POST …/identities` was sent after a refused ID token.
pub async fn record(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if state.config.test_mode && method != axum::http::Method::OPTIONS {
        let route = match method {
            axum::http::Method::POST => MgmtRoute::Link,
            axum::http::Method::DELETE => MgmtRoute::Unlink,
            axum::http::Method::PATCH => MgmtRoute::PatchUser,
            _ => MgmtRoute::GetUser,
        };
        let slow = state.store().take(Misbehaviour::MgmtSlow, Some(route));
        if let Some(s) = slow {
            tokio::time::sleep(std::time::Duration::from_millis(s.delay_ms.max(1))).await;
        }
    }
    let response = next.run(request).await;
    if method != axum::http::Method::OPTIONS {
        state.store().mgmt_log.push(crate::store::RequestLogEntry {
            method: method.to_string(),
            path,
            status: response.status().as_u16(),
        });
    }
    response
}
