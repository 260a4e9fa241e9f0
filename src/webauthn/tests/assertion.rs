//! Authentication assertions (§7.2) for each algorithm, the signature counter, and each
//! refusal.

use super::authenticator::{self as soft, SoftKey, ORIGIN};
use super::cases::AuthCase;
use super::cbor_encode::{encode, map, text};
use crate::webauthn::authdata::{FLAG_AT, FLAG_BE, FLAG_BS, FLAG_ED, FLAG_UP, FLAG_UV};
use crate::webauthn::cbor::Value;
use crate::webauthn::WebauthnError;

fn keys() -> [SoftKey; 3] {
    [SoftKey::es256(1), SoftKey::eddsa(2), SoftKey::rs256()]
}

#[test]
fn verifies_each_algorithm() {
    for key in keys() {
        let mut case = AuthCase::new(key);
        case.flags = FLAG_UP | FLAG_UV | FLAG_BE | FLAG_BS;
        case.sign_count = 5;
        case.stored_sign_count = 4;
        let outcome = case.run().unwrap();
        assert_eq!(outcome.new_sign_count, 5);
        assert!(!outcome.counter_regressed);
        assert!(outcome.user_verified && outcome.backup_eligible && outcome.backed_up);
    }
}

#[test]
fn tampering_breaks_the_signature() {
    for key in keys() {
        let case = AuthCase::new(key);
        let good = case.build();

        let mut built = case.build();
        let last = built.signature.len() - 1;
        built.signature[last] ^= 0x01;
        assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));

        let mut built = case.build();
        built.auth_data[36] ^= 0x01; // the low byte of signCount
        assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));

        let mut built = case.build();
        built.client_data = String::from_utf8(good.client_data.clone()).unwrap().replace(",", ", ").into_bytes();
        assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));

        let mut built = case.build();
        built.signature = SoftKey::es256(77).sign(&soft::signed_data(&good.auth_data, &good.client_data));
        assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));

        let mut built = case.build();
        built.signature.clear();
        assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));
    }
}

#[test]
fn es256_accepts_high_s_and_needs_der() {
    let case = AuthCase::new(SoftKey::es256(1));
    let mut built = case.build();
    let sig = p256::ecdsa::Signature::from_der(&built.signature).unwrap();
    let (r, s) = sig.split_scalars();
    let high = p256::ecdsa::Signature::from_scalars(r, -s).unwrap();
    assert_ne!(high, sig);
    built.signature = high.to_der().as_bytes().to_vec();
    assert!(case.verify(&built).is_ok());
    built.signature = sig.to_bytes().to_vec();
    assert_eq!(case.verify(&built), Err(WebauthnError::SignatureInvalid));
}

#[test]
fn sign_counter() {
    let outcome = |stored: u32, seen: u32| {
        let mut case = AuthCase::new(SoftKey::es256(1));
        case.stored_sign_count = stored;
        case.sign_count = seen;
        case.run().unwrap()
    };
    let o = outcome(10, 10);
    assert!(o.counter_regressed);
    assert_eq!(o.new_sign_count, 10);
    let o = outcome(10, 3);
    assert!(o.counter_regressed);
    assert_eq!(o.new_sign_count, 10);
    assert!(!outcome(10, 11).counter_regressed);
    // A zero counter (an authenticator without one) never flags.
    for (stored, seen) in [(0, 0), (0, 1), (10, 0)] {
        let o = outcome(stored, seen);
        assert!(!o.counter_regressed, "{stored} -> {seen}");
        assert_eq!(o.new_sign_count, stored.max(seen));
    }
}

