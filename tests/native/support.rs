//! Shared fixtures: a test platform over the in-memory store and RustCrypto, keys, and
//! a token builder.

use authsec_edge::api::{self, Isolate, Outcome, Platform};
use authsec_edge::config::{Config, ConfigError};
use authsec_edge::http::{HttpRequest, Method};
use authsec_edge::mail::CapturingTransport;
use authsec_edge::push::CapturingPush;
use authsec_edge::store::memory::MemoryStore;
use authsec_edge::tokens::claims::{AccessClaims, Audience, TokenType};
use authsec_edge::tokens::crypto::RustCrypto;
use authsec_edge::tokens::keys::{KeyRing, SigningKey};
use std::cell::Cell;

pub const ISSUER: &str = "https://id.example.test";
/// 2026-11-28T00:00:00Z
pub const NOW: i64 = 1_795_910_400;
/// 32 bytes, base64url.
pub const PEPPER: &str = "cGVwcGVyLXBlcHBlci1wZXBwZXItcGVwcGVyLTMyYiE";
/// 32 bytes, base64url.
pub const ENCRYPTION_KEY: &str = "ZW5jcnlwdGlvbi1rZXktZm9yLXRlc3RzLTMyYnl0ZSE";

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// A deterministic key from a seed byte, so failures reproduce.
pub fn key(kid: &str, seed: u8) -> SigningKey {
    SigningKey::from_random_bytes(kid, [seed; 32]).expect("seed gives a valid scalar")
}

pub fn ring() -> KeyRing {
    KeyRing::from_keys(vec![key("test-key-1", 7)], 0)
}

pub fn config_with(keys: KeyRing) -> Config {
    let mut config = Config::parse(
        |name| match name {
            "BASE_URL" => Some(ISSUER.to_string()),
            "TOKEN_GENERATE_PER_MINUTE" => Some("3".to_string()),
            // Cheap hashing keeps the debug-build tests fast; parameters are config.
            "ARGON2_MEMORY_KIB" => Some("1024".to_string()),
            "ARGON2_ITERATIONS" => Some("1".to_string()),
            _ => None,
        },
        |name| match name {
            "SIGNING_KEYS" => {
                let k = key("bootstrap", 1).to_private_jwk();
                Some(serde_json::json!([k]).to_string())
            }
            "SECRET_PEPPER" => Some(PEPPER.to_string()),
            "ENCRYPTION_KEY" => Some(ENCRYPTION_KEY.to_string()),
            _ => None,
        },
    )
    .expect("test config parses");
    config.keys = keys;
    config
}

pub struct TestPlatform {
    pub config: Result<Config, ConfigError>,
    pub store: MemoryStore,
    pub cache: MemoryStore,
    pub limiter: MemoryStore,
    pub durable: MemoryStore,
    pub mail: CapturingTransport,
    pub push: CapturingPush,
    counter: Cell<u64>,
    /// Fault injection: the CSPRNG fails, as a broken runtime's would.
    pub random_fails: Cell<bool>,
}

impl TestPlatform {
    pub fn new() -> Self {
        Self::with_config(Ok(config_with(ring())))
    }

    pub fn with_config(config: Result<Config, ConfigError>) -> Self {
        TestPlatform {
            config,
            store: MemoryStore::default(),
            cache: MemoryStore::default(),
            limiter: MemoryStore::default(),
            durable: MemoryStore::default(),
            mail: CapturingTransport::default(),
            push: CapturingPush::default(),
            counter: Cell::new(0),
            random_fails: Cell::new(false),
        }
    }

    pub fn config(&self) -> &Config {
        self.config.as_ref().expect("config is valid in this test")
    }
}

impl Platform for TestPlatform {
    type Crypto = RustCrypto;
    type Store = MemoryStore;
    type Cache = MemoryStore;
    type Limiter = MemoryStore;
    type Sessions = MemoryStore;
    type Challenges = MemoryStore;
    type Mail = CapturingTransport;
    type Flows = MemoryStore;
    type Push = CapturingPush;

