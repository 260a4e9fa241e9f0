//! Configuration validation: every problem names its variable, never a secret's value.

use authsec_edge::config::{Config, ConfigError};

fn parse(vars: &[(&str, &str)], signing_keys: Option<&str>) -> Result<Config, ConfigError> {
    Config::parse(
        |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()),
        |name| match name {
            "SIGNING_KEYS" => signing_keys.map(str::to_string),
            "SECRET_PEPPER" => Some(crate::support::PEPPER.to_string()),
            _ => None,
        },
    )
}

fn keys() -> String {
    let k = authsec_edge::tokens::keys::SigningKey::from_random_bytes("k1", [3; 32]).unwrap();
    serde_json::json!([k.to_private_jwk()]).to_string()
}

#[test]
fn a_complete_config_parses_with_defaults() {
    let config = parse(&[("BASE_URL", "https://id.example.test/")], Some(&keys())).unwrap();
    assert_eq!(config.issuer, "https://id.example.test");
    assert_eq!(config.access_token_ttl_secs, 900);
    assert!(!config.is_development());
}

/// (vars, SIGNING_KEYS, the variable the error must name)
type Case<'a> = (Vec<(&'a str, &'a str)>, Option<&'a str>, &'a str);

#[test]
fn each_problem_names_its_variable() {
    let k = keys();
    let cases: Vec<Case> = vec![
        (vec![], Some(&k), "BASE_URL"),
        (vec![("BASE_URL", "ftp://x")], Some(&k), "BASE_URL"),
        (vec![("BASE_URL", "https://x/path")], Some(&k), "BASE_URL"),
        (vec![("BASE_URL", "https://x")], None, "SIGNING_KEYS"),
        (vec![("BASE_URL", "https://x")], Some("  "), "SIGNING_KEYS"),
        (vec![("BASE_URL", "https://x")], Some("{bad"), "SIGNING_KEYS"),
        (vec![("BASE_URL", "https://x"), ("ENVIRONMENT", "prod")], Some(&k), "ENVIRONMENT"),
        (vec![("BASE_URL", "https://x"), ("ACCESS_TOKEN_TTL_SECS", "31536000")], Some(&k), "ACCESS_TOKEN_TTL_SECS"),
        (vec![("BASE_URL", "https://x"), ("ACCESS_TOKEN_TTL_SECS", "ten")], Some(&k), "ACCESS_TOKEN_TTL_SECS"),
        (vec![("BASE_URL", "https://x"), ("SIGNING_KID", "nope")], Some(&k), "SIGNING_KID"),
    ];
    for (vars, secret, variable) in cases {
        let err = parse(&vars, secret).unwrap_err();
        assert_eq!(err.variable, variable, "{vars:?} -> {err}");
    }
}

#[test]
fn a_malformed_secret_is_not_echoed() {
    let secret = r#"[{"kid":"k","kty":"EC","crv":"P-256","d":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXh4eA"}]"#;
    let err = parse(&[("BASE_URL", "https://x")], Some(secret)).unwrap_err();
    assert!(!err.to_string().contains("c2VjcmV0"), "{err}");
}

#[test]
fn a_short_or_missing_pepper_is_refused() {
    let k = keys();
    for pepper in [None, Some("c2hvcnQ"), Some("not base64 !!")] {
        let err = Config::parse(
            |name| (name == "BASE_URL").then(|| "https://x".to_string()),
            |name| match name {
                "SIGNING_KEYS" => Some(k.clone()),
                "SECRET_PEPPER" => pepper.map(str::to_string),
                _ => None,
            },
        )
        .unwrap_err();
        assert_eq!(err.variable, "SECRET_PEPPER");
    }
}

#[test]
fn a_metrics_token_is_optional_but_never_guessable() {
    let k = keys();
    let with = |token: Option<&str>| {
        Config::parse(
            |name| (name == "BASE_URL").then(|| "https://x".to_string()),
            |name| match name {
                "SIGNING_KEYS" => Some(k.clone()),
                "SECRET_PEPPER" => Some(crate::support::PEPPER.to_string()),
                "METRICS_TOKEN" => token.map(str::to_string),
                _ => None,
            },
        )
    };
    assert!(with(None).unwrap().metrics_token.is_none(), "off by default");
    assert!(with(Some("  ")).unwrap().metrics_token.is_none(), "blank is unset");
    let strong = "aGVsbG8tbWV0cmljcy1zY3JhcGUtdG9rZW4tMzJieXRlcw";
    assert_eq!(with(Some(strong)).unwrap().metrics_token.unwrap().expose(), strong);
    for weak in ["short", "has spaces in it but is long enough to pass", "quote\"is-not-header-safe-at-all-0123456789"]
    {
        let err = with(Some(weak)).unwrap_err();
        assert_eq!(err.variable, "METRICS_TOKEN");
        assert!(!err.to_string().contains(weak), "the value is never echoed: {err}");
    }
}

#[test]
fn wrangler_toml_deploys_as_production_so_no_dev_outbox_exists() {
    // scripts/dev and the e2e suite pass ENVIRONMENT=development explicitly; a plain
    // `wrangler deploy` of this file must not expose the outbox.
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/wrangler.toml")).unwrap();
    assert!(toml.lines().any(|l| l.trim() == r#"ENVIRONMENT = "production""#), "wrangler.toml must say production");
    assert!(!toml.lines().any(|l| l.trim() == r#"ENVIRONMENT = "development""#));
    // Each deployable environment (scripts/deploy --env) declares its own vars, since
    // wrangler does not inherit them: every one must say production too.
    let mut section = String::new();
    let mut env_vars_sections = Vec::new();
    let mut production = Vec::new();
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
            if section.starts_with("[env.") && section.ends_with(".vars]") {
                env_vars_sections.push(section.clone());
            }
        } else if line == r#"ENVIRONMENT = "production""# {
            production.push(section.clone());
        }
    }
    assert!(env_vars_sections.len() >= 2, "staging and production: {env_vars_sections:?}");
    for s in &env_vars_sections {
        assert!(production.contains(s), "{s} must set ENVIRONMENT = \"production\"");
    }
}
