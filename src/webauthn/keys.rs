//! Public keys that verify passkey signatures: credential keys (from COSE) and packed
//! attestation certificate keys (from X.509), for ES256, EdDSA (Ed25519) and RS256.
//!
//! A key here is plain bytes that passed every structural check, so that any signature
//! backend (RustCrypto natively, Web Crypto in the Worker) can import it and both give
//! the same verdicts. The checks are pure and the same on every target, and at least as
//! strict as either backend's own import:
//! - P-256: an uncompressed point on the curve (SEC 1 §2.3.4);
//! - Ed25519: a canonical encoding of a point that is not of small order (RFC 8032
//!   §5.1.3), so that no key verifies "signatures" of every message;
//! - RSA: a modulus of 2048 to 4096 bits, odd, with an odd exponent in [3, 2^33 - 1]
//!   (the bounds of the `rsa` crate and BoringSSL), both without leading zero bytes.

use super::cose::CoseAlg;
use super::WebauthnError;
use curve25519_dalek::edwards::CompressedEdwardsY;

/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 4096;
/// Largest RSA public exponent accepted.
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// A P-256 public key: the uncompressed SEC 1 point `04 || x || y`, on the curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P256Key([u8; 65]);

impl P256Key {
    /// From affine coordinates (a COSE EC2 key's `x` and `y`).
    pub fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Option<P256Key> {
        let mut point = [0u8; 65];
        point[0] = 0x04;
        point[1..33].copy_from_slice(x);
        point[33..].copy_from_slice(y);
        P256Key::from_sec1(&point)
    }

    /// From a SEC 1 encoding, compressed or not (an X.509 `subjectPublicKey`).
    pub fn from_sec1(bytes: &[u8]) -> Option<P256Key> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let key = p256::PublicKey::from_sec1_bytes(bytes).ok()?;
        let point = key.to_encoded_point(false);
        <[u8; 65]>::try_from(point.as_bytes()).ok().map(P256Key)
    }

    /// `04 || x || y`.
    pub fn sec1(&self) -> &[u8; 65] {
        &self.0
    }
}

/// An Ed25519 public key: the 32-byte encoding of a point of large order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Key([u8; 32]);

impl Ed25519Key {
    /// Refuses encodings that do not decompress, that are not canonical (y >= p, or
    /// x = 0 with the sign bit set), and points of small order (the identity among them).
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Ed25519Key> {
        let point = CompressedEdwardsY(*bytes).decompress()?;
        (point.compress().as_bytes() == bytes && !point.is_small_order()).then_some(Ed25519Key(*bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// An RSA public key `(n, e)`, big-endian without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKey {
    n: Vec<u8>,
    e: Vec<u8>,
}

impl RsaKey {
    /// From big-endian `n` and `e` (leading zeros allowed). A modulus under
    /// [`MIN_RSA_BITS`] is [`WebauthnError::WeakKey`]; any other violation of the rules
    /// above is [`WebauthnError::MalformedKey`].
    pub fn new(n: &[u8], e: &[u8]) -> Result<RsaKey, WebauthnError> {
        let (n, e) = (strip_zeros(n), strip_zeros(e));
        let bits = bit_length(n);
        if bits < MIN_RSA_BITS {
            return Err(WebauthnError::WeakKey);
        }
        let invalid = WebauthnError::MalformedKey("invalid RSA key");
        let odd = |bytes: &[u8]| bytes.last().is_some_and(|b| b & 1 == 1);
        if bits > MAX_RSA_BITS || !odd(n) || !odd(e) || e.len() > 8 {
            return Err(invalid);
        }
        let exponent = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        if !(3..=MAX_RSA_EXPONENT).contains(&exponent) {
            return Err(invalid);
        }
        Ok(RsaKey { n: n.to_vec(), e: e.to_vec() })
    }

    /// The modulus, big-endian, first byte non-zero.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian, first byte non-zero.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    /// The length of the modulus in bytes: every signature is exactly this long
    /// (RFC 8017 §8.2.2 step 1).
    pub fn size(&self) -> usize {
        self.n.len()
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Bits in a big-endian number whose first byte is non-zero (or that is empty).
fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(first) => bytes.len() * 8 - usize::try_from(first.leading_zeros()).unwrap_or(0),
    }
}

/// A key that verifies passkey signatures, with the one algorithm it is used with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// ECDSA P-256 with SHA-256.
    Es256(P256Key),
    /// Ed25519.
    EdDsa(Ed25519Key),
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256(RsaKey),
}

impl PublicKey {
    /// The COSE algorithm this key verifies with.
    pub fn alg(&self) -> CoseAlg {
        match self {
            PublicKey::Es256(_) => CoseAlg::Es256,
            PublicKey::EdDsa(_) => CoseAlg::EdDsa,
            PublicKey::Rs256(_) => CoseAlg::Rs256,
        }
    }
}
