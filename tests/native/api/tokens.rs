//! `token/verify` and `token/generate` through `api::handle`.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::json;

fn verify_token(p: &TestPlatform, i: &Isolate, token: &str) -> HttpResponse {
    send(p, i, post_json("/authsec/authmgr/token/verify", json!({"token": token}))).response
}

fn generate(p: &TestPlatform, i: &Isolate, token: &str, body: serde_json::Value) -> HttpResponse {
    let req =
        post_json("/authsec/authmgr/token/generate", body).with_header("authorization", &format!("Bearer {token}"));
    send(p, i, req).response
}

#[test]
fn verify_returns_the_contract_fields() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let token = sign(&claims(NOW), &p.config().keys);
    let resp = verify_token(&p, &i, &token);
    assert_eq!(resp.status, 200);
    let body = resp.json_body();
    assert_eq!(body["valid"], true);
    assert_eq!(body["tenant_id"], "tenant-a");
    assert_eq!(body["project_id"], "project-1");
    assert_eq!(body["client_id"], "client-1");
    assert_eq!(body["email_id"], "ada@example.test");
    assert_eq!(body["user_id"], "user-1");
    assert_eq!(body["scopes"], json!(["users:read", "users:write"]));
    assert_eq!(body["roles"], json!(["admin"]));
    assert_eq!(body["groups"], json!([]));
    assert_eq!(body["token_type"], "admin");
    assert_eq!(body["issued_at"], NOW);
    assert_eq!(body["expires_at"], NOW + 900);
    assert_eq!(body["issuer"], ISSUER);
}

#[test]
fn an_invalid_token_is_401_with_valid_false_and_a_bearer_challenge() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let mut expired = claims(NOW - 3600);
    expired.exp = NOW - 120;
    let resp = verify_token(&p, &i, &sign(&expired, &p.config().keys));
    assert_eq!(resp.status, 401);
    assert_eq!(resp.json_body()["valid"], false);
    assert_eq!(resp.json_body()["error"], "invalid_token");
    assert_eq!(resp.json_body()["message"], "token has expired");
    assert!(resp.header("www-authenticate").unwrap().contains("invalid_token"));
}

#[test]
fn verification_results_are_counted_in_metrics() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let token = sign(&claims(NOW), &p.config().keys);
    verify_token(&p, &i, &token);
    verify_token(&p, &i, "garbage");
    let text = send(&p, &i, get("/metrics")).response;
    let text = String::from_utf8(text.body).unwrap();
    assert!(text.contains("authsec_token_verifications_total{result=\"valid\"} 1"), "{text}");
    assert!(text.contains("authsec_token_verifications_total{result=\"malformed\"} 1"), "{text}");
}

#[test]
fn generate_requires_a_valid_bearer_token() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let resp = send(&p, &i, post_json("/authsec/authmgr/token/generate", json!({}))).response;
    assert_eq!(resp.status, 401);
    assert!(resp.header("www-authenticate").unwrap().starts_with("Bearer"));
    let resp = generate(&p, &i, "not-a-token", json!({}));
    assert_eq!(resp.status, 401);
    let req = HttpRequest::new(Method::Post, "/authsec/authmgr/token/generate")
        .with_header("authorization", "Basic dXNlcjpwYXNz");
    assert_eq!(send(&p, &i, req).response.status, 401);
}

#[test]
fn generate_keeps_identity_and_narrows_scope_and_lifetime() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let mut caller = claims(NOW);
    caller.exp = NOW + 300;
    let token = sign(&caller, &p.config().keys);
    let resp = generate(&p, &i, &token, json!({"scopes": ["users:read"], "tenant_id": "tenant-a"}));
    assert_eq!(resp.status, 200, "{:?}", resp.json_body());
    let body = resp.json_body();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300, "never outlives the presented token");
    let new_token = body["access_token"].as_str().unwrap();
    let verified = verify_token(&p, &i, new_token).json_body();
    assert_eq!(verified["scopes"], json!(["users:read"]));
    assert_eq!(verified["user_id"], "user-1");
    assert_eq!(verified["tenant_id"], "tenant-a");
    assert_eq!(verified["roles"], json!(["admin"]));
    assert_eq!(verified["expires_at"], NOW + 300);
}

#[test]
fn generate_refuses_to_widen_scope_or_change_identity() {
    // A fresh platform per case keeps the per-subject rate limit out of the picture.
    let attempt = |body: &serde_json::Value| {
        let (p, i) = (TestPlatform::new(), Isolate::default());
        let token = sign(&claims(NOW), &p.config().keys);
        generate(&p, &i, &token, body.clone()).status
    };
    for body in [
        json!({"scopes": ["users:read", "billing:write"]}),
        json!({"tenant_id": "tenant-b"}),
        json!({"workspace_id": "tenant-b"}),
        json!({"email_id": "eve@example.test"}),
        json!({"user_id": "user-2"}),
        json!({"client_id": "client-2"}),
        json!({"roles": ["admin"]}),
        json!({"token_type": "service"}),
    ] {
        assert_eq!(attempt(&body), 403, "{body}");
    }
    for body in [json!({"scopes": 5}), json!({"expires_in": -5}), json!({"tenant_id": 7})] {
        assert_eq!(attempt(&body), 400, "{body}");
    }
}

#[test]
fn generate_never_extends_the_lifetime_beyond_config() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let mut caller = claims(NOW);
    caller.exp = NOW + 86_400;
    let token = sign(&caller, &p.config().keys);
    let resp = generate(&p, &i, &token, json!({"expires_in": 31_536_000}));
    assert_eq!(resp.json_body()["expires_in"], 900);
}

#[test]
fn generate_is_rate_limited_per_subject() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let token = sign(&claims(NOW), &p.config().keys);
    // The test config allows 3 per minute.
    for _ in 0..3 {
        assert_eq!(generate(&p, &i, &token, json!({})).status, 200);
    }
    let limited = generate(&p, &i, &token, json!({}));
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    let mut other = claims(NOW);
    other.sub = "user-2".into();
    other.user_id = "user-2".into();
    assert_eq!(generate(&p, &i, &sign(&other, &p.config().keys), json!({})).status, 200);
}

#[test]
fn a_rate_limiter_outage_fails_closed_with_503() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    p.limiter.inject_failures(true);
    let token = sign(&claims(NOW), &p.config().keys);
    assert_eq!(generate(&p, &i, &token, json!({})).status, 503);
}
