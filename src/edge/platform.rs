//! `api::Platform` over workerd: D1, KV, the RateLimiter Durable Object, Web Crypto, and
//! configuration read from `Env` and cached per isolate.

use super::d1::D1Executor;
use super::kv::KvCache;
use super::rate_limiter::RateLimiterClient;
use super::webcrypto::WebCrypto;
use crate::api::Platform;
use crate::config::{names, Config, ConfigError};
use crate::store::sql::SqlStore;
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use worker::Env;

const VARS: &[&str] = &[
    names::BASE_URL,
    names::ENVIRONMENT,
    names::ACCESS_TOKEN_TTL_SECS,
    names::JWKS_MAX_AGE_SECS,
    names::TOKEN_GENERATE_PER_MINUTE,
    names::SIGNING_KID,
];
const SECRETS: &[&str] = &[names::SIGNING_KEYS];

type CachedConfig = Rc<Result<Config, ConfigError>>;

thread_local! {
    /// The parsed configuration and a hash of the raw inputs it came from. Parsing keys
    /// costs a scalar multiplication per key, so it happens once per isolate and input.
    static CONFIG: RefCell<Option<(u64, CachedConfig)>> = const { RefCell::new(None) };
}

pub struct EdgePlatform {
    config: CachedConfig,
    crypto: WebCrypto,
    store: SqlStore<D1Executor>,
    cache: KvCache,
    limiter: RateLimiterClient,
}

impl EdgePlatform {
    pub fn new(env: &Env) -> Self {
        EdgePlatform {
            config: load_config(env),
            crypto: WebCrypto,
            store: SqlStore::new(D1Executor::new(env.d1("DB"))),
            cache: KvCache::new(env.kv("CACHE")),
            limiter: RateLimiterClient::new(env.durable_object("RATE_LIMITER")),
        }
    }
}

fn load_config(env: &Env) -> CachedConfig {
    let read = |name: &str| env.var(name).ok().map(|v| v.to_string());
    let inputs: Vec<Option<String>> = VARS.iter().chain(SECRETS).map(|n| read(n)).collect();
    let mut hasher = DefaultHasher::new();
    inputs.hash(&mut hasher);
    let fingerprint = hasher.finish();
    if let Some(config) = CONFIG.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(fp, _)| *fp == fingerprint)
            .map(|(_, config)| config.clone())
    }) {
        return config;
    }
    let lookup = |name: &str| {
        VARS.iter()
            .chain(SECRETS)
            .position(|n| *n == name)
            .and_then(|i| inputs[i].clone())
    };
    let config = Rc::new(Config::parse(lookup, lookup));
    CONFIG.with(|c| *c.borrow_mut() = Some((fingerprint, config.clone())));
    config
}

impl Platform for EdgePlatform {
    type Crypto = WebCrypto;
    type Store = SqlStore<D1Executor>;
    type Cache = KvCache;
    type Limiter = RateLimiterClient;

    fn config(&self) -> Result<&Config, ConfigError> {
        self.config.as_ref().as_ref().map_err(Clone::clone)
    }

    fn crypto(&self) -> &WebCrypto {
        &self.crypto
    }

    fn store(&self) -> &Self::Store {
        &self.store
    }

    fn cache(&self) -> &KvCache {
        &self.cache
    }

    fn limiter(&self) -> &RateLimiterClient {
        &self.limiter
    }

    fn random_id(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        // crypto.getRandomValues cannot fail for 16 bytes; a failure would be a broken
        // runtime, and an all-zero jti is still unique enough not to matter for safety.
        let _ = getrandom::getrandom(&mut bytes);
        bytes
    }
}
