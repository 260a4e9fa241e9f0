//! COSE_Key public keys (RFC 9052 §7, RFC 9053 §2 and §7, RFC 8230 §4) for the three
//! algorithms this relying party offers in `pubKeyCredParams`: ES256, EdDSA and RS256.
//!
//! Invariants: a key's `kty`, `crv` and `alg` must agree, so the algorithm a signature is
//! checked with is fixed by the registered key, never by the signer. EC points are
//! validated on the curve, Ed25519 points must decompress, RSA moduli are 2048 to 4096
//! bits. `verify` answers `false` for any malformed signature rather than failing.

use super::cbor::{self, Value};
use super::WebauthnError;
use p256::ecdsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A COSE algorithm this relying party accepts (IANA "COSE Algorithms" registry). The
/// integer from the wire is parsed into this once; an identifier outside the three is
/// not a `CoseAlg`. Stored and serialized as the registered integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "i64", try_from = "i64")]
pub enum CoseAlg {
    /// ECDSA with P-256 and SHA-256 (RFC 9053 §2.1).
    Es256 = -7,
    /// EdDSA; WebAuthn uses it with Ed25519 only (RFC 9053 §2.2).
    EdDsa = -8,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812 §2).
    Rs256 = -257,
}

impl CoseAlg {
    /// The algorithms offered in `pubKeyCredParams`, most preferred first (WebAuthn §5.4).
    pub const OFFERED: [CoseAlg; 3] = [CoseAlg::Es256, CoseAlg::EdDsa, CoseAlg::Rs256];

    /// The registered COSE identifier.
    // A fieldless enum's discriminant: `as` is the only conversion Rust offers for it.
    #[allow(clippy::as_conversions)]
    pub const fn id(self) -> i64 {
        self as i64
    }

    /// The algorithm a COSE identifier names, if this relying party accepts it.
    pub fn from_id(id: i128) -> Option<CoseAlg> {
        CoseAlg::OFFERED.into_iter().find(|alg| i128::from(alg.id()) == id)
    }
}

impl From<CoseAlg> for i64 {
    fn from(alg: CoseAlg) -> i64 {
        alg.id()
    }
}

impl TryFrom<i64> for CoseAlg {
    type Error = WebauthnError;

    fn try_from(id: i64) -> Result<CoseAlg, WebauthnError> {
        CoseAlg::from_id(i128::from(id)).ok_or(WebauthnError::UnsupportedAlgorithm)
    }
}

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

const KTY_OKP: i128 = 1;
const KTY_EC2: i128 = 2;
const KTY_RSA: i128 = 3;
const CRV_P256: i128 = 1;
const CRV_ED25519: i128 = 6;

/// A credential public key whose algorithm is one of ES256, EdDSA (Ed25519) and RS256.
#[derive(Debug, Clone)]
pub enum CoseKey {
    Es256(p256::ecdsa::VerifyingKey),
    EdDsa(ed25519_dalek::VerifyingKey),
    Rs256(rsa::RsaPublicKey),
}

impl CoseKey {
    /// Parses a CBOR-encoded COSE_Key that spans all of `bytes` (WebAuthn §6.5.1.1
    /// `credentialPublicKey`).
    pub fn from_cbor_bytes(bytes: &[u8]) -> Result<CoseKey, WebauthnError> {
        CoseKey::from_value(&cbor::decode(bytes)?)
    }

    /// Interprets a decoded COSE_Key map. `alg` (label 3) is required, as WebAuthn §5.8.5
    /// requires it of credential public keys.
    pub fn from_value(value: &Value) -> Result<CoseKey, WebauthnError> {
        if value.as_map().is_none() {
            return Err(WebauthnError::MalformedKey("not a map"));
        }
        let kty = int_label(value, 1, "kty")?;
        let alg = CoseAlg::from_id(int_label(value, 3, "alg")?);
        match (kty, alg) {
            (KTY_EC2, Some(CoseAlg::Es256)) => {
                if int_label(value, -1, "crv")? != CRV_P256 {
                    return Err(WebauthnError::UnsupportedAlgorithm);
                }
                let x = fixed_bytes::<32>(value, -2, "x")?;
                let y = fixed_bytes::<32>(value, -3, "y")?;
                let mut point = [0u8; 65];
                point[0] = 0x04;
                point[1..33].copy_from_slice(&x);
                point[33..].copy_from_slice(&y);
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map(CoseKey::Es256)
                    .map_err(|_| WebauthnError::MalformedKey("point is not on P-256"))
            }
            (KTY_OKP, Some(CoseAlg::EdDsa)) => {
                if int_label(value, -1, "crv")? != CRV_ED25519 {
                    return Err(WebauthnError::UnsupportedAlgorithm);
                }
                let x = fixed_bytes::<32>(value, -2, "x")?;
                ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map(CoseKey::EdDsa)
                    .map_err(|_| WebauthnError::MalformedKey("invalid Ed25519 point"))
            }
            (KTY_RSA, Some(CoseAlg::Rs256)) => {
                let n = bytes_label(value, -1, "n")?;
                let e = bytes_label(value, -2, "e")?;
                rsa_key(n, e).map(CoseKey::Rs256)
            }
            _ => Err(WebauthnError::UnsupportedAlgorithm),
        }
    }

