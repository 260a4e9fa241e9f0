//! Public keys that others hand us as JWKs (RFC 7517): the key in a DPoP proof's header
//! (RFC 9449 §4.2) and the keys a client registered for `private_key_jwt` (RFC 7523).
//!
//! These keys and the algorithms named with them are chosen by the other party, so:
//! - the algorithm comes from an allow-list ([`JwsAlg`]): ES256, EdDSA (Ed25519) and
//!   RS256; `none`, every HMAC and everything else is refused by exact match;
//! - the key must fit the algorithm (`kty`, `crv`, and its own `alg`/`use` if stated),
//!   carry no private member (RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2), and pass the same
//!   structural checks as passkey keys (`webauthn::keys`: a P-256 point on the curve, an
//!   Ed25519 point of large order, RSA of 2048 to 4096 bits);
//! - every member is strict base64url and RSA integers have no leading zero octet
//!   (RFC 7518 §6.3.1), so one key has exactly one thumbprint (RFC 7638).
//!
//! Signatures go through the platform's `webauthn::SignatureVerifier` (Web Crypto in the
//! Worker, RustCrypto natively), which already verifies all three algorithms.

use crate::b64;
use crate::tokens::crypto::CryptoError;
use crate::webauthn::keys::{Ed25519Key, P256Key, RsaKey};
use crate::webauthn::{PublicKey, SignatureCheck, SignatureVerifier};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// A JWS algorithm we verify for keys others control (RFC 7518 §3.1, RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsAlg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// Ed25519 (the only EdDSA curve accepted).
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl JwsAlg {
    /// Every algorithm this module can verify, strongest-supported first.
    pub const ALL: [JwsAlg; 3] = [JwsAlg::Es256, JwsAlg::EdDsa, JwsAlg::Rs256];

    /// The `alg` header value, matched exactly (RFC 7515 §4.1.1 values are case-sensitive).
    pub fn from_name(name: &str) -> Option<JwsAlg> {
        JwsAlg::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The registered name, as published in `*_signing_alg_values_supported`.
    pub fn name(self) -> &'static str {
        match self {
            JwsAlg::Es256 => "ES256",
            JwsAlg::EdDsa => "EdDSA",
            JwsAlg::Rs256 => "RS256",
        }
    }
}

/// Why a JWK cannot be used. The messages never include key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkError {
    /// The JWK is not a JSON object.
    NotAnObject,
    /// It carries a private or symmetric member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`).
    PrivateKey,
    /// A `kty`/`crv` we do not verify with (only EC P-256, OKP Ed25519 and RSA).
    UnsupportedKeyType,
    /// A required member is missing, not a string, not strict base64url or the wrong size.
    Malformed(&'static str),
    /// The members decode but are not a usable key (off the curve, small order, weak RSA).
    InvalidKey,
    /// The key is not for this algorithm (its `kty`, or its own `alg` or `use`).
    WrongAlgorithm,
}

impl fmt::Display for JwkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwkError::NotAnObject => f.write_str("the JWK is not a JSON object"),
            JwkError::PrivateKey => f.write_str("the JWK contains private key material"),
            JwkError::UnsupportedKeyType => f.write_str("the JWK's key type or curve is not supported"),
            JwkError::Malformed(what) => write!(f, "the JWK is malformed: {what}"),
            JwkError::InvalidKey => f.write_str("the JWK is not a valid public key"),
            JwkError::WrongAlgorithm => f.write_str("the JWK is not a key for this algorithm"),
        }
    }
}

/// Members that make a JWK private (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The required public members of a supported JWK (RFC 7638 §3.2), already checked to be
/// canonical base64url of the right size.
enum Members<'a> {
    Ec { x: &'a str, y: &'a str },
    Okp { x: &'a str },
    Rsa { n: &'a str, e: &'a str },
}

