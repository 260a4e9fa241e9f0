//! `private_key_jwt` client assertions (RFC 7523 §3): the three algorithms, the key
//! choice, and one refusal per rule, each on an otherwise valid, correctly signed assertion.

use super::support::*;
use crate::tokens::client_assertion::{
    claimed_client_id, verify_client_assertion, AssertionPolicy, ClientAssertionError as E, VerifiedClientAssertion,
    JWT_BEARER_ASSERTION_TYPE,
};
use crate::tokens::dpop::MAX_JTI_BYTES;
use crate::tokens::public_jwk::{JwkError, JwsAlg};
use serde_json::{json, Value};

const NOW: i64 = 1_700_000_000;
const CLIENT: &str = "s6BhdRkqt3";
const ISSUER: &str = "https://auth.example.com";
const TOKEN_ENDPOINT: &str = "https://auth.example.com/oauth/token";
const AUDIENCES: [&str; 2] = [ISSUER, TOKEN_ENDPOINT];

fn keyed(signer: &Signer, kid: &str) -> Value {
    with(signer.public_jwk(), "kid", json!(kid))
}

/// The client's registered keys: two P-256 keys with kids, an Ed25519 key with a kid,
/// and an RSA key without one.
fn jwks() -> Value {
    json!({"keys": [
        keyed(&Signer::es256(1), "ec-1"),
        keyed(&Signer::es256(2), "ec-2"),
        keyed(&Signer::eddsa(1), "ed-1"),
        Signer::rs256().public_jwk(),
    ]})
}

