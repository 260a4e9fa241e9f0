//! Token verification rules (api.md "Tokens"; RFC 7515, RFC 7519, RFC 8725).

use crate::support::*;
use authsec_edge::b64;
use authsec_edge::tokens::crypto::{Es256, RustCrypto};
use authsec_edge::tokens::jwt::{UntrustedToken, MAX_TOKEN_BYTES};
use authsec_edge::tokens::keys::{KeyRing, PublicKey};
use authsec_edge::tokens::verify::{verify_access_token, VerifyPolicy, LEEWAY_SECS};
use authsec_edge::tokens::TokenError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn policy(now: i64) -> VerifyPolicy<'static> {
    VerifyPolicy { issuer: ISSUER, audience: "authsec-api", now, leeway_secs: LEEWAY_SECS }
}

fn verify(token: &str) -> Result<(), TokenError> {
    verify_at(token, NOW)
}

fn verify_at(token: &str, now: i64) -> Result<(), TokenError> {
    block_on(verify_access_token(token, &ring(), &RustCrypto, &policy(now))).map(|_| ())
}

/// Re-encodes a token with a new header and/or payload, keeping the old signature.
fn splice(token: &str, header: Option<&str>, payload: Option<&str>) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        header.map(|h| b64::encode(h.as_bytes())).unwrap_or(parts[0].into()),
        payload.map(|p| b64::encode(p.as_bytes())).unwrap_or(parts[1].into()),
        parts[2]
    )
}

#[test]
fn rfc7515_a3_es256_example_verifies() {
    // RFC 7515 Appendix A.3: the key and the complete JWS, verbatim.
    let key = PublicKey::from_coordinates(
        "rfc7515-a3",
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    )
    .unwrap();
    let jws = "eyJhbGciOiJFUzI1NiJ9\
        .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
        .DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    let token = UntrustedToken::parse(jws).unwrap();
    assert_eq!(token.header().alg, "ES256");
    let ok = block_on(RustCrypto.verify(&key, token.signing_input().as_bytes(), token.signature()));
    assert_eq!(ok, Ok(true));
    // The same JWS with one payload byte changed must fail.
    let tampered = jws.replace("eyJpc3MiOiJqb2Ui", "eyJpc3MiOiJqb2Yi");
    let token = UntrustedToken::parse(&tampered).unwrap();
    let ok = block_on(RustCrypto.verify(&key, token.signing_input().as_bytes(), token.signature()));
    assert_eq!(ok, Ok(false));
    // And the RFC's token is not an access token of ours: it has no kid.
    let keys = KeyRing::parse(
        r#"[{"kid":"rfc7515-a3","kty":"EC","crv":"P-256","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]"#,
        None,
    )
    .unwrap();
    let result = block_on(verify_access_token(jws, &keys, &RustCrypto, &policy(NOW)));
    assert_eq!(result.unwrap_err(), TokenError::MissingKeyId);
}

#[test]
fn rfc7515_a3_private_key_derives_the_published_public_key() {
    let keys = KeyRing::parse(
        r#"[{"kid":"a3","kty":"EC","crv":"P-256","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
             "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]"#,
        None,
    );
    assert!(keys.is_ok(), "{keys:?}");
}

#[test]
fn a_signed_token_verifies_and_yields_its_claims() {
    let claims = claims(NOW);
    let token = sign(&claims, &ring());
    let verified = block_on(verify_access_token(&token, &ring(), &RustCrypto, &policy(NOW))).unwrap();
    assert_eq!(*verified.claims(), claims);
    assert_eq!(verified.kid(), "test-key-1");
}

