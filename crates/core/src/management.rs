//! Management API requests (`prepare_*`) and responses (`process_*`): read the user's
//! identities, link with `{"link_with": <ID token>}`, unlink. There is deliberately no
//! way to build the deprecated body (`user_id`/`provider` with a user-scoped token).

use crate::config::LinkConfig;
use crate::encoding::{display_text, https_url, json_string, percent_encode};
use crate::env::JsonParser;
use crate::error::{ApiErrorBody, ErrorCode, LinkError};
use crate::http::{HttpRequest, HttpResponse, Method, TransportError};
use crate::id_token::VerifiedIdToken;
use crate::primary::{PrimaryToken, SCOPE_READ_USER, SCOPE_UPDATE_IDENTITIES};
use serde::{Deserialize, Serialize};

pub use crate::identity::{Identity, MergeFacts, ProfileData};

/// The primary user as `GET /api/v2/users/{id}` returns it (fields the widget shows).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PrimaryUser {
    pub user_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub picture: Option<String>,
    pub identities: Vec<Identity>,
    /// The settings the user saved (Auth0 leaves it out when there are none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<crate::json::Json>,
    /// What the application keeps about the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<crate::json::Json>,
}

/// Which identity to detach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRef {
    pub provider: String,
    pub user_id: String,
}

fn api_request(
    method: Method,
    url: String,
    token: &PrimaryToken,
    body: Option<String>,
) -> HttpRequest {
    let mut headers = vec![
        (
            "Authorization".to_owned(),
            format!("Bearer {}", token.raw().secret()),
        ),
        ("Accept".to_owned(), "application/json".to_owned()),
    ];
    if body.is_some() {
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    HttpRequest {
        method,
        url,
        headers,
        body,
    }
}

fn user_url(config: &LinkConfig, user_id: &str) -> String {
    config
        .domain()
        .url(&format!("api/v2/users/{}", percent_encode(user_id)))
}

pub fn prepare_get_user(config: &LinkConfig, token: &PrimaryToken) -> HttpRequest {
    api_request(Method::Get, user_url(config, token.user_id()), token, None)
}

/// `PATCH /api/v2/users/{primary}` with `{"user_metadata": patch}` and the primary's token
/// (`update:current_user_metadata`): Auth0 merges the root properties, replaces a nested
/// object whole and deletes a property sent as `null`. It answers the whole user.
pub fn prepare_patch_user_metadata(
    json: &impl JsonParser,
    config: &LinkConfig,
    token: &PrimaryToken,
    patch: &crate::json::Json,
) -> HttpRequest {
    let body = json.stringify(&crate::json::Json::Object(vec![(
        "user_metadata".to_owned(),
        patch.clone(),
    )]));
    api_request(
        Method::Patch,
        user_url(config, token.user_id()),
        token,
        Some(body),
    )
}

/// The secondary login's own user (`GET /api/v2/users/{sub}` with the secondary's
/// `read:current_user` token): whether it is an existing user with other logins.
pub fn prepare_get_secondary_user(
    config: &LinkConfig,
    sub: &str,
    token: &crate::secret::AccessToken,
) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: user_url(config, sub),
        headers: vec![
            (
                "Authorization".to_owned(),
                format!("Bearer {}", token.secret()),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
        ],
        body: None,
    }
}

pub fn process_get_user(
    json: &impl JsonParser,
    response: &HttpResponse,
    now: u64,
) -> Result<PrimaryUser, LinkError> {
    if !response.is_success() {
        return Err(api_error(json, response, now, SCOPE_READ_USER));
    }
    json.parse(&response.body)
        .map_err(|why| unreadable("GET /api/v2/users/{id}", &why))
        .map(|mut user: PrimaryUser| {
            // The primary identity carries no profileData: its profile is the user's.
            if let Some(first) = user.identities.first_mut() {
                if first.profile_data.is_none() {
                    first.profile_data = Some(ProfileData {
                        email: user.email.clone(),
                        email_verified: None,
                        name: user.name.clone(),
                        nickname: None,
                        picture: user.picture.clone(),
                    });
                }
            }
            user.identities = shown(user.identities);
            user
        })
}

