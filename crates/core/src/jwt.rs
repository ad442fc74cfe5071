//! JWT plumbing: splitting a compact JWS, decoding its parts, and JSON Web Key Sets.

use crate::encoding::base64url_decode;
use crate::env::JsonParser;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The three parts of a compact JWS, decoded. Token material: `Debug` prints none of it.
pub struct SplitJwt<'a> {
    pub header_json: String,
    pub payload_json: String,
    pub signature: Vec<u8>,
    /// `base64url(header) "." base64url(payload)`: the bytes the signature covers.
    pub signing_input: &'a str,
}

impl core::fmt::Debug for SplitJwt<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SplitJwt([redacted])")
    }
}

/// Splits `a.b.c`; each part must be strict base64url, header and payload UTF-8.
pub fn split(token: &str) -> Option<SplitJwt<'_>> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    let header_json = String::from_utf8(base64url_decode(h)?).ok()?;
    let payload_json = String::from_utf8(base64url_decode(p)?).ok()?;
    let signature = base64url_decode(s)?;
    Some(SplitJwt {
        header_json,
        payload_json,
        signature,
        signing_input: &token[..h.len() + 1 + p.len()],
    })
}

/// Decodes a JWT's payload without verifying it (for the primary access token, which
/// the widget may read but cannot verify: it is meant for the API).
pub fn unverified_payload<T: DeserializeOwned>(json: &impl JsonParser, token: &str) -> Option<T> {
    let parts = split(token)?;
    json.parse(&parts.payload_json).ok()
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct JwtHeader {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
    #[serde(default)]
    pub crit: Option<Vec<String>>,
}

/// One key of a JWKS. Only RSA signing keys are usable; others are kept and skipped.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
}

/// An RSA public key fit for RS256 verification (base64url modulus and exponent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicJwk {
    pub kid: Option<String>,
    pub n: String,
    pub e: String,
}

impl Jwk {
    /// An RSA key whose `use` (if any) is `sig` and `alg` (if any) is `RS256`.
    pub fn as_rs256_key(&self) -> Option<RsaPublicJwk> {
        if self.kty != "RSA"
            || self.key_use.as_deref().is_some_and(|u| u != "sig")
            || self.alg.as_deref().is_some_and(|a| a != "RS256")
        {
            return None;
        }
        Some(RsaPublicJwk {
            kid: self.kid.clone(),
            n: self.n.clone()?,
            e: self.e.clone()?,
        })
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn rs256_keys(&self) -> Vec<RsaPublicJwk> {
        self.keys.iter().filter_map(Jwk::as_rs256_key).collect()
    }
}
