//! The pure half of the signature seam: DER to P1363 conversion (checked against the
//! `p256` crate's own DER parser), the form checks of `SignatureCheck`, and the key rules.

use super::authenticator::{rsa_key, SoftKey};
use crate::webauthn::keys::{Ed25519Key, RsaKey, MAX_RSA_BITS};
use crate::webauthn::signature::ecdsa_der_to_p1363;
use crate::webauthn::{PublicKey, SignatureCheck, WebauthnError};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rsa::traits::PublicKeyParts;

/// Every corruption of a DER signature is accepted by the conversion exactly when
/// `p256` accepts it as DER, up to the range of r and s (which the backends check), and
/// then to the same r || s.
#[test]
fn der_conversion_agrees_with_p256() {
    let key = SoftKey::es256(3);
    let mut rng = ChaCha20Rng::seed_from_u64(0xde7);
    for n in 0..200u8 {
        let der = key.sign(&[n; 40]);
        let expected = p256::ecdsa::Signature::from_der(&der).unwrap().to_bytes();
        assert_eq!(ecdsa_der_to_p1363(&der).map(|b| b.to_vec()), Some(expected.to_vec()));
        let mut corrupt = der.clone();
        let at = usize::try_from(rng.next_u32()).unwrap() % corrupt.len();
        corrupt[at] ^= 1 << (rng.next_u32() % 8);
        let ours = ecdsa_der_to_p1363(&corrupt);
        match p256::ecdsa::Signature::from_der(&corrupt) {
            Ok(theirs) => assert_eq!(ours.map(|b| b.to_vec()), Some(theirs.to_bytes().to_vec()), "{corrupt:02x?}"),
            Err(_) => {
                if let Some(p1363) = ours {
                    // Only a value out of range may pass the conversion and fail p256.
                    assert!(p256::ecdsa::Signature::from_slice(&p1363).is_err(), "{corrupt:02x?}");
                }
            }
        }
    }
}

#[test]
fn signatures_must_have_their_algorithms_form() {
    let es256 = PublicKey::from_cose(&SoftKey::es256(1).cose_bytes()).unwrap();
    let eddsa = PublicKey::from_cose(&SoftKey::eddsa(1).cose_bytes()).unwrap();
    let rs256 = PublicKey::from_cose(&SoftKey::rs256().cose_bytes()).unwrap();
    let der = SoftKey::es256(1).sign(b"m");
    assert_eq!(SignatureCheck::new(&es256, b"m", &der).unwrap().signature().len(), 64);
    assert!(SignatureCheck::new(&es256, b"m", &[1; 64]).is_none(), "P1363 is not the wire form");
    assert!(SignatureCheck::new(&eddsa, b"m", &SoftKey::eddsa(1).sign(b"m")).is_some());
    assert!(SignatureCheck::new(&eddsa, b"m", &[1; 63]).is_none());
    assert!(SignatureCheck::new(&rs256, b"m", &[1; 256]).is_some());
    assert!(SignatureCheck::new(&rs256, b"m", &[1; 255]).is_none());
    assert!(SignatureCheck::new(&rs256, b"m", &[1; 257]).is_none());
}

#[test]
fn ed25519_keys_must_be_canonical_points_of_large_order() {
    let SoftKey::EdDsa(key) = SoftKey::eddsa(1) else { unreachable!() };
    assert!(Ed25519Key::from_bytes(key.verifying_key().as_bytes()).is_some());
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(Ed25519Key::from_bytes(&identity).is_none(), "small order");
    // y = p + 1 encodes the identity again, non-canonically.
    let mut p_plus_one = [0xff; 32];
    p_plus_one[0] = 0xee;
    p_plus_one[31] = 0x7f;
    assert!(Ed25519Key::from_bytes(&p_plus_one).is_none(), "non-canonical");
    // x = 0 with the sign bit set ("-0").
    let mut negative_zero = identity;
    negative_zero[31] |= 0x80;
    assert!(Ed25519Key::from_bytes(&negative_zero).is_none(), "negative zero");
}

#[test]
fn rsa_keys_follow_the_size_and_exponent_rules() {
    let n = rsa_key().n().to_bytes_be();
    let padded = [&[0, 0][..], &n].concat();
    assert_eq!(RsaKey::new(&padded, &[0, 1, 0, 1]).unwrap().modulus(), &n[..], "leading zeros are dropped");
    assert_eq!(RsaKey::new(&n[1..], &[1, 0, 1]), Err(WebauthnError::WeakKey));
    let malformed = Err(WebauthnError::MalformedKey("invalid RSA key"));
    for e in [&[1][..], &[2], &[1, 0, 0], &[2, 0, 0, 0, 1], &[]] {
        assert_eq!(RsaKey::new(&n, e), malformed, "e = {e:?}");
    }
    assert!(RsaKey::new(&n, &[1, 0xff, 0xff, 0xff, 0xff]).is_ok(), "e = 2^33 - 1");
    assert_eq!(RsaKey::new(&[0xff; MAX_RSA_BITS / 8 + 1], &[3]), malformed, "over 4096 bits");
    assert!(RsaKey::new(&[0xff; MAX_RSA_BITS / 8], &[3]).is_ok());
}
