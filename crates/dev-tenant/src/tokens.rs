//! Minting (with test-mode misbehaviours) and checking of JWTs, with `jsonwebtoken`:
//! deliberately not the widget core's code.

use crate::keys::KeyRing;
use crate::store::{Misbehaviour, Profile};
use crate::util::now;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};
use serde_json::{json, Value};

/// What goes into an ID token.
#[derive(Debug)]
pub struct IdTokenInput<'a> {
    pub issuer: &'a str,
    pub sub: &'a str,
    pub client_id: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time: u64,
    pub profile: &'a Profile,
}

pub fn mint_id_token(
    keys: &KeyRing,
    input: &IdTokenInput<'_>,
    misbehaviour: Option<Misbehaviour>,
) -> String {
    let now = now();
    let mut claims = input.profile.to_json();
    claims["iss"] = json!(input.issuer);
    claims["sub"] = json!(input.sub);
    claims["aud"] = json!(input.client_id);
    claims["azp"] = json!(input.client_id);
    claims["iat"] = json!(now);
    claims["exp"] = json!(now + crate::ID_TOKEN_LIFETIME_SECS);
    claims["auth_time"] = json!(input.auth_time);
    claims["sid"] = json!(crate::util::random_id(12));
    if let Some(nonce) = input.nonce {
        claims["nonce"] = json!(nonce);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys.current().kid.clone());
    let mut key: &EncodingKey = &keys.current().encoding;
    let hs_key;
    match misbehaviour {
        Some(Misbehaviour::IdTokenWrongNonce) => {
            claims["nonce"] = json!(format!("{}-tampered", input.nonce.unwrap_or("none")));
        }
        Some(Misbehaviour::IdTokenWrongIss) => {
            claims["iss"] = json!("https://wrong-issuer.invalid/")
        }
        Some(Misbehaviour::IdTokenWrongAud) => {
            claims["aud"] = json!("other-spa-client");
            claims["azp"] = json!("other-spa-client");
        }
        Some(Misbehaviour::IdTokenMultiAudNoAzp) => {
            claims["aud"] = json!([input.client_id, "other-spa-client"]);
            if let Some(map) = claims.as_object_mut() {
                map.remove("azp");
            }
        }
        Some(Misbehaviour::IdTokenExpired) => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        Some(Misbehaviour::IdTokenFutureIat) => {
            claims["iat"] = json!(now + 3600);
            claims["exp"] = json!(now + 7200);
        }
        Some(Misbehaviour::IdTokenUnknownKid) => header.kid = Some("dev-tenant-unknown-kid".into()),
        Some(Misbehaviour::IdTokenNoKid) => header.kid = None,
        Some(Misbehaviour::IdTokenHs256) => {
            header = Header::new(Algorithm::HS256);
            hs_key = EncodingKey::from_secret(input.client_id.as_bytes());
            key = &hs_key;
        }
        Some(Misbehaviour::IdTokenAlgNone) => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
            let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
            return format!("{header}.{payload}.");
        }
        _ => {}
    }
    let token = sign(&header, &claims, key);
    if misbehaviour == Some(Misbehaviour::IdTokenBadSignature) {
        return tamper_signature(&token);
    }
    token
}

pub fn sign(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    // Signing a JSON object with a valid key cannot fail.
    jsonwebtoken::encode(header, claims, key)
        .unwrap_or_else(|e| unreachable!("signing failed: {e}"))
}

/// Flips one bit of the signature: still well-formed, no longer valid.
fn tamper_signature(token: &str) -> String {
    let (head, sig) = token.rsplit_once('.').unwrap_or((token, ""));
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap_or_default();
    if let Some(b) = bytes.get_mut(10) {
        *b ^= 0x01;
    }
    format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[derive(Debug)]
pub struct AccessTokenInput<'a> {
    pub issuer: &'a str,
    pub sub: &'a str,
    pub audiences: Vec<String>,
    pub azp: &'a str,
    pub scope: &'a str,
    pub client_credentials: bool,
}

pub fn mint_access_token(keys: &KeyRing, input: &AccessTokenInput<'_>) -> String {
    let now = now();
    let aud = if input.audiences.len() == 1 {
        json!(input.audiences[0])
    } else {
        json!(input.audiences)
    };
    let mut claims = json!({
        "iss": input.issuer,
        "sub": input.sub,
        "aud": aud,
        "azp": input.azp,
        "scope": input.scope,
        "iat": now,
        "exp": now + crate::ACCESS_TOKEN_LIFETIME_SECS,
        "jti": crate::util::random_id(12),
    });
    if input.client_credentials {
        claims["gty"] = json!("client-credentials");
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(keys.current().kid.clone());
    header.typ = Some("at+jwt".into());
    sign(&header, &claims, &keys.current().encoding)
}

/// Why a JWT was refused, in words close to Auth0's.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtRefusal {
    Malformed,
    Algorithm(String),
    UnknownKey,
    Expired,
    Invalid(String),
}

impl std::fmt::Display for JwtRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwtRefusal::Malformed => write!(f, "jwt malformed"),
            JwtRefusal::Algorithm(alg) => {
                write!(f, "invalid algorithm {alg}: only RS256 is accepted")
            }
            JwtRefusal::UnknownKey => {
                write!(f, "no signing key of this tenant matches the token's kid")
            }
            JwtRefusal::Expired => write!(f, "jwt expired"),
            JwtRefusal::Invalid(why) => write!(f, "{why}"),
        }
    }
}

/// Checks an RS256 JWT of this tenant: header, key, signature, `iss`, `exp` (no leeway
/// beyond jsonwebtoken's default of 60 s). Audience is left to the caller.
pub fn verify(keys: &KeyRing, issuer: &str, token: &str) -> Result<Value, JwtRefusal> {
    // Read `alg` ourselves first: jsonwebtoken cannot even parse `"alg":"none"`.
    let raw_header: Value = token
        .split('.')
        .next()
        .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(JwtRefusal::Malformed)?;
    match raw_header["alg"].as_str() {
        Some("RS256") => {}
        Some(other) => return Err(JwtRefusal::Algorithm(other.to_owned())),
        None => return Err(JwtRefusal::Malformed),
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| JwtRefusal::Malformed)?;
    let key = match header.kid.as_deref() {
        Some(kid) => keys.find(kid).ok_or(JwtRefusal::UnknownKey)?,
        // At least two keys are always published, so a token without `kid` cannot name its key.
        None => return Err(JwtRefusal::UnknownKey),
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(token, &key.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => JwtRefusal::Expired,
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => {
                JwtRefusal::Invalid("invalid issuer".into())
            }
            jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                JwtRefusal::Invalid("invalid signature".into())
            }
            jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(c) => {
                JwtRefusal::Invalid(format!("missing claim {c}"))
            }
            _ => JwtRefusal::Malformed,
        })
}

/// The `aud` claim as a list.
pub fn audiences(claims: &Value) -> Vec<String> {
    match &claims["aud"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}
