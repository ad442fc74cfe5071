//! ID token verification, OIDC Core 1.0 §3.1.3.7, strict by default: RS256 only, exact
//! `iss`, `aud` holding the client, `azp` rules, time claims with leeway, `nonce`.
//!
//! The RSA check runs on the host's side ([`SignatureVerifier`], or WebCrypto through the
//! two-phase [`begin`] / [`PendingSignature::finish`]), so no RSA code is in the core.
//! Only `finish` makes a [`VerifiedIdToken`].

use crate::config::LinkConfig;
use crate::encoding::{display_text, https_url};
use crate::env::JsonParser;
use crate::error::{ErrorCode, IdTokenReason as R, LinkError};
use crate::jwt::{self, Audience, Jwks, JwtHeader, RsaPublicJwk};
use crate::secret::{IdToken, Nonce};
use serde::{Deserialize, Serialize};

/// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, with `key`.
pub trait SignatureVerifier {
    fn verify_rs256(&self, key: &RsaPublicJwk, message: &[u8], signature: &[u8]) -> bool;
}

#[derive(Debug, Clone, Deserialize)]
struct Claims {
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
    iat: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    auth_time: Option<f64>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "jwt::bool_or_text")]
    email_verified: Option<bool>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    picture: Option<String>,
}

/// What the token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    pub config: &'a LinkConfig,
    pub nonce: &'a Nonce,
    pub now: u64,
}

/// A token whose header and key were checked; its signature awaits the host's verdict.
/// `Debug` shows the key, not the token (its parts and claims, nonce included).
pub struct PendingSignature {
    raw: IdToken,
    key: RsaPublicJwk,
    signing_input: String,
    signature: Vec<u8>,
    claims: Claims,
}

impl std::fmt::Debug for PendingSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignature")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// The verified secondary account, as shown in the confirm step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondaryProfile {
    /// The secondary's Auth0 user id (`sub`), e.g. `google-oauth2|123`.
    pub user_id: String,
    /// The provider part of the user id, e.g. `google-oauth2`.
    pub provider: String,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub picture: Option<String>,
    /// The login is an existing user with other logins of its own, and the host allows
    /// merging (`allowMerge`): what linking it would move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge: Option<crate::identity::MergeFacts>,
    /// The account's own `user_metadata` (its saved settings), read before the link: a
    /// link discards it (Auth0 does not merge metadata). `None` when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_metadata: Option<crate::json::Json>,
    /// The account's own `app_metadata` (what the application keeps about it): discarded
    /// by a link too, and only a back end can move it. `None` when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_metadata: Option<crate::json::Json>,
}

impl SecondaryProfile {
    /// Whether linking would discard anything the account holds besides its login.
    pub fn holds_data(&self) -> bool {
        self.user_metadata
            .as_ref()
            .is_some_and(crate::json::Json::has_properties)
            || self
                .app_metadata
                .as_ref()
                .is_some_and(crate::json::Json::has_properties)
    }
}

/// An ID token that passed every check. Only [`PendingSignature::finish`] makes one.
#[derive(Debug, Clone)]
pub struct VerifiedIdToken {
    raw: IdToken,
    profile: SecondaryProfile,
    /// When the user last signed in actively (`auth_time`), when the token says.
    auth_time: Option<u64>,
}

impl VerifiedIdToken {
    pub fn raw(&self) -> &IdToken {
        &self.raw
    }
    pub fn sub(&self) -> &str {
        &self.profile.user_id
    }
    pub fn profile(&self) -> &SecondaryProfile {
        &self.profile
    }
    /// `auth_time`: when the user last signed in actively (required, and checked, when
    /// the login sent `max_age`).
    pub fn auth_time(&self) -> Option<u64> {
        self.auth_time
    }
    /// What linking this login would merge, read from its own user after verification.
    pub(crate) fn with_merge(mut self, facts: crate::identity::MergeFacts) -> Self {
        self.profile.merge = Some(facts);
        self
    }
    /// What the account's own user holds that a link discards (its metadata, when it has
    /// any), read from that user after verification.
    pub(crate) fn with_metadata(
        mut self,
        user_metadata: Option<crate::json::Json>,
        app_metadata: Option<crate::json::Json>,
    ) -> Self {
        let kept = |m: Option<crate::json::Json>| m.filter(crate::json::Json::has_properties);
        self.profile.user_metadata = kept(user_metadata);
        self.profile.app_metadata = kept(app_metadata);
        self
    }
}