/// Link and unlink answers list the identities without the primary's profile (Auth0 keeps
/// it on the user): identities that came without one keep what `previous` knew of them.
pub fn carry_profiles(previous: &[Identity], mut next: Vec<Identity>) -> Vec<Identity> {
    for identity in next.iter_mut().filter(|i| i.profile_data.is_none()) {
        identity.profile_data = previous
            .iter()
            .find(|p| p.provider == identity.provider && p.user_id == identity.user_id)
            .and_then(|p| p.profile_data.clone());
    }
    next
}

/// Identities as the widget shows them and hands them to the host: the profile's texts
/// without characters that hide or reorder text, the picture only from https.
fn shown(mut identities: Vec<Identity>) -> Vec<Identity> {
    for profile in identities
        .iter_mut()
        .filter_map(|i| i.profile_data.as_mut())
    {
        for text in [&mut profile.email, &mut profile.name, &mut profile.nickname]
            .into_iter()
            .flatten()
        {
            *text = display_text(text);
        }
        profile.picture = profile.picture.as_deref().and_then(https_url);
    }
    identities
}

/// `POST /api/v2/users/{primary}/identities` with `{"link_with": <verified ID token>}`.
/// The secondary must not be the primary (`same_account`); when the primary's identities
/// are known, an identity already among them is `already_linked` without a request.
pub fn prepare_link(
    config: &LinkConfig,
    token: &PrimaryToken,
    secondary: &VerifiedIdToken,
    known: Option<&[Identity]>,
) -> Result<HttpRequest, LinkError> {
    if secondary.sub() == token.user_id() {
        return Err(LinkError::new(
            ErrorCode::SameAccount,
            "the secondary ID token's sub is the primary user's id",
        ));
    }
    if let Some(identities) = known {
        if identities
            .iter()
            .any(|i| i.full_user_id() == secondary.sub())
        {
            return Err(LinkError::already_linked());
        }
    }
    let body = format!(
        "{{\"link_with\":{}}}",
        json_string(secondary.raw().secret())
    );
    let url = format!("{}/identities", user_url(config, token.user_id()));
    Ok(api_request(Method::Post, url, token, Some(body)))
}

pub fn process_link(
    json: &impl JsonParser,
    response: &HttpResponse,
    now: u64,
) -> Result<Vec<Identity>, LinkError> {
    process_identities(json, response, now, "POST …/identities")
}

/// `DELETE /api/v2/users/{primary}/identities/{provider}/{user_id}`. Refuses the primary
/// identity (`identities[0]`, or the one the primary user id names) before any request.
pub fn prepare_unlink(
    config: &LinkConfig,
    token: &PrimaryToken,
    target: &IdentityRef,
    known: Option<&[Identity]>,
) -> Result<HttpRequest, LinkError> {
    if target.provider.is_empty() || target.user_id.is_empty() {
        return Err(LinkError::config(
            "provider/userId",
            "are required",
            "pass the identity's provider and user_id as listed in identities",
        ));
    }
    let full = format!("{}|{}", target.provider, target.user_id);
    let is_primary = full == token.user_id()
        || known.and_then(|ids| ids.first()).is_some_and(|first| {
            first.provider == target.provider && first.user_id == target.user_id
        });
    if is_primary {
        return Err(LinkError::config(
            "provider/userId",
            format!("{full} is the primary identity"),
            "only linked (secondary) identities can be unlinked",
        ));
    }
    let url = format!(
        "{}/identities/{}/{}",
        user_url(config, token.user_id()),
        percent_encode(&target.provider),
        percent_encode(&target.user_id)
    );
    Ok(api_request(Method::Delete, url, token, None))
}

pub fn process_unlink(
    json: &impl JsonParser,
    response: &HttpResponse,
    now: u64,
) -> Result<Vec<Identity>, LinkError> {
    process_identities(json, response, now, "DELETE …/identities")
}

