//! The error model of api.md "Conventions", driven through `api::handle`.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::config::ConfigError;
use authsec_edge::http::{HttpRequest, Method, MAX_BODY_BYTES};

#[test]
fn unknown_routes_are_404_json() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    for path in ["/", "/nope", "/authsec", "/authsec/authmgr/token/mint", "/.well-known/nope"] {
        let out = send(&p, &i, get(path));
        assert_eq!(out.response.status, 404, "{path}");
        assert_eq!(out.response.json_body()["error"], "not_found");
        assert_eq!(out.route, "not_found");
    }
}

#[test]
fn wrong_methods_are_405_with_allow() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let out = send(&p, &i, HttpRequest::new(Method::Delete, "/.well-known/jwks.json"));
    assert_eq!(out.response.status, 405);
    assert_eq!(out.response.header("allow"), Some("GET"));
    let out = send(&p, &i, get("/authsec/authmgr/token/verify"));
    assert_eq!(out.response.header("allow"), Some("POST"));
}

#[test]
fn routes_of_capabilities_not_yet_served_are_501() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    for path in [
        "/authsec/uflow/auth/enduser/webauthn-callback",
        "/authsec/hmgr/clients",
        "/authsec/uflow/scim/v2/ServiceProviderConfig",
        "/authsec/spire/registry/workloads",
    ] {
        let out = send(&p, &i, post_json(path, serde_json::json!({})));
        assert_eq!(out.response.status, 501, "{path}");
        assert_eq!(out.response.json_body()["error"], "not_implemented");
    }
}

#[test]
fn oversized_bodies_are_413_whether_declared_or_not() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    let out = send(&p, &i, post_json("/authsec/authmgr/token/verify", serde_json::json!({})).with_body(big));
    assert_eq!(out.response.status, 413);
    let declared = post_json("/authsec/authmgr/token/verify", serde_json::json!({}))
        .with_header("content-length", &(MAX_BODY_BYTES + 1).to_string());
    assert_eq!(send(&p, &i, declared).response.status, 413);
}

#[test]
fn malformed_bodies_are_400_naming_the_problem() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let verify = |body: &str| {
        let req = HttpRequest::new(Method::Post, "/authsec/authmgr/token/verify")
            .with_header("content-type", "application/json")
            .with_body(body.as_bytes().to_vec());
        send(&p, &i, req).response
    };
    for (body, field) in [
        ("{", None),
        ("[1,2]", None),
        ("\"token\"", None),
        ("{\"token\": 42}", Some("token")),
        ("{\"token\": null}", Some("token")),
        ("{\"token\": \"\"}", Some("token")),
        ("{}", Some("token")),
        ("", Some("token")),
        ("{\"token\": [\"a\"]}", Some("token")),
    ] {
        let resp = verify(body);
        assert_eq!(resp.status, 400, "{body}");
        assert_eq!(resp.json_body()["error"], "invalid_request");
        if let Some(field) = field {
            assert_eq!(resp.json_body()["field"], field, "{body}");
        }
    }
    let not_utf8 = verify("\u{FFFD}");
    assert_eq!(not_utf8.status, 400);
}

#[test]
fn non_json_content_types_are_415() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let req = HttpRequest::new(Method::Post, "/authsec/authmgr/token/verify")
        .with_header("content-type", "text/plain")
        .with_body(b"{\"token\":\"x\"}".to_vec());
    assert_eq!(send(&p, &i, req).response.status, 415);
}

#[test]
fn missing_configuration_is_500_naming_the_variable() {
    let error = ConfigError { variable: "SIGNING_KEYS", problem: "missing (set it as a secret)".into() };
    let (p, i) = (TestPlatform::with_config(Err(error)), Isolate::default());
    let out = send(&p, &i, get("/.well-known/jwks.json"));
    assert_eq!(out.response.status, 500);
    let body = out.response.json_body();
    assert_eq!(body["error"], "configuration_error");
    assert!(body["message"].as_str().unwrap().contains("SIGNING_KEYS"));
    assert!(out.log.unwrap().contains("SIGNING_KEYS"));
    let health = send(&p, &i, get("/authsec/uflow/health")).response;
    assert_eq!(health.status, 503);
    assert!(health.json_body()["checks"]["config"].as_str().unwrap().contains("SIGNING_KEYS"));
}

