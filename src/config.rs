//! Typed configuration from `[vars]` and Workers Secrets.
//!
//! The edge hands in two lookups (vars, secrets); parsing validates everything at once
//! and names the first bad variable. Secrets are never echoed in errors. The edge caches
//! the parsed value per isolate, keyed by the raw inputs, so a key rotation (which
//! redeploys with new secrets) takes effect without stale state.

use crate::accounts::password::HashParams;
use crate::secret::Secret;
use crate::tokens::keys::KeyRing;
use std::fmt;

/// Configuration variables and secrets, by the names used in wrangler.toml / .dev.vars.
pub mod names {
    pub const BASE_URL: &str = "BASE_URL";
    pub const ENVIRONMENT: &str = "ENVIRONMENT";
    pub const ACCESS_TOKEN_TTL_SECS: &str = "ACCESS_TOKEN_TTL_SECS";
    pub const JWKS_MAX_AGE_SECS: &str = "JWKS_MAX_AGE_SECS";
    pub const TOKEN_GENERATE_PER_MINUTE: &str = "TOKEN_GENERATE_PER_MINUTE";
    pub const ADMIN_AUTH_PER_MINUTE: &str = "ADMIN_AUTH_PER_MINUTE";
    pub const ENDUSER_AUTH_PER_MINUTE: &str = "ENDUSER_AUTH_PER_MINUTE";
    pub const STORE: &str = "STORE";
    pub const PLATFORM_ADMIN_EMAILS: &str = "PLATFORM_ADMIN_EMAILS";
    pub const CORS_ALLOWED_ORIGINS: &str = "CORS_ALLOWED_ORIGINS";
    pub const SIGNING_KEYS: &str = "SIGNING_KEYS";
    pub const SIGNING_KID: &str = "SIGNING_KID";
    pub const SECRET_PEPPER: &str = "SECRET_PEPPER";
    pub const ARGON2_MEMORY_KIB: &str = "ARGON2_MEMORY_KIB";
    pub const ARGON2_ITERATIONS: &str = "ARGON2_ITERATIONS";
    pub const ARGON2_PARALLELISM: &str = "ARGON2_PARALLELISM";
    pub const MAIL_FROM: &str = "MAIL_FROM";
    pub const MAIL_API_URL: &str = "MAIL_API_URL";
    pub const MAIL_API_KEY: &str = "MAIL_API_KEY";
    pub const ENCRYPTION_KEY: &str = "ENCRYPTION_KEY";
    pub const WEBAUTHN_RP_ID: &str = "WEBAUTHN_RP_ID";
    pub const WEBAUTHN_RP_NAME: &str = "WEBAUTHN_RP_NAME";
    pub const WEBAUTHN_ORIGINS: &str = "WEBAUTHN_ORIGINS";
    pub const CIBA_PUSH_URL: &str = "CIBA_PUSH_URL";
    pub const CIBA_PUSH_TOKEN: &str = "CIBA_PUSH_TOKEN";
    pub const CLIENT_IP_HEADER: &str = "CLIENT_IP_HEADER";
    pub const REVOCATION_MAX_STALENESS_SECS: &str = "REVOCATION_MAX_STALENESS_SECS";
    pub const METRICS_TOKEN: &str = "METRICS_TOKEN";

    /// Every plain variable, for the edge to read.
    pub const VARS: &[&str] = &[
        BASE_URL,
        ENVIRONMENT,
        ACCESS_TOKEN_TTL_SECS,
        JWKS_MAX_AGE_SECS,
        TOKEN_GENERATE_PER_MINUTE,
        ADMIN_AUTH_PER_MINUTE,
        ENDUSER_AUTH_PER_MINUTE,
        STORE,
        PLATFORM_ADMIN_EMAILS,
        CORS_ALLOWED_ORIGINS,
        SIGNING_KID,
        ARGON2_MEMORY_KIB,
        ARGON2_ITERATIONS,
        ARGON2_PARALLELISM,
        MAIL_FROM,
        MAIL_API_URL,
        WEBAUTHN_RP_ID,
        WEBAUTHN_RP_NAME,
        WEBAUTHN_ORIGINS,
        CIBA_PUSH_URL,
        CLIENT_IP_HEADER,
        REVOCATION_MAX_STALENESS_SECS,
    ];
    /// Every secret, for the edge to read.
    pub const SECRETS: &[&str] =
        &[SIGNING_KEYS, SECRET_PEPPER, MAIL_API_KEY, ENCRYPTION_KEY, CIBA_PUSH_TOKEN, METRICS_TOKEN];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Staging,
    Production,
}