fn members(jwk: &Value) -> Result<Members<'_>, JwkError> {
    let object = jwk.as_object().ok_or(JwkError::NotAnObject)?;
    let text = |name: &'static str| object.get(name).and_then(Value::as_str);
    let member = |name: &'static str| text(name).ok_or(JwkError::Malformed(name));
    let sized = |name: &'static str, len: usize| {
        let value = member(name)?;
        match b64::decode(value) {
            Some(bytes) if bytes.len() == len => Ok(value),
            _ => Err(JwkError::Malformed(name)),
        }
    };
    let integer = |name: &'static str| {
        let value = member(name)?;
        match b64::decode(value).as_deref() {
            Some([first, ..]) if *first != 0 => Ok(value),
            _ => Err(JwkError::Malformed(name)),
        }
    };
    match (member("kty")?, text("crv")) {
        ("EC", Some("P-256")) => Ok(Members::Ec { x: sized("x", 32)?, y: sized("y", 32)? }),
        ("OKP", Some("Ed25519")) => Ok(Members::Okp { x: sized("x", 32)? }),
        ("RSA", _) => Ok(Members::Rsa { n: integer("n")?, e: integer("e")? }),
        _ => Err(JwkError::UnsupportedKeyType),
    }
}

/// The JWK SHA-256 thumbprint of RFC 7638 §3, base64url without padding: SHA-256 over the
/// required members in lexicographic order without whitespace (§3.2, §3.3). Supports EC
/// P-256 (`crv`, `kty`, `x`, `y`), OKP Ed25519 (RFC 8037 §2: `crv`, `kty`, `x`) and RSA
/// (`e`, `kty`, `n`); other members, private ones included, do not take part (§3.1).
pub fn jwk_thumbprint(jwk: &Value) -> Result<String, JwkError> {
    // Every value is canonical base64url or a fixed name, so none needs JSON escaping.
    let canonical = match members(jwk)? {
        Members::Ec { x, y } => format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#),
        Members::Okp { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        Members::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
    };
    Ok(b64::encode(&Sha256::digest(canonical.as_bytes())))
}

/// The public key of `jwk` for verifying `alg` signatures, refusing private keys, keys
/// of another type, and keys whose own `alg` (RFC 7517 §4.4) or `use` (§4.2) say otherwise.
pub fn public_key(jwk: &Value, alg: JwsAlg) -> Result<PublicKey, JwkError> {
    let object = jwk.as_object().ok_or(JwkError::NotAnObject)?;
    if PRIVATE_MEMBERS.iter().any(|name| object.contains_key(*name)) {
        return Err(JwkError::PrivateKey);
    }
    let members = members(jwk)?;
    if !fits(jwk, alg) {
        return Err(JwkError::WrongAlgorithm);
    }
    let decode = |value: &str| b64::decode(value).ok_or(JwkError::Malformed("base64url"));
    let coordinate =
        |value: &str| <[u8; 32]>::try_from(decode(value)?).map_err(|_| JwkError::Malformed("coordinate length"));
    match members {
        Members::Ec { x, y } => P256Key::from_coordinates(&coordinate(x)?, &coordinate(y)?)
            .map(PublicKey::Es256)
            .ok_or(JwkError::InvalidKey),
        Members::Okp { x } => Ed25519Key::from_bytes(&coordinate(x)?).map(PublicKey::EdDsa).ok_or(JwkError::InvalidKey),
        Members::Rsa { n, e } => {
            RsaKey::new(&decode(n)?, &decode(e)?).map(PublicKey::Rs256).map_err(|_| JwkError::InvalidKey)
        }
    }
}

/// Whether `jwk` is stated to be a key for `alg`: its `kty` (and `crv`) fit, and its own
/// `alg` and `use`, when present, agree. Says nothing about whether the key is valid.
pub fn fits(jwk: &Value, alg: JwsAlg) -> bool {
    let text = |name: &str| jwk.get(name).and_then(Value::as_str);
    let kind = match (text("kty"), text("crv")) {
        (Some("EC"), Some("P-256")) => Some(JwsAlg::Es256),
        (Some("OKP"), Some("Ed25519")) => Some(JwsAlg::EdDsa),
        (Some("RSA"), _) => Some(JwsAlg::Rs256),
        _ => None,
    };
    let stated_alg = jwk.get("alg").is_none_or(|a| a.as_str() == Some(alg.name()));
    let stated_use = jwk.get("use").is_none_or(|u| u.as_str() == Some("sig"));
    kind == Some(alg) && stated_alg && stated_use
}

/// Verifies a JWS `signature` (in its JWS form) over `signing_input` with `key`.
/// `Ok(false)` for any signature that does not verify, malformed ones included.
pub async fn verify_jws<V: SignatureVerifier>(
    verifier: &V,
    key: &PublicKey,
    signing_input: &str,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    match SignatureCheck::from_jws(key, signing_input.as_bytes(), signature) {
        Some(check) => verifier.verify_signature(&check).await,
        None => Ok(false),
    }
}