#[test]
fn health_names_the_failing_dependency_without_internals() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let ok = send(&p, &i, get("/authsec/uflow/health")).response;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json_body()["checks"], serde_json::json!({"d1": "ok", "kv": "ok", "durable_objects": "ok"}));
    p.cache.inject_failures(true);
    let out = send(&p, &i, get("/authsec/uflow/health"));
    assert_eq!(out.response.status, 503);
    let body = out.response.json_body();
    assert_eq!(body["status"], "error");
    assert_eq!(body["checks"]["kv"], "error");
    assert_eq!(body["checks"]["d1"], "ok");
    assert!(!String::from_utf8_lossy(&out.response.body).contains("switched off"));
    assert!(out.log.unwrap().contains("kv"));
}

#[test]
fn every_response_is_no_store_and_nosniff_by_default() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    for req in
        [get("/nope"), get("/authsec/uflow/health"), post_json("/authsec/authmgr/token/verify", serde_json::json!({}))]
    {
        let resp = send(&p, &i, req).response;
        assert_eq!(resp.header("cache-control"), Some("no-store"));
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn arbitrary_bytes_never_panic_any_route() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let paths = [
        "/authsec/authmgr/token/verify",
        "/authsec/authmgr/token/generate",
        "/authsec/uflow/health",
        "/.well-known/jwks.json",
    ];
    for round in 0..400 {
        let len = usize::try_from(next() % 300).unwrap();
        let body: Vec<u8> = (0..len).map(|_| authsec_edge::cast::low_byte(next())).collect();
        let path = paths[round % paths.len()];
        let req = HttpRequest::new(Method::Post, path)
            .with_header("authorization", &format!("Bearer {}", String::from_utf8_lossy(&body)))
            .with_body(body);
        let status = send(&p, &i, req).response.status;
        assert!((200..600).contains(&status));
    }
}

#[test]
fn a_failed_random_number_generator_fails_closed_with_503() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    p.random_fails.set(true);
    let out = send(&p, &i, get("/authsec/uflow/auth/admin/challenge"));
    assert_eq!(out.response.status, 503, "a challenge from a broken RNG would be predictable");
    assert_eq!(out.response.json_body()["error"], "service_unavailable");
    let bootstrap = serde_json::json!({"email": "ada@example.test", "password": "correct horse battery",
                                       "tenant_domain": "acme"});
    let out = send(&p, &i, post_json("/authsec/uflow/auth/admin/login/bootstrap", bootstrap.clone()));
    assert_eq!(out.response.status, 503, "no code may be mailed from a broken RNG");
    assert!(p.mail.sent.borrow().is_empty(), "nothing was mailed");
    p.random_fails.set(false);
    let out = send(&p, &i, post_json("/authsec/uflow/auth/admin/login/bootstrap", bootstrap));
    assert_eq!(out.response.status, 201, "the same request works once the RNG does");
}

#[test]
fn every_unserved_area_of_the_router_table_answers_501() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let areas: Vec<_> = authsec_edge::api::router::not_served().collect();
    assert!(areas.iter().any(|(prefix, _)| prefix.starts_with("/authsec/webauthn/sms")));
    for (prefix, capability) in areas {
        for method in [Method::Get, Method::Post] {
            let out = send(&p, &i, HttpRequest::new(method, &format!("{prefix}anything")));
            assert_eq!(out.response.status, 501, "{prefix}");
            assert_eq!(out.response.json_body()["error"], "not_implemented");
            assert!(out.response.json_body()["message"].as_str().unwrap().contains(capability));
        }
    }
}
