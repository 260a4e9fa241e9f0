//! COSE_Key public keys (RFC 9052 §7, RFC 9053 §2 and §7, RFC 8230 §4) for the three
//! algorithms this relying party offers in `pubKeyCredParams`: ES256, EdDSA and RS256.
//!
//! Invariants: a key's `kty`, `crv` and `alg` must agree, so the algorithm a signature is
//! checked with is fixed by the registered key, never by the signer. The key material is
//! validated as [`super::keys`] describes (points on the curve, Ed25519 points of large
//! order, RSA moduli of 2048 to 4096 bits); signatures are checked through
//! [`super::signature`].

use super::cbor::{self, Value};
use super::keys::{Ed25519Key, P256Key, PublicKey, RsaKey};
use super::WebauthnError;
use serde::{Deserialize, Serialize};

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

const KTY_OKP: i128 = 1;
const KTY_EC2: i128 = 2;
const KTY_RSA: i128 = 3;
const CRV_P256: i128 = 1;
const CRV_ED25519: i128 = 6;

impl PublicKey {
    /// Parses a CBOR-encoded COSE_Key that spans all of `bytes` (WebAuthn §6.5.1.1
    /// `credentialPublicKey`).
    pub fn from_cose(bytes: &[u8]) -> Result<PublicKey, WebauthnError> {
        PublicKey::from_cose_value(&cbor::decode(bytes)?)
    }

    /// Interprets a decoded COSE_Key map. `alg` (label 3) is required, as WebAuthn §5.8.5
    /// requires it of credential public keys.
    pub fn from_cose_value(value: &Value) -> Result<PublicKey, WebauthnError> {
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
                P256Key::from_coordinates(&x, &y)
                    .map(PublicKey::Es256)
                    .ok_or(WebauthnError::MalformedKey("point is not on P-256"))
            }
            (KTY_OKP, Some(CoseAlg::EdDsa)) => {
                if int_label(value, -1, "crv")? != CRV_ED25519 {
                    return Err(WebauthnError::UnsupportedAlgorithm);
                }
                let x = fixed_bytes::<32>(value, -2, "x")?;
                Ed25519Key::from_bytes(&x)
                    .map(PublicKey::EdDsa)
                    .ok_or(WebauthnError::MalformedKey("invalid Ed25519 point"))
            }
            (KTY_RSA, Some(CoseAlg::Rs256)) => {
                let n = bytes_label(value, -1, "n")?;
                let e = bytes_label(value, -2, "e")?;
                RsaKey::new(n, e).map(PublicKey::Rs256)
            }
            _ => Err(WebauthnError::UnsupportedAlgorithm),
        }
    }
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