#[test]
fn alg_none_is_refused_in_every_capitalisation() {
    let token = sign(&claims(NOW), &ring());
    let payload = serde_json::to_string(&claims(NOW)).unwrap();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"test-key-1"}}"#);
        let unsigned = format!("{}.{}.", b64::encode(header.as_bytes()), b64::encode(payload.as_bytes()));
        assert_eq!(verify(&unsigned), Err(TokenError::UnsupportedAlgorithm), "{alg}");
        let spliced = splice(&token, Some(&header), None);
        assert_eq!(verify(&spliced), Err(TokenError::UnsupportedAlgorithm), "{alg}");
    }
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    // The classic confusion attack: HMAC keyed with the public key the verifier knows.
    let public = ring().public_key("test-key-1").unwrap().to_jwk().to_string();
    let header = r#"{"alg":"HS256","typ":"JWT","kid":"test-key-1"}"#;
    let payload = serde_json::to_string(&claims(NOW)).unwrap();
    let input = format!("{}.{}", b64::encode(header.as_bytes()), b64::encode(payload.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(public.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let forged = format!("{input}.{}", b64::encode(&mac.finalize().into_bytes()));
    assert_eq!(verify(&forged), Err(TokenError::UnsupportedAlgorithm));
}

#[test]
fn other_algorithm_names_are_refused() {
    let token = sign(&claims(NOW), &ring());
    for alg in ["es256", "ES384", "ES512", "RS256", "PS256", "EdDSA", "ES256 ", ""] {
        let header = format!(r#"{{"alg":"{alg}","kid":"test-key-1"}}"#);
        assert_eq!(verify(&splice(&token, Some(&header), None)), Err(TokenError::UnsupportedAlgorithm), "{alg:?}");
    }
}

#[test]
fn unknown_or_missing_kid_is_refused() {
    let other = KeyRing::from_keys(vec![key("someone-else", 9)], 0);
    let token = sign(&claims(NOW), &other);
    assert_eq!(verify(&token), Err(TokenError::UnknownKeyId));
    let token = sign(&claims(NOW), &ring());
    let no_kid = splice(&token, Some(r#"{"alg":"ES256"}"#), None);
    assert_eq!(verify(&no_kid), Err(TokenError::MissingKeyId));
}

#[test]
fn a_known_kid_with_another_keys_signature_is_refused() {
    let impostor = KeyRing::from_keys(vec![key("test-key-1", 9)], 0);
    let token = sign(&claims(NOW), &impostor);
    assert_eq!(verify(&token), Err(TokenError::BadSignature));
}

#[test]
fn tampered_payload_or_signature_is_refused() {
    let token = sign(&claims(NOW), &ring());
    let mut escalated = claims(NOW);
    escalated.roles.push("platform-admin".into());
    let payload = serde_json::to_string(&escalated).unwrap();
    assert_eq!(verify(&splice(&token, None, Some(&payload))), Err(TokenError::BadSignature));
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = b64::decode(signature).unwrap();
    bytes[10] ^= 0x01;
    let tampered = format!("{input}.{}", b64::encode(&bytes));
    assert_eq!(verify(&tampered), Err(TokenError::BadSignature));
}

#[test]
fn wrong_issuer_or_audience_is_refused() {
    let mut c = claims(NOW);
    c.iss = "https://evil.example.test".into();
    assert_eq!(verify(&sign(&c, &ring())), Err(TokenError::WrongIssuer));
    let mut c = claims(NOW);
    c.aud = authsec_edge::tokens::claims::Audience::One("another-api".into());
    assert_eq!(verify(&sign(&c, &ring())), Err(TokenError::WrongAudience));
    let mut c = claims(NOW);
    c.aud = authsec_edge::tokens::claims::Audience::Many(vec!["x".into(), "authsec-api".into()]);
    assert_eq!(verify(&sign(&c, &ring())), Ok(()));
}

#[test]
fn expiry_and_not_before_honour_a_60_second_leeway() {
    let token = sign(&claims(NOW), &ring());
    let exp = NOW + 900;
    assert_eq!(verify_at(&token, exp + 60), Ok(()));
    assert_eq!(verify_at(&token, exp + 61), Err(TokenError::Expired));
    let mut c = claims(NOW);
    c.nbf = NOW + 61;
    assert_eq!(verify(&sign(&c, &ring())), Err(TokenError::NotYetValid));
    c.nbf = NOW + 60;
    assert_eq!(verify(&sign(&c, &ring())), Ok(()));
}

#[test]
fn malformed_tokens_are_refused_without_panicking() {
    let token = sign(&claims(NOW), &ring());
    let (h, rest) = token.split_once('.').unwrap();
    let cases = [
        String::new(),
        "a.b".into(),
        "a.b.c.d".into(),
        format!("{token}.extra"),
        format!("{h}!.{rest}"),
        format!("{}.{rest}", b64::encode(b"not json")),
        format!("{}.{rest}", b64::encode(b"[\"ES256\"]")),
        format!("{}.{rest}", b64::encode(br#"{"kid":"test-key-1"}"#)),
        splice(&token, None, Some("not json")),
        splice(&token, None, Some(r#"{"iss":"x"}"#)),
        token.replace('.', ".="),
        "\u{0}\u{0}.\u{0}.\u{0}".into(),
    ];
    for case in cases {
        let result = verify(&case);
        assert!(
            matches!(result, Err(TokenError::Malformed(_)) | Err(TokenError::BadSignature)),
            "{case:?} -> {result:?}"
        );
    }
}

#[test]
fn claims_are_only_parsed_after_the_signature_verified() {
    // Garbage claims under a bad signature report the signature, not the claims.
    let token = sign(&claims(NOW), &ring());
    assert_eq!(verify(&splice(&token, None, Some("{}"))), Err(TokenError::BadSignature));
}

#[test]
fn crit_headers_are_refused() {
    let mut c = claims(NOW);
    c.jti = "crit".into();
    let token = sign(&c, &ring());
    let spliced = splice(&token, Some(r#"{"alg":"ES256","kid":"test-key-1","crit":["exp"]}"#), None);
    assert!(matches!(verify(&spliced), Err(TokenError::Malformed(_))));
}

#[test]
fn oversized_tokens_are_refused_before_decoding() {
    let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
    assert_eq!(verify(&huge), Err(TokenError::TooLarge));
    let mut c = claims(NOW);
    c.groups = (0..700).map(|i| format!("group-{i:04}")).collect();
    assert_eq!(verify(&sign(&c, &ring())), Err(TokenError::TooLarge));
}

#[test]
fn signing_is_deterministic_and_uses_the_active_kid() {
    let two = KeyRing::from_keys(vec![key("old", 3), key("new", 4)], 1);
    let token = sign(&claims(NOW), &two);
    let parsed = UntrustedToken::parse(&token).unwrap();
    assert_eq!(parsed.header().kid.as_deref(), Some("new"));
    assert_eq!(token, sign(&claims(NOW), &two), "RFC 6979 signatures are deterministic");
    // A token of the previous key still verifies while the key is published.
    let old_only = KeyRing::from_keys(vec![key("old", 3)], 0);
    let old_token = sign(&claims(NOW), &old_only);
    let result = block_on(verify_access_token(&old_token, &two, &RustCrypto, &policy(NOW)));
    assert!(result.is_ok());
}
