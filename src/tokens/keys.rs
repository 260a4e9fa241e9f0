//! ES256 signing keys as configured in Workers Secrets, and their public halves.
//!
//! `SIGNING_KEYS` holds every key that is still published: a JSON array (or a JWKS
//! object `{"keys": [...]}`) whose entries are private EC P-256 JWKs with a `kid`, or
//! `{"kid": "...", "pem": "-----BEGIN PRIVATE KEY-----..."}` (PKCS#8 or SEC1 PEM).
//! `SIGNING_KID` names the one that signs. Rotation: add a key (published, not signing),
//! wait out the JWKS cache, switch `SIGNING_KID`, and remove the old key once the
//! longest-lived token it signed has expired.

use crate::b64;
use crate::secret::Secret;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::DecodePrivateKey;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::fmt;

/// The longest `kid` accepted; kids appear in every token header.
const MAX_KID_LEN: usize = 64;

/// A public P-256 key with its id; the point is validated at construction.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.kid)
    }
}

impl PublicKey {
    /// Builds a public key from JWK coordinates, refusing points not on the curve.
    pub fn from_coordinates(kid: &str, x: &str, y: &str) -> Result<Self, KeyError> {
        let x = decode_coordinate(x, "x")?;
        let y = decode_coordinate(y, "y")?;
        let key = PublicKey { kid: kid.to_string(), x, y };
        key.to_verifying_key()?;
        Ok(key)
    }

    pub fn to_verifying_key(&self) -> Result<p256::ecdsa::VerifyingKey, KeyError> {
        let point = p256::EncodedPoint::from_affine_coordinates(&self.x.into(), &self.y.into(), false);
        p256::ecdsa::VerifyingKey::from_encoded_point(&point)
            .map_err(|_| KeyError::new(&self.kid, "public point is not on P-256"))
    }

    /// The public JWK as published in the JWKS (RFC 7517 §4, RFC 7518 §6.2.1).
    pub fn to_jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64::encode(&self.x),
            "y": b64::encode(&self.y),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        })
    }
}

/// A private signing key. The scalar is a `Secret`: it prints as `***` and is read only
/// by the crypto backends.
#[derive(Clone, Debug)]
pub struct SigningKey {
    pub public: PublicKey,
    scalar: Secret<[u8; 32]>,
}

impl SigningKey {
    pub fn kid(&self) -> &str {
        &self.public.kid
    }

    pub fn scalar(&self) -> &Secret<[u8; 32]> {
        &self.scalar
    }

    /// The private JWK, for importing into Web Crypto. Never serialized anywhere else.
    pub fn to_private_jwk(&self) -> Value {
        let mut jwk = self.public.to_jwk();
        jwk["d"] = json!(b64::encode(self.scalar.expose()));
        jwk
    }

    fn from_secret_key(kid: &str, secret: p256::SecretKey) -> Result<Self, KeyError> {
        validate_kid(kid)?;
        let point = secret.public_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(KeyError::new(kid, "public point is the identity"));
        };
        let mut scalar = [0u8; 32];
        scalar.copy_from_slice(&secret.to_bytes());
        Ok(SigningKey {
            public: PublicKey { kid: kid.to_string(), x: (*x).into(), y: (*y).into() },
            scalar: Secret::new(scalar),
        })
    }

    /// Generates a key from 32 random bytes supplied by the caller (who owns the RNG).
    /// Returns `None` for the astronomically unlikely out-of-range scalar.
    pub fn from_random_bytes(kid: &str, bytes: [u8; 32]) -> Option<Self> {
        let secret = p256::SecretKey::from_bytes(&bytes.into()).ok()?;
        Self::from_secret_key(kid, secret).ok()
    }
}

/// The configured keys: every published key, and which one signs.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
    active: usize,
    fingerprint: String,
}

impl KeyRing {
    /// Parses `SIGNING_KEYS` and selects `SIGNING_KID` (optional when there is one key).
    pub fn parse(signing_keys: &str, active_kid: Option<&str>) -> Result<Self, KeyError> {
        let value: Value = serde_json::from_str(signing_keys).map_err(|_| KeyError::new("", "not valid JSON"))?;
        let entries = match value {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("keys") {
                Some(Value::Array(items)) => items,
                _ => return Err(KeyError::new("", "an object must be a JWKS with \"keys\"")),
            },
            _ => return Err(KeyError::new("", "expected an array of keys")),
        };
        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = parse_entry(entry)?;
            if keys.iter().any(|k: &SigningKey| k.kid() == key.kid()) {
                return Err(KeyError::new(key.kid(), "duplicate kid"));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(KeyError::new("", "no keys"));
        }
        let active = match active_kid {
            Some(kid) => keys
                .iter()
                .position(|k| k.kid() == kid)
                .ok_or_else(|| KeyError::signer(kid, "names no key in SIGNING_KEYS"))?,
            None if keys.len() == 1 => 0,
            None => {
                return Err(KeyError::signer(
                    "",
                    "missing; several keys are configured, so SIGNING_KID must name the signer",
                ))
            }
        };
        Ok(Self::from_keys(keys, active))
    }