/// Where users, tenants and clients live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreBackend {
    D1,
    Postgres,
}

impl StoreBackend {
    /// The name the health check reports.
    pub fn name(self) -> &'static str {
        match self {
            StoreBackend::D1 => "d1",
            StoreBackend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreBackend,
    /// The issuer: the bare origin of the deployment, without a trailing slash.
    pub issuer: String,
    pub environment: Environment,
    pub access_token_ttl_secs: i64,
    pub jwks_max_age_secs: u64,
    pub token_generate_per_minute: u32,
    /// Admin auth attempts per client IP and per email per minute.
    pub admin_auth_per_minute: u32,
    /// End-user auth attempts per client IP and per email per minute.
    pub enduser_auth_per_minute: u32,
    pub keys: KeyRing,
    /// Keys every stored hash of a code or token (OTPs, refresh tokens, client secrets).
    pub pepper: Secret<Vec<u8>>,
    pub password_hashing: HashParams,
    pub mail: MailConfig,
    /// Admins with these emails administer the deployment itself (migrations).
    pub platform_admins: Vec<String>,
    /// Browser origins allowed to call the API (exact `scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// Seals second-factor secrets at rest (AES-256-GCM); MFA enrolment needs it.
    pub encryption_key: Option<Secret<[u8; 32]>>,
    pub relying_party: RelyingParty,
    /// Where CIBA push notifications go (https, or loopback for tests), and its bearer.
    pub push_url: Option<String>,
    pub push_token: Option<Secret<String>>,
    /// Development only: the header a local proxy puts the client address in, used when
    /// `CF-Connecting-IP` is absent. Deployed, only Cloudflare's header is trusted: any
    /// other header is the client's to choose, and would give it a fresh rate-limit
    /// budget per request.
    pub client_ip_header: Option<String>,
    /// How long a colo may go on accepting a token after its session was revoked
    /// elsewhere (the edge tier's bound; `strict` verification has none).
    pub revocation_max_staleness_secs: i64,
    /// When set, `/metrics` answers only `Authorization: Bearer <it>`: route and
    /// latency figures tell an outsider how the service is used. Off by default.
    pub metrics_token: Option<Secret<String>>,
}

/// The passkey relying party (WebAuthn §5.1.2): the RP ID whose hash authenticators
/// sign, and the exact origins a ceremony may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub name: String,
    pub origins: Vec<String>,
}

/// Where mail goes. Without `MAIL_API_URL`, mail is only kept in the development outbox
/// (and refused outside development).
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub from: String,
    pub api_url: Option<String>,
    pub api_key: Option<Secret<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.variable, self.problem)
    }
}

