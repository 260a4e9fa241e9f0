//! Hostile input: truncated and randomly corrupted ceremonies and encodings must be
//! refused (or, where a corruption happens to be harmless, accepted) without panicking.

use super::authenticator::SoftKey;
use super::cases::{Attestation, AuthCase, RegCase};
use super::certs::{make_cert, CertSpec};
use crate::webauthn::authdata::AuthenticatorData;
use crate::webauthn::cbor;
use crate::webauthn::cert::attestation_cert_key;
use crate::webauthn::{CoseAlg, PublicKey};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// `bytes` with one to four random bytes replaced.
fn corrupt(rng: &mut ChaCha20Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=(rng.next_u32() % 4) {
        let at = usize::try_from(rng.next_u32()).unwrap() % out.len();
        out[at] = crate::cast::low_byte(u64::from(rng.next_u32()));
    }
    out
}

#[test]
fn truncated_registrations_are_refused() {
    let case = RegCase::new(SoftKey::es256(1)).with_attestation(Attestation::PackedSelf { alg: CoseAlg::Es256 });
    let built = case.build();
    assert!(case.verify(&built).is_ok());
    for len in 0..built.attestation_object.len() {
        let mut b = built.clone();
        b.attestation_object.truncate(len);
        assert!(case.verify(&b).is_err(), "truncated to {len}");
    }
    for len in 0..built.client_data.len() {
        let mut b = built.clone();
        b.client_data.truncate(len);
        assert!(case.verify(&b).is_err(), "client data truncated to {len}");
    }
}

#[test]
fn corrupted_registrations_do_not_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(0xc0ffee);
    let case = RegCase::new(SoftKey::es256(1));
    let built = case.build();
    for _ in 0..3000 {
        let mut b = built.clone();
        b.attestation_object = corrupt(&mut rng, &built.attestation_object);
        let _ = case.verify(&b);
    }
}

#[test]
fn corrupted_assertions_do_not_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(0xbad);
    let case = AuthCase::new(SoftKey::eddsa(2));
    let built = case.build();
    for _ in 0..300 {
        let mut b = built.clone();
        b.auth_data = corrupt(&mut rng, &built.auth_data);
        b.client_data = corrupt(&mut rng, &built.client_data);
        b.signature = corrupt(&mut rng, &built.signature);
        assert!(case.verify(&b).is_err());
    }
}

#[test]
fn corrupted_keys_and_certificates_do_not_panic() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5eed);
    let issuer = match SoftKey::es256(0x42) {
        SoftKey::Es256(key) => key,
        _ => unreachable!(),
    };
    let cert = make_cert(&CertSpec::default(), &SoftKey::es256(9), &issuer);
    assert!(attestation_cert_key(&cert, &[0; 16]).is_ok());
    let keys = [SoftKey::es256(1).cose_bytes(), SoftKey::eddsa(2).cose_bytes(), SoftKey::rs256().cose_bytes()];
    for _ in 0..500 {
        let _ = attestation_cert_key(&corrupt(&mut rng, &cert), &[0; 16]);
        for key in &keys {
            let _ = PublicKey::from_cose(&corrupt(&mut rng, key));
        }
    }
}

#[test]
fn random_bytes_do_not_panic_the_parsers() {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    for _ in 0..3000 {
        let mut bytes = vec![0u8; usize::try_from(rng.next_u32() % 96).unwrap()];
        rng.fill_bytes(&mut bytes);
        let _ = cbor::decode(&bytes);
        let _ = cbor::decode_prefix(&bytes);
        let _ = PublicKey::from_cose(&bytes);
        let _ = AuthenticatorData::parse(&bytes);
        let _ = attestation_cert_key(&bytes, &[0; 16]);
    }
}
