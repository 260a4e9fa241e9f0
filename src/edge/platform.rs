//! `api::Platform` over workerd: D1, KV, the RateLimiter Durable Object, Web Crypto, and
//! configuration read from `Env` and cached per isolate.

use super::d1::D1Executor;
use super::durable_client::DurableClient;
use super::executor::EdgeExecutor;
use super::flow_client::FlowClient;
use super::kv::KvCache;
use super::mail::HttpMailTransport;
use super::push::HttpPushTransport;
use super::rate_limiter::RateLimiterClient;
use super::state_clients::{ChallengeClient, SessionClient};
use super::webcrypto::WebCrypto;
use crate::api::Platform;
use crate::config::{names, Config, ConfigError};
use crate::metrics::CallLog;
use crate::store::sql::SqlStore;
use std::cell::OnceCell;
use std::rc::Rc;
use worker::Env;

type CachedConfig = Rc<Result<Config, ConfigError>>;

thread_local! {
    /// The parsed configuration, once per isolate: vars and secrets are fixed for a
    /// deployment (changing one deploys a new version, hence new isolates), and parsing
    /// keys costs a scalar multiplication per key.
    static CONFIG: OnceCell<CachedConfig> = const { OnceCell::new() };
}

/// Bindings are looked up on first use, so a request touches only what it needs.
pub struct EdgePlatform {
    env: Env,
    config: CachedConfig,
    crypto: WebCrypto,
    store: OnceCell<SqlStore<EdgeExecutor>>,
    cache: OnceCell<KvCache>,
    limiter: OnceCell<RateLimiterClient>,
    sessions: OnceCell<SessionClient>,
    challenges: OnceCell<ChallengeClient>,
    mail: OnceCell<Option<HttpMailTransport>>,
    flows: OnceCell<FlowClient>,
    push: OnceCell<Option<HttpPushTransport>>,
    /// Every remote call this request waits for (see `CallLog`).
    calls: Rc<CallLog>,
}

impl EdgePlatform {
    pub fn new(env: Env) -> Self {
        let config = CONFIG.with(|c| c.get_or_init(|| load_config(&env)).clone());
        EdgePlatform {
            env,
            config,
            crypto: WebCrypto,
            store: OnceCell::new(),
            cache: OnceCell::new(),
            limiter: OnceCell::new(),
            sessions: OnceCell::new(),
            challenges: OnceCell::new(),
            mail: OnceCell::new(),
            flows: OnceCell::new(),
            push: OnceCell::new(),
            calls: Rc::default(),
        }
    }
}

impl EdgePlatform {
    /// Ends what this request opened (a Postgres connection) before the response leaves.
    /// The remote calls this request has made so far.
    pub fn calls(&self) -> &CallLog {
        &self.calls
    }

    pub async fn close(&self) {
        if let Some(store) = self.store.get() {
            store.executor().close().await;
        }
    }
}

fn load_config(env: &Env) -> CachedConfig {
    let read = |name: &str| {
        names::VARS
            .iter()
            .chain(names::SECRETS)
            .any(|n| *n == name)
            .then(|| env.var(name).ok().map(|v| v.to_string()))
            .flatten()
    };
    Rc::new(Config::parse(read, read))
}

impl Platform for EdgePlatform {
    type Crypto = WebCrypto;
    type Store = SqlStore<EdgeExecutor>;
    type Cache = KvCache;
    type Limiter = RateLimiterClient;
    type Sessions = SessionClient;
    type Challenges = ChallengeClient;
    type Mail = HttpMailTransport;
    type Flows = FlowClient;
    type Push = HttpPushTransport;

    fn config(&self) -> Result<&Config, ConfigError> {
        self.config.as_ref().as_ref().map_err(Clone::clone)
    }

    fn crypto(&self) -> &WebCrypto {
        &self.crypto
    }

    fn store(&self) -> &Self::Store {
        self.store.get_or_init(|| {
            // Config refuses STORE=postgres in a build without the Postgres store.
            #[cfg(feature = "postgres")]
            if matches!(self.config.as_ref(), Ok(c) if c.store == crate::config::StoreBackend::Postgres) {
                let hyperdrive = self.env.hyperdrive("HYPERDRIVE");
                return SqlStore::new(EdgeExecutor::Postgres(super::postgres::HyperdriveExecutor::new(
                    hyperdrive,
                    self.calls.clone(),
                )));
            }
            SqlStore::new(EdgeExecutor::D1(D1Executor::new(self.env.d1("DB"), self.calls.clone())))
        })
    }

    fn cache(&self) -> &KvCache {
        self.cache.get_or_init(|| KvCache::new(self.env.kv("CACHE"), self.calls.clone()))
    }

    fn limiter(&self) -> &RateLimiterClient {
        self.limiter.get_or_init(|| {
            RateLimiterClient(DurableClient::new(
                "RATE_LIMITER",
                self.env.durable_object("RATE_LIMITER"),
                self.calls.clone(),
            ))
        })
    }

    fn sessions(&self) -> &SessionClient {
        self.sessions.get_or_init(|| {
            SessionClient(DurableClient::new("SESSIONS", self.env.durable_object("SESSIONS"), self.calls.clone()))
        })
    }

    fn challenges(&self) -> &ChallengeClient {
        self.challenges.get_or_init(|| {
            ChallengeClient(DurableClient::new("CHALLENGES", self.env.durable_object("CHALLENGES"), self.calls.clone()))
        })
    }

    fn mail_transport(&self) -> Option<&HttpMailTransport> {
        self.mail
            .get_or_init(|| {
                self.config
                    .as_ref()
                    .as_ref()
                    .ok()
                    .and_then(|c| HttpMailTransport::from_config(&c.mail, self.calls.clone()))
            })
            .as_ref()
    }

    fn flows(&self) -> &FlowClient {
        self.flows.get_or_init(|| {
            FlowClient(DurableClient::new("FLOWS", self.env.durable_object("FLOWS"), self.calls.clone()))
        })
    }

    fn push_transport(&self) -> Option<&HttpPushTransport> {
        self.push
            .get_or_init(|| {
                let config = self.config.as_ref().as_ref().ok()?;
                let url = config.push_url.clone()?;
                Some(HttpPushTransport {
                    url,
                    token: config.push_token.as_ref().map(|t| t.expose().clone()),
                    log: self.calls.clone(),
                })
            })
            .as_ref()
    }

    fn random_id(&self) -> Option<[u8; 16]> {
        let mut bytes = [0u8; 16];
        // crypto.getRandomValues does not fail for 16 bytes in a healthy runtime; if it
        // ever does, every secret made from these bytes would be predictable, so the
        // request fails closed (503) instead.
        getrandom::getrandom(&mut bytes).ok()?;
        Some(bytes)
    }
}
