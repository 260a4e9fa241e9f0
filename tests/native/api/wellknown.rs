//! JWKS and discovery: content, caching in isolate memory and KV, rotation.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::store::{DocumentCache, SigningKeyStore};
use authsec_edge::tokens::keys::KeyRing;

#[test]
fn jwks_publishes_every_configured_public_key_and_nothing_private() {
    let ring = KeyRing::from_keys(vec![key("old", 3), key("new", 4)], 1);
    let (p, i) = (TestPlatform::with_config(Ok(config_with(ring))), Isolate::default());
    let resp = send(&p, &i, get("/.well-known/jwks.json")).response;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("cache-control"), Some("public, max-age=300"));
    let body = resp.json_body();
    let keys = body["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["old", "new"]);
    for k in keys {
        assert_eq!(k["kty"], "EC");
        assert_eq!(k["crv"], "P-256");
        assert_eq!(k["alg"], "ES256");
        assert_eq!(k["use"], "sig");
        assert!(k.get("d").is_none());
    }
}

#[test]
fn discovery_names_the_issuer_and_only_served_endpoints() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let body = send(&p, &i, get("/.well-known/openid-configuration")).response.json_body();
    assert_eq!(body["issuer"], ISSUER);
    assert_eq!(body["jwks_uri"], format!("{ISSUER}/.well-known/jwks.json"));
    for (field, path) in [
        ("authorization_endpoint", "/authsec/oauth/authorize"),
        ("token_endpoint", "/authsec/oauth/token"),
        ("userinfo_endpoint", "/authsec/oauth/userinfo"),
        ("introspection_endpoint", "/authsec/oauth/introspect"),
        ("revocation_endpoint", "/authsec/oauth/revoke"),
        ("end_session_endpoint", "/authsec/oauth/logout"),
        ("pushed_authorization_request_endpoint", "/authsec/oauth/par"),
        ("registration_endpoint", "/authsec/oauth/register"),
        ("device_authorization_endpoint", "/authsec/uflow/auth/device/code"),
    ] {
        assert_eq!(body[field], format!("{ISSUER}{path}"), "{field}");
    }
    // Not served yet, so not advertised.
    for unserved in ["request_object_signing_alg_values_supported", "authorization_details_types_supported"] {
        assert!(body.get(unserved).is_none(), "{unserved} is not served yet");
    }
    assert_eq!(body["id_token_signing_alg_values_supported"], serde_json::json!(["ES256"]));
    assert_eq!(body["dpop_signing_alg_values_supported"], serde_json::json!(["ES256", "EdDSA", "RS256"]));
    assert_eq!(body["token_endpoint_auth_methods_supported"][3], "private_key_jwt");
    assert_eq!(body["code_challenge_methods_supported"], serde_json::json!(["S256"]), "never plain");
    assert_eq!(body["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(body["request_parameter_supported"], false);
    assert_eq!(body["authorization_response_iss_parameter_supported"], true);
    assert_eq!(body["backchannel_token_delivery_modes_supported"], serde_json::json!(["poll"]));
    let grants = body["grant_types_supported"].as_array().unwrap();
    for grant in [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ] {
        assert!(grants.contains(&serde_json::json!(grant)), "{grant}");
    }
    for unserved in ["implicit", "password", "urn:ietf:params:oauth:grant-type:jwt-bearer"] {
        assert!(!grants.contains(&serde_json::json!(unserved)), "only served grants: {unserved}");
    }
    let meta = send(&p, &i, get("/.well-known/oauth-authorization-server")).response.json_body();
    assert_eq!(meta["issuer"], ISSUER);
}

#[test]
fn documents_are_built_once_then_served_from_memory_and_kv() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let first = send(&p, &i, get("/.well-known/jwks.json")).response.body;
    let fingerprint = p.config().keys.fingerprint().to_string();
    let kv_key = format!("doc:jwks:r3:{fingerprint}");
    let stored = block_on(p.cache.get_document(&kv_key)).unwrap();
    assert_eq!(stored.as_deref().map(str::as_bytes), Some(first.as_slice()));
    // A fresh isolate finds the document in KV; make KV's copy recognisable to prove it.
    block_on(p.cache.put_document(&kv_key, "{\"keys\":[],\"from\":\"kv\"}", 60)).unwrap();
    let fresh_isolate = Isolate::default();
    let from_kv = send(&p, &fresh_isolate, get("/.well-known/jwks.json")).response.json_body();
    assert_eq!(from_kv["from"], "kv");
    // The first isolate still serves its memory copy.
    assert_eq!(send(&p, &i, get("/.well-known/jwks.json")).response.body, first);
}

#[test]
fn a_kv_outage_degrades_to_building_the_document() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    p.cache.inject_failures(true);
    let out = send(&p, &i, get("/.well-known/jwks.json"));
    assert_eq!(out.response.status, 200);
    assert_eq!(out.response.json_body()["keys"][0]["kid"], "test-key-1");
    assert!(out.log.unwrap().contains("KV"));
}

#[test]
fn rotation_changes_the_served_jwks_at_once() {
    let p = TestPlatform::new();
    let i = Isolate::default();
    send(&p, &i, get("/.well-known/jwks.json"));
    let rotated = KeyRing::from_keys(vec![key("test-key-1", 7), key("test-key-2", 8)], 1);
    let p2 = TestPlatform::with_config(Ok(config_with(rotated)));
    let body = send(&p2, &i, get("/.well-known/jwks.json")).response.json_body();
    assert_eq!(body["keys"].as_array().unwrap().len(), 2, "same isolate, new fingerprint");
}

#[test]
fn building_the_jwks_records_key_metadata() {
    let ring = KeyRing::from_keys(vec![key("old", 3), key("new", 4)], 1);
    let (p, i) = (TestPlatform::with_config(Ok(config_with(ring))), Isolate::default());
    send(&p, &i, get("/.well-known/jwks.json"));
    let records = block_on(p.store.signing_keys()).unwrap();
    assert_eq!(records.len(), 2);
    let new = records.iter().find(|r| r.kid == "new").unwrap();
    assert_eq!(new.activated_at, Some(NOW));
    assert_eq!(new.first_published_at, NOW);
    let old = records.iter().find(|r| r.kid == "old").unwrap();
    assert_eq!(old.activated_at, None);
    assert!(!old.public_jwk.contains("\"d\""));
}
