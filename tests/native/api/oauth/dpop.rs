//! DPoP (RFC 9449) at the token endpoint and at this service's own routes: server
//! nonces, replay, `htu`, the binding of issued tokens, and bound tokens refused as
//! Bearer or with another key's proof (issue 14).

use super::super::grants::device::call;
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::b64;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use authsec_edge::tokens::crypto::{Es256, RustCrypto};
use authsec_edge::tokens::dpop::jwk_thumbprint;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A DPoP proof by key `seed` for `method` `uri`.
fn proof(seed: u8, method: &str, uri: &str, jti: &str, nonce: Option<&str>, token: Option<&str>) -> String {
    let signer = key("dpop", seed);
    let mut jwk = signer.public.to_jwk();
    for private_or_extra in ["kid", "alg", "use"] {
        jwk.as_object_mut().unwrap().remove(private_or_extra);
    }
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
    let mut claims = json!({"jti": jti, "htm": method, "htu": uri, "iat": NOW});
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(token) = token {
        claims["ath"] = json!(b64::encode(&Sha256::digest(token.as_bytes())));
    }
    let input =
        format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()));
    let signature = block_on(RustCrypto.sign(&signer, input.as_bytes())).unwrap();
    format!("{input}.{}", b64::encode(&signature))
}

fn thumbprint(seed: u8) -> String {
    jwk_thumbprint(&key("dpop", seed).public.to_jwk()).unwrap()
}

fn token_request(p: &TestPlatform, i: &Isolate, id: &str, secret: &str, dpop: Option<&str>) -> HttpResponse {
    let basic = Base64::encode_string(format!("{id}:{secret}").as_bytes());
    let mut req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("authorization", &format!("Basic {basic}"))
        .with_body(b"grant_type=client_credentials".to_vec());
    if let Some(dpop) = dpop {
        req = req.with_header("dpop", dpop);
    }
    send_at(p, i, req, NOW).response
}

fn client(p: &TestPlatform, i: &Isolate, extra: Value) -> (String, String) {
    let admin = onboard(p, i, "ada@acme.test", "acme");
    let tenant = admin["tenant_id"].as_str().unwrap();
    let mut body = json!({"name": "bound", "client_type": "confidential", "grant_types": ["client_credentials"]});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let made =
        call(p, i, &format!("/authsec/clientms/tenants/{tenant}/clients/create"), admin["token"].as_str(), body, NOW);
    assert_eq!(made.status, 201, "{}", made.json_body());
    let made = made.json_body();
    (made["client_id"].as_str().unwrap().into(), made["client_secret"].as_str().unwrap().into())
}

/// Asks with a proof without a nonce, learns the nonce, asks again: the bound token.
fn bound_token(p: &TestPlatform, i: &Isolate, id: &str, secret: &str, seed: u8) -> String {
    let endpoint = format!("{ISSUER}/authsec/oauth/token");
    let first = token_request(p, i, id, secret, Some(&proof(seed, "POST", &endpoint, "j-first", None, None)));
    assert_eq!((first.status, first.json_body()["error"].clone()), (400, json!("use_dpop_nonce")));
    let nonce = first.header("dpop-nonce").expect("a fresh nonce").to_string();
    let granted =
        token_request(p, i, id, secret, Some(&proof(seed, "POST", &endpoint, "j-second", Some(&nonce), None)));
    assert_eq!(granted.status, 200, "{}", granted.json_body());
    assert_eq!(granted.json_body()["token_type"], "DPoP");
    granted.json_body()["access_token"].as_str().unwrap().to_string()
}

#[test]
fn the_token_endpoint_wants_a_nonce_once_and_binds_the_token_to_the_key() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (id, secret) = client(&p, &i, json!({}));
    let token = bound_token(&p, &i, &id, &secret, 5);
    let claims: Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["cnf"]["jkt"], thumbprint(5));
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token}), NOW).json_body();
    assert_eq!(verified["cnf"]["jkt"], thumbprint(5), "verification reports the binding");
    // Unbound requests still work for clients that do not require DPoP.
    assert_eq!(token_request(&p, &i, &id, &secret, None).json_body()["token_type"], "Bearer");
}

#[test]
fn replayed_proofs_proofs_for_another_uri_and_missing_proofs_are_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (id, secret) = client(&p, &i, json!({"dpop_bound_access_tokens": true}));
    let endpoint = format!("{ISSUER}/authsec/oauth/token");
    let nonce = token_request(&p, &i, &id, &secret, Some(&proof(5, "POST", &endpoint, "n", None, None)))
        .header("dpop-nonce")
        .unwrap()
        .to_string();
    let good = proof(5, "POST", &endpoint, "once", Some(&nonce), None);
    assert_eq!(token_request(&p, &i, &id, &secret, Some(&good)).status, 200);
    let replay = token_request(&p, &i, &id, &secret, Some(&good));
    assert_eq!((replay.status, replay.json_body()["error"].clone()), (400, json!("invalid_dpop_proof")), "replayed");
    let elsewhere = proof(5, "POST", "https://elsewhere.example/token", "other-uri", Some(&nonce), None);
    assert_eq!(token_request(&p, &i, &id, &secret, Some(&elsewhere)).json_body()["error"], "invalid_dpop_proof");
    let wrong_method = proof(5, "GET", &endpoint, "other-method", Some(&nonce), None);
    assert_eq!(token_request(&p, &i, &id, &secret, Some(&wrong_method)).json_body()["error"], "invalid_dpop_proof");
    let missing = token_request(&p, &i, &id, &secret, None);
    assert_eq!(missing.json_body()["error"], "invalid_dpop_proof", "this client must bind its tokens");
}

#[test]
fn a_bound_token_needs_a_proof_by_its_key_at_this_services_routes() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (id, secret) = client(&p, &i, json!({}));
    let token = bound_token(&p, &i, &id, &secret, 5);
    let path = "/authsec/authmgr/user/check/permission?resource=documents&action=read";
    let uri = format!("{ISSUER}/authsec/authmgr/user/check/permission");
    let ask = |authorization: String, dpop: Option<String>| {
        let mut req = HttpRequest::new(Method::Get, path).with_header("authorization", &authorization);
        if let Some(dpop) = dpop {
            req = req.with_header("dpop", &dpop);
        }
        send_at(&p, &i, req, NOW).response
    };
    let as_bearer = ask(format!("Bearer {token}"), None);
    assert_eq!(as_bearer.status, 401, "a bound token is no bearer token");
    assert!(as_bearer.header("www-authenticate").unwrap().starts_with("DPoP"));
    let with_proof = ask(format!("DPoP {token}"), Some(proof(5, "GET", &uri, "use-1", None, Some(&token))));
    assert_eq!(with_proof.status, 200, "{}", with_proof.json_body());
    let other_key = ask(format!("DPoP {token}"), Some(proof(6, "GET", &uri, "use-2", None, Some(&token))));
    assert_eq!((other_key.status, other_key.json_body()["error"].clone()), (401, json!("invalid_dpop_proof")));
    let no_ath = ask(format!("DPoP {token}"), Some(proof(5, "GET", &uri, "use-3", None, None)));
    assert_eq!(no_ath.status, 401, "the proof must hash this token");
}
