//! ES256 sign/verify behind one small trait. The Worker implements it with Web Crypto
//! (`edge::webcrypto`, measured 20x faster in workerd than pure-Rust P-256 compiled to
//! wasm); `RustCrypto` implements it natively with the `p256` crate. Both must pass the
//! same vectors.

use super::keys::{PublicKey, SigningKey};
use p256::ecdsa::signature::{Signer, Verifier};

/// A crypto backend failure (not a bad signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoError(pub String);

/// ECDSA P-256 with SHA-256; signatures are the 64-byte `r || s` form of RFC 7518 §3.4.
#[allow(async_fn_in_trait)] // Futures on wasm32 are not Send; nothing here needs Send.
pub trait Es256 {
    async fn sign(&self, key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// `Ok(false)` for any signature that does not verify, including malformed ones.
    async fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<bool, CryptoError>;
}

/// The native backend: RustCrypto's `p256` (deterministic RFC 6979 signatures).
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCrypto;

impl Es256 for RustCrypto {
    async fn sign(&self, key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let signer = p256::ecdsa::SigningKey::from_bytes(&(*key.scalar().expose()).into())
            .map_err(|_| CryptoError("signing scalar out of range".into()))?;
        let signature: p256::ecdsa::Signature = signer.sign(message);
        Ok(signature.to_bytes().to_vec())
    }

    async fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Result<bool, CryptoError> {
        let verifier = key.to_verifying_key().map_err(|e| CryptoError(e.to_string()))?;
        // from_slice refuses anything but 64 bytes and r, s outside [1, n-1].
        let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
            return Ok(false);
        };
        Ok(verifier.verify(message, &signature).is_ok())
    }
}