/// Link and unlink both answer the primary's identities (any 2xx is success).
fn process_identities(
    json: &impl JsonParser,
    response: &HttpResponse,
    now: u64,
    what: &str,
) -> Result<Vec<Identity>, LinkError> {
    if !response.is_success() {
        return Err(api_error(json, response, now, SCOPE_UPDATE_IDENTITIES));
    }
    json.parse(&response.body)
        .map_err(|why| unreadable(what, &why))
        .map(shown)
}

fn unreadable(what: &str, why: &str) -> LinkError {
    LinkError::new(
        ErrorCode::UnexpectedResponse,
        format!("{what} answered a 2xx body that is not the expected JSON ({why})"),
    )
}

/// A transport failure as a link error.
pub fn transport_error(error: &TransportError, what: &str) -> LinkError {
    match error {
        TransportError::Network(why) => LinkError::new(
            ErrorCode::Network,
            format!("{what}: the request failed before any response ({why})"),
        ),
        TransportError::Timeout => LinkError::new(
            ErrorCode::Timeout,
            format!("{what}: no response within the request timeout"),
        ),
    }
}

/// The stable code of a Management API error: by status and Auth0's `errorCode` first
/// (`unowned_resource`: the path's user is not the token's `sub`; `insufficient_scope`),
/// by the message, compared case-insensitively, only where the `errorCode` says nothing.
pub fn classify(status: u16, error_code: Option<&str>, message: &str) -> ErrorCode {
    let says = |fragment: &str| message.to_ascii_lowercase().contains(fragment);
    match (status, error_code) {
        (400, _) if says("main identity and the new one are the same") => ErrorCode::SameAccount,
        (401, _) => ErrorCode::PrimaryTokenRejected,
        (403, Some("unowned_resource")) => ErrorCode::UserMismatch,
        (403, Some("insufficient_scope")) => ErrorCode::InsufficientScope,
        (403, _) if says("user to be acted on does not match subject in bearer token") => {
            ErrorCode::UserMismatch
        }
        (403, None) => ErrorCode::InsufficientScope,
        (403, Some(_)) => ErrorCode::UnexpectedResponse,
        // The widget never sends an identity it knows is the user's own: a conflict means
        // another user has it (the flow re-reads the identities to tell).
        (409, _) => ErrorCode::LinkedToAnotherUser,
        (429, _) => ErrorCode::RateLimited,
        (500..=599, _) => ErrorCode::ServerError,
        _ => ErrorCode::UnexpectedResponse,
    }
}

/// Seconds to wait: `retry-after` (seconds), else `x-ratelimit-reset` (epoch seconds).
pub fn retry_after(response: &HttpResponse, now: Option<u64>) -> Option<u64> {
    if let Some(v) = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(v);
    }
    let reset = response
        .header("x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<u64>().ok())?;
    Some(reset.saturating_sub(now?).max(1))
}

/// Maps a non-2xx Management API answer to a stable code, keeping Auth0's body.
fn api_error(json: &impl JsonParser, response: &HttpResponse, now: u64, scope: &str) -> LinkError {
    let body: Option<ApiErrorBody> = json.parse(&response.body).ok();
    let message = body
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_default();
    let error_code = body.as_ref().and_then(|b| b.error_code.as_deref());
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    };
    let status = response.status;
    let code = classify(status, error_code, &message);
    let detail = match code {
        ErrorCode::PrimaryTokenRejected => {
            format!("401{said}; getAccessToken must return a valid, unexpired token")
        }
        ErrorCode::InsufficientScope => format!("403{said}; the token needs {scope}"),
        _ => format!("{status}{said}"),
    };
    let retry = if status == 429 {
        retry_after(response, Some(now))
    } else {
        None
    };
    LinkError::new(code, format!("Management API answered {detail}"))
        .with_api_error(status, body)
        .with_retry_after(retry)
}
