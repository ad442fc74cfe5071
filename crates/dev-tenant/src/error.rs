//! One error type for every refusal the tenant makes. It renders the body shape of the
//! endpoint family it belongs to (Management API JSON, OAuth JSON, or an HTML page for
//! `/authorize` errors that cannot be sent back to an unverified `redirect_uri`), and it
//! is logged exactly once, when it becomes a response.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// Management API error: `{"statusCode","error","message","errorCode"}`.
    Mgmt {
        status: StatusCode,
        message: String,
        error_code: Option<&'static str>,
        headers: Vec<(HeaderName, String)>,
    },
    /// OAuth 2.0 token/userinfo error: `{"error","error_description"}`.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    /// An HTML error page (Auth0 shows one when it cannot trust the redirect target).
    Page { status: StatusCode, message: String },
}

impl ApiError {
    pub fn mgmt(
        status: StatusCode,
        message: impl Into<String>,
        error_code: Option<&'static str>,
    ) -> Self {
        ApiError::Mgmt {
            status,
            message: message.into(),
            error_code,
            headers: Vec::new(),
        }
    }
    pub fn bad_request(message: impl Into<String>, error_code: Option<&'static str>) -> Self {
        Self::mgmt(StatusCode::BAD_REQUEST, message, error_code)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::mgmt(StatusCode::UNAUTHORIZED, message, None)
    }
    pub fn forbidden(message: impl Into<String>, error_code: Option<&'static str>) -> Self {
        Self::mgmt(StatusCode::FORBIDDEN, message, error_code)
    }
    pub fn oauth(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status,
            error,
            description: description.into(),
        }
    }
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::FORBIDDEN, "invalid_grant", description)
    }
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    pub fn page(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Page {
            status,
            message: message.into(),
        }
    }
    pub fn with_header(mut self, name: HeaderName, value: String) -> Self {
        if let ApiError::Mgmt { headers, .. } = &mut self {
            headers.push((name, value));
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Mgmt {
                status,
                message,
                error_code,
                headers,
            } => {
                eprintln!("dev-tenant: {} {}", status.as_u16(), message);
                let mut body = json!({
                    "statusCode": status.as_u16(),
                    "error": status.canonical_reason().unwrap_or("Error"),
                    "message": message,
                });
                if let Some(code) = error_code {
                    body["errorCode"] = json!(code);
                }
                let mut response = (status, axum::Json(body)).into_response();
                for (name, value) in headers {
                    if let Ok(value) = HeaderValue::from_str(&value) {
                        response.headers_mut().insert(name, value);
                    }
                }
                response
            }
            ApiError::OAuth {
                status,
                error,
                description,
            } => {
                eprintln!("dev-tenant: {} {error}: {description}", status.as_u16());
                let body = json!({ "error": error, "error_description": description });
                let mut response = (status, axum::Json(body)).into_response();
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            ApiError::Page { status, message } => {
                eprintln!("dev-tenant: {} {message}", status.as_u16());
                let html = crate::pages::error_page(&message);
                (status, Html(html)).into_response()
            }
        }
    }
}