    /// A ring of already-validated keys; `active` must index into `keys`.
    pub fn from_keys(keys: Vec<SigningKey>, active: usize) -> Self {
        assert!(active < keys.len(), "active key index out of range");
        let fingerprint = fingerprint(&keys, active);
        KeyRing { keys, active, fingerprint }
    }

    /// Changes whenever the published keys or the signer change: documents derived from
    /// the ring (JWKS, discovery) are cached under it, so rotation invalidates them.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn signer(&self) -> &SigningKey {
        &self.keys[self.active]
    }

    pub fn public_key(&self, kid: &str) -> Option<&PublicKey> {
        self.keys.iter().map(|k| &k.public).find(|k| k.kid == kid)
    }

    pub fn public_keys(&self) -> impl Iterator<Item = &PublicKey> {
        self.keys.iter().map(|k| &k.public)
    }
}

fn fingerprint(keys: &[SigningKey], active: usize) -> String {
    let mut hasher = Sha256::new();
    for key in keys {
        hasher.update(key.kid().as_bytes());
        hasher.update([0]);
        hasher.update(key.public.x);
        hasher.update(key.public.y);
    }
    hasher.update(keys[active].kid().as_bytes());
    hasher.finalize()[..12].iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct PemEntry {
    kid: String,
    pem: String,
}

#[derive(Deserialize)]
struct JwkEntry {
    kid: Option<String>,
    kty: String,
    crv: Option<String>,
    d: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

fn parse_entry(entry: Value) -> Result<SigningKey, KeyError> {
    if entry.get("pem").is_some() {
        let e: PemEntry =
            serde_json::from_value(entry).map_err(|_| KeyError::new("", "a PEM entry needs string kid and pem"))?;
        let secret = p256::SecretKey::from_pkcs8_pem(&e.pem)
            .or_else(|_| p256::SecretKey::from_sec1_pem(&e.pem))
            .map_err(|_| KeyError::new(&e.kid, "pem is not a P-256 private key"))?;
        return SigningKey::from_secret_key(&e.kid, secret);
    }
    let e: JwkEntry =
        serde_json::from_value(entry).map_err(|_| KeyError::new("", "an entry must be a JWK or {kid, pem}"))?;
    let kid = e.kid.ok_or_else(|| KeyError::new("", "a JWK entry has no kid"))?;
    if e.kty != "EC" || e.crv.as_deref() != Some("P-256") {
        return Err(KeyError::new(&kid, "only EC P-256 keys sign ES256"));
    }
    let d = e.d.ok_or_else(|| KeyError::new(&kid, "JWK has no private part d"))?;
    let d = decode_coordinate(&d, "d").map_err(|_| KeyError::new(&kid, "d is not 32 bytes"))?;
    let secret = p256::SecretKey::from_bytes(&d.into()).map_err(|_| KeyError::new(&kid, "d is out of range"))?;
    let key = SigningKey::from_secret_key(&kid, secret)?;
    // When the JWK states its public point, it must be the one d implies.
    if let (Some(x), Some(y)) = (e.x, e.y) {
        let stated = PublicKey::from_coordinates(&kid, &x, &y)?;
        if stated != key.public {
            return Err(KeyError::new(&kid, "x/y do not match d"));
        }
    }
    Ok(key)
}

fn decode_coordinate(text: &str, name: &str) -> Result<[u8; 32], KeyError> {
    b64::decode(text)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| KeyError::new("", &format!("{name} is not 32 base64url bytes")))
}

fn validate_kid(kid: &str) -> Result<(), KeyError> {
    let ok = !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(KeyError::new(kid, "kid must be 1-64 of [A-Za-z0-9-_.]"))
    }
}

/// A configuration problem with the keys. It names the key, never its material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub kid: String,
    pub problem: String,
    /// The problem is with the choice of signer (`SIGNING_KID`), not with a key.
    pub about_signer: bool,
}

impl KeyError {
    fn new(kid: &str, problem: &str) -> Self {
        KeyError { kid: kid.chars().take(MAX_KID_LEN).collect(), problem: problem.to_string(), about_signer: false }
    }

    fn signer(kid: &str, problem: &str) -> Self {
        KeyError { about_signer: true, ..Self::new(kid, problem) }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kid.is_empty() {
            f.write_str(&self.problem)
        } else {
            write!(f, "key {}: {}", self.kid, self.problem)
        }
    }
}
