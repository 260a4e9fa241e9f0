//! "packed" attestation with a certificate (§8.2 step 2) and the certificate
//! requirements of §8.2.1.

use super::authenticator::{SoftKey, AAGUID};
use super::cases::{Attestation, RegCase};
use super::certs::{make_cert, CertSpec};
use crate::webauthn::{AttestationFormat, AttestationKind, CoseAlg, NewCredential, WebauthnError};
use x509_cert::Version;

fn issuer() -> p256::ecdsa::SigningKey {
    match SoftKey::es256(0x42) {
        SoftKey::Es256(key) => key,
        _ => unreachable!(),
    }
}

/// Registers an ES256 credential attested by `attestation_key` under a cert per `spec`.
fn register(spec: &CertSpec, attestation_key: SoftKey, alg: CoseAlg) -> Result<NewCredential, WebauthnError> {
    let cert = make_cert(spec, &attestation_key, &issuer());
    let x5c = vec![cert, make_cert(&CertSpec::default(), &SoftKey::es256(0x42), &issuer())];
    RegCase::new(SoftKey::es256(1))
        .with_attestation(Attestation::PackedX5c { signer: Box::new(attestation_key), alg, x5c })
        .run()
}

#[test]
fn p256_attestation_certificate() {
    let spec = CertSpec::default();
    let credential = register(&spec, SoftKey::es256(9), CoseAlg::Es256).unwrap();
    assert_eq!(credential.attestation_format, AttestationFormat::Packed);
    let AttestationKind::Basic { x5c } = credential.attestation else { panic!("expected basic attestation") };
    assert_eq!(x5c.len(), 2);
    assert_eq!(x5c[0], make_cert(&spec, &SoftKey::es256(9), &issuer()));
}

#[test]
fn aaguid_extension_must_match() {
    let spec = CertSpec { aaguid: Some(AAGUID), ..CertSpec::default() };
    assert!(register(&spec, SoftKey::es256(9), CoseAlg::Es256).is_ok());
    let spec = CertSpec { aaguid: Some(*b"another-aaguid!!"), ..CertSpec::default() };
    assert_eq!(register(&spec, SoftKey::es256(9), CoseAlg::Es256), Err(WebauthnError::AaguidMismatch));
}

#[test]
fn rsa_attestation_certificate() {
    let credential = register(&CertSpec::default(), SoftKey::rs256(), CoseAlg::Rs256).unwrap();
    assert!(matches!(credential.attestation, AttestationKind::Basic { .. }));
}

#[test]
fn certificate_requirements() {
    let ca = CertSpec { basic_constraints_ca: Some(true), ..CertSpec::default() };
    assert_eq!(register(&ca, SoftKey::es256(9), CoseAlg::Es256), Err(WebauthnError::AttestationCertIsCa));

    let no_constraints = CertSpec { basic_constraints_ca: None, ..CertSpec::default() };
    assert!(register(&no_constraints, SoftKey::es256(9), CoseAlg::Es256).is_ok());

    let wrong_ou = CertSpec { subject: "CN=Key,OU=Something Else,O=AuthSec Test,C=US".into(), ..CertSpec::default() };
    let no_cn = CertSpec { subject: "OU=Authenticator Attestation,O=AuthSec Test,C=US".into(), ..CertSpec::default() };
    let v1 = CertSpec { version: Version::V1, basic_constraints_ca: None, ..CertSpec::default() };
    for spec in [wrong_ou, no_cn, v1] {
        assert!(matches!(
            register(&spec, SoftKey::es256(9), CoseAlg::Es256),
            Err(WebauthnError::AttestationCertInvalid(_))
        ));
    }
}

#[test]
fn statement_alg_and_signature_must_fit_the_certificate() {
    let spec = CertSpec::default();
    assert_eq!(register(&spec, SoftKey::es256(9), CoseAlg::Rs256), Err(WebauthnError::AttestationAlgMismatch));
    assert_eq!(register(&spec, SoftKey::es256(9), CoseAlg::EdDsa), Err(WebauthnError::UnsupportedAlgorithm));

    // The statement signed by a key other than the certificate's.
    let cert = make_cert(&spec, &SoftKey::es256(9), &issuer());
    let case = RegCase::new(SoftKey::es256(1)).with_attestation(Attestation::PackedX5c {
        signer: Box::new(SoftKey::es256(10)),
        alg: CoseAlg::Es256,
        x5c: vec![cert],
    });
    assert_eq!(case.run(), Err(WebauthnError::SignatureInvalid));

    let garbage = RegCase::new(SoftKey::es256(1)).with_attestation(Attestation::PackedX5c {
        signer: Box::new(SoftKey::es256(9)),
        alg: CoseAlg::Es256,
        x5c: vec![b"not a certificate".to_vec()],
    });
    assert!(matches!(garbage.run(), Err(WebauthnError::AttestationCertInvalid(_))));

    let empty = RegCase::new(SoftKey::es256(1)).with_attestation(Attestation::PackedX5c {
        signer: Box::new(SoftKey::es256(9)),
        alg: CoseAlg::Es256,
        x5c: vec![],
    });
    assert!(matches!(empty.run(), Err(WebauthnError::MalformedAttestation(_))));
}
