//! RS256 signing keys loaded from PEM fixtures. The JWKS publishes the current key and the
//! next one (as Auth0 does around a rotation); `rotate` makes the next key current.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::path::Path;

pub struct SigningKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    n: String,
    e: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    pub fn from_pem(kid: &str, pem: &str) -> Result<Self, String> {
        let private = RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
            .map_err(|e| format!("key {kid}: not an RSA private key in PEM ({e})"))?;
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| format!("key {kid}: {e}"))?;
        let decoding =
            DecodingKey::from_rsa_components(&n, &e).map_err(|e| format!("key {kid}: {e}"))?;
        Ok(SigningKey {
            kid: kid.to_owned(),
            encoding,
            decoding,
            n,
            e,
        })
    }

    pub fn jwk(&self) -> Value {
        json!({ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": self.n, "e": self.e })
    }
}

#[derive(Debug)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
    current: usize,
}

impl KeyRing {
    /// Loads every `*.pem` in `dir`, sorted by name; at least two are needed (current + next).
    pub fn load_dir(dir: &Path) -> Result<Self, String> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read key directory {}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect();
        paths.sort();
        let mut keys = Vec::new();
        for path in paths {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("key");
            let pem = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            keys.push(SigningKey::from_pem(&format!("dev-tenant-{stem}"), &pem)?);
        }
        if keys.len() < 2 {
            return Err(format!(
                "{} must hold at least two RSA keys (current and next)",
                dir.display()
            ));
        }
        Ok(KeyRing { keys, current: 0 })
    }

    pub fn current(&self) -> &SigningKey {
        &self.keys[self.current]
    }

    fn next_index(&self) -> usize {
        (self.current + 1) % self.keys.len()
    }

    /// Keys a token may be verified with: the published ones.
    pub fn published(&self) -> [&SigningKey; 2] {
        [&self.keys[self.current], &self.keys[self.next_index()]]
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.published().into_iter().find(|k| k.kid == kid)
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": self.published().iter().map(|k| k.jwk()).collect::<Vec<_>>() })
    }

    pub fn rotate(&mut self) {
        self.current = self.next_index();
    }

    pub fn reset(&mut self) {
        self.current = 0;
    }
}
