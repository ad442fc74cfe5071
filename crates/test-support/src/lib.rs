//! Test support for the core: fixed RSA keys (the dev tenant's fixtures), token minting,
//! a pure-Rust RS256 verifier, a fixed clock, a seeded RNG, a strict mock transport and a
//! real HTTP transport (loopback only) for integration tests.

use auth0_account_link_core::config::LinkConfig;
use auth0_account_link_core::env::{Env, JsonParser, RandomSource, SerdeJson};
use auth0_account_link_core::flow::{
    Facts, IdentityOp, IdentityOpEffect, IdentityOpEvent, IdentityOpKind, OpStep,
};
use auth0_account_link_core::http::{HttpRequest, HttpResponse, Method, TransportError};
use auth0_account_link_core::id_token::SignatureVerifier;
use auth0_account_link_core::jwt::{Jwk, Jwks, RsaPublicJwk};
use auth0_account_link_core::management::Identity;
use auth0_account_link_core::secret::AccessToken;
use auth0_account_link_core::LinkError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::{RngCore, SeedableRng};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::VecDeque;

pub const KEY1_PEM: &str = include_str!("../../dev-tenant/fixtures/keys/key1.pem");
pub const KEY2_PEM: &str = include_str!("../../dev-tenant/fixtures/keys/key2.pem");
pub const KEY3_PEM: &str = include_str!("../../dev-tenant/fixtures/keys/key3.pem");

/// A fixed RSA key pair with a `kid`.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    private: RsaPrivateKey,
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestKey({})", self.kid)
    }
}

impl TestKey {
    pub fn from_pem(kid: &str, pem: &str) -> Self {
        TestKey {
            kid: kid.into(),
            private: RsaPrivateKey::from_pkcs1_pem(pem).expect("fixture key is PKCS#1 PEM"),
        }
    }
    /// `key1`, `key2`, `key3`: the dev tenant's fixture keys.
    pub fn fixture(n: u8) -> Self {
        match n {
            1 => Self::from_pem("test-key-1", KEY1_PEM),
            2 => Self::from_pem("test-key-2", KEY2_PEM),
            _ => Self::from_pem("test-key-3", KEY3_PEM),
        }
    }
    pub fn jwk(&self) -> Jwk {
        let public = self.private.to_public_key();
        Jwk {
            kty: "RSA".into(),
            kid: Some(self.kid.clone()),
            key_use: Some("sig".into()),
            alg: Some("RS256".into()),
            n: Some(URL_SAFE_NO_PAD.encode(public.n().to_bytes_be())),
            e: Some(URL_SAFE_NO_PAD.encode(public.e().to_bytes_be())),
        }
    }
    /// Signs `header` and `claims` (JSON values) as a compact RS256 JWS.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signer = SigningKey::<Sha256>::new(self.private.clone());
        let signature = signer.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
    /// Standard header: RS256 with this key's `kid`.
    pub fn header(&self) -> Value {
        json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid })
    }
}

pub fn jwks_of(keys: &[&TestKey]) -> Jwks {
    Jwks {
        keys: keys.iter().map(|k| k.jwk()).collect(),
    }
}

pub fn jwks_json(keys: &[&TestKey]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            let j = k.jwk();
            json!({ "kty": j.kty, "kid": j.kid, "use": j.key_use, "alg": j.alg, "n": j.n, "e": j.e })
        })
        .collect();
    json!({ "keys": keys }).to_string()
}

/// Pure-Rust RS256 verification (RSASSA-PKCS1-v1_5 / SHA-256), as WebCrypto does it.
#[derive(Debug, Default, Clone, Copy)]
pub struct RsaVerifier;

impl SignatureVerifier for RsaVerifier {
    fn verify_rs256(&self, key: &RsaPublicJwk, message: &[u8], signature: &[u8]) -> bool {
        let (Ok(n), Ok(e)) = (
            URL_SAFE_NO_PAD.decode(&key.n),
            URL_SAFE_NO_PAD.decode(&key.e),
        ) else {
            return false;
        };
        let Ok(public) = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
        else {
            return false;
        };
        let Ok(signature) = Signature::try_from(signature) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(public)
            .verify(message, &signature)
            .is_ok()
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A seeded, reproducible random source (never for production).
#[derive(Debug)]
pub struct SeededRandom(rand::rngs::SmallRng);

impl SeededRandom {
    pub fn new(seed: u64) -> Self {
        SeededRandom(rand::rngs::SmallRng::seed_from_u64(seed))
    }
}

impl RandomSource for SeededRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }
}

/// Fixed clock + seeded randomness + serde_json: everything `LinkFlow::step` needs.
#[derive(Debug)]
pub struct TestEnv {
    pub now: u64,
    pub random: SeededRandom,
    json: SerdeJson,
}

