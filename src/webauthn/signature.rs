//! The signature seam: the core checks everything it can without crypto, and hands the
//! one question it cannot answer — does this signature verify under this key? — to a
//! [`SignatureVerifier`] the platform provides. Natively that is RustCrypto
//! (`webauthn::rustcrypto`); in the Worker it is Web Crypto (`edge::webauthn_crypto`),
//! measured over 20 times faster in workerd than the same checks compiled to wasm.
//!
//! Invariants: a [`SignatureCheck`] exists only for a validated [`PublicKey`] and a
//! signature already in the form its algorithm's verifier takes, so both backends see
//! the same inputs and give the same verdicts (tests/vectors/webauthn-signatures.json
//! runs through both):
//! - ES256: WebAuthn sends ASN.1 DER (§6.5.6); it is converted here, strictly, to the
//!   64-byte `r || s` of IEEE P1363 that Web Crypto takes. High S is valid ECDSA and
//!   WebAuthn does not forbid it, so it is accepted.
//! - EdDSA: exactly 64 bytes, and R not of small order (as `verify_strict` demands);
//! - RS256: exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
//!
//! JWS signatures (DPoP proofs and client assertions, `tokens::public_jwk`) come in
//! these forms already and enter through [`SignatureCheck::from_jws`].
//!
//! A malformed signature is [`WebauthnError::SignatureInvalid`] without reaching the
//! backend; a backend that fails (rather than answering "no") is
//! [`WebauthnError::Backend`].

use super::keys::PublicKey;
use super::WebauthnError;
use crate::tokens::crypto::CryptoError;
use curve25519_dalek::edwards::CompressedEdwardsY;

/// Verifies signatures of passkey ceremonies; the platform provides it.
#[allow(async_fn_in_trait)] // Futures on wasm32 are not Send; nothing here needs Send.
pub trait SignatureVerifier {
    /// `Ok(false)` for a signature that does not verify; `Err` only when the backend
    /// itself failed.
    async fn verify_signature(&self, check: &SignatureCheck<'_>) -> Result<bool, CryptoError>;
}

/// A signature to verify: a validated key, the signed bytes, and the signature in the
/// form the key's algorithm takes (see the module notes). Only [`SignatureCheck::new`]
/// makes one.
#[derive(Debug, Clone)]
pub struct SignatureCheck<'a> {
    key: &'a PublicKey,
    message: &'a [u8],
    signature: Vec<u8>,
}

impl<'a> SignatureCheck<'a> {
    /// `signature` as WebAuthn sends it (§6.5.6); `None` when it is malformed for the
    /// key's algorithm.
    pub fn new(key: &'a PublicKey, message: &'a [u8], signature: &[u8]) -> Option<SignatureCheck<'a>> {
        match key {
            PublicKey::Es256(_) => SignatureCheck::from_jws(key, message, &ecdsa_der_to_p1363(signature)?),
            PublicKey::EdDsa(_) | PublicKey::Rs256(_) => SignatureCheck::from_jws(key, message, signature),
        }
    }

    /// `signature` as a JWS carries it, which is already the verifier's form: ES256 as
    /// `r || s` (RFC 7518 §3.4), EdDSA as `R || S` (RFC 8037 §3.1), RS256 as long as the
    /// modulus (RFC 7518 §3.3). `None` when it is malformed for the key's algorithm.
    pub fn from_jws(key: &'a PublicKey, message: &'a [u8], signature: &[u8]) -> Option<SignatureCheck<'a>> {
        let well_formed = match key {
            PublicKey::Es256(_) => signature.len() == 64,
            PublicKey::EdDsa(_) => {
                let r = <[u8; 32]>::try_from(signature.get(..32)?).ok()?;
                let small_order_r = CompressedEdwardsY(r).decompress().is_some_and(|p| p.is_small_order());
                signature.len() == 64 && !small_order_r
            }
            PublicKey::Rs256(key) => signature.len() == key.size(),
        };
        well_formed.then(|| SignatureCheck { key, message, signature: signature.to_vec() })
    }

    pub fn key(&self) -> &PublicKey {
        self.key
    }

    pub fn message(&self) -> &[u8] {
        self.message
    }

    /// ES256: `r || s` (64 bytes); EdDSA: `R || S` (64 bytes); RS256: the modulus length.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// Checks `signature` (as WebAuthn sends it) over `message` with `key` through `verifier`.
pub async fn check_signature<V: SignatureVerifier>(
    verifier: &V,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), WebauthnError> {
    let check = SignatureCheck::new(key, message, signature).ok_or(WebauthnError::SignatureInvalid)?;
    match verifier.verify_signature(&check).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(WebauthnError::SignatureInvalid),
        Err(error) => Err(WebauthnError::Backend(error.0)),
    }
}

/// The DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3) as IEEE P1363 `r || s`, each left-padded
/// to 32 bytes. Only DER is accepted: a SEQUENCE with a short-form length that spans the
/// input exactly, holding two minimal, non-negative INTEGERs of at most 32 value bytes.
/// Whether r and s lie in [1, n-1] is left to the verifier (both backends check it).
pub fn ecdsa_der_to_p1363(der: &[u8]) -> Option<[u8; 64]> {
    let [0x30, len, body @ ..] = der else {
        return None;
    };
    if *len >= 0x80 || usize::from(*len) != body.len() {
        return None;
    }
    let (r, rest) = der_unsigned(body)?;
    let (s, rest) = der_unsigned(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let mut out = [0u8; 64];
    out[32 - r.len()..32].copy_from_slice(r);
    out[64 - s.len()..].copy_from_slice(s);
    Some(out)
}

/// One DER INTEGER at the start of `input` that is non-negative and fits 32 bytes: its
/// value without the sign octet, and the bytes after it.
fn der_unsigned(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let [0x02, len, rest @ ..] = input else {
        return None;
    };
    let len = usize::from(*len);
    if len == 0 || len >= 0x80 || rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    let value = match value {
        // Negative: not a valid r or s.
        [first, ..] if first & 0x80 != 0 => return None,
        // A leading zero is allowed only before a byte with its top bit set (X.690 §8.3.2).
        [0, second, ..] if second & 0x80 == 0 => return None,
        [0, tail @ ..] if !tail.is_empty() => tail,
        _ => value,
    };
    (value.len() <= 32).then_some((value, rest))
}