fn error(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

impl Config {
    pub fn parse(
        var: impl Fn(&str) -> Option<String>,
        secret: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let issuer = parse_issuer(var(names::BASE_URL))?;
        let store =
            match var(names::STORE).as_deref().map(str::trim) {
                None | Some("") | Some("d1") => StoreBackend::D1,
                Some("postgres") if cfg!(feature = "postgres") => StoreBackend::Postgres,
                Some("postgres") => return Err(error(
                    names::STORE,
                    "postgres, but this Worker was built without the Postgres store (build it with AUTHSEC_POSTGRES=1)",
                )),
                Some(_) => return Err(error(names::STORE, "not d1 or postgres")),
            };
        let environment = match var(names::ENVIRONMENT).as_deref().map(str::trim) {
            None | Some("") | Some("production") => Environment::Production,
            Some("staging") => Environment::Staging,
            Some("development") => Environment::Development,
            Some(_) => return Err(error(names::ENVIRONMENT, "not one of development, staging, production")),
        };
        let access_token_ttl_secs = parse_u32(&var, names::ACCESS_TOKEN_TTL_SECS, 900, 60, 86_400)?;
        let jwks_max_age_secs = parse_number(&var, names::JWKS_MAX_AGE_SECS, 300, 0, 86_400)?;
        let token_generate_per_minute = parse_u32(&var, names::TOKEN_GENERATE_PER_MINUTE, 30, 1, 10_000)?;
        let admin_auth_per_minute = parse_u32(&var, names::ADMIN_AUTH_PER_MINUTE, 5, 1, 1_000)?;
        let enduser_auth_per_minute = parse_u32(&var, names::ENDUSER_AUTH_PER_MINUTE, 10, 1, 1_000)?;
        let raw_keys = secret(names::SIGNING_KEYS)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| error(names::SIGNING_KEYS, "missing (set it as a secret)"))?;
        let active = var(names::SIGNING_KID).filter(|s| !s.trim().is_empty());
        let keys = KeyRing::parse(&raw_keys, active.as_deref()).map_err(|e| {
            if e.about_signer {
                error(names::SIGNING_KID, e.to_string())
            } else {
                error(names::SIGNING_KEYS, format!("invalid: {e}"))
            }
        })?;
        let pepper =
            secret(names::SECRET_PEPPER).ok_or_else(|| error(names::SECRET_PEPPER, "missing (set it as a secret)"))?;
        let pepper = crate::b64::decode(pepper.trim())
            .filter(|bytes| bytes.len() >= 32)
            .ok_or_else(|| error(names::SECRET_PEPPER, "not at least 32 base64url bytes"))?;
        let password_hashing = HashParams {
            memory_kib: parse_u32(&var, names::ARGON2_MEMORY_KIB, 19_456, 1_024, 131_072)?,
            iterations: parse_u32(&var, names::ARGON2_ITERATIONS, 2, 1, 10)?,
            parallelism: parse_u32(&var, names::ARGON2_PARALLELISM, 1, 1, 4)?,
        };
        let api_url = outbound_url(&var, names::MAIL_API_URL)?;
        let push_url = outbound_url(&var, names::CIBA_PUSH_URL)?;
        let mail = MailConfig {
            from: var(names::MAIL_FROM)
                .filter(|s| s.contains('@'))
                .unwrap_or_else(|| "AuthSec <no-reply@authsec.invalid>".to_string()),
            api_key: secret(names::MAIL_API_KEY).filter(|s| !s.is_empty()).map(Secret::new),
            api_url,
        };
        Ok(Config {
            store,
            environment,
            access_token_ttl_secs: i64::from(access_token_ttl_secs),
            jwks_max_age_secs,
            token_generate_per_minute,
            admin_auth_per_minute,
            enduser_auth_per_minute,
            keys,
            pepper: Secret::new(pepper),
            password_hashing,
            mail,
            platform_admins: var(names::PLATFORM_ADMIN_EMAILS)
                .unwrap_or_default()
                .split(',')
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty())
                .collect(),
            cors_origins: parse_origins(var(names::CORS_ALLOWED_ORIGINS), names::CORS_ALLOWED_ORIGINS)?,
            encryption_key: parse_encryption_key(secret(names::ENCRYPTION_KEY))?,
            relying_party: parse_relying_party(&var, &issuer)?,
            push_url,
            push_token: secret(names::CIBA_PUSH_TOKEN).filter(|s| !s.is_empty()).map(Secret::new),
            client_ip_header: parse_client_ip_header(var(names::CLIENT_IP_HEADER), environment)?,
            revocation_max_staleness_secs: i64::try_from(parse_number(
                &var,
                names::REVOCATION_MAX_STALENESS_SECS,
                30,
                0,
                300,
            )?)
            .unwrap_or(30),
            metrics_token: parse_metrics_token(secret(names::METRICS_TOKEN))?,
            issuer,
        })
    }

    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }
}

/// `CLIENT_IP_HEADER`, a lower-case header name, refused outside development.
fn parse_client_ip_header(raw: Option<String>, environment: Environment) -> Result<Option<String>, ConfigError> {
    let Some(name) = raw.map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if environment != Environment::Development {
        return Err(error(names::CLIENT_IP_HEADER, "only honoured in development (deployed, CF-Connecting-IP is)"));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(error(names::CLIENT_IP_HEADER, "not a header name"));
    }
    Ok(Some(name))
}

