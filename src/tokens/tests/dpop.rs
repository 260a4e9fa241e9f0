//! DPoP proofs (RFC 9449 §4.3): the RFC's own example, proofs in all three algorithms,
//! and one refusal per header, key and signature rule.

use super::support::*;
use crate::b64;
use crate::tokens::dpop::{verify_dpop_proof, DpopError, DpopPolicy, VerifiedDpopProof};
use crate::tokens::public_jwk::{JwkError, JwsAlg};
use serde_json::{json, Value};

pub const NOW: i64 = 1_700_000_000;
pub const URI: &str = "https://server.example.com/token";

pub fn policy() -> DpopPolicy<'static> {
    DpopPolicy::new("POST", URI, NOW)
}

pub fn header(signer: &Signer) -> Value {
    json!({"typ": "dpop+jwt", "alg": signer.alg(), "jwk": signer.public_jwk()})
}

pub fn claims() -> Value {
    json!({"jti": "-BwC3ESc6acc2lTc", "htm": "POST", "htu": URI, "iat": NOW})
}

pub fn check(proof: &str, policy: &DpopPolicy<'_>) -> Result<VerifiedDpopProof, DpopError> {
    block_on(verify_dpop_proof(proof, policy, &VERIFIER))
}

/// A proof signed by `signer` with `header` and `claims`, checked against [`policy`].
pub fn verify(signer: &Signer, header: &Value, claims: &Value) -> Result<VerifiedDpopProof, DpopError> {
    check(&jws(header, claims, signer), &policy())
}

