//! Registration (§7.1) with "none" and "packed" attestation, and each refusal.

use super::authenticator::{self as soft, SoftKey, AAGUID, ORIGIN};
use super::cases::{Attestation, RegCase};
use super::cbor_encode::{bytes, encode, int, map, text};
use crate::webauthn::authdata::{FLAG_AT, FLAG_BE, FLAG_BS, FLAG_UP, FLAG_UV};
use crate::webauthn::cbor::Value;
use crate::webauthn::{AttestationFormat, AttestationKind, CoseAlg, WebauthnError};

#[test]
fn none_attestation_for_each_algorithm() {
    for key in [SoftKey::es256(1), SoftKey::eddsa(2), SoftKey::rs256()] {
        let case = RegCase::new(key.clone());
        let credential = case.run().unwrap();
        assert_eq!(credential.credential_id, b"credential-0001");
        assert_eq!(credential.public_key_cose, key.cose_bytes());
        assert_eq!(credential.alg, key.alg());
        assert_eq!(credential.sign_count, 0);
        assert_eq!(credential.aaguid, AAGUID);
        assert!(credential.user_verified);
        assert!(!credential.backup_eligible && !credential.backed_up);
        assert_eq!(credential.attestation_format, AttestationFormat::None);
        assert_eq!(credential.attestation, AttestationKind::None);
    }
}

#[test]
fn reports_counter_and_backup_flags() {
    let mut case = RegCase::new(SoftKey::es256(1));
    case.flags = FLAG_UP | FLAG_UV | FLAG_AT | FLAG_BE | FLAG_BS;
    case.sign_count = 7;
    let credential = case.run().unwrap();
    assert!(credential.backup_eligible && credential.backed_up);
    assert_eq!(credential.sign_count, 7);
}

#[test]
fn packed_self_attestation() {
    for key in [SoftKey::es256(3), SoftKey::eddsa(4)] {
        let alg = key.alg();
        let credential = RegCase::new(key).with_attestation(Attestation::PackedSelf { alg }).run().unwrap();
        assert_eq!(credential.attestation_format, AttestationFormat::Packed);
        assert_eq!(credential.attestation, AttestationKind::SelfAttestation);
    }
}

#[test]
fn packed_self_attestation_refuses_alg_mismatch_and_bad_signature() {
    let case = RegCase::new(SoftKey::es256(3)).with_attestation(Attestation::PackedSelf { alg: CoseAlg::Rs256 });
    assert_eq!(case.run(), Err(WebauthnError::AttestationAlgMismatch));

    let case = RegCase::new(SoftKey::es256(3)).with_attestation(Attestation::PackedSelf { alg: CoseAlg::Es256 });
    let mut built = case.build();
    // Flip the last byte of the statement's signature inside the attestation object.
    let stmt_sig = {
        let object = crate::webauthn::cbor::decode(&built.attestation_object).unwrap();
        object.get_text("attStmt").unwrap().get_text("sig").unwrap().as_bytes().unwrap().to_vec()
    };
    let at = built.attestation_object.windows(stmt_sig.len()).position(|w| w == stmt_sig).unwrap();
    built.attestation_object[at + stmt_sig.len() - 1] ^= 0x01;
    assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));

    // An identifier this RP does not know is still just a mismatch with the key.
    let unknown = map(vec![(text("alg"), int(-35)), (text("sig"), bytes(b"x"))]);
    let case =
        RegCase::new(SoftKey::es256(3)).with_attestation(Attestation::Raw { fmt: "packed".into(), att_stmt: unknown });
    assert_eq!(case.run(), Err(WebauthnError::AttestationAlgMismatch));
}

#[test]
fn cose_alg_is_the_registered_integer_on_the_wire_and_at_rest() {
    for (alg, id) in [(CoseAlg::Es256, -7), (CoseAlg::EdDsa, -8), (CoseAlg::Rs256, -257)] {
        assert_eq!(alg.id(), id);
        assert_eq!(CoseAlg::from_id(i128::from(id)), Some(alg));
        assert_eq!(CoseAlg::try_from(id), Ok(alg));
        assert_eq!(serde_json::to_value(alg).unwrap(), serde_json::json!(id));
        assert_eq!(serde_json::from_value::<CoseAlg>(serde_json::json!(id)).unwrap(), alg);
    }
    for unknown in [-35, -36, -258, 0, 7, i128::from(i64::MIN) - 7] {
        assert_eq!(CoseAlg::from_id(unknown), None, "{unknown}");
    }
    assert_eq!(CoseAlg::try_from(-35), Err(WebauthnError::UnsupportedAlgorithm));
    assert!(serde_json::from_value::<CoseAlg>(serde_json::json!(-35)).is_err());
}