/// Phase one: split and decode (else `malformed`), `alg` must be RS256 (§3.1.3.7 step 7:
/// the algorithm registered for the client; `none`, HS*, ES*, PS* are refused), then the
/// key by `kid` (without `kid`, only when the set holds exactly one RS256 key).
pub fn begin(
    json: &impl JsonParser,
    raw: IdToken,
    jwks: &Jwks,
) -> Result<PendingSignature, LinkError> {
    let parts = jwt::split(raw.secret()).ok_or_else(|| {
        LinkError::id_token(
            R::Malformed,
            "the ID token is not a compact JWS of three base64url parts",
        )
    })?;
    let header: JwtHeader = json.parse(&parts.header_json).map_err(|why| {
        LinkError::id_token(
            R::Malformed,
            format!("the ID token header is not a JOSE header ({why})"),
        )
    })?;
    if header.alg != "RS256" {
        return Err(LinkError::id_token(
            R::Alg,
            format!("alg: expected RS256, found {}", printable(&header.alg)),
        ));
    }
    if header.crit.is_some() {
        return Err(LinkError::id_token(
            R::Malformed,
            "the ID token header has crit extensions this client does not understand",
        ));
    }
    let claims: Claims = json.parse(&parts.payload_json).map_err(|why| {
        LinkError::id_token(
            R::Malformed,
            format!("the ID token payload is not a claims object ({why})"),
        )
    })?;
    if parts.signature.is_empty() {
        return Err(LinkError::id_token(
            R::Signature,
            "the ID token has an empty signature",
        ));
    }
    let keys = jwks.rs256_keys();
    let key = match &header.kid {
        Some(kid) => keys
            .into_iter()
            .find(|k| k.kid.as_deref() == Some(kid.as_str()))
            .ok_or_else(|| {
                LinkError::id_token(
                    R::KeyNotFound,
                    format!(
                        "kid: no RS256 signing key {} in the tenant's JWKS",
                        printable(kid)
                    ),
                )
            })?,
        None if keys.len() == 1 => keys
            .into_iter()
            .next()
            .ok_or_else(|| LinkError::id_token(R::KeyNotFound, "no key"))?,
        None => {
            return Err(LinkError::id_token(
                R::KeyNotFound,
                format!(
                    "kid: expected one when the JWKS has several RS256 keys, found none ({} keys)",
                    keys.len()
                ),
            ))
        }
    };
    Ok(PendingSignature {
        signing_input: parts.signing_input.to_owned(),
        signature: parts.signature,
        raw,
        key,
        claims,
    })
}

impl PendingSignature {
    pub fn key(&self) -> &RsaPublicJwk {
        &self.key
    }
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Phase two, given the host's verdict on the signature, checks the claims: each
    /// step of OIDC Core §3.1.3.7 is one `check_*` below, in the spec's order.
    pub fn finish(
        self,
        signature_valid: bool,
        expect: Expectations<'_>,
    ) -> Result<VerifiedIdToken, LinkError> {
        let max_age = expect.config.max_age_seconds();
        self.finish_with_max_age(signature_valid, expect, max_age)
    }

