//! ES256 through Web Crypto (`crypto.subtle`), the fast path inside workerd.
//!
//! Imported `CryptoKey`s are kept per isolate, keyed by kid and public point, so a key
//! is imported once per isolate rather than once per request; a rotated key has a new
//! point and therefore a new entry.

use crate::b64;
use crate::tokens::crypto::{CryptoError, Es256};
use crate::tokens::keys::{PublicKey, SigningKey};
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

thread_local! {
    static KEYS: RefCell<HashMap<String, CryptoKey>> = RefCell::new(HashMap::new());
    static SUBTLE: RefCell<Option<SubtleCrypto>> = const { RefCell::new(None) };
}

#[derive(Debug, Default, Clone, Copy)]
pub struct WebCrypto;

pub(super) fn js_error(context: &str, error: JsValue) -> CryptoError {
    CryptoError(format!("{context}: {}", error.as_string().unwrap_or_else(|| format!("{error:?}"))))
}

/// `crypto.subtle`, looked up once per isolate.
pub(super) fn subtle() -> Result<SubtleCrypto, CryptoError> {
    if let Some(subtle) = SUBTLE.with(|s| s.borrow().clone()) {
        return Ok(subtle);
    }
    let subtle = lookup_subtle()?;
    SUBTLE.with(|s| *s.borrow_mut() = Some(subtle.clone()));
    Ok(subtle)
}

fn lookup_subtle() -> Result<SubtleCrypto, CryptoError> {
    let crypto =
        Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).map_err(|e| js_error("globalThis.crypto", e))?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).map_err(|e| js_error("crypto.subtle", e))?;
    Ok(subtle.unchecked_into())
}

pub(super) fn object(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

async fn import(cache_key: String, jwk: serde_json::Value, usage: &str) -> Result<CryptoKey, CryptoError> {
    if let Some(key) = KEYS.with(|keys| keys.borrow().get(&cache_key).cloned()) {
        return Ok(key);
    }
    let jwk = js_sys::JSON::parse(&jwk.to_string()).map_err(|e| js_error("jwk", e))?;
    let algorithm = object(&[("name", "ECDSA"), ("namedCurve", "P-256")]);
    let usages = Array::of1(&JsValue::from_str(usage));
    let promise = subtle()?
        .import_key_with_object("jwk", jwk.unchecked_ref(), &algorithm, false, &usages)
        .map_err(|e| js_error("importKey", e))?;
    let key: CryptoKey = JsFuture::from(promise).await.map_err(|e| js_error("importKey", e))?.unchecked_into();
    KEYS.with(|keys| keys.borrow_mut().insert(cache_key, key.clone()));
    Ok(key)
}

fn cache_key(usage: &str, key: &PublicKey) -> String {
    format!("{usage}:{}:{}", key.kid, b64::encode(&key.x))
}

impl Es256 for WebCrypto {
    async fn sign(&self, key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let crypto_key = import(cache_key("sign", &key.public), key.to_private_jwk(), "sign").await?;
        let algorithm = object(&[("name", "ECDSA"), ("hash", "SHA-256")]);
        let promise = subtle()?
            .sign_with_object_and_u8_array(&algorithm, &crypto_key, message)
            .map_err(|e| js_error("sign", e))?;
        let signature = JsFuture::from(promise).await.map_err(|e| js_error("sign", e))?;
        Ok(Uint8Array::new(&signature).to_vec())
    }

    async fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
        // Web Crypto wants exactly r || s; anything else is simply not a valid signature.
        if signature.len() != 64 {
            return Ok(false);
        }
        let crypto_key = import(cache_key("verify", key), key.to_jwk(), "verify").await?;
        let algorithm = object(&[("name", "ECDSA"), ("hash", "SHA-256")]);
        let promise = subtle()?
            .verify_with_object_and_u8_array_and_u8_array(&algorithm, &crypto_key, signature, message)
            .map_err(|e| js_error("verify", e))?;
        let valid = JsFuture::from(promise).await.map_err(|e| js_error("verify", e))?;
        Ok(valid.as_bool().unwrap_or(false))
    }
}
