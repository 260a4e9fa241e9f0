//! DPoP proof claims (RFC 9449 §4.3 points 3 and 8–12): each proof here is correctly
//! signed, so each refusal comes from the one claim rule the test breaks.

use super::dpop::{check, claims, header, policy, verify, NOW};
use super::support::*;
use crate::b64;
use crate::tokens::dpop::{DpopError, DpopPolicy, MAX_JTI_BYTES};
use serde_json::json;
use sha2::{Digest, Sha256};

#[test]
fn jti_htm_htu_and_iat_are_required() {
    let signer = Signer::es256(20);
    for name in ["jti", "htm", "htu", "iat"] {
        assert_eq!(verify(&signer, &header(&signer), &without(claims(), name)), Err(DpopError::MissingClaim(name)));
    }
    let empty = with(claims(), "jti", json!(""));
    assert_eq!(verify(&signer, &header(&signer), &empty), Err(DpopError::MissingClaim("jti")));
}

#[test]
fn jti_is_bounded() {
    let signer = Signer::es256(21);
    let longest = with(claims(), "jti", json!("j".repeat(MAX_JTI_BYTES)));
    assert!(verify(&signer, &header(&signer), &longest).is_ok());
    let too_long = with(claims(), "jti", json!("j".repeat(MAX_JTI_BYTES + 1)));
    assert_eq!(verify(&signer, &header(&signer), &too_long), Err(DpopError::JtiTooLong));
}

#[test]
fn htm_must_be_the_request_method_exactly() {
    let signer = Signer::es256(22);
    for htm in ["GET", "post", "POST "] {
        let refused = verify(&signer, &header(&signer), &with(claims(), "htm", json!(htm)));
        assert_eq!(refused, Err(DpopError::WrongMethod), "{htm}");
    }
}

#[test]
fn htu_must_name_the_request_uri() {
    let signer = Signer::es256(23);
    for htu in [
        "https://attacker.example.com/token",
        "https://server.example.com/token2",
        "https://server.example.com/",
        "http://server.example.com/token",
        "https://server.example.com:8443/token",
        "https://server.example.com/Token",
        "server.example.com/token",
    ] {
        let refused = verify(&signer, &header(&signer), &with(claims(), "htu", json!(htu)));
        assert_eq!(refused, Err(DpopError::WrongUri), "{htu}");
    }
}

#[test]
fn htu_ignores_query_and_fragment_and_normalises() {
    let signer = Signer::es256(24);
    for htu in [
        "https://server.example.com/token?client=a",
        "https://server.example.com/token#f",
        "HTTPS://Server.Example.COM:443/token",
        "https://server.example.com/a/../token",
        "https://server.example.com/%74oken",
    ] {
        assert!(verify(&signer, &header(&signer), &with(claims(), "htu", json!(htu))).is_ok(), "{htu}");
    }
    // The request's own query is ignored too.
    let proof = jws(&header(&signer), &claims(), &signer);
    let with_query = DpopPolicy { uri: "https://server.example.com/token?x=1#y", ..policy() };
    assert!(check(&proof, &with_query).is_ok());
}

#[test]
fn iat_must_fall_in_the_window() {
    let signer = Signer::es256(25);
    let at = |iat: i64| verify(&signer, &header(&signer), &with(claims(), "iat", json!(iat)));
    assert!(at(NOW - 60).is_ok());
    assert!(at(NOW + 60).is_ok());
    assert_eq!(at(NOW - 61), Err(DpopError::IssuedTooLongAgo));
    assert_eq!(at(NOW + 61), Err(DpopError::IssuedInFuture));
    assert_eq!(at(i64::MIN), Err(DpopError::IssuedTooLongAgo));
    assert_eq!(at(i64::MAX), Err(DpopError::IssuedInFuture));
    // The window is the caller's to set.
    let proof = jws(&header(&signer), &with(claims(), "iat", json!(NOW - 200)), &signer);
    assert!(check(&proof, &DpopPolicy { max_age_secs: 300, ..policy() }).is_ok());
    let proof = jws(&header(&signer), &with(claims(), "iat", json!(NOW + 5)), &signer);
    assert_eq!(check(&proof, &DpopPolicy { max_skew_secs: 0, ..policy() }), Err(DpopError::IssuedInFuture));
}

#[test]
fn ath_must_hash_the_access_token_presented() {
    let signer = Signer::es256(26);
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let ath = b64::encode(&Sha256::digest(token.as_bytes()));
    let at_resource = DpopPolicy { access_token: Some(token), method: "GET", ..policy() };
    let get = with(claims(), "htm", json!("GET"));
    let proof = |claims| jws(&header(&signer), &claims, &signer);
    assert!(check(&proof(with(get.clone(), "ath", json!(ath))), &at_resource).is_ok());
    assert_eq!(check(&proof(get.clone()), &at_resource), Err(DpopError::MissingClaim("ath")));
    let other = b64::encode(&Sha256::digest(b"another token"));
    assert_eq!(
        check(&proof(with(get.clone(), "ath", json!(other))), &at_resource),
        Err(DpopError::WrongAccessTokenHash)
    );
    // Without an access token (the token endpoint), ath is not looked at.
    assert!(verify(&signer, &header(&signer), &with(claims(), "ath", json!("anything"))).is_ok());
}

#[test]
fn nonce_must_be_the_servers_when_it_requires_one() {
    let signer = Signer::es256(27);
    let nonced = DpopPolicy { nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"), ..policy() };
    let proof = |claims| jws(&header(&signer), &claims, &signer);
    assert!(check(&proof(with(claims(), "nonce", json!("eyJ7S_zG.eyJH0-Z.HX4w-7v"))), &nonced).is_ok());
    let missing = check(&proof(claims()), &nonced).unwrap_err();
    assert_eq!(missing, DpopError::NonceRequired);
    let stale = check(&proof(with(claims(), "nonce", json!("an-old-nonce"))), &nonced).unwrap_err();
    assert_eq!(stale, DpopError::WrongNonce);
    assert!(missing.is_nonce_error() && stale.is_nonce_error());
    assert!(!DpopError::WrongUri.is_nonce_error());
    // Without a server nonce, a proof's nonce is not looked at.
    assert!(verify(&signer, &header(&signer), &with(claims(), "nonce", json!("x"))).is_ok());
}
