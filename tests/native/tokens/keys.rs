//! Signing-key configuration: formats, selection, validation, and no leaks.

use crate::support::*;
use authsec_edge::tokens::keys::KeyRing;
use p256::pkcs8::{EncodePrivateKey, LineEnding};

fn jwk(kid: &str, seed: u8) -> serde_json::Value {
    let mut k = key(kid, seed).to_private_jwk();
    k["kid"] = serde_json::json!(kid);
    k
}

#[test]
fn parses_jwk_arrays_and_jwks_objects() {
    let array = serde_json::json!([jwk("a", 1), jwk("b", 2)]).to_string();
    let ring = KeyRing::parse(&array, Some("b")).unwrap();
    assert_eq!(ring.signer().kid(), "b");
    assert_eq!(ring.public_keys().count(), 2);
    let jwks = serde_json::json!({"keys": [jwk("a", 1)]}).to_string();
    assert_eq!(KeyRing::parse(&jwks, None).unwrap().signer().kid(), "a");
}

#[test]
fn rotation_metadata_in_an_entry_is_ignored() {
    // scripts/rotate-signing-key keeps each key's `published_at` and `signing_from` in
    // SIGNING_KEYS itself (scripts/lib/secrets.mjs): the Worker must read such a ring.
    let mut next = jwk("next", 2);
    next["published_at"] = serde_json::json!(1_800_000_000);
    let mut signer = jwk("signer", 1);
    signer["published_at"] = serde_json::json!(1_700_000_000);
    signer["signing_from"] = serde_json::json!(1_700_000_000);
    let raw = serde_json::json!([signer, next]).to_string();
    let ring = KeyRing::parse(&raw, Some("signer")).unwrap();
    assert_eq!(ring.signer().public, key("signer", 1).public);
    assert_eq!(ring.public_keys().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["signer", "next"]);
    let plain = serde_json::json!([jwk("signer", 1), jwk("next", 2)]).to_string();
    let same = KeyRing::parse(&plain, Some("signer")).unwrap();
    assert_eq!(ring.fingerprint(), same.fingerprint(), "metadata never changes the published JWKS");
}

#[test]
fn parses_pkcs8_and_sec1_pem() {
    let secret = p256::SecretKey::from_bytes(&[5u8; 32].into()).unwrap();
    let pkcs8 = secret.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let sec1 = secret.to_sec1_pem(LineEnding::LF).unwrap().to_string();
    for pem in [pkcs8, sec1] {
        let raw = serde_json::json!([{"kid": "pem-key", "pem": pem}]).to_string();
        let ring = KeyRing::parse(&raw, None).unwrap();
        assert_eq!(ring.signer().public, key("pem-key", 5).public);
    }
}

#[test]
fn several_keys_need_signing_kid_and_it_must_exist() {
    let raw = serde_json::json!([jwk("a", 1), jwk("b", 2)]).to_string();
    let err = KeyRing::parse(&raw, None).unwrap_err();
    assert!(err.about_signer && err.problem.contains("SIGNING_KID"));
    assert!(KeyRing::parse(&raw, Some("c")).is_err());
}

#[test]
fn rejects_bad_keys() {
    let mut mismatched = jwk("a", 1);
    mismatched["x"] = jwk("b", 2)["x"].clone();
    let mut public_only = jwk("a", 1);
    public_only.as_object_mut().unwrap().remove("d");
    let mut bad_kid = jwk("a", 1);
    bad_kid["kid"] = serde_json::json!("bad kid!");
    let mut wrong_curve = jwk("a", 1);
    wrong_curve["crv"] = serde_json::json!("P-384");
    let cases = [
        "".to_string(),
        "not json".into(),
        "[]".into(),
        "{}".into(),
        "42".into(),
        serde_json::json!([mismatched]).to_string(),
        serde_json::json!([public_only]).to_string(),
        serde_json::json!([wrong_curve]).to_string(),
        serde_json::json!([jwk("a", 1), jwk("a", 2)]).to_string(),
        serde_json::json!([bad_kid]).to_string(),
        serde_json::json!([{"kid": "p", "pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}])
            .to_string(),
        serde_json::json!([{"kid":"z","kty":"EC","crv":"P-256","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}])
            .to_string(),
    ];
    for raw in cases {
        assert!(KeyRing::parse(&raw, None).is_err(), "{raw}");
    }
}

#[test]
fn errors_and_debug_output_never_contain_private_material() {
    let k = jwk("leaky", 1);
    let d = k["d"].as_str().unwrap().to_string();
    let mut mismatched = k.clone();
    mismatched["x"] = jwk("b", 2)["x"].clone();
    let err = KeyRing::parse(&serde_json::json!([mismatched]).to_string(), None).unwrap_err();
    assert!(!err.to_string().contains(&d));
    let ring = KeyRing::parse(&serde_json::json!([k]).to_string(), None).unwrap();
    let debug = format!("{ring:?}");
    assert!(!debug.contains(&d), "{debug}");
    assert!(!ring.public_keys().next().unwrap().to_jwk().to_string().contains(&d));
}

#[test]
fn the_fingerprint_changes_with_keys_and_signer() {
    let raw = serde_json::json!([jwk("a", 1), jwk("b", 2)]).to_string();
    let a = KeyRing::parse(&raw, Some("a")).unwrap();
    let b = KeyRing::parse(&raw, Some("b")).unwrap();
    let again = KeyRing::parse(&raw, Some("a")).unwrap();
    assert_ne!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint(), again.fingerprint());
}
