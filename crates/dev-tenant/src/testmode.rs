//! Test-mode routes (mounted only with `--test-mode`): reset, misbehaviour switches, key
//! rotation, auto-login, logs, and the wrong-origin `web_message` relay.

use crate::error::ApiError;
use crate::pages;
use crate::store::{ArmedSwitch, MgmtRoute, Misbehaviour};
use crate::AppState;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/test/reset", post(reset))
        .route(
            "/test/misbehave",
            post(misbehave).delete(clear_switches).get(list_switches),
        )
        .route("/test/rotate-keys", post(rotate_keys))
        .route("/test/revoke-previous-key", post(revoke_previous_key))
        .route("/test/auto-login", post(auto_login))
        .route("/test/session-age", post(session_age))
        .route("/test/require-recent-auth", post(require_recent_auth))
        .route("/test/deprecated-log", get(deprecated_log))
        .route("/test/mgmt-log", get(mgmt_log))
        .route("/test/requests", get(requests))
        .route("/test/users", get(users))
        .route("/authorize/relay", get(relay))
        .layer(axum::middleware::from_fn(json_only))
}

/// Test routes change the tenant: they take only `Content-Type: application/json`, which a
/// page on another site cannot send without a CORS preflight (that these routes never
/// grant), so no cross-site form or `fetch` can reset or bend the tenant.
async fn json_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if request.method() != axum::http::Method::GET && !json {
        return ApiError::mgmt(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "test routes take only Content-Type: application/json",
            None,
        )
        .into_response();
    }
    next.run(request).await
}

fn bad_json(e: JsonRejection) -> ApiError {
    ApiError::bad_request(format!("invalid test request: {e}"), None)
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SwitchRequest {
    switch: Misbehaviour,
    #[serde(default)]
    times: Option<u32>,
    #[serde(default)]
    route: MgmtRoute,
    #[serde(default)]
    delay_ms: Option<u64>,
}

async fn misbehave(
    State(state): State<AppState>,
    body: Result<Json<SwitchRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(r) = body.map_err(bad_json)?;
    let remaining = r.times.unwrap_or(1).max(1);
    state.store().arm(ArmedSwitch {
        switch: r.switch,
        remaining,
        route: r.route,
        delay_ms: r.delay_ms.unwrap_or(3000),
    });
    eprintln!("dev-tenant: test switch armed: {:?} x{remaining}", r.switch);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_switches(State(state): State<AppState>) -> StatusCode {
    state.store().switches.clear();
    StatusCode::NO_CONTENT
}

async fn list_switches(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.store().switches))
}

async fn rotate_keys(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let mut keys = state.keys();
    keys.rotate()
        .map_err(|e| ApiError::mgmt(StatusCode::CONFLICT, e, None))?;
    Ok(Json(json!({ "current_kid": keys.current().kid })))
}

/// Revokes the key that signed before the last rotation: tokens it signed stop verifying.
async fn revoke_previous_key(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let revoked = state.keys().revoke_previous().ok_or_else(|| {
        ApiError::mgmt(
            StatusCode::CONFLICT,
            "there is no previous key to revoke; rotate first",
            None,
        )
    })?;
    Ok(Json(json!({ "revoked_kid": revoked })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoLogin {
    identity: String,
}

async fn auto_login(
    State(state): State<AppState>,
    body: Result<Json<AutoLogin>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(r) = body.map_err(bad_json)?;
    state.store().auto_login = Some(r.identity);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionAge {
    seconds: u64,
}

/// Makes every signed-in session `seconds` old: the users signed in that long ago
/// (`auth_time`), as after a laptop left open. Refresh tokens keep the `auth_time` of
/// the sign-in they came from, so they age too.
async fn session_age(
    State(state): State<AppState>,
    body: Result<Json<SessionAge>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(r) = body.map_err(bad_json)?;
    let then = crate::util::now().saturating_sub(r.seconds);
    let mut store = state.store();
    for session in store.sessions.values_mut() {
        session.auth_time = then;
    }
    for grant in store.refresh_tokens.values_mut() {
        grant.auth_time = then;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecentAuthRule {
    /// `null` turns the rule off.
    max_age_seconds: Option<u64>,
}

/// The recent-sign-in rule (`--require-recent-auth`), set or turned off for this run.
async fn require_recent_auth(
    State(state): State<AppState>,
    body: Result<Json<RecentAuthRule>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let Json(r) = body.map_err(bad_json)?;
    state.store().recent_auth_rule = Some(r.max_age_seconds);
    Ok(StatusCode::NO_CONTENT)
}

async fn deprecated_log(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.store().deprecated_log))
}

async fn mgmt_log(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.store().mgmt_log))
}

async fn requests(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.store().seen))
}

async fn users(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(
        state.store().users.iter().map(|u| u.to_json()).collect(),
    ))
}

/// Serves a `web_message` page from whatever host the request came to (the switch sends
/// the browser to `localhost` instead of `127.0.0.1`: another origin than the issuer).
async fn relay(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = query.map_err(|e| ApiError::page(StatusCode::BAD_REQUEST, e.to_string()))?;
    let target = p.get("target").cloned().unwrap_or_default();
    let response: Value = p
        .get("response")
        .and_then(|r| serde_json::from_str(r).ok())
        .ok_or_else(|| ApiError::page(StatusCode::BAD_REQUEST, "response must be JSON"))?;
    Ok(Html(pages::web_message_page(&target, &response)).into_response())
}
