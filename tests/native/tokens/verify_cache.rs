//! The per-isolate verification cache: hits skip the signature, but never the clock,
//! never another token, and never another configuration.

use crate::support::*;
use authsec_edge::tokens::cache::VerificationCache;
use authsec_edge::tokens::crypto::{CryptoError, Es256, RustCrypto};
use authsec_edge::tokens::keys::{KeyRing, PublicKey, SigningKey};
use authsec_edge::tokens::verify::{verify_access_token_cached, VerifyPolicy, LEEWAY_SECS};
use authsec_edge::tokens::TokenError;
use std::cell::{Cell, RefCell};

#[derive(Default)]
struct CountingCrypto {
    verifications: Cell<u32>,
}

impl Es256 for CountingCrypto {
    async fn sign(&self, key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        RustCrypto.sign(key, message).await
    }
    async fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
        self.verifications.set(self.verifications.get() + 1);
        RustCrypto.verify(key, message, signature).await
    }
}

fn policy(now: i64) -> VerifyPolicy<'static> {
    VerifyPolicy { issuer: ISSUER, audience: "authsec-api", now, leeway_secs: LEEWAY_SECS }
}

fn check(
    token: &str,
    keys: &KeyRing,
    crypto: &CountingCrypto,
    now: i64,
    cache: &RefCell<VerificationCache>,
) -> Result<(), TokenError> {
    block_on(verify_access_token_cached(token, keys, crypto, &policy(now), cache)).map(|_| ())
}

#[test]
fn a_repeated_token_is_verified_once() {
    let (crypto, cache) = (CountingCrypto::default(), RefCell::new(VerificationCache::default()));
    let token = sign(&claims(NOW), &ring());
    for _ in 0..5 {
        assert_eq!(check(&token, &ring(), &crypto, NOW, &cache), Ok(()));
    }
    assert_eq!(crypto.verifications.get(), 1);
}

#[test]
fn a_cached_token_still_expires() {
    let (crypto, cache) = (CountingCrypto::default(), RefCell::new(VerificationCache::default()));
    let token = sign(&claims(NOW), &ring());
    assert_eq!(check(&token, &ring(), &crypto, NOW, &cache), Ok(()));
    assert_eq!(check(&token, &ring(), &crypto, NOW + 900 + 61, &cache), Err(TokenError::Expired));
}

#[test]
fn failures_are_not_cached_and_tampering_misses() {
    let (crypto, cache) = (CountingCrypto::default(), RefCell::new(VerificationCache::default()));
    let token = sign(&claims(NOW), &ring());
    assert_eq!(check(&token, &ring(), &crypto, NOW, &cache), Ok(()));
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = authsec_edge::b64::decode(signature).unwrap();
    bytes[0] ^= 1;
    let tampered = format!("{input}.{}", authsec_edge::b64::encode(&bytes));
    for _ in 0..2 {
        assert_eq!(check(&tampered, &ring(), &crypto, NOW, &cache), Err(TokenError::BadSignature));
    }
    assert_eq!(crypto.verifications.get(), 3);
    assert_eq!(cache.borrow().len(), 1);
}

#[test]
fn a_rotated_key_ring_misses_the_cache() {
    let (crypto, cache) = (CountingCrypto::default(), RefCell::new(VerificationCache::default()));
    let token = sign(&claims(NOW), &ring());
    assert_eq!(check(&token, &ring(), &crypto, NOW, &cache), Ok(()));
    // The key that signed the token was retired: the cached success must not survive it.
    let retired = KeyRing::from_keys(vec![key("test-key-2", 8)], 0);
    assert_eq!(check(&token, &retired, &crypto, NOW, &cache), Err(TokenError::UnknownKeyId));
}

#[test]
fn another_audience_or_issuer_misses_the_cache() {
    let token = sign(&claims(NOW), &ring());
    let a = VerificationCache::key(&token, "fp", &policy(NOW));
    let mut other = policy(NOW);
    other.audience = "other-api";
    assert_ne!(a, VerificationCache::key(&token, "fp", &other));
    let mut other = policy(NOW);
    other.issuer = "https://elsewhere.test";
    assert_ne!(a, VerificationCache::key(&token, "fp", &other));
    assert_ne!(a, VerificationCache::key(&token, "fp2", &policy(NOW)));
}

#[test]
fn the_cache_is_bounded() {
    let (crypto, cache) = (CountingCrypto::default(), RefCell::new(VerificationCache::with_capacity(8)));
    for i in 0..50 {
        let mut c = claims(NOW);
        c.jti = format!("jti-{i}");
        assert_eq!(check(&sign(&c, &ring()), &ring(), &crypto, NOW, &cache), Ok(()));
        assert!(cache.borrow().len() <= 8);
    }
}