/// An optional URL this Worker posts to: https, or loopback for local tests.
fn outbound_url(var: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<Option<String>, ConfigError> {
    let url = var(name).filter(|s| !s.trim().is_empty());
    if let Some(url) = &url {
        if !url.starts_with("https://") && !url.starts_with("http://127.0.0.1") && !url.starts_with("http://localhost")
        {
            return Err(error(name, "not an https URL"));
        }
    }
    Ok(url)
}

fn parse_encryption_key(raw: Option<String>) -> Result<Option<Secret<[u8; 32]>>, ConfigError> {
    let Some(raw) = raw.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let key: [u8; 32] = crate::b64::decode(raw.trim())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| error(names::ENCRYPTION_KEY, "not exactly 32 base64url bytes"))?;
    Ok(Some(Secret::new(key)))
}

/// The shortest `METRICS_TOKEN` accepted: a scrape credential must not be guessable.
const MIN_METRICS_TOKEN_LEN: usize = 32;

fn parse_metrics_token(raw: Option<String>) -> Result<Option<Secret<String>>, ConfigError> {
    let Some(token) = raw.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    // It travels in an Authorization header, so it must be a header-safe token68.
    let header_safe = token.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b));
    if token.len() < MIN_METRICS_TOKEN_LEN || !header_safe {
        return Err(error(
            names::METRICS_TOKEN,
            format!("not at least {MIN_METRICS_TOKEN_LEN} characters of [A-Za-z0-9-._~+/=]"),
        ));
    }
    Ok(Some(Secret::new(token)))
}

/// Host of a bare origin, without the port.
fn origin_host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    rest.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(rest, |(host, _)| host)
}

/// Browsers refuse IP addresses as RP IDs, so a deployment addressed by IP (local
/// development) is a relying party for `localhost` on the same port.
fn parse_relying_party(var: &impl Fn(&str) -> Option<String>, issuer: &str) -> Result<RelyingParty, ConfigError> {
    let host = origin_host(issuer);
    let is_ip = host.bytes().all(|b| b.is_ascii_digit() || b == b'.') || host.starts_with('[');
    let default_origin = if is_ip { issuer.replacen(host, "localhost", 1) } else { issuer.to_string() };
    let id = var(names::WEBAUTHN_RP_ID)
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| origin_host(&default_origin).to_string());
    let mut origins = parse_origins(var(names::WEBAUTHN_ORIGINS), names::WEBAUTHN_ORIGINS)?;
    if origins.is_empty() {
        origins.push(default_origin);
    }
    for origin in &origins {
        let host = origin_host(origin);
        if host != id && !host.ends_with(&format!(".{id}")) {
            return Err(error(names::WEBAUTHN_ORIGINS, format!("has {origin:?}, whose host is not within {id:?}")));
        }
    }
    let name = var(names::WEBAUTHN_RP_NAME).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "AuthSec".into());
    Ok(RelyingParty { id, name, origins })
}

fn parse_origins(raw: Option<String>, variable: &'static str) -> Result<Vec<String>, ConfigError> {
    let raw = raw.unwrap_or_default();
    let mut origins = Vec::new();
    for origin in raw.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let bare = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
        if bare.is_none_or(|rest| rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*'])) {
            return Err(error(variable, format!("has {origin:?}, which is not a bare http(s) origin")));
        }
        origins.push(origin.to_string());
    }
    Ok(origins)
}

fn parse_issuer(raw: Option<String>) -> Result<String, ConfigError> {
    let raw = raw.unwrap_or_default();
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| error(names::BASE_URL, "missing or not an http(s) origin"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err(error(names::BASE_URL, "not a bare origin (scheme://host[:port], no path)"));
    }
    Ok(url.to_string())
}

fn parse_number(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, ConfigError> {
    let Some(raw) = var(name).filter(|s| !s.trim().is_empty()) else {
        return Ok(default);
    };
    let value: u64 = raw.trim().parse().map_err(|_| error(name, "not a whole number"))?;
    if !(min..=max).contains(&value) {
        return Err(error(name, format!("outside {min}..={max}")));
    }
    Ok(value)
}

/// [`parse_number`] for a setting held as `u32`; `max` keeps it in range.
fn parse_u32(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let value = parse_number(var, name, default.into(), min.into(), max.into())?;
    u32::try_from(value).map_err(|_| error(name, format!("outside {min}..={max}")))
}
