//! The OAuth metadata of clients (issue 14): private_key_jwt keys, PAR and DPoP
//! requirements, and the introspection capability only an admin grants.

use super::{admin, base, call};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, Method};
use serde_json::json;

/// A public P-256 JWK (the curve's generator point: valid, and nobody's secret).
fn jwk(kid: &str) -> serde_json::Value {
    json!({"kty": "EC", "crv": "P-256", "kid": kid,
           "x": "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY", "y": "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU"})
}

#[test]
fn private_key_jwt_clients_register_public_p256_keys_and_get_no_secret() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let create = |body| call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(body));
    let made = create(
        json!({"name": "signer", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk("k1")]},
                              "require_pushed_authorization_requests": true, "dpop_bound_access_tokens": true}),
    );
    assert_eq!(made.status, 201, "{}", made.json_body());
    let body = made.json_body();
    assert_eq!(body.get("client_secret"), None, "no secret for private_key_jwt");
    assert_eq!(body["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(body["jwks"]["keys"][0]["kid"], "k1");
    assert_eq!(
        (body["require_pushed_authorization_requests"].clone(), body["dpop_bound_access_tokens"].clone()),
        (json!(true), json!(true))
    );
    let mut private = jwk("k2");
    private["d"] = json!("private-part");
    for (jwks, why) in [
        (json!({"keys": [private]}), "a private key"),
        (json!({"keys": [{"kty": "RSA", "kid": "r", "n": "x", "e": "AQAB"}]}), "not P-256"),
        (json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "bad", "x": "AAAA", "y": "AAAA"}]}), "not a point"),
        (json!({"keys": []}), "empty"),
        (json!([jwk("k3")]), "not a JWKS"),
    ] {
        let refused = create(json!({"name": "x", "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}));
        assert_eq!((refused.status, refused.json_body()["field"].as_str()), (400, Some("jwks")), "{why}");
    }
    // Without a valid assertion the client is not authenticated by its id alone.
    let form = format!("grant_type=client_credentials&client_id={}", body["client_id"].as_str().unwrap());
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(form.into_bytes());
    let token = send_at(&p, &i, req, NOW).response;
    assert_eq!((token.status, token.json_body()["error"].as_str()), (401, Some("invalid_client")));
}

#[test]
fn only_an_admin_lets_a_client_introspect_every_token() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let made = call(
        &p,
        &i,
        Method::Post,
        &format!("{}/create", base(&a.tenant)),
        &a.token,
        Some(json!({"name": "gateway", "client_type": "confidential", "introspection": true})),
    );
    assert_eq!(made.status, 201, "{}", made.json_body());
    assert_eq!(made.json_body()["introspection"], true);
    let path = format!("{}/{}", base(&a.tenant), made.json_body()["client_id"].as_str().unwrap());
    let off = call(&p, &i, Method::Patch, &path, &a.token, Some(json!({"introspection": false})));
    assert_eq!(off.json_body()["introspection"], false);
    let wrong = call(&p, &i, Method::Patch, &path, &a.token, Some(json!({"introspection": "yes"})));
    assert_eq!(wrong.status, 400);
}