    /// The COSE algorithm of this key.
    pub fn alg(&self) -> CoseAlg {
        match self {
            CoseKey::Es256(_) => CoseAlg::Es256,
            CoseKey::EdDsa(_) => CoseAlg::EdDsa,
            CoseKey::Rs256(_) => CoseAlg::Rs256,
        }
    }

    /// Checks `signature` over `message` (WebAuthn §6.5.6 signature formats): ES256 as
    /// ASN.1 DER `Ecdsa-Sig-Value` (high S accepted), EdDSA as the 64-byte Ed25519
    /// signature under strict verification, RS256 as an RSASSA-PKCS1-v1_5 signature.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            CoseKey::Es256(key) => verify_es256(key, message, signature),
            CoseKey::EdDsa(key) => {
                let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
                    return false;
                };
                key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes)).is_ok()
            }
            CoseKey::Rs256(key) => verify_rs256(key, message, signature),
        }
    }
}

/// ECDSA P-256 / SHA-256 over a DER-encoded signature.
pub(crate) fn verify_es256(key: &p256::ecdsa::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    match p256::ecdsa::Signature::from_der(signature) {
        Ok(sig) => key.verify(message, &sig).is_ok(),
        Err(_) => false,
    }
}

/// RSASSA-PKCS1-v1_5 / SHA-256 (RFC 8017 §8.2.2).
pub(crate) fn verify_rs256(key: &rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(sig) = rsa::pkcs1v15::Signature::try_from(signature) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone()).verify(message, &sig).is_ok()
}

/// Builds an RSA public key from big-endian `n` and `e`, refusing moduli under
/// [`MIN_RSA_BITS`] (and, through the `rsa` crate, over 4096 bits or with a bad `e`).
pub(crate) fn rsa_key(n: &[u8], e: &[u8]) -> Result<rsa::RsaPublicKey, WebauthnError> {
    let n = rsa::BigUint::from_bytes_be(n);
    let e = rsa::BigUint::from_bytes_be(e);
    if n.bits() < MIN_RSA_BITS {
        return Err(WebauthnError::WeakKey);
    }
    let key = rsa::RsaPublicKey::new(n, e).map_err(|_| WebauthnError::MalformedKey("invalid RSA key"))?;
    check_rsa_size(&key)?;
    Ok(key)
}

/// Refuses an RSA key whose modulus is shorter than [`MIN_RSA_BITS`].
pub(crate) fn check_rsa_size(key: &rsa::RsaPublicKey) -> Result<(), WebauthnError> {
    if key.n().bits() < MIN_RSA_BITS {
        return Err(WebauthnError::WeakKey);
    }
    Ok(())
}

fn int_label(map: &Value, label: i64, name: &'static str) -> Result<i128, WebauthnError> {
    map.get_int(label).and_then(Value::as_int).ok_or(WebauthnError::MalformedKey(name))
}

fn bytes_label<'v>(map: &'v Value, label: i64, name: &'static str) -> Result<&'v [u8], WebauthnError> {
    map.get_int(label).and_then(Value::as_bytes).ok_or(WebauthnError::MalformedKey(name))
}

fn fixed_bytes<const N: usize>(map: &Value, label: i64, name: &'static str) -> Result<[u8; N], WebauthnError> {
    <[u8; N]>::try_from(bytes_label(map, label, name)?).map_err(|_| WebauthnError::MalformedKey(name))
}
