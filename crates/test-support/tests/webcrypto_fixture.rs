//! The browser tests verify a real RS256 signature with WebCrypto. RSASSA-PKCS1-v1_5 is
//! deterministic, so the token in `tests/fixtures/webcrypto.json` is exactly what the
//! fixture key produces for these claims; this test keeps the file honest
//! (`UPDATE_FIXTURES=1` rewrites it).

use serde_json::json;
use test_support::TestKey;

#[test]
fn webcrypto_fixture_matches_the_fixture_key() {
    let key = TestKey::fixture(1);
    let claims = json!({
        "iss": "https://tenant.example.com/",
        "sub": "google-oauth2|123",
        "aud": "spa-client",
        "iat": 1_800_000_000u64,
        "exp": 4_000_000_000u64,
        "nonce": "fixture-nonce",
        "email": "alice@gmail.test",
        "email_verified": true
    });
    let token = key.sign(&key.header(), &claims);
    let jwk = key.jwk();
    let expected = json!({
        "jwks": { "keys": [{ "kty": "RSA", "kid": jwk.kid, "use": "sig", "alg": "RS256", "n": jwk.n, "e": jwk.e }] },
        "token": token,
        "nonce": "fixture-nonce"
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/webcrypto.json");
    let text = serde_json::to_string_pretty(&expected).expect("json") + "\n";
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &text).expect("write fixture");
    }
    let committed = std::fs::read_to_string(&path)
        .expect("tests/fixtures/webcrypto.json exists (UPDATE_FIXTURES=1 writes it)");
    assert_eq!(
        committed, text,
        "the fixture is stale: run with UPDATE_FIXTURES=1"
    );
}
