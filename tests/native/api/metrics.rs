//! `/metrics` is public by default and needs `Authorization: Bearer $METRICS_TOKEN` when
//! that secret is set.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use authsec_edge::secret::Secret;

const TOKEN: &str = "metrics-scrape-token-0123456789abcdefXYZ";

fn scrape(p: &TestPlatform, i: &Isolate, authorization: Option<&str>) -> HttpResponse {
    let mut req = get("/metrics");
    if let Some(value) = authorization {
        req = req.with_header("authorization", value);
    }
    send(p, i, req).response
}

fn protected() -> TestPlatform {
    let mut config = config_with(ring());
    config.metrics_token = Some(Secret::new(TOKEN.to_string()));
    TestPlatform::with_config(Ok(config))
}

#[test]
fn without_a_metrics_token_the_scrape_is_public() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let resp = scrape(&p, &i, None);
    assert_eq!(resp.status, 200);
    assert!(String::from_utf8(resp.body).unwrap().contains("authsec_"), "Prometheus text");
}

#[test]
fn with_a_metrics_token_only_that_bearer_reads_the_metrics() {
    let (p, i) = (protected(), Isolate::default());
    let refused = [
        None,
        Some(String::new()),
        Some("Bearer wrong-token".to_string()),
        Some(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
        Some(TOKEN.to_string()),
    ];
    for header in refused {
        let resp = scrape(&p, &i, header.as_deref());
        assert_eq!(resp.status, 401, "{header:?}");
        assert!(resp.header("www-authenticate").unwrap().starts_with("Bearer"), "{header:?}");
        let body = String::from_utf8(resp.body).unwrap();
        assert!(!body.contains("authsec_http_requests_total"), "no figures leak: {body}");
    }
    let resp = scrape(&p, &i, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(resp.status, 200);
    assert!(resp.header("content-type").unwrap().starts_with("text/plain"));
    let resp = scrape(&p, &i, Some(&format!("bearer   {TOKEN}  ")));
    assert_eq!(resp.status, 200, "the scheme is case-insensitive (RFC 7235 §2.1)");
}

#[test]
fn a_configuration_that_does_not_parse_refuses_the_scrape() {
    let broken = TestPlatform::with_config(Err(authsec_edge::config::ConfigError {
        variable: "SIGNING_KEYS",
        problem: "missing".into(),
    }));
    let resp = scrape(&broken, &Isolate::default(), None);
    assert_eq!(resp.status, 500, "fail closed: we cannot tell whether a token is required");
}