impl TestEnv {
    pub fn new(now: u64, seed: u64) -> Self {
        TestEnv {
            now,
            random: SeededRandom::new(seed),
            json: SerdeJson,
        }
    }
    /// Real time, seeded randomness: for runs against the dev tenant.
    pub fn real_time(seed: u64) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::new(now, seed)
    }
}

impl Env for TestEnv {
    type Json = SerdeJson;
    fn now(&self) -> u64 {
        self.now
    }
    fn fill_random(&mut self, buf: &mut [u8]) {
        self.random.fill(buf);
    }
    fn json(&self) -> &SerdeJson {
        &self.json
    }
}

/// The JSON parser tests use.
pub fn json() -> impl JsonParser {
    SerdeJson
}

type Expected = (Method, String, Option<String>, HttpResponse);

/// A strict mock transport: every request must be expected, in order, with the exact
/// method and URL (and body when given); dropping it with expectations left panics.
#[derive(Debug, Default)]
pub struct MockTransport {
    expected: RefCell<VecDeque<Expected>>,
}

impl MockTransport {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn expect(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        response: HttpResponse,
    ) -> &Self {
        self.expected.borrow_mut().push_back((
            method,
            url.to_owned(),
            body.map(str::to_owned),
            response,
        ));
        self
    }
    pub fn send(&self, request: &HttpRequest) -> HttpResponse {
        let (method, url, body, response) =
            self.expected.borrow_mut().pop_front().unwrap_or_else(|| {
                panic!(
                    "unexpected request: {} {}",
                    request.method.as_str(),
                    request.url
                )
            });
        assert_eq!(
            (request.method, request.url.as_str()),
            (method, url.as_str()),
            "request differs from the expected one"
        );
        if let Some(body) = body {
            assert_eq!(
                request.body.as_deref(),
                Some(body.as_str()),
                "request body differs"
            );
        }
        response
    }
    pub fn remaining(&self) -> usize {
        self.expected.borrow().len()
    }
}

impl Drop for MockTransport {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let left = self.expected.borrow();
            assert!(
                left.is_empty(),
                "expected requests never came: {:?}",
                left.iter()
                    .map(|(m, u, ..)| (m.as_str(), u))
                    .collect::<Vec<_>>()
            );
        }
    }
}

/// Real HTTP over loopback (ureq, no TLS, redirects not followed).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpTransport {
    pub fn new() -> Self {
        Self::with_timeout(std::time::Duration::from_secs(30))
    }

    /// A transport whose requests give up after `timeout` (`TransportError::Timeout`).
    pub fn with_timeout(timeout: std::time::Duration) -> Self {
        HttpTransport {
            agent: ureq::AgentBuilder::new()
                .redirects(0)
                .timeout(timeout)
                .build(),
        }
    }

    pub fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut r = self.agent.request(request.method.as_str(), &request.url);
        for (k, v) in &request.headers {
            r = r.set(k, v);
        }
        let result = match &request.body {
            Some(body) => r.send_string(body),
            None => r.call(),
        };
        let response = match result {
            Ok(resp) => resp,
            Err(ureq::Error::Status(_, resp)) => resp,
            Err(ureq::Error::Transport(t)) => {
                let timed_out = std::error::Error::source(&t)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .is_some_and(|io| {
                        matches!(
                            io.kind(),
                            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                        )
                    });
                return Err(if timed_out {
                    TransportError::Timeout
                } else {
                    TransportError::Network(t.to_string())
                });
            }
        };
        let status = response.status();
        let headers = response
            .headers_names()
            .into_iter()
            .filter_map(|n| response.header(&n).map(|v| (n.clone(), v.to_owned())))
            .collect();
        let body = response
            .into_string()
            .map_err(|e| TransportError::Network(e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Runs one list/unlink operation to the end, synchronously, answering its effects with
/// `token` and `send` (a mock or a real loopback transport), handing it `known` and
/// `pinned` as a session would. The browser shell's async twin is
/// `auth0_account_link::runner::identity_op`.
pub fn run_identity_op(
    config: LinkConfig,
    kind: IdentityOpKind,
    known: Option<Vec<Identity>>,
    pinned: Option<String>,
    env: &mut TestEnv,
    mut token: impl FnMut() -> Result<String, String>,
    mut send: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>,
) -> Result<Vec<Identity>, LinkError> {
    let facts = Facts {
        pin: pinned.as_deref(),
        identities: known.as_deref(),
        asks_first: false,
        other_session: false,
    };
    let (mut op, mut effect) = IdentityOp::new(config, kind);
    loop {
        let event = match effect {
            IdentityOpEffect::GetPrimaryToken => {
                IdentityOpEvent::PrimaryToken(token().map(AccessToken::new).map_err(Into::into))
            }
            IdentityOpEffect::Send(request) => IdentityOpEvent::Response(send(&request)),
        };
        match op
            .step(&facts, event, env)
            .expect("an identity op answers every effect until Done")
        {
            OpStep::Effect(next) => effect = next,
            OpStep::Done { result, .. } => return result,
        }
    }
}
