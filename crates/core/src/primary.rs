//! Pre-flight on the primary user's access token (a JWT the widget reads but cannot
//! verify: it is meant for the Management API, which verifies it). Catches the common
//! set-up mistakes with a clear error before any API call.

use crate::config::LinkConfig;
use crate::env::JsonParser;
use crate::error::{ErrorCode, LinkError};
use crate::jwt::{self, Audience};
use crate::secret::AccessToken;
use serde::Deserialize;

pub const SCOPE_UPDATE_IDENTITIES: &str = "update:current_user_identities";
pub const SCOPE_READ_USER: &str = "read:current_user";
pub const SCOPE_UPDATE_METADATA: &str = "update:current_user_metadata";

/// What the token will be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `GET /api/v2/users/{id}`: needs `read:current_user`.
    ReadIdentities,
    /// `POST`/`DELETE …/identities`: needs `update:current_user_identities`.
    ChangeIdentities,
}

impl Purpose {
    fn scope(self) -> &'static str {
        match self {
            Purpose::ReadIdentities => SCOPE_READ_USER,
            Purpose::ChangeIdentities => SCOPE_UPDATE_IDENTITIES,
        }
    }
}

#[derive(Deserialize)]
struct AccessClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    scope: Option<String>,
}

/// A primary token that passed the pre-flight for one purpose.
#[derive(Debug, Clone)]
pub struct PrimaryToken {
    raw: AccessToken,
    user_id: String,
    scopes: Vec<String>,
}

impl PrimaryToken {
    pub fn raw(&self) -> &AccessToken {
        &self.raw
    }
    /// The primary user id: the token's `sub` (a configured `primaryUserId` must equal it).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `insufficient_scope` naming `needed` (and `why` it is needed) unless the token holds
    /// it: checked before anything that needs it is sent.
    pub fn require_scope(&self, needed: &str, why: &str) -> Result<(), LinkError> {
        match self.scopes.iter().any(|s| s == needed) {
            true => Ok(()),
            false => Err(missing_scope(needed, &self.scopes, why)),
        }
    }

    /// Checks, in order: a value was returned; it is a JWT; `iss` is the tenant; `aud`
    /// holds the Management API; `azp` is our client (the secondary ID token's `aud` must
    /// equal it); not expired; `sub` present; the purpose's scope; `primaryUserId` = `sub`.
    pub fn inspect(
        json: &impl JsonParser,
        raw: Option<&str>,
        config: &LinkConfig,
        now: u64,
        purpose: Purpose,
    ) -> Result<Self, LinkError> {
        let audience = config.management_audience().to_owned();
        let raw = raw.map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| {
            LinkError::new(ErrorCode::PrimaryTokenUnavailable, "getAccessToken returned nothing; it must resolve to the signed-in user's access token")
        })?;
        let claims: AccessClaims = jwt::unverified_payload(json, raw).ok_or_else(|| {
            LinkError::new(
                ErrorCode::PrimaryTokenUnavailable,
                format!("getAccessToken returned a value that is not a JWT; request the token with audience {audience} (without it Auth0 issues an opaque token)"),
            )
        })?;
        let issuer = config.domain().issuer();
        if claims.iss.as_deref() != Some(issuer.as_str()) {
            return Err(LinkError::config(
                "domain",
                format!(
                    "the access token was issued by {}, but domain gives {issuer}",
                    claims.iss.as_deref().unwrap_or("(no iss)")
                ),
                "use the same tenant for the widget and the access token",
            ));
        }
        let audiences = claims.aud.map(|a| a.0).unwrap_or_default();
        if !audiences.contains(&audience) {
            return Err(LinkError::new(
                ErrorCode::PrimaryTokenUnavailable,
                format!("the access token's audience is {}, expected {audience}: call getTokenSilently with authorizationParams.audience = \"{audience}\"", if audiences.is_empty() { "missing".to_owned() } else { audiences.join(", ") }),
            ));
        }
        if let Some(azp) = &claims.azp {
            if azp != config.client_id() {
                return Err(LinkError::config("clientId", format!("the access token was issued to client {azp}, but clientId is {}", config.client_id()), "use the same application for the primary login and the widget: Auth0 requires the secondary ID token's aud to equal the access token's azp"));
            }
        }
        match claims.exp {
            Some(exp) if exp.is_finite() && (exp as u64) > now => {}
            Some(_) => {
                return Err(LinkError::new(
                    ErrorCode::PrimaryTokenRejected,
                    "the access token has expired; getAccessToken must return a fresh token",
                ))
            }
            None => {
                return Err(LinkError::new(
                    ErrorCode::PrimaryTokenUnavailable,
                    "the access token has no exp",
                ))
            }
        }
        let user_id = claims.sub.filter(|s| !s.is_empty()).ok_or_else(|| {
            LinkError::new(
                ErrorCode::PrimaryTokenUnavailable,
                "the access token has no sub (is it a machine-to-machine token?)",
            )
        })?;
        let scopes: Vec<String> = claims
            .scope
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let needed = purpose.scope();
        if !scopes.iter().any(|s| s == needed) {
            return Err(missing_scope(needed, &scopes, ""));
        }
        if let Some(configured) = config.primary_user_id() {
            if configured != user_id {
                return Err(LinkError::new(ErrorCode::UserMismatch, format!("primaryUserId is {configured}, but the access token's sub is {user_id}; a user-scoped token can only change its own user")));
            }
        }
        Ok(PrimaryToken {
            raw: AccessToken::new(raw),
            user_id,
            scopes,
        })
    }
}

fn missing_scope(needed: &str, scopes: &[String], why: &str) -> LinkError {
    LinkError::new(
        ErrorCode::InsufficientScope,
        format!(
            "scope: expected {needed}{why}, found {}; request it in authorizationParams.scope",
            if scopes.is_empty() {
                "none".to_owned()
            } else {
                scopes.join(" ")
            }
        ),
    )
}
