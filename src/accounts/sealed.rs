//! Secrets at rest (TOTP seeds and the like): AES-256-GCM under a key from Workers
//! Secrets, with a fresh 96-bit nonce per seal and the owner's identity as associated
//! data, so a sealed value copied to another user's row does not open.
//! Format: `v1.<nonce b64url>.<ciphertext+tag b64url>`.

use crate::b64;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealError;

/// Fails only for a plaintext beyond AES-GCM's limit (about 64 GiB).
pub fn seal(key: &[u8; 32], nonce: [u8; 12], context: &str, plaintext: &[u8]) -> Result<String, SealError> {
    let cipher = Aes256Gcm::new(key.into());
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: context.as_bytes() })
        .map_err(|_| SealError)?;
    Ok(format!("v1.{}.{}", b64::encode(&nonce), b64::encode(&sealed)))
}

pub fn open(key: &[u8; 32], context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
    let mut parts = sealed.split('.');
    let (Some("v1"), Some(nonce), Some(body), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SealError);
    };
    let nonce: [u8; 12] = b64::decode(nonce).and_then(|n| n.try_into().ok()).ok_or(SealError)?;
    let body = b64::decode(body).ok_or(SealError)?;
    Aes256Gcm::new(key.into())
        .decrypt(&Nonce::from(nonce), Payload { msg: &body, aad: context.as_bytes() })
        .map_err(|_| SealError)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let sealed = seal(&KEY, [1; 12], "tenant-1:user-1", b"seed bytes").unwrap();
        assert!(!sealed.contains("seed"));
        assert_eq!(open(&KEY, "tenant-1:user-1", &sealed).unwrap(), b"seed bytes");
        assert_eq!(open(&KEY, "tenant-1:user-2", &sealed), Err(SealError), "moved to another user");
        assert_eq!(open(&[8; 32], "tenant-1:user-1", &sealed), Err(SealError), "another key");
        let (head, tail) = sealed.rsplit_once('.').unwrap();
        let mut body = b64::decode(tail).unwrap();
        body[0] ^= 1;
        assert_eq!(open(&KEY, "tenant-1:user-1", &format!("{head}.{}", b64::encode(&body))), Err(SealError));
        for junk in ["", "v1", "v2.AAAA.AAAA", "v1.AAAA.AAAA", "v1.!!.!!"] {
            assert_eq!(open(&KEY, "x", junk), Err(SealError), "{junk}");
        }
    }

    #[test]
    fn each_seal_uses_its_nonce() {
        assert_ne!(seal(&KEY, [1; 12], "c", b"same").unwrap(), seal(&KEY, [2; 12], "c", b"same").unwrap());
    }
}