#[test]
fn unsupported_formats_and_bad_statements() {
    let raw = |fmt: &str, att_stmt: Value| {
        RegCase::new(SoftKey::es256(1)).with_attestation(Attestation::Raw { fmt: fmt.into(), att_stmt }).run()
    };
    for fmt in ["tpm", "fido-u2f", "android-key", "apple", ""] {
        assert_eq!(raw(fmt, map(vec![])), Err(WebauthnError::UnsupportedAttestationFormat), "{fmt}");
    }
    assert!(matches!(raw("none", map(vec![(text("sig"), bytes(b"x"))])), Err(WebauthnError::MalformedAttestation(_))));
    assert!(matches!(raw("none", Value::Null), Err(WebauthnError::MalformedAttestation(_))));
    assert!(matches!(raw("packed", map(vec![(text("alg"), int(-7))])), Err(WebauthnError::MalformedAttestation(_))));
    let ecdaa = map(vec![(text("alg"), int(-7)), (text("sig"), bytes(b"x")), (text("ecdaaKeyId"), bytes(b"k"))]);
    assert!(matches!(raw("packed", ecdaa), Err(WebauthnError::MalformedAttestation(_))));
}

#[test]
fn client_data_checks() {
    let mut case = RegCase::new(SoftKey::es256(1));
    case.client_origin = "https://evil.example".into();
    assert_eq!(case.run(), Err(WebauthnError::OriginNotAllowed));
    case.client_origin = format!("{ORIGIN}:8443");
    assert_eq!(case.run(), Err(WebauthnError::OriginNotAllowed));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.client_type = "webauthn.get".into();
    assert_eq!(case.run(), Err(WebauthnError::WrongType));

    // A replay: client data from another ceremony (challenge 9) answering challenge 1.
    let mut case = RegCase::new(SoftKey::es256(1));
    case.client_challenge = soft::challenge(9);
    assert_eq!(case.run(), Err(WebauthnError::ChallengeMismatch));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.expected_challenge = vec![1; 15];
    assert_eq!(case.run(), Err(WebauthnError::ChallengeTooShort));

    let case = RegCase::new(SoftKey::es256(1));
    let mut built = case.build();
    built.client_data = String::from_utf8(built.client_data).unwrap().replace("false", "true").into_bytes();
    assert_eq!(case.verify(&built), Err(WebauthnError::CrossOrigin));
    built.client_data = b"[1,2]".to_vec();
    assert!(matches!(case.verify(&built), Err(WebauthnError::MalformedClientData(_))));
}

#[test]
fn authenticator_data_checks() {
    let mut case = RegCase::new(SoftKey::es256(1));
    case.auth_rp_id = "evil.example".into();
    assert_eq!(case.run(), Err(WebauthnError::RpIdMismatch));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.flags = FLAG_UV | FLAG_AT;
    assert_eq!(case.run(), Err(WebauthnError::UserNotPresent));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.flags = FLAG_UP | FLAG_AT;
    assert_eq!(case.run(), Err(WebauthnError::UserVerificationRequired));
    case.require_uv = false;
    assert!(!case.run().unwrap().user_verified);

    let mut case = RegCase::new(SoftKey::es256(1));
    case.flags = FLAG_UP | FLAG_UV | FLAG_AT | FLAG_BS;
    assert_eq!(case.run(), Err(WebauthnError::InvalidBackupState));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.flags = FLAG_UP | FLAG_UV;
    assert_eq!(case.run(), Err(WebauthnError::MissingAttestedCredential));

    let mut case = RegCase::new(SoftKey::es256(1));
    case.credential_id = vec![7; 1024];
    assert!(matches!(case.run(), Err(WebauthnError::MalformedAuthenticatorData(_))));
    case.credential_id = vec![7; 1023];
    assert!(case.run().is_ok());
}

