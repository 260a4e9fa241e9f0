//! JWKs others present: RFC 7638 thumbprints (the RFCs' vectors and a P-256 vector
//! cross-checked by an independent construction), and the rules a usable public key obeys.

use super::support::*;
use crate::b64;
use crate::tokens::public_jwk::{fits, jwk_thumbprint, public_key, verify_jws, JwkError, JwsAlg};
use crate::webauthn::{PublicKey, SignatureCheck};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// RFC 7638 §3.1's RSA key.
const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_\
    BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8\
    KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1j\
    F44-csFCur-kEgU8awapJzKnqDKgw";

#[test]
fn rfc7638_rsa_example() {
    let jwk = json!({"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"});
    assert_eq!(jwk_thumbprint(&jwk).unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    // The key is usable for RS256 and nothing else.
    assert!(matches!(public_key(&jwk, JwsAlg::Rs256), Ok(PublicKey::Rs256(_))));
    assert_eq!(public_key(&jwk, JwsAlg::Es256), Err(JwkError::WrongAlgorithm));
}

#[test]
fn rfc7515_a2_rs256_example() {
    // RFC 7515 Appendix A.2's JWS, verified with its key through the JWS path.
    let jws = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb\
        290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbd\
        s9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOL\
        n6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN\
        _IoypGlUPQGe77Rw";
    let (input, signature) = jws.rsplit_once('.').unwrap();
    let jwk = json!({"kty": "RSA", "n": RFC7515_A2_N, "e": "AQAB"});
    assert_eq!(jwk, Signer::rs256().public_jwk());
    let key = public_key(&jwk, JwsAlg::Rs256).unwrap();
    let signature = b64::decode(signature).unwrap();
    assert_eq!(block_on(verify_jws(&VERIFIER, &key, input, &signature)), Ok(true));
    assert_eq!(block_on(verify_jws(&VERIFIER, &key, &input.replace("eyJpc3Mi", "eyJpc3Ni"), &signature)), Ok(false));
    // PKCS #1 v1.5 is deterministic: the test signer reproduces the RFC's signature.
    assert_eq!(Signer::rs256().sign(input.as_bytes()), signature);
}

#[test]
fn rfc9449_and_rfc8037_examples() {
    let ec = json!({
        "kty": "EC",
        "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
        "crv": "P-256",
    });
    assert_eq!(jwk_thumbprint(&ec).unwrap(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    assert_eq!(jwk_thumbprint(&okp).unwrap(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

/// The thumbprint built another way: serde_json's sorted map of exactly the required
/// members, serialized compactly, hashed by `sha2` (§3.2, §3.3).
fn independent_thumbprint(jwk: &Value, required: &[&str]) -> String {
    let members: BTreeMap<&str, &Value> = required.iter().map(|name| (*name, &jwk[*name])).collect();
    let canonical = serde_json::to_string(&members).unwrap();
    assert!(!canonical.contains(' ') && canonical.starts_with(&format!("{{\"{}\"", required[0])));
    b64::encode(&Sha256::digest(canonical.as_bytes()))
}

#[test]
fn p256_and_ed25519_vectors_cross_checked() {
    for seed in 0..8 {
        let jwk = Signer::es256(seed).public_jwk();
        assert_eq!(jwk_thumbprint(&jwk).unwrap(), independent_thumbprint(&jwk, &["crv", "kty", "x", "y"]));
        let jwk = Signer::eddsa(seed).public_jwk();
        assert_eq!(jwk_thumbprint(&jwk).unwrap(), independent_thumbprint(&jwk, &["crv", "kty", "x"]));
    }
    let jwk = Signer::rs256().public_jwk();
    assert_eq!(jwk_thumbprint(&jwk).unwrap(), independent_thumbprint(&jwk, &["e", "kty", "n"]));
    // A fixed P-256 vector: the key from seed 1, and its thumbprint computed both ways.
    let jwk = Signer::es256(1).public_jwk();
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap(),
        jwk["y"].as_str().unwrap()
    );
    assert_eq!(jwk_thumbprint(&jwk).unwrap(), b64::encode(&Sha256::digest(canonical.as_bytes())));
}

#[test]
fn thumbprints_ignore_other_members_and_their_order() {
    let signer = Signer::es256(3);
    let plain = jwk_thumbprint(&signer.public_jwk()).unwrap();
    let decorated = with(with(signer.private_jwk(), "kid", json!("k1")), "use", json!("sig"));
    assert_eq!(jwk_thumbprint(&decorated).unwrap(), plain);
    // Different keys, different thumbprints.
    assert_ne!(jwk_thumbprint(&Signer::es256(4).public_jwk()).unwrap(), plain);
}

#[test]
fn thumbprints_need_canonical_supported_keys() {
    let ec = Signer::es256(5).public_jwk();
    let x = ec["x"].as_str().unwrap().to_owned();
    for (jwk, error) in [
        (json!("a string"), JwkError::NotAnObject),
        (json!({"kty": "oct", "k": "c2VjcmV0"}), JwkError::UnsupportedKeyType),
        (with(ec.clone(), "crv", json!("P-384")), JwkError::UnsupportedKeyType),
        (json!({"kty": "OKP", "crv": "X25519", "x": x}), JwkError::UnsupportedKeyType),
        (without(ec.clone(), "kty"), JwkError::Malformed("kty")),
        (without(ec.clone(), "y"), JwkError::Malformed("y")),
        (with(ec.clone(), "x", json!(format!("{x}="))), JwkError::Malformed("x")),
        (with(ec.clone(), "x", json!(x.replace('-', "+").replace('_', "/"))), JwkError::Malformed("x")),
        (with(ec.clone(), "x", json!(&x[..42])), JwkError::Malformed("x")),
        (with(ec.clone(), "x", json!(b64::encode(&[7; 31]))), JwkError::Malformed("x")),
        (with(ec.clone(), "y", json!(b64::encode(&[7; 33]))), JwkError::Malformed("y")),
        (json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&[7; 33])}), JwkError::Malformed("x")),
        (with(ec.clone(), "x", json!(7)), JwkError::Malformed("x")),
        (json!({"kty": "RSA", "n": format!("AA{RFC7638_N}"), "e": "AQAB"}), JwkError::Malformed("n")),
        (json!({"kty": "RSA", "n": RFC7638_N, "e": "AAEAAQ"}), JwkError::Malformed("e")),
        (json!({"kty": "RSA", "n": RFC7638_N, "e": ""}), JwkError::Malformed("e")),
    ] {
        assert_eq!(jwk_thumbprint(&jwk), Err(error), "{jwk}");
    }
}

#[test]
fn public_keys_refuse_private_members() {
    let ec = Signer::es256(6).public_jwk();
    for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        let jwk = with(ec.clone(), member, json!("AQAB"));
        assert_eq!(public_key(&jwk, JwsAlg::Es256), Err(JwkError::PrivateKey), "{member}");
    }
    assert!(public_key(&ec, JwsAlg::Es256).is_ok());
}

#[test]
fn public_keys_must_be_valid_keys() {
    let ec = Signer::es256(7).public_jwk();
    let off_curve = with(ec.clone(), "y", ec["x"].clone());
    assert_eq!(public_key(&off_curve, JwsAlg::Es256), Err(JwkError::InvalidKey));
    // The Ed25519 identity point is of small order.
    let identity = b64::encode(&[[1u8].as_slice(), &[0u8; 31]].concat());
    let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": identity});
    assert_eq!(public_key(&okp, JwsAlg::EdDsa), Err(JwkError::InvalidKey));
    // A 1024-bit modulus is too weak.
    let weak = json!({"kty": "RSA", "n": b64::encode(&[0xc5; 128]), "e": "AQAB"});
    assert_eq!(public_key(&weak, JwsAlg::Rs256), Err(JwkError::InvalidKey));
}

#[test]
fn fits_reads_kty_crv_alg_and_use() {
    let ec = Signer::es256(8).public_jwk();
    assert!(fits(&ec, JwsAlg::Es256));
    assert!(!fits(&ec, JwsAlg::Rs256) && !fits(&ec, JwsAlg::EdDsa));
    assert!(fits(&with(ec.clone(), "alg", json!("ES256")), JwsAlg::Es256));
    assert!(!fits(&with(ec.clone(), "alg", json!("ES384")), JwsAlg::Es256));
    assert!(fits(&with(ec.clone(), "use", json!("sig")), JwsAlg::Es256));
    assert!(!fits(&with(ec.clone(), "use", json!("enc")), JwsAlg::Es256));
    assert!(fits(&Signer::eddsa(8).public_jwk(), JwsAlg::EdDsa));
    assert!(fits(&Signer::rs256().public_jwk(), JwsAlg::Rs256));
}

#[test]
fn algorithm_names_are_exact() {
    for alg in JwsAlg::ALL {
        assert_eq!(JwsAlg::from_name(alg.name()), Some(alg));
    }
    for name in ["none", "None", "HS256", "es256", "EDDSA", "Ed25519", "PS256", "ES384", ""] {
        assert_eq!(JwsAlg::from_name(name), None, "{name}");
    }
}

#[test]
fn jws_signatures_must_have_their_algorithms_form() {
    let ec = public_key(&Signer::es256(9).public_jwk(), JwsAlg::Es256).unwrap();
    let rsa = public_key(&Signer::rs256().public_jwk(), JwsAlg::Rs256).unwrap();
    let p1363 = Signer::es256(9).sign(b"m");
    assert_eq!(SignatureCheck::from_jws(&ec, b"m", &p1363).unwrap().signature(), p1363.as_slice());
    assert!(SignatureCheck::from_jws(&ec, b"m", &p1363[..63]).is_none());
    assert!(SignatureCheck::from_jws(&rsa, b"m", &[1; 256]).is_some());
    assert!(SignatureCheck::from_jws(&rsa, b"m", &[1; 255]).is_none());
}
