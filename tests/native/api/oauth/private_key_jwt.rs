//! `private_key_jwt` client authentication (RFC 7523): a signed assertion from one of
//! the client's registered keys, naming this server, used once (issue 14).

use super::super::grants::device::{call, error_of};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use authsec_edge::tokens::crypto::RustCrypto;
use authsec_edge::tokens::keys::KeyRing;
use serde_json::{json, Value};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn assertion(signer: u8, client_id: &str, aud: &str, jti: &str) -> String {
    let ring = KeyRing::from_keys(vec![key("client-key", signer)], 0);
    let claims = json!({"iss": client_id, "sub": client_id, "aud": aud, "jti": jti, "iat": NOW, "exp": NOW + 60});
    block_on(authsec_edge::tokens::issue::sign_claims(&claims, &ring, &RustCrypto)).unwrap()
}

fn token(p: &TestPlatform, i: &Isolate, client_id: &str, assertion: &str) -> HttpResponse {
    let body = format!(
        "grant_type=client_credentials&client_id={client_id}&client_assertion_type={}&client_assertion={assertion}",
        authsec_edge::http::percent_encode(ASSERTION_TYPE)
    );
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(body.into_bytes());
    send_at(p, i, req, NOW).response
}

/// A client whose only credential is the public half of key seed 7.
fn signer_client(p: &TestPlatform, i: &Isolate) -> String {
    let admin = onboard(p, i, "ada@acme.test", "acme");
    let tenant = admin["tenant_id"].as_str().unwrap();
    let jwk: Value = key("client-key", 7).public.to_jwk();
    let created = call(
        p,
        i,
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        admin["token"].as_str(),
        json!({"name": "signer", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk]},
               "grant_types": ["client_credentials"]}),
        NOW,
    );
    assert_eq!(created.status, 201, "{}", created.json_body());
    created.json_body()["client_id"].as_str().unwrap().to_string()
}

#[test]
fn a_signed_assertion_authenticates_the_client_once() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let id = signer_client(&p, &i);
    let good = assertion(7, &id, ISSUER, "jti-1");
    let first = token(&p, &i, &id, &good);
    assert_eq!(first.status, 200, "{}", first.json_body());
    assert_eq!(error_of(&token(&p, &i, &id, &good)), (401, "invalid_client".into()), "a replayed assertion");
    let endpoint = format!("{ISSUER}/authsec/oauth/token");
    assert_eq!(token(&p, &i, &id, &assertion(7, &id, &endpoint, "jti-2")).status, 200, "the endpoint URL as aud");
}

#[test]
fn another_key_another_audience_or_no_assertion_is_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let id = signer_client(&p, &i);
    let cases = [
        (assertion(8, &id, ISSUER, "jti-a"), "signed by a key the client did not register"),
        (assertion(7, &id, "https://elsewhere.example", "jti-b"), "another audience"),
        (assertion(7, "someone-else", ISSUER, "jti-c"), "iss and sub name another client"),
        ("not-a-jwt".to_string(), "malformed"),
    ];
    for (presented, why) in cases {
        assert_eq!(error_of(&token(&p, &i, &id, &presented)), (401, "invalid_client".into()), "{why}");
    }
    let bare = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(format!("grant_type=client_credentials&client_id={id}&client_secret=guess").into_bytes());
    assert_eq!(
        error_of(&send_at(&p, &i, bare, NOW).response),
        (401, "invalid_client".into()),
        "a secret is no assertion"
    );
}