#[test]
fn rfc9449_example_proof_verifies() {
    // RFC 9449 §4.1 (Figure 3), verbatim; its key's thumbprint is §6.1's `cnf.jkt`.
    let proof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgt\
        MzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFq\
        SG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIj\
        oiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-G\
        xA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
    let at_the_time = DpopPolicy::new("POST", URI, 1_562_262_616);
    let verified = check(proof, &at_the_time).unwrap();
    assert_eq!(verified.jkt(), "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    assert_eq!(verified.jti(), "-BwC3ESc6acc2lTc");
    assert_eq!(verified.iat(), 1_562_262_616);
    // The same proof a day later is stale, and one changed byte breaks the signature.
    assert_eq!(check(proof, &policy()), Err(DpopError::IssuedTooLongAgo));
    let tampered = proof.replace("eyJqdGkiOiItQndDM0VT", "eyJqdGkiOiItQndDM0VU");
    assert_eq!(check(&tampered, &at_the_time), Err(DpopError::BadSignature));
}

#[test]
fn proofs_verify_in_every_algorithm() {
    for signer in [Signer::es256(1), Signer::eddsa(1), Signer::rs256()] {
        let verified = verify(&signer, &header(&signer), &claims()).unwrap_or_else(|e| panic!("{}: {e}", signer.alg()));
        let jkt = crate::tokens::dpop::jwk_thumbprint(&signer.public_jwk()).unwrap();
        assert_eq!((verified.jkt(), verified.jti(), verified.iat()), (jkt.as_str(), "-BwC3ESc6acc2lTc", NOW));
    }
}

#[test]
fn typ_must_be_dpop_jwt() {
    let signer = Signer::es256(2);
    for typ in ["dpop+jwt", "DPoP+JWT", "application/dpop+jwt"] {
        assert!(verify(&signer, &with(header(&signer), "typ", json!(typ)), &claims()).is_ok(), "{typ}");
    }
    for typ in [json!("JWT"), json!("at+jwt"), json!("dpop"), json!(1)] {
        let refused = verify(&signer, &with(header(&signer), "typ", typ.clone()), &claims());
        let expected = if typ.is_string() {
            DpopError::WrongType
        } else {
            DpopError::Malformed("header is not a JSON object with alg")
        };
        assert_eq!(refused, Err(expected), "{typ}");
    }
    assert_eq!(verify(&signer, &without(header(&signer), "typ"), &claims()), Err(DpopError::WrongType));
}

#[test]
fn alg_none_is_refused() {
    let signer = Signer::es256(3);
    let proof = unsigned(&with(header(&signer), "alg", json!("none")), &claims());
    assert_eq!(check(&proof, &policy()), Err(DpopError::UnsupportedAlgorithm));
}

#[test]
fn hmac_is_refused_even_keyed_with_the_public_key() {
    let signer = Signer::es256(4);
    let head = with(header(&signer), "alg", json!("HS256"));
    let secret = signer.public_jwk()["x"].as_str().unwrap().as_bytes().to_vec();
    assert_eq!(check(&hs256(&head, &claims(), &secret), &policy()), Err(DpopError::UnsupportedAlgorithm));
}

#[test]
fn alg_names_are_exact_and_limited_to_the_policy() {
    let signer = Signer::es256(5);
    for alg in ["es256", "ES384", "PS256", "ES256 "] {
        let refused = verify(&signer, &with(header(&signer), "alg", json!(alg)), &claims());
        assert_eq!(refused, Err(DpopError::UnsupportedAlgorithm), "{alg}");
    }
    let eddsa = Signer::eddsa(5);
    let only_es256 = DpopPolicy { algorithms: &[JwsAlg::Es256], ..policy() };
    assert!(check(&jws(&header(&signer), &claims(), &signer), &only_es256).is_ok());
    let refused = check(&jws(&header(&eddsa), &claims(), &eddsa), &only_es256);
    assert_eq!(refused, Err(DpopError::UnsupportedAlgorithm));
}

#[test]
fn critical_headers_are_refused() {
    let signer = Signer::es256(6);
    let head = with(with(header(&signer), "crit", json!(["exp"])), "exp", json!(NOW));
    assert_eq!(verify(&signer, &head, &claims()), Err(DpopError::CriticalHeader));
}

#[test]
fn the_header_must_carry_a_public_key() {
    let signer = Signer::es256(7);
    assert_eq!(verify(&signer, &without(header(&signer), "jwk"), &claims()), Err(DpopError::MissingKey));
    for private in [Signer::es256(7), Signer::eddsa(7), Signer::rs256()] {
        // Correctly signed: only the private members in the header are wrong.
        let head = with(header(&private), "jwk", private.private_jwk());
        assert_eq!(verify(&private, &head, &claims()), Err(DpopError::InvalidKey(JwkError::PrivateKey)));
    }
    let symmetric = with(header(&signer), "jwk", json!({"kty": "oct", "k": "c2VjcmV0"}));
    assert_eq!(verify(&signer, &symmetric, &claims()), Err(DpopError::InvalidKey(JwkError::PrivateKey)));
}

#[test]
fn the_key_must_fit_the_algorithm() {
    let (ec, ed) = (Signer::es256(8), Signer::eddsa(8));
    // An Ed25519 key under alg ES256, signed by the Ed25519 key.
    let head = with(header(&ed), "alg", json!("ES256"));
    assert_eq!(verify(&ed, &head, &claims()), Err(DpopError::InvalidKey(JwkError::WrongAlgorithm)));
    // A key that states its own alg or use otherwise.
    let jwk = with(ec.public_jwk(), "alg", json!("ES384"));
    assert_eq!(
        verify(&ec, &with(header(&ec), "jwk", jwk), &claims()),
        Err(DpopError::InvalidKey(JwkError::WrongAlgorithm))
    );
    let jwk = with(ec.public_jwk(), "use", json!("enc"));
    assert_eq!(
        verify(&ec, &with(header(&ec), "jwk", jwk), &claims()),
        Err(DpopError::InvalidKey(JwkError::WrongAlgorithm))
    );
    // A point off the curve.
    let jwk = with(ec.public_jwk(), "y", ec.public_jwk()["x"].clone());
    assert_eq!(
        verify(&ec, &with(header(&ec), "jwk", jwk), &claims()),
        Err(DpopError::InvalidKey(JwkError::InvalidKey))
    );
}

#[test]
fn the_signature_must_be_the_header_keys() {
    for (holder, thief) in [(Signer::es256(9), Signer::es256(10)), (Signer::eddsa(9), Signer::eddsa(10))] {
        // Signed by another key than the one the header presents.
        assert_eq!(verify(&thief, &header(&holder), &claims()), Err(DpopError::BadSignature));
    }
    let signer = Signer::es256(9);
    let proof = jws(&header(&signer), &claims(), &signer);
    let (input, _) = proof.rsplit_once('.').unwrap();
    assert_eq!(check(&format!("{input}.AAAA"), &policy()), Err(DpopError::BadSignature));
    // The signature is checked before any claim: a forged proof learns nothing more.
    let forged = jws(&header(&signer), &with(claims(), "htm", json!("GET")), &Signer::es256(10));
    assert_eq!(check(&forged, &policy()), Err(DpopError::BadSignature));
}

#[test]
fn duplicate_members_are_refused() {
    // Two `jwk`s: a parser that kept the other one would check another key than we do.
    let (signer, other) = (Signer::es256(12), Signer::es256(13));
    let head =
        format!(r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{},"jwk":{}}}"#, signer.public_jwk(), other.public_jwk());
    let input = format!("{}.{}", b64::encode(head.as_bytes()), b64::encode(claims().to_string().as_bytes()));
    let proof = format!("{input}.{}", b64::encode(&signer.sign(input.as_bytes())));
    assert_eq!(check(&proof, &policy()), Err(DpopError::Malformed("header members are mistyped")));
    let body = r#"{"jti":"a","htm":"GET","htm":"POST","htu":"https://server.example.com/token","iat":1700000000}"#;
    let input = format!("{}.{}", b64::encode(header(&signer).to_string().as_bytes()), b64::encode(body.as_bytes()));
    let proof = format!("{input}.{}", b64::encode(&signer.sign(input.as_bytes())));
    assert_eq!(check(&proof, &policy()), Err(DpopError::Malformed("claims are mistyped")));
}

#[test]
fn malformed_and_oversized_proofs_are_refused() {
    assert_eq!(check("a.b", &policy()), Err(DpopError::Malformed("expected three dot-separated parts")));
    assert_eq!(check(&"a".repeat(9000), &policy()), Err(DpopError::TooLarge));
    let signer = Signer::es256(11);
    let refused = verify(&signer, &header(&signer), &with(claims(), "iat", json!("1700000000")));
    assert_eq!(refused, Err(DpopError::Malformed("claims are mistyped")));
}
