//! WebCrypto: SHA-256 for the PKCE challenge and RS256 (RSASSA-PKCS1-v1_5 / SHA-256)
//! verification of the ID token. No hash or RSA code ships in the wasm.

use super::{describe, window};
use auth0_account_link_core::jwt::RsaPublicJwk;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

fn subtle() -> Result<SubtleCrypto, String> {
    Ok(window().crypto().map_err(|e| describe(&e))?.subtle())
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(object, &key.into(), value)
        .map(drop)
        .map_err(|e| describe(&e))
}

/// SHA-256 of `data`. WebCrypto starts hashing when this is called (off the main
/// thread), not when the future is first polled.
pub fn sha256(data: &[u8]) -> impl std::future::Future<Output = Result<[u8; 32], String>> {
    let started = subtle().and_then(|s| {
        s.digest_with_str_and_u8_array("SHA-256", data)
            .map_err(|e| describe(&e))
    });
    async move {
        let buffer = JsFuture::from(started?).await.map_err(|e| describe(&e))?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        bytes
            .try_into()
            .map_err(|_| "SHA-256 did not return 32 bytes".to_owned())
    }
}

/// Imports the JWK (`kty`, `n`, `e`, `alg: RS256`) for verification only and checks the
/// signature over `message`. A key WebCrypto refuses verifies nothing (`Ok(false)`).
pub async fn verify_rs256(
    key: &RsaPublicJwk,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let subtle = subtle()?;
    let jwk = Object::new();
    set(&jwk, "kty", &"RSA".into())?;
    set(&jwk, "n", &key.n.as_str().into())?;
    set(&jwk, "e", &key.e.as_str().into())?;
    set(&jwk, "alg", &"RS256".into())?;
    set(&jwk, "ext", &true.into())?;
    let algorithm = Object::new();
    set(&algorithm, "name", &"RSASSA-PKCS1-v1_5".into())?;
    set(&algorithm, "hash", &"SHA-256".into())?;
    let usages = Array::of1(&"verify".into());
    let import = subtle
        .import_key_with_object("jwk", &jwk, &algorithm, false, &usages)
        .map_err(|e| describe(&e))?;
    let crypto_key: CryptoKey = match JsFuture::from(import).await {
        Ok(k) => k
            .dyn_into()
            .map_err(|_| "importKey returned no CryptoKey".to_owned())?,
        Err(_) => return Ok(false),
    };
    let verify = subtle
        .verify_with_str_and_u8_array_and_u8_array(
            "RSASSA-PKCS1-v1_5",
            &crypto_key,
            signature,
            message,
        )
        .map_err(|e| describe(&e))?;
    let verdict = JsFuture::from(verify).await.map_err(|e| describe(&e))?;
    Ok(verdict.as_bool() == Some(true))
}
