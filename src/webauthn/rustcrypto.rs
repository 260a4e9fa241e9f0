//! The native signature backend for passkeys: RustCrypto's `p256`, `ed25519-dalek` and
//! `rsa`. Native builds and the tests verify with it; the Worker verifies through Web
//! Crypto (`edge::webauthn_crypto`) and does not link these verifiers at all. Both run
//! the vectors of tests/vectors/webauthn-signatures.json.

use super::keys::PublicKey;
use super::signature::{SignatureCheck, SignatureVerifier};
use crate::tokens::crypto::{CryptoError, RustCrypto};
use p256::ecdsa::signature::Verifier;
use sha2::Sha256;

fn import_error(what: &str) -> CryptoError {
    CryptoError(format!("a validated {what} key did not import"))
}

impl SignatureVerifier for RustCrypto {
    async fn verify_signature(&self, check: &SignatureCheck<'_>) -> Result<bool, CryptoError> {
        let (message, signature) = (check.message(), check.signature());
        match check.key() {
            PublicKey::Es256(key) => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.sec1()).map_err(|_| import_error("P-256"))?;
                // from_slice refuses r or s outside [1, n-1]; high S verifies.
                let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                    return Ok(false);
                };
                Ok(key.verify(message, &signature).is_ok())
            }
            PublicKey::EdDsa(key) => {
                let key = ed25519_dalek::VerifyingKey::from_bytes(key.bytes()).map_err(|_| import_error("Ed25519"))?;
                let Ok(signature) = <[u8; 64]>::try_from(signature) else {
                    return Ok(false);
                };
                Ok(key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&signature)).is_ok())
            }
            PublicKey::Rs256(key) => {
                let n = rsa::BigUint::from_bytes_be(key.modulus());
                let e = rsa::BigUint::from_bytes_be(key.exponent());
                let key = rsa::RsaPublicKey::new(n, e).map_err(|_| import_error("RSA"))?;
                let Ok(signature) = rsa::pkcs1v15::Signature::try_from(signature) else {
                    return Ok(false);
                };
                Ok(rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key).verify(message, &signature).is_ok())
            }
        }
    }
}
