//! Which address the rate limits count (issue 12): only `CF-Connecting-IP`, which
//! Cloudflare sets; a header the client chooses must not buy a fresh budget.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::config::{Config, Environment};
use authsec_edge::http::HttpRequest;

/// `GET auth/admin/challenge` allows 30 a minute per client address.
const CHALLENGES_PER_MINUTE: usize = 30;

fn challenge(p: &TestPlatform, i: &Isolate, req: HttpRequest) -> u16 {
    send_at(p, i, req, 1_000).response.status
}

#[test]
fn a_spoofed_x_real_ip_shares_the_anonymous_budget() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    for n in 0..CHALLENGES_PER_MINUTE {
        let req = get("/authsec/uflow/auth/admin/challenge").with_header("x-real-ip", &format!("10.1.0.{n}"));
        assert_eq!(challenge(&p, &i, req), 200);
    }
    let spoofed = get("/authsec/uflow/auth/admin/challenge").with_header("x-real-ip", "10.1.1.1");
    assert_eq!(challenge(&p, &i, spoofed), 429, "a new x-real-ip must not be a new budget");
    let real = get("/authsec/uflow/auth/admin/challenge").with_header("cf-connecting-ip", "10.1.1.1");
    assert_eq!(challenge(&p, &i, real), 200, "CF-Connecting-IP is the address that counts");
}

fn development_with_header(header: &str) -> Config {
    let mut config = config_with(ring());
    config.environment = Environment::Development;
    config.client_ip_header = Some(header.to_string());
    config
}

#[test]
fn in_development_the_configured_header_stands_in_for_cf_connecting_ip() {
    let (p, i) = (TestPlatform::with_config(Ok(development_with_header("x-forwarded-for"))), Isolate::default());
    for n in 0..CHALLENGES_PER_MINUTE {
        let req = get("/authsec/uflow/auth/admin/challenge").with_header("x-forwarded-for", "10.2.0.1");
        assert_eq!(challenge(&p, &i, req), 200, "request {n}");
    }
    let same = get("/authsec/uflow/auth/admin/challenge").with_header("x-forwarded-for", "10.2.0.1");
    assert_eq!(challenge(&p, &i, same), 429);
    let other = get("/authsec/uflow/auth/admin/challenge").with_header("x-forwarded-for", "10.2.0.2");
    assert_eq!(challenge(&p, &i, other), 200, "another local client has its own budget");
}

#[test]
fn the_client_ip_header_is_refused_outside_development() {
    let vars = |name: &str| match name {
        "BASE_URL" => Some("https://id.example.com".to_string()),
        "CLIENT_IP_HEADER" => Some("x-real-ip".to_string()),
        _ => None,
    };
    let secrets = |name: &str| match name {
        "SIGNING_KEYS" => Some(serde_json::json!([key("k", 1).to_private_jwk()]).to_string()),
        "SECRET_PEPPER" => Some(PEPPER.to_string()),
        _ => None,
    };
    let err = Config::parse(vars, secrets).unwrap_err();
    assert_eq!(err.variable, "CLIENT_IP_HEADER");
    let dev = |name: &str| if name == "ENVIRONMENT" { Some("development".to_string()) } else { vars(name) };
    let config = Config::parse(dev, secrets).unwrap();
    assert_eq!(config.client_ip_header.as_deref(), Some("x-real-ip"));
}
