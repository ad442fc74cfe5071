//! RS256 signing keys loaded from PEM fixtures, with Auth0's rotation lifecycle: the JWKS
//! publishes the current key, the next one and, after a rotation, the previous one until
//! it is revoked.

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

/// Auth0's signing-key lifecycle: a *current* key signs, a *next* key is published ahead
/// of rotation, and after a rotation the *previous* key stays published and valid (tokens
/// it signed keep working) until it is revoked.
#[derive(Debug)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
    current: usize,
    previous: Option<usize>,
    revoked: Vec<bool>,
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
        let revoked = vec![false; keys.len()];
        Ok(KeyRing {
            keys,
            current: 0,
            previous: None,
            revoked,
        })
    }

    pub fn current(&self) -> &SigningKey {
        &self.keys[self.current]
    }

    /// The key the next rotation makes current: the first one after the current key that
    /// is neither revoked nor the still-valid previous key.
    fn next_index(&self) -> Option<usize> {
        (1..self.keys.len())
            .map(|step| (self.current + step) % self.keys.len())
            .find(|&i| !self.revoked[i] && Some(i) != self.previous)
    }

    /// Keys a token may be verified with: the published ones (current, next, previous).
    pub fn published(&self) -> Vec<&SigningKey> {
        [Some(self.current), self.next_index(), self.previous]
            .into_iter()
            .flatten()
            .map(|i| &self.keys[i])
            .collect()
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.published().into_iter().find(|k| k.kid == kid)
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": self.published().iter().map(|k| k.jwk()).collect::<Vec<_>>() })
    }

    /// The next key becomes current; the current one becomes the previous key, still
    /// published and valid. A previous key not yet revoked is revoked now (this tenant keeps
    /// one previous key). Fails when no unrevoked key is left to become current.
    pub fn rotate(&mut self) -> Result<(), String> {
        let next = self
            .next_index()
            .ok_or("no unrevoked key is left to rotate to; reset the tenant")?;
        if let Some(old) = self.previous.take() {
            self.revoked[old] = true;
        }
        self.previous = Some(self.current);
        self.current = next;
        Ok(())
    }

    /// Revokes the previous key: it leaves the JWKS and tokens it signed stop verifying.
    /// Returns its kid, or `None` when there is no previous key.
    pub fn revoke_previous(&mut self) -> Option<String> {
        let old = self.previous.take()?;
        self.revoked[old] = true;
        Some(self.keys[old].kid.clone())
    }

    pub fn reset(&mut self) {
        self.current = 0;
        self.previous = None;
        self.revoked.iter_mut().for_each(|r| *r = false);
    }
}