    /// [`finish`](Self::finish) for a login that sent `max_age` itself (the primary
    /// user's sign-in again): `auth_time` is required and must lie within `max_age` (plus
    /// the leeway) — Auth0's page on `max_age` leaves that check to the application.
    pub fn finish_with_max_age(
        self,
        signature_valid: bool,
        expect: Expectations<'_>,
        max_age: Option<u64>,
    ) -> Result<VerifiedIdToken, LinkError> {
        let config = expect.config;
        let c = self.claims;
        // §3.1.3.7 step 6: validate the signature (with the key chosen in `begin`).
        if !signature_valid {
            return Err(LinkError::id_token(
                R::Signature,
                "signature: RS256 verification with the tenant's key failed",
            ));
        }
        check_issuer(&c, config)?;
        check_audience(&c, config)?;
        check_times(&c, expect.now, config.leeway_seconds())?;
        check_nonce(&c, expect.nonce)?;
        let auth_time = check_auth_time(&c, max_age, config.leeway_seconds(), expect.now)?;
        // OIDC Core §2: sub is required and non-empty.
        let sub = c
            .sub
            .filter(|s| !s.is_empty())
            .ok_or_else(|| LinkError::id_token(R::Sub, "sub: required, found none"))?;
        let email_verified = c.email_verified;
        // Linking an account whose email nobody verified lets its creator take over the
        // primary user; refused unless the host opted out.
        if config.require_verified_email() && c.email.is_some() && email_verified != Some(true) {
            return Err(LinkError::new(
                ErrorCode::EmailUnverified,
                format!(
                    "email_verified: expected true, found {}",
                    email_verified.map_or("none".to_owned(), |b| b.to_string())
                ),
            ));
        }
        let provider = sub
            .split_once('|')
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        Ok(VerifiedIdToken {
            auth_time,
            raw: self.raw,
            // Shown to the user in the confirm step: nothing that hides or reorders text,
            // and a picture only from https.
            profile: SecondaryProfile {
                user_id: sub,
                provider,
                name: c.name.as_deref().map(display_text),
                nickname: c.nickname.as_deref().map(display_text),
                email: c.email.as_deref().map(display_text),
                email_verified,
                picture: c.picture.as_deref().and_then(https_url),
                merge: None,
                user_metadata: None,
                app_metadata: None,
            },
        })
    }
}

/// Step 2: the issuer must exactly match the tenant's issuer.
fn check_issuer(c: &Claims, config: &LinkConfig) -> Result<(), LinkError> {
    let issuer = config.domain().issuer();
    match &c.iss {
        Some(iss) if *iss == issuer => Ok(()),
        other => Err(LinkError::id_token(
            R::Iss,
            format!("iss: expected {issuer}, found {}", shown(other.as_deref())),
        )),
    }
}

/// Steps 3–5: `aud` must contain our client_id; with several audiences `azp` is required;
/// when present, `azp` must be our client_id.
fn check_audience(c: &Claims, config: &LinkConfig) -> Result<(), LinkError> {
    let audiences: &[String] = c.aud.as_ref().map_or(&[], |a| &a.0);
    if !audiences.iter().any(|a| a == config.client_id()) {
        return Err(LinkError::id_token(
            R::Aud,
            format!(
                "aud: expected to contain {}, found {}",
                config.client_id(),
                shown_list(audiences)
            ),
        ));
    }
    if audiences.len() > 1 && c.azp.is_none() {
        return Err(LinkError::id_token(
            R::Azp,
            format!(
                "azp: required when aud has {} values, found none",
                audiences.len()
            ),
        ));
    }
    match &c.azp {
        Some(azp) if azp != config.client_id() => Err(LinkError::id_token(
            R::Azp,
            format!(
                "azp: expected {}, found {}",
                config.client_id(),
                printable(azp)
            ),
        )),
        _ => Ok(()),
    }
}

