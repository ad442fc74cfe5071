//! Token exchange at `/oauth/token` (public client: `code_verifier`, same `redirect_uri`)
//! and the JWKS request.

use crate::config::LinkConfig;
use crate::encoding::form_encode;
use crate::env::JsonParser;
use crate::error::{ErrorCode, LinkError};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::jwt::Jwks;
use crate::secret::{AccessToken, IdToken};
use crate::transaction::ValidatedCallback;
use serde::Deserialize;

pub fn prepare_token_request(config: &LinkConfig, callback: &ValidatedCallback) -> HttpRequest {
    let body = form_encode(&[
        ("grant_type", "authorization_code"),
        ("client_id", config.client_id()),
        ("code", callback.code().secret()),
        ("code_verifier", callback.verifier().secret()),
        ("redirect_uri", config.redirect_uri()),
    ]);
    HttpRequest {
        method: Method::Post,
        url: config.domain().url("oauth/token"),
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(body),
    }
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// What the secondary login's token response brings: its ID token, and the access token
/// for the Management API (`read:current_user`) that reads whether the account is an
/// existing user with other logins. Neither is kept after the link.
#[derive(Debug)]
pub struct TokenAnswer {
    pub id_token: IdToken,
    pub access_token: Option<AccessToken>,
}

/// The ID token from a token response; every failure is `token_exchange_failed` (429 is
/// `rate_limited`), keeping the server's `error`/`error_description`.
pub fn process_token_response(
    json: &impl JsonParser,
    response: &HttpResponse,
) -> Result<IdToken, LinkError> {
    process_token_answer(json, response).map(|answer| answer.id_token)
}

/// [`process_token_response`], with the access token.
pub fn process_token_answer(
    json: &impl JsonParser,
    response: &HttpResponse,
) -> Result<TokenAnswer, LinkError> {
    if response.status == 429 {
        return Err(
            LinkError::new(ErrorCode::RateLimited, "the token endpoint answered 429")
                .with_retry_after(crate::management::retry_after(response, None)),
        );
    }
    if !response.is_success() {
        let body: Option<OAuthErrorBody> = json.parse(&response.body).ok();
        let answered = format!("/oauth/token answered {}", response.status);
        let e = match body {
            Some(OAuthErrorBody {
                error: Some(error),
                error_description,
            }) => LinkError::idp_refusal(
                ErrorCode::TokenExchangeFailed,
                &answered,
                &error,
                error_description.as_deref(),
            ),
            _ => LinkError::new(
                ErrorCode::TokenExchangeFailed,
                format!("{answered} (no error code)"),
            ),
        };
        return Err(e.with_api_error(response.status, None));
    }
    let body: TokenBody = json.parse(&response.body).map_err(|why| {
        LinkError::new(
            ErrorCode::TokenExchangeFailed,
            format!("/oauth/token answered an unreadable body ({why})"),
        )
    })?;
    if body
        .token_type
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Err(LinkError::new(
            ErrorCode::TokenExchangeFailed,
            "/oauth/token answered a token_type other than Bearer",
        ));
    }
    let id_token = body
        .id_token
        .filter(|t| !t.is_empty())
        .map(IdToken::new)
        .ok_or_else(|| {
            LinkError::new(
                ErrorCode::TokenExchangeFailed,
                "/oauth/token answered no id_token (the request's scope must include openid)",
            )
        })?;
    Ok(TokenAnswer {
        id_token,
        access_token: body
            .access_token
            .filter(|t| !t.is_empty())
            .map(AccessToken::new),
    })
}

pub fn prepare_jwks_request(config: &LinkConfig) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: config.domain().url(".well-known/jwks.json"),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
    }
}

pub fn process_jwks_response(
    json: &impl JsonParser,
    response: &HttpResponse,
) -> Result<Jwks, LinkError> {
    if response.status >= 500 {
        return Err(LinkError::new(
            ErrorCode::ServerError,
            format!("the JWKS endpoint answered {}", response.status),
        )
        .with_api_error(response.status, None));
    }
    if !response.is_success() {
        return Err(LinkError::new(
            ErrorCode::UnexpectedResponse,
            format!("the JWKS endpoint answered {}", response.status),
        )
        .with_api_error(response.status, None));
    }
    json.parse::<Jwks>(&response.body).map_err(|why| {
        LinkError::new(
            ErrorCode::UnexpectedResponse,
            format!("the JWKS is not a JSON Web Key Set ({why})"),
        )
    })
}