    fn config(&self) -> Result<&Config, ConfigError> {
        self.config.as_ref().map_err(Clone::clone)
    }
    fn crypto(&self) -> &RustCrypto {
        &RustCrypto
    }
    fn store(&self) -> &MemoryStore {
        &self.store
    }
    fn cache(&self) -> &MemoryStore {
        &self.cache
    }
    fn limiter(&self) -> &MemoryStore {
        &self.limiter
    }
    fn sessions(&self) -> &MemoryStore {
        &self.durable
    }
    fn challenges(&self) -> &MemoryStore {
        &self.durable
    }
    fn mail_transport(&self) -> Option<&CapturingTransport> {
        Some(&self.mail)
    }
    fn flows(&self) -> &MemoryStore {
        &self.durable
    }
    fn push_transport(&self) -> Option<&CapturingPush> {
        Some(&self.push)
    }
    fn random_id(&self) -> Option<[u8; 16]> {
        if self.random_fails.get() {
            return None;
        }
        // splitmix64: deterministic, so failures reproduce, yet every id differs.
        let mut out = [0u8; 16];
        for chunk in out.chunks_mut(8) {
            let next = self.counter.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            self.counter.set(next);
            let mut z = next;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
        }
        Some(out)
    }
}

pub fn claims(now: i64) -> AccessClaims {
    AccessClaims {
        iss: ISSUER.into(),
        sub: "user-1".into(),
        user_id: "user-1".into(),
        tenant_id: "tenant-a".into(),
        project_id: "project-1".into(),
        client_id: "client-1".into(),
        email_id: "ada@example.test".into(),
        token_type: TokenType::Admin,
        aud: Audience::One("authsec-api".into()),
        scope: vec!["users:read".into(), "users:write".into()],
        roles: vec!["admin".into()],
        groups: vec![],
        iat: now,
        nbf: now,
        exp: now + 900,
        jti: "jti-1".into(),
        sid: String::new(),
        auth_time: 0,
        grant: String::new(),
        act: None,
        cnf: None,
    }
}

pub fn sign(claims: &AccessClaims, keys: &KeyRing) -> String {
    block_on(authsec_edge::tokens::issue::sign_access_token(claims, keys, &RustCrypto)).expect("signing works")
}

pub fn send(platform: &TestPlatform, isolate: &Isolate, req: HttpRequest) -> Outcome {
    send_at(platform, isolate, req, NOW)
}

pub fn send_at(platform: &TestPlatform, isolate: &Isolate, req: HttpRequest, now: i64) -> Outcome {
    block_on(api::handle(platform, isolate, &req, now * 1000))
}

/// The 6-digit code in the latest mail to `to`.
pub fn latest_code(platform: &TestPlatform, to: &str) -> String {
    let sent = platform.mail.sent.borrow();
    let mail = sent.iter().rev().find(|m| m.to == to).expect("a mail was sent");
    mail.text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("the mail has a code").to_string()
}

pub fn post_json(path: &str, body: serde_json::Value) -> HttpRequest {
    HttpRequest::new(Method::Post, path).with_json(&body)
}

pub fn get(path: &str) -> HttpRequest {
    HttpRequest::new(Method::Get, path)
}

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// Registers `email` as the admin of `domain` (from an address of its own) and returns
/// the login response body.
pub fn onboard(platform: &TestPlatform, isolate: &Isolate, email: &str, domain: &str) -> serde_json::Value {
    let post = |path: &str, body: serde_json::Value, now: i64| {
        send_at(platform, isolate, post_json(path, body).with_header("cf-connecting-ip", email), now).response
    };
    let started = post(
        "/authsec/uflow/auth/admin/login/bootstrap",
        serde_json::json!({"email": email, "password": ADMIN_PASSWORD, "confirm_password": ADMIN_PASSWORD,
                           "tenant_domain": domain, "name": "Ada"}),
        NOW,
    );
    assert_eq!(started.status, 201, "{}", started.json_body());
    assert_eq!(started.json_body()["status"], "pending_verification");
    let code = latest_code(platform, email);
    let done = post(
        "/authsec/uflow/auth/admin/complete-registration",
        serde_json::json!({"email": email, "otp": code, "password": ADMIN_PASSWORD}),
        NOW + 1,
    );
    assert_eq!(done.status, 201, "{}", done.json_body());
    assert_eq!(done.json_body()["tenant_id"], started.json_body()["tenant_id"]);
    let login = post(
        "/authsec/uflow/auth/admin/login",
        serde_json::json!({"email": email, "password": ADMIN_PASSWORD}),
        NOW + 2,
    );
    assert_eq!(login.status, 200, "{}", login.json_body());
    login.json_body()
}
