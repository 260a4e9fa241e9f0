//! The passkey signature vectors (tests/vectors/webauthn-signatures.json) through the
//! development route on the native platform, that is through RustCrypto. The e2e suite
//! sends the same requests to the Worker, where Web Crypto verifies them.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::config::Environment;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const ROUTE: &str = "/authsec/dev/webauthn/signature";

fn vectors() -> Vec<Value> {
    let file: Value = serde_json::from_str(include_str!("../../../vectors/webauthn-signatures.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn development() -> TestPlatform {
    let mut config = config_with(ring());
    config.environment = Environment::Development;
    TestPlatform::with_config(Ok(config))
}

fn request(vector: &Value) -> Value {
    json!({"alg": vector["alg"], "key": vector["key"], "message": vector["message"], "signature": vector["signature"]})
}

#[test]
fn every_vector_gets_its_verdict_through_rustcrypto() {
    let (p, i) = (development(), Isolate::default());
    for vector in vectors() {
        let out = send(&p, &i, post_json(ROUTE, request(&vector))).response;
        assert_eq!(out.status, 200, "{}", vector["name"]);
        let body = out.json_body();
        assert_eq!(body["verdict"], vector["expected"], "{}: {body}", vector["name"]);
    }
}

#[test]
fn the_vectors_cover_each_algorithm_and_verdict() {
    let seen: BTreeSet<(i64, bool, String)> = vectors()
        .iter()
        .map(|v| (v["alg"].as_i64().unwrap(), v["key"]["certificate"].is_string(), v["expected"].to_string()))
        .collect();
    for alg in [-7, -8, -257] {
        for verdict in ["\"valid\"", "\"invalid\"", "\"refused\""] {
            assert!(seen.contains(&(alg, false, verdict.to_string())), "alg {alg} has a {verdict} COSE vector");
        }
    }
    for alg in [-7, -257] {
        for verdict in ["\"valid\"", "\"invalid\""] {
            assert!(seen.contains(&(alg, true, verdict.to_string())), "alg {alg} has a {verdict} certificate vector");
        }
    }
}

#[test]
fn the_signature_route_exists_only_in_development() {
    let vector = vectors().remove(0);
    let (p, i) = (TestPlatform::new(), Isolate::default());
    assert_eq!(send(&p, &i, post_json(ROUTE, request(&vector))).response.status, 404);

    let (p, i) = (development(), Isolate::default());
    let mut missing_key = request(&vector);
    missing_key["key"] = json!({});
    let mut bad_signature = request(&vector);
    bad_signature["signature"] = json!("not base64url!");
    for body in [json!({}), missing_key, bad_signature] {
        assert_eq!(send(&p, &i, post_json(ROUTE, body)).response.status, 400);
    }
}