/// Step 9: now before `exp` (plus leeway); step 10: `iat` present and not in the future
/// (beyond leeway); `nbf` (RFC 7519 §4.1.5), when present, not in the future either.
fn check_times(c: &Claims, now: u64, leeway: u64) -> Result<(), LinkError> {
    let exp = time_claim(c.exp, R::Exp, "exp")?
        .ok_or_else(|| LinkError::id_token(R::Exp, "exp: required, found none"))?;
    if now > exp.saturating_add(leeway) {
        return Err(LinkError::id_token(
            R::Exp,
            format!("exp: expected after {now} - {leeway}s leeway, found {exp} (expired)"),
        ));
    }
    let iat = time_claim(c.iat, R::Iat, "iat")?
        .ok_or_else(|| LinkError::id_token(R::Iat, "iat: required, found none"))?;
    if iat > now.saturating_add(leeway) {
        return Err(LinkError::id_token(R::Iat, format!("iat: expected at most {now} + {leeway}s leeway, found {iat} (issued in the future)")));
    }
    if let Some(nbf) = time_claim(c.nbf, R::Nbf, "nbf")? {
        if nbf > now.saturating_add(leeway) {
            return Err(LinkError::id_token(
                R::Nbf,
                format!(
                    "nbf: expected at most {now} + {leeway}s leeway, found {nbf} (not yet valid)"
                ),
            ));
        }
    }
    Ok(())
}

/// Step 11: `nonce` must equal the one sent with this login.
fn check_nonce(c: &Claims, sent: &Nonce) -> Result<(), LinkError> {
    match &c.nonce {
        Some(n) if crate::encoding::constant_time_eq(n, sent.secret()) => Ok(()),
        Some(_) => Err(LinkError::id_token(
            R::Nonce,
            "nonce: does not match the one sent with this login",
        )),
        None => Err(LinkError::id_token(R::Nonce, "nonce: required, found none")),
    }
}

/// Whether a sign-in at `auth_time` is within `max_age` seconds (plus `leeway`) at `now`:
/// the one rule for an ID token's `auth_time` and for a sign-in again kept until the click.
pub fn recent_enough(auth_time: u64, max_age: u64, leeway: u64, now: u64) -> bool {
    now <= auth_time.saturating_add(max_age).saturating_add(leeway)
}

/// Step 13: with `max_age`, `auth_time` is required and recent enough. Returns `auth_time`
/// (when present).
fn check_auth_time(
    c: &Claims,
    max_age: Option<u64>,
    leeway: u64,
    now: u64,
) -> Result<Option<u64>, LinkError> {
    let auth_time = time_claim(c.auth_time, R::AuthTime, "auth_time")?;
    let Some(max_age) = max_age else {
        return Ok(auth_time);
    };
    let auth_time = auth_time.ok_or_else(|| {
        LinkError::id_token(
            R::AuthTime,
            "auth_time: required because max_age was sent, found none",
        )
    })?;
    if !recent_enough(auth_time, max_age, leeway, now) {
        return Err(LinkError::id_token(
            R::AuthTime,
            format!("auth_time: expected within {max_age}s before {now}, found {auth_time}"),
        ));
    }
    Ok(Some(auth_time))
}

/// The whole verification with a synchronous verifier (native hosts, tests).
pub fn verify(
    json: &impl JsonParser,
    verifier: &impl SignatureVerifier,
    raw: IdToken,
    jwks: &Jwks,
    expect: Expectations<'_>,
) -> Result<VerifiedIdToken, LinkError> {
    let pending = begin(json, raw, jwks)?;
    let valid = verifier.verify_rs256(pending.key(), pending.signing_input(), pending.signature());
    pending.finish(valid, expect)
}

fn time_claim(value: Option<f64>, reason: R, name: &str) -> Result<Option<u64>, LinkError> {
    match value {
        None => Ok(None),
        Some(v) if (0.0..1e13).contains(&v) => Ok(Some(v as u64)),
        Some(_) => Err(LinkError::id_token(
            reason,
            format!("{name}: expected a NumericDate, found an unusable number"),
        )),
    }
}

/// Claim values in messages: short, printable, never a token.
fn printable(s: &str) -> String {
    crate::encoding::quoted(s)
}

fn shown(s: Option<&str>) -> String {
    s.map(printable).unwrap_or_else(|| "none".to_owned())
}

fn shown_list(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.iter()
            .map(|s| printable(s))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