#[test]
fn client_data_checks() {
    let mut case = AuthCase::new(SoftKey::es256(1));
    case.client_origin = "https://example.com.evil.example".into();
    assert_eq!(case.run(), Err(WebauthnError::OriginNotAllowed));
    case.client_origin = "http://example.com".into();
    assert_eq!(case.run(), Err(WebauthnError::OriginNotAllowed));
    case.client_origin = "https://login.example.com".into();
    assert!(case.run().is_ok());

    let mut case = AuthCase::new(SoftKey::es256(1));
    case.client_type = "webauthn.create".into();
    assert_eq!(case.run(), Err(WebauthnError::WrongType));

    // A replay of another ceremony's signed response.
    let mut earlier = AuthCase::new(SoftKey::es256(1));
    earlier.client_challenge = soft::challenge(40);
    earlier.expected_challenge = soft::challenge(40);
    let replayed = earlier.build();
    assert!(earlier.verify(&replayed).is_ok());
    let now = AuthCase::new(SoftKey::es256(1));
    assert_eq!(now.verify(&replayed), Err(WebauthnError::ChallengeMismatch));

    let case = AuthCase::new(SoftKey::es256(1));
    let mut built = case.build();
    built.client_data = br#"{"type":"webauthn.get","challenge":"a+b/","origin":"https://example.com"}"#.to_vec();
    assert_eq!(case.verify(&built), Err(WebauthnError::ChallengeMismatch));
    built.client_data = br#"{"type":"webauthn.get","origin":"https://example.com"}"#.to_vec();
    assert_eq!(case.verify(&built), Err(WebauthnError::MalformedClientData("challenge")));
}

#[test]
fn authenticator_data_checks() {
    let mut case = AuthCase::new(SoftKey::eddsa(2));
    case.auth_rp_id = "login.example.com".into();
    assert_eq!(case.run(), Err(WebauthnError::RpIdMismatch));

    let mut case = AuthCase::new(SoftKey::eddsa(2));
    case.rp_id = "other.example".into();
    assert_eq!(case.run(), Err(WebauthnError::RpIdMismatch));

    let mut case = AuthCase::new(SoftKey::eddsa(2));
    case.flags = FLAG_UV;
    assert_eq!(case.run(), Err(WebauthnError::UserNotPresent));

    let mut case = AuthCase::new(SoftKey::eddsa(2));
    case.flags = FLAG_UP;
    assert_eq!(case.run(), Err(WebauthnError::UserVerificationRequired));
    case.require_uv = false;
    assert!(!case.run().unwrap().user_verified);

    let case = AuthCase::new(SoftKey::eddsa(2));
    let mut built = case.build();
    built.auth_data.push(0);
    assert_eq!(case.verify(&built), Err(WebauthnError::TrailingBytes));
    built.auth_data.truncate(36);
    assert!(matches!(case.verify(&built), Err(WebauthnError::MalformedAuthenticatorData(_))));
}

#[test]
fn extensions_and_attested_data() {
    let mut case = AuthCase::new(SoftKey::es256(1));
    case.flags = FLAG_UP | FLAG_UV | FLAG_ED;
    case.extensions = Some(encode(&map(vec![(text("credProtect"), Value::Int(2))])));
    assert!(case.run().is_ok());
    case.extensions = Some(encode(&text("not a map")));
    assert!(matches!(case.run(), Err(WebauthnError::MalformedAuthenticatorData(_))));
    case.flags = FLAG_UP | FLAG_UV;
    case.extensions = Some(encode(&map(vec![])));
    assert_eq!(case.run(), Err(WebauthnError::TrailingBytes));

    // AT in an assertion, with well-formed attested credential data.
    let case = AuthCase::new(SoftKey::es256(1));
    let client_data = soft::client_data("webauthn.get", &case.client_challenge, ORIGIN);
    let cose = case.key.cose_bytes();
    let attested = soft::Attested { aaguid: [0; 16], credential_id: b"id", cose_key: &cose };
    let auth_data = soft::auth_data(&case.auth_rp_id, FLAG_UP | FLAG_UV | FLAG_AT, 0, Some(&attested), None);
    let signature = case.key.sign(&soft::signed_data(&auth_data, &client_data));
    let built = super::cases::BuiltAssertion { client_data, auth_data, signature };
    assert_eq!(case.verify(&built), Err(WebauthnError::UnexpectedAttestedCredential));
}

#[test]
fn stored_key_decides_the_algorithm() {
    // An EdDSA signature checked against a stored ES256 key, and a corrupt stored key.
    let mut case = AuthCase::new(SoftKey::eddsa(2));
    case.stored_cose = SoftKey::es256(2).cose_bytes();
    assert_eq!(case.run(), Err(WebauthnError::SignatureInvalid));
    case.stored_cose = vec![0xa0];
    assert!(matches!(case.run(), Err(WebauthnError::MalformedKey(_))));
}
