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

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3), read as the list. A
/// visitor rather than an untagged enum: serde buffers an untagged enum's input into its
/// generic `Content` before trying each variant, which costs the wasm kilobytes per type.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Audience(pub Vec<String>);

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Forms;
        impl<'de> serde::de::Visitor<'de> for Forms {
            type Value = Audience;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Audience, E> {
                Ok(Audience(vec![v.to_owned()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Audience, A::Error> {
                let mut list = Vec::new();
                while let Some(one) = seq.next_element::<String>()? {
                    list.push(one);
                }
                Ok(Audience(list))
            }
        }
        d.deserialize_any(Forms)
    }
}

/// A boolean claim some providers send as `"true"` / `"false"` (`email_verified`):
/// `Some(true)` only for `true` or `"true"`; `null` is `None`.
pub(crate) fn bool_or_text<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<bool>, D::Error> {
    struct Forms;
    impl<'de> serde::de::Visitor<'de> for Forms {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("a boolean or a string")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Option<bool>, E> {
            Ok(Some(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<bool>, E> {
            Ok(Some(v == "true"))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Forms)
}