#[test]
fn refuses_unsupported_and_weak_credential_keys() {
    let es384 = map(vec![
        (int(1), int(2)),
        (int(3), int(-35)),
        (int(-1), int(2)),
        (int(-2), bytes(&[1; 48])),
        (int(-3), bytes(&[2; 48])),
    ]);
    let rsa1024 = map(vec![
        (int(1), int(3)),
        (int(3), int(CoseAlg::Rs256.id())),
        (int(-1), bytes(&[0xc5; 128])),
        (int(-2), bytes(&[1, 0, 1])),
    ]);
    let ed448 =
        map(vec![(int(1), int(1)), (int(3), int(CoseAlg::EdDsa.id())), (int(-1), int(7)), (int(-2), bytes(&[1; 57]))]);
    for (key, expected) in [
        (es384, WebauthnError::UnsupportedAlgorithm),
        (rsa1024, WebauthnError::WeakKey),
        (ed448, WebauthnError::UnsupportedAlgorithm),
    ] {
        let cose = encode(&key);
        let case = RegCase::new(SoftKey::es256(1));
        let built = rebuild_with_key(&case, &cose);
        assert_eq!(case.verify(&built), Err(expected));
    }
    let not_on_curve = map(vec![
        (int(1), int(2)),
        (int(3), int(CoseAlg::Es256.id())),
        (int(-1), int(1)),
        (int(-2), bytes(&[1; 32])),
        (int(-3), bytes(&[2; 32])),
    ]);
    let case = RegCase::new(SoftKey::es256(1));
    assert!(matches!(
        case.verify(&rebuild_with_key(&case, &encode(&not_on_curve))),
        Err(WebauthnError::MalformedKey(_))
    ));
}

/// The case's ceremony with `cose` as the credential key and "none" attestation.
fn rebuild_with_key(case: &RegCase, cose: &[u8]) -> super::cases::BuiltRegistration {
    let client_data = soft::client_data(&case.client_type, &case.client_challenge, &case.client_origin);
    let attested = soft::Attested { aaguid: AAGUID, credential_id: &case.credential_id, cose_key: cose };
    let auth_data = soft::auth_data(&case.auth_rp_id, case.flags, 0, Some(&attested), None);
    let attestation_object = soft::attestation_object("none", map(vec![]), &auth_data);
    super::cases::BuiltRegistration { client_data, auth_data, attestation_object }
}

#[test]
fn refuses_malformed_attestation_objects() {
    let case = RegCase::new(SoftKey::es256(1));
    let built = case.build();
    let with_object = |object: Vec<u8>| {
        let mut b = case.build();
        b.attestation_object = object;
        case.verify(&b)
    };

    let mut trailing = built.attestation_object.clone();
    trailing.push(0x00);
    assert_eq!(with_object(trailing), Err(WebauthnError::TrailingBytes));

    // The same object with an indefinite-length outer map.
    let mut indefinite = built.attestation_object.clone();
    indefinite[0] = 0xbf;
    indefinite.push(0xff);
    assert_eq!(with_object(indefinite), Err(WebauthnError::CborIndefiniteLength));

    let mut deep = vec![0x81; 40];
    deep.push(0x00);
    let stmt = map(vec![(text("x"), Value::Bytes(vec![]))]);
    let mut object = soft::attestation_object("none", stmt, &built.auth_data);
    let at = object.windows(2).position(|w| w == [0x61, b'x']).unwrap() + 2;
    object.splice(at..at + 1, deep);
    assert_eq!(with_object(object), Err(WebauthnError::CborTooDeep));

    // authData followed by stray bytes (no ED flag).
    let mut auth_data = built.auth_data.clone();
    auth_data.extend_from_slice(&[0xa0]);
    assert_eq!(
        with_object(soft::attestation_object("none", map(vec![]), &auth_data)),
        Err(WebauthnError::TrailingBytes)
    );
    assert!(matches!(
        with_object(encode(&Value::Array(vec![text("none")]))),
        Err(WebauthnError::MalformedAttestation(_))
    ));
    assert!(matches!(
        with_object(soft::attestation_object("none", map(vec![]), &built.auth_data[..40])),
        Err(WebauthnError::MalformedAuthenticatorData(_))
    ));
}
