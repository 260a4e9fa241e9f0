//! Signers for the three algorithms, from fixed seeds, and a compact JWS builder that
//! signs whatever header and claims a test writes (so a test can break one rule at a time).

use crate::b64;
use crate::tokens::crypto::RustCrypto;
use p256::ecdsa::signature::Signer as _;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde_json::{json, Value};
use sha2::Sha256;
use std::future::Future;
use std::sync::OnceLock;

/// The verifier every test uses: the native backend of the signature seam.
pub const VERIFIER: RustCrypto = RustCrypto;

pub fn block_on<F: Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// RFC 7515 Appendix A.2's RSA key (its published test key): fixed, and no 2048-bit key
/// generation in every test run.
pub const RFC7515_A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJP\
    MEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e\
    -KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethF\
    kMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const RFC7515_A2_D: &str = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7Y\
    wVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D\
    4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyG\
    WSeWjnczT0QU91p1DhOVRuOopznQ";
const RFC7515_A2_P: &str = "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB\
    0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc";
const RFC7515_A2_Q: &str = "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul\
    7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc";

fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let int = |text: &str| rsa::BigUint::from_bytes_be(&b64::decode(text).expect("base64url"));
        let (n, d) = (int(RFC7515_A2_N), int(RFC7515_A2_D));
        let primes = vec![int(RFC7515_A2_P), int(RFC7515_A2_Q)];
        rsa::RsaPrivateKey::from_components(n, int("AQAB"), d, primes).expect("RFC 7515 A.2 key")
    })
}

/// A private key that signs JWS in each algorithm's JWS form.
pub enum Signer {
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
    Rs256(Box<rsa::RsaPrivateKey>),
}

impl Signer {
    /// A fresh P-256 key drawn from a ChaCha20 stream seeded with `seed`.
    pub fn es256(seed: u64) -> Signer {
        Signer::Es256(p256::ecdsa::SigningKey::random(&mut ChaCha20Rng::seed_from_u64(seed)))
    }

    pub fn eddsa(seed: u64) -> Signer {
        let mut bytes = [0u8; 32];
        ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut bytes);
        Signer::EdDsa(ed25519_dalek::SigningKey::from_bytes(&bytes))
    }

    pub fn rs256() -> Signer {
        Signer::Rs256(Box::new(rsa_key().clone()))
    }

    pub fn alg(&self) -> &'static str {
        match self {
            Signer::Es256(_) => "ES256",
            Signer::EdDsa(_) => "EdDSA",
            Signer::Rs256(_) => "RS256",
        }
    }

    /// The public JWK, members in the order RFC examples use (not the thumbprint's).
    pub fn public_jwk(&self) -> Value {
        match self {
            Signer::Es256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                json!({
                    "kty": "EC",
                    "x": b64::encode(point.x().expect("x")),
                    "y": b64::encode(point.y().expect("y")),
                    "crv": "P-256",
                })
            }
            Signer::EdDsa(key) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(key.verifying_key().as_bytes())})
            }
            Signer::Rs256(key) => json!({
                "kty": "RSA",
                "n": b64::encode(&key.n().to_bytes_be()),
                "e": b64::encode(&key.e().to_bytes_be()),
            }),
        }
    }

    /// The JWK with its private members too.
    pub fn private_jwk(&self) -> Value {
        let mut jwk = self.public_jwk();
        match self {
            Signer::Es256(key) => jwk["d"] = json!(b64::encode(&key.to_bytes())),
            Signer::EdDsa(key) => jwk["d"] = json!(b64::encode(key.as_bytes())),
            Signer::Rs256(key) => {
                jwk["d"] = json!(b64::encode(&key.d().to_bytes_be()));
                jwk["p"] = json!(b64::encode(&key.primes()[0].to_bytes_be()));
                jwk["q"] = json!(b64::encode(&key.primes()[1].to_bytes_be()));
            }
        }
        jwk
    }

    /// A signature in its JWS form (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Signer::Es256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
            Signer::EdDsa(key) => key.sign(message).to_bytes().to_vec(),
            Signer::Rs256(key) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.as_ref().clone());
                let signature: rsa::pkcs1v15::Signature = signer.sign(message);
                Box::<[u8]>::from(signature).to_vec()
            }
        }
    }
}

/// `header.claims.signature`, signed by `signer` whatever the header says.
pub fn jws(header: &Value, claims: &Value, signer: &Signer) -> String {
    let input =
        format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()));
    let signature = signer.sign(input.as_bytes());
    format!("{input}.{}", b64::encode(&signature))
}

/// `header.claims.` with an HMAC-SHA256 signature under `secret` (an algorithm-confusion attempt).
pub fn hs256(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let input =
        format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64::encode(&mac.finalize().into_bytes()))
}

/// `header.claims.` with no signature, as `alg: none` sends it.
pub fn unsigned(header: &Value, claims: &Value) -> String {
    format!("{}.{}.", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()))
}

/// `value` without the member `name`.
pub fn without(mut value: Value, name: &str) -> Value {
    value.as_object_mut().expect("an object").remove(name);
    value
}

/// `value` with `name` set to `member`.
pub fn with(mut value: Value, name: &str, member: Value) -> Value {
    value[name] = member;
    value
}
