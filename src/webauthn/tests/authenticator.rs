//! A software authenticator: deterministic keys for the three algorithms, and builders
//! for the authenticator data, clientDataJSON, attestation objects and signatures a real
//! browser and authenticator would produce.

use super::cbor_encode::{bytes, encode, int, map};
use crate::b64;
use crate::webauthn::cbor::Value;
use crate::webauthn::CoseAlg;
use p256::ecdsa::signature::Signer;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const RP_ID: &str = "example.com";
pub const ORIGIN: &str = "https://example.com";
pub const AAGUID: [u8; 16] = *b"authsec-test-aag";

pub fn origins() -> Vec<String> {
    vec!["https://login.example.com".to_owned(), ORIGIN.to_owned()]
}

/// A 32-byte challenge; different `n` are different ceremonies.
pub fn challenge(n: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(31).wrapping_add(n)).collect()
}

/// A 2048-bit RSA key from a fixed seed, generated once per test run.
pub fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x5eed_2048);
        rsa::RsaPrivateKey::new(&mut rng, 2048).expect("RSA key generation")
    })
}

/// A credential or attestation private key.
#[derive(Clone)]
pub enum SoftKey {
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
    Rs256(Box<rsa::RsaPrivateKey>),
}

impl SoftKey {
    pub fn es256(seed: u8) -> SoftKey {
        let scalar = p256::FieldBytes::from([seed; 32]);
        SoftKey::Es256(p256::ecdsa::SigningKey::from_bytes(&scalar).expect("valid scalar"))
    }

    pub fn eddsa(seed: u8) -> SoftKey {
        SoftKey::EdDsa(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    pub fn rs256() -> SoftKey {
        SoftKey::Rs256(Box::new(rsa_key().clone()))
    }

    pub fn alg(&self) -> CoseAlg {
        match self {
            SoftKey::Es256(_) => CoseAlg::Es256,
            SoftKey::EdDsa(_) => CoseAlg::EdDsa,
            SoftKey::Rs256(_) => CoseAlg::Rs256,
        }
    }

    /// The public key as a COSE_Key map (RFC 9053 §7).
    pub fn cose_key(&self) -> Value {
        match self {
            SoftKey::Es256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                map(vec![
                    (int(1), int(2)),
                    (int(3), int(CoseAlg::Es256.id())),
                    (int(-1), int(1)),
                    (int(-2), bytes(&point.x().expect("x")[..])),
                    (int(-3), bytes(&point.y().expect("y")[..])),
                ])
            }
            SoftKey::EdDsa(key) => map(vec![
                (int(1), int(1)),
                (int(3), int(CoseAlg::EdDsa.id())),
                (int(-1), int(6)),
                (int(-2), bytes(key.verifying_key().as_bytes())),
            ]),
            SoftKey::Rs256(key) => map(vec![
                (int(1), int(3)),
                (int(3), int(CoseAlg::Rs256.id())),
                (int(-1), bytes(&key.n().to_bytes_be())),
                (int(-2), bytes(&key.e().to_bytes_be())),
            ]),
        }
    }

    pub fn cose_bytes(&self) -> Vec<u8> {
        encode(&self.cose_key())
    }

    /// A signature in the WebAuthn wire format (§6.5.6): DER for ECDSA.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            SoftKey::Es256(key) => {
                let sig: p256::ecdsa::Signature = key.sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            SoftKey::EdDsa(key) => key.sign(message).to_bytes().to_vec(),
            SoftKey::Rs256(key) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.as_ref().clone());
                let sig: rsa::pkcs1v15::Signature = signer.sign(message);
                Box::<[u8]>::from(sig).to_vec()
            }
        }
    }
}

/// clientDataJSON as a browser serializes it (§5.8.1.1).
pub fn client_data(ty: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
    format!(r#"{{"type":"{ty}","challenge":"{}","origin":"{origin}","crossOrigin":false}}"#, b64::encode(challenge))
        .into_bytes()
}

/// Attested credential data (§6.5.1).
pub struct Attested<'a> {
    pub aaguid: [u8; 16],
    pub credential_id: &'a [u8],
    pub cose_key: &'a [u8],
}

/// Authenticator data (§6.1); `flags` are written as given, whatever follows.
pub fn auth_data(
    rp_id: &str,
    flags: u8,
    sign_count: u32,
    attested: Option<&Attested<'_>>,
    extensions: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Sha256::digest(rp_id.as_bytes()).to_vec();
    out.push(flags);
    out.extend_from_slice(&sign_count.to_be_bytes());
    if let Some(a) = attested {
        out.extend_from_slice(&a.aaguid);
        out.extend_from_slice(&u16::try_from(a.credential_id.len()).unwrap().to_be_bytes());
        out.extend_from_slice(a.credential_id);
        out.extend_from_slice(a.cose_key);
    }
    if let Some(ext) = extensions {
        out.extend_from_slice(ext);
    }
    out
}

/// `authData || SHA-256(clientDataJSON)`: what both ceremonies sign.
pub fn signed_data(auth_data: &[u8], client_data: &[u8]) -> Vec<u8> {
    let mut out = auth_data.to_vec();
    out.extend_from_slice(&Sha256::digest(client_data));
    out
}

/// An attestation object (§6.5.4) in CTAP2 canonical key order.
pub fn attestation_object(fmt: &str, att_stmt: Value, auth_data: &[u8]) -> Vec<u8> {
    encode(&map(vec![
        (super::cbor_encode::text("fmt"), super::cbor_encode::text(fmt)),
        (super::cbor_encode::text("attStmt"), att_stmt),
        (super::cbor_encode::text("authData"), bytes(auth_data)),
    ]))
}
