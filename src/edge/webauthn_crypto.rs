//! Passkey signatures through Web Crypto (`crypto.subtle.verify`) inside workerd: ES256
//! (ECDSA P-256 with SHA-256), EdDSA (Ed25519) and RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
//!
//! The core hands over a validated key and a signature already in Web Crypto's form
//! (`webauthn::signature`: ES256 as `r || s`), so this file only imports and verifies.
//! Imported `CryptoKey`s are kept per isolate, keyed by the algorithm and the key bytes,
//! so a passkey used again in the same isolate is imported once. The cache holds at most
//! [`MAX_KEYS`] keys and starts over when full: the keys are public, and a dropped one
//! costs one import.

use super::webcrypto::{js_error, object, subtle, WebCrypto};
use crate::b64;
use crate::tokens::crypto::CryptoError;
use crate::webauthn::{PublicKey, SignatureCheck, SignatureVerifier};
use js_sys::{Array, Uint8Array};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

/// Most imported passkey keys kept per isolate.
const MAX_KEYS: usize = 256;

thread_local! {
    static KEYS: RefCell<HashMap<Vec<u8>, CryptoKey>> = RefCell::new(HashMap::new());
}

/// An algorithm tag and the key's bytes: equal keys, and only they, share an entry.
fn cache_key(key: &PublicKey) -> Vec<u8> {
    match key {
        PublicKey::Es256(key) => [&[1u8][..], key.sec1()].concat(),
        PublicKey::EdDsa(key) => [&[2u8][..], key.bytes()].concat(),
        PublicKey::Rs256(key) => {
            // The exponent is at most 5 bytes (keys::RsaKey), so its length fits a byte.
            let e_len = u8::try_from(key.exponent().len()).unwrap_or(u8::MAX);
            [&[3u8, e_len][..], key.exponent(), key.modulus()].concat()
        }
    }
}

async fn import(key: &PublicKey) -> Result<CryptoKey, CryptoError> {
    let id = cache_key(key);
    if let Some(imported) = KEYS.with(|keys| keys.borrow().get(&id).cloned()) {
        return Ok(imported);
    }
    let usages = Array::of1(&JsValue::from_str("verify"));
    let subtle = subtle()?;
    let promise = match key {
        PublicKey::Es256(key) => {
            let algorithm = object(&[("name", "ECDSA"), ("namedCurve", "P-256")]);
            subtle.import_key_with_object("raw", &Uint8Array::from(&key.sec1()[..]), &algorithm, false, &usages)
        }
        PublicKey::EdDsa(key) => {
            let algorithm = object(&[("name", "Ed25519")]);
            subtle.import_key_with_object("raw", &Uint8Array::from(&key.bytes()[..]), &algorithm, false, &usages)
        }
        PublicKey::Rs256(key) => {
            let (n, e) = (b64::encode(key.modulus()), b64::encode(key.exponent()));
            let jwk = object(&[("kty", "RSA"), ("n", &n), ("e", &e)]);
            let algorithm = object(&[("name", "RSASSA-PKCS1-v1_5"), ("hash", "SHA-256")]);
            subtle.import_key_with_object("jwk", &jwk, &algorithm, false, &usages)
        }
    }
    .map_err(|e| js_error("importKey", e))?;
    let imported: CryptoKey = JsFuture::from(promise).await.map_err(|e| js_error("importKey", e))?.unchecked_into();
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= MAX_KEYS {
            keys.clear();
        }
        keys.insert(id, imported.clone());
    });
    Ok(imported)
}

impl SignatureVerifier for WebCrypto {
    async fn verify_signature(&self, check: &SignatureCheck<'_>) -> Result<bool, CryptoError> {
        let key = import(check.key()).await?;
        let algorithm = match check.key() {
            PublicKey::Es256(_) => object(&[("name", "ECDSA"), ("hash", "SHA-256")]),
            PublicKey::EdDsa(_) => object(&[("name", "Ed25519")]),
            PublicKey::Rs256(_) => object(&[("name", "RSASSA-PKCS1-v1_5")]),
        };
        let promise = subtle()?
            .verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, check.signature(), check.message())
            .map_err(|e| js_error("verify", e))?;
        let valid = JsFuture::from(promise).await.map_err(|e| js_error("verify", e))?;
        Ok(valid.as_bool().unwrap_or(false))
    }
}