fn claims() -> Value {
    json!({"iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT, "jti": "id-a1b2", "iat": NOW, "exp": NOW + 60})
}

fn header(signer: &Signer, kid: Option<&str>) -> Value {
    let header = json!({"alg": signer.alg(), "typ": "JWT"});
    kid.map_or(header.clone(), |kid| with(header, "kid", json!(kid)))
}

fn check_with(assertion: &str, jwks: &Value) -> Result<VerifiedClientAssertion, E> {
    let policy = AssertionPolicy::new(CLIENT, jwks, &AUDIENCES, NOW);
    block_on(verify_client_assertion(JWT_BEARER_ASSERTION_TYPE, assertion, &policy, &VERIFIER))
}

fn check(assertion: &str) -> Result<VerifiedClientAssertion, E> {
    check_with(assertion, &jwks())
}

/// An assertion signed by P-256 key "ec-1" with `claims`.
fn ec1(claims: &Value) -> String {
    jws(&header(&Signer::es256(1), Some("ec-1")), claims, &Signer::es256(1))
}

#[test]
fn assertions_verify_in_every_algorithm() {
    for (signer, kid) in [(Signer::es256(2), Some("ec-2")), (Signer::eddsa(1), Some("ed-1")), (Signer::rs256(), None)] {
        let verified =
            check(&jws(&header(&signer, kid), &claims(), &signer)).unwrap_or_else(|e| panic!("{kid:?}: {e}"));
        assert_eq!((verified.client_id(), verified.jti(), verified.exp()), (CLIENT, "id-a1b2", NOW + 60));
    }
    assert_eq!(claimed_client_id(&ec1(&claims())).unwrap(), CLIENT);
}

#[test]
fn the_assertion_type_must_be_jwt_bearer() {
    let jwks = jwks();
    let policy = AssertionPolicy::new(CLIENT, &jwks, &AUDIENCES, NOW);
    let assertion = ec1(&claims());
    for kind in ["", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer", "jwt-bearer"] {
        let refused = block_on(verify_client_assertion(kind, &assertion, &policy, &VERIFIER));
        assert_eq!(refused, Err(E::WrongAssertionType), "{kind}");
    }
}

#[test]
fn alg_none_and_hmac_are_refused() {
    let none = unsigned(&json!({"alg": "none", "kid": "ec-1"}), &claims());
    assert_eq!(check(&none), Err(E::UnsupportedAlgorithm));
    // HMAC keyed with the client's public key, as a confused verifier would check it.
    let secret = jwks()["keys"][0].to_string().into_bytes();
    let hmac = hs256(&json!({"alg": "HS256", "kid": "ec-1"}), &claims(), &secret);
    assert_eq!(check(&hmac), Err(E::UnsupportedAlgorithm));
    let jwks = jwks();
    let policy =
        AssertionPolicy { algorithms: &[JwsAlg::Es256], ..AssertionPolicy::new(CLIENT, &jwks, &AUDIENCES, NOW) };
    let rs256 = jws(&header(&Signer::rs256(), None), &claims(), &Signer::rs256());
    let refused = block_on(verify_client_assertion(JWT_BEARER_ASSERTION_TYPE, &rs256, &policy, &VERIFIER));
    assert_eq!(refused, Err(E::UnsupportedAlgorithm));
}

#[test]
fn critical_headers_are_refused() {
    let head = with(header(&Signer::es256(1), Some("ec-1")), "crit", json!(["b64"]));
    assert_eq!(check(&jws(&head, &claims(), &Signer::es256(1))), Err(E::CriticalHeader));
}

#[test]
fn a_kid_picks_the_registered_key() {
    let ec2 = Signer::es256(2);
    // Signed by ec-2 but naming ec-1: the named key does not verify it.
    assert_eq!(check(&jws(&header(&ec2, Some("ec-1")), &claims(), &ec2)), Err(E::BadSignature));
    assert_eq!(check(&jws(&header(&ec2, Some("ec-9")), &claims(), &ec2)), Err(E::UnknownKeyId));
    // Naming the Ed25519 key in an ES256 assertion.
    assert_eq!(check(&jws(&header(&ec2, Some("ed-1")), &claims(), &ec2)), Err(E::KeyNotForAlgorithm));
    // A key without a kid serves an assertion that names a kid it does not have.
    let rsa = Signer::rs256();
    assert!(check(&jws(&header(&rsa, Some("rsa-2024")), &claims(), &rsa)).is_ok());
}

#[test]
fn without_a_kid_the_one_fitting_key_is_used() {
    let (ec1, ed) = (Signer::es256(1), Signer::eddsa(1));
    assert_eq!(check(&jws(&header(&ec1, None), &claims(), &ec1)), Err(E::AmbiguousKey));
    assert!(check(&jws(&header(&ed, None), &claims(), &ed)).is_ok());
    let one_ec = json!({"keys": [keyed(&ec1, "ec-1"), Signer::rs256().public_jwk()]});
    assert!(check_with(&jws(&header(&ec1, None), &claims(), &ec1), &one_ec).is_ok());
    // Keys for encryption, or for another algorithm, are not candidates.
    let unfit =
        json!({"keys": [with(keyed(&ec1, "a"), "use", json!("enc")), with(keyed(&ec1, "b"), "alg", json!("ES384"))]});
    assert_eq!(check_with(&jws(&header(&ec1, None), &claims(), &ec1), &unfit), Err(E::NoMatchingKey));
}

#[test]
fn registered_keys_must_be_a_jwks_of_public_keys() {
    let assertion = ec1(&claims());
    for broken in [json!([]), json!({"keys": {}}), json!({})] {
        assert_eq!(check_with(&assertion, &broken), Err(E::InvalidJwks), "{broken}");
    }
    let private = json!({"keys": [with(Signer::es256(1).private_jwk(), "kid", json!("ec-1"))]});
    assert_eq!(check_with(&assertion, &private), Err(E::InvalidKey(JwkError::PrivateKey)));
}

#[test]
fn the_signature_must_verify() {
    let stranger = Signer::es256(99);
    assert_eq!(check(&jws(&header(&stranger, Some("ec-1")), &claims(), &stranger)), Err(E::BadSignature));
    // Checked before any claim: a forged assertion with bad claims still reads BadSignature.
    let forged = jws(&header(&stranger, Some("ec-1")), &with(claims(), "iss", json!("other")), &stranger);
    assert_eq!(check(&forged), Err(E::BadSignature));
}

#[test]
fn iss_and_sub_must_be_the_client() {
    assert_eq!(check(&ec1(&with(claims(), "iss", json!("other")))), Err(E::WrongIssuer));
    assert_eq!(check(&ec1(&with(claims(), "sub", json!("other")))), Err(E::WrongSubject));
    let both_other = with(with(claims(), "iss", json!("other")), "sub", json!("other"));
    assert_eq!(check(&ec1(&both_other)), Err(E::WrongIssuer));
}

#[test]
fn aud_must_name_this_server() {
    for aud in [json!(ISSUER), json!(TOKEN_ENDPOINT), json!(["https://elsewhere", TOKEN_ENDPOINT])] {
        assert!(check(&ec1(&with(claims(), "aud", aud.clone()))).is_ok(), "{aud}");
    }
    for aud in [
        json!("https://elsewhere/token"),
        json!([]),
        json!(["https://elsewhere"]),
        json!(""),
        json!(format!("{ISSUER}/")),
    ] {
        assert_eq!(check(&ec1(&with(claims(), "aud", aud.clone()))), Err(E::WrongAudience), "{aud}");
    }
    assert_eq!(check(&ec1(&with(claims(), "aud", json!(5)))), Err(E::Malformed("claims are mistyped")));
}

#[test]
fn required_claims() {
    for name in ["iss", "sub", "aud", "exp", "jti"] {
        assert_eq!(check(&ec1(&without(claims(), name))), Err(E::MissingClaim(name)), "{name}");
    }
    assert_eq!(check(&ec1(&with(claims(), "jti", json!("")))), Err(E::MissingClaim("jti")));
    assert!(check(&ec1(&with(claims(), "jti", json!("j".repeat(MAX_JTI_BYTES))))).is_ok());
    assert_eq!(check(&ec1(&with(claims(), "jti", json!("j".repeat(MAX_JTI_BYTES + 1))))), Err(E::JtiTooLong));
    // iat and nbf are optional.
    assert!(check(&ec1(&without(claims(), "iat"))).is_ok());
}

#[test]
fn exp_must_be_ahead_but_not_too_far() {
    let exp = |exp: i64| check(&ec1(&with(claims(), "exp", json!(exp))));
    assert!(exp(NOW - 60).is_ok(), "within the leeway");
    assert_eq!(exp(NOW - 61), Err(E::Expired));
    assert!(exp(NOW + 3600 + 60).is_ok());
    assert_eq!(exp(NOW + 3600 + 61), Err(E::LifetimeTooLong));
    assert_eq!(exp(i64::MAX), Err(E::LifetimeTooLong));
}

#[test]
fn nbf_and_iat_must_not_be_in_the_future() {
    assert!(check(&ec1(&with(claims(), "nbf", json!(NOW + 60)))).is_ok());
    assert_eq!(check(&ec1(&with(claims(), "nbf", json!(NOW + 61)))), Err(E::NotYetValid));
    assert!(check(&ec1(&with(claims(), "iat", json!(NOW + 60)))).is_ok());
    assert_eq!(check(&ec1(&with(claims(), "iat", json!(NOW + 61)))), Err(E::IssuedInFuture));
}

#[test]
fn malformed_and_oversized_assertions_are_refused() {
    assert_eq!(check("a.b.c.d"), Err(E::Malformed("expected three dot-separated parts")));
    assert_eq!(check(&"a".repeat(9000)), Err(E::TooLarge));
    assert_eq!(check(&ec1(&with(claims(), "exp", json!(1.5)))), Err(E::Malformed("claims are mistyped")));
    assert_eq!(claimed_client_id(&ec1(&without(claims(), "iss"))), Err(E::MissingClaim("iss")));
}
