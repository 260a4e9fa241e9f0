//! CORS: exact allowed origins only, preflights answered from the route table.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::config::Config;
use authsec_edge::http::{HttpRequest, Method};

fn platform() -> TestPlatform {
    let mut config = config_with(ring());
    config.cors_origins = vec!["https://console.acme.test".into()];
    TestPlatform::with_config(Ok(config))
}

fn preflight(path: &str, origin: &str) -> HttpRequest {
    HttpRequest::new(Method::Options, path)
        .with_header("origin", origin)
        .with_header("access-control-request-method", "POST")
        .with_header("access-control-request-headers", "authorization, content-type")
}

#[test]
fn an_allowed_origin_gets_its_preflight_and_its_answers() {
    let (p, i) = (platform(), Isolate::default());
    let resp = send(&p, &i, preflight("/authsec/uflow/auth/admin/login", "https://console.acme.test")).response;
    assert_eq!(resp.status, 204);
    assert_eq!(resp.header("access-control-allow-origin"), Some("https://console.acme.test"));
    assert_eq!(resp.header("access-control-allow-methods"), Some("POST"));
    assert!(resp.header("access-control-allow-headers").unwrap().contains("authorization"));
    assert!(resp.header("access-control-allow-credentials").is_none());
    let answer = send(&p, &i, get("/authsec/uflow/health").with_header("origin", "https://console.acme.test")).response;
    assert_eq!(answer.header("access-control-allow-origin"), Some("https://console.acme.test"));
    assert_eq!(answer.header("vary"), Some("origin"));
}

#[test]
fn other_origins_get_nothing() {
    let (p, i) = (platform(), Isolate::default());
    for origin in ["https://evil.test", "https://console.acme.test.evil.test", "http://console.acme.test", "null"] {
        let resp = send(&p, &i, preflight("/authsec/uflow/auth/admin/login", origin)).response;
        assert_eq!(resp.status, 403, "{origin}");
        assert!(resp.header("access-control-allow-origin").is_none());
        let answer = send(&p, &i, get("/authsec/uflow/health").with_header("origin", origin)).response;
        assert!(answer.header("access-control-allow-origin").is_none(), "{origin}");
    }
    let unknown = send(&p, &i, preflight("/authsec/nope", "https://console.acme.test")).response;
    assert_eq!(unknown.status, 404);
    // Public documents stay readable from anywhere.
    let jwks = send(&p, &i, get("/.well-known/jwks.json").with_header("origin", "https://evil.test")).response;
    assert_eq!(jwks.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn origins_must_be_bare_and_exact() {
    for bad in ["*", "https://x.test/path", "console.acme.test", "https://*.acme.test"] {
        let err = Config::parse(
            |name| match name {
                "BASE_URL" => Some("https://id.example.test".into()),
                "CORS_ALLOWED_ORIGINS" => Some(bad.into()),
                _ => None,
            },
            |name| match name {
                "SIGNING_KEYS" => Some(serde_json::json!([key("k", 3).to_private_jwk()]).to_string()),
                "SECRET_PEPPER" => Some(PEPPER.to_string()),
                _ => None,
            },
        )
        .unwrap_err();
        assert_eq!(err.variable, "CORS_ALLOWED_ORIGINS", "{bad}");
    }
}
