//! The HTTP API, independent of workerd: route, decode, call the domain, encode.
//!
//! `handle` is the single entry point; it never panics on input and always answers.
//! Everything it needs from the outside world comes through `Platform` (stores, crypto,
//! randomness, config) and `Isolate` (per-isolate memory), and `now_ms` is an argument.

// Modules that own routes: each declares its tables and a `dispatch` (router.rs).
mod accounts;
mod authz;
mod clients;
mod factors;
mod foundation;
mod grants;
mod hydra_compat;
mod oauth;

// Cross-cutting helpers that every module may use.
mod auth;
mod authz_cache;
mod body;
mod cors;
mod dpop;
mod issue;
mod revocation;
pub mod router;
mod session_shards;
mod validate;

use crate::accounts::password::{hash_password, HashParams};
use crate::config::{Config, ConfigError};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method, MAX_BODY_BYTES};
use crate::mail::MailTransport;
use crate::metrics::Metrics;
use crate::push::PushTransport;
use crate::store::flows::FlowStore;
use crate::store::state::{ChallengeStore, SessionStore};
use crate::store::{DocumentCache, RateLimiter, Stores};
use crate::tokens::cache::VerificationCache;
use crate::tokens::crypto::Es256;
use crate::webauthn::SignatureVerifier;
use router::Route;
use std::cell::RefCell;
use std::collections::HashMap;

/// What the API needs from the world. The Worker implements it over D1, KV, Durable
/// Objects and Web Crypto; native tests over the in-memory store and RustCrypto.
pub trait Platform {
    /// Token signatures (ES256) and passkey signatures (ES256, EdDSA, RS256).
    type Crypto: Es256 + SignatureVerifier;
    type Store: Stores;
    type Cache: DocumentCache;
    type Limiter: RateLimiter;
    type Sessions: SessionStore;
    type Challenges: ChallengeStore;
    type Mail: MailTransport;
    type Flows: FlowStore;
    type Push: PushTransport;

    /// The configuration, or the first problem with it (validated at first use).
    fn config(&self) -> Result<&Config, ConfigError>;
    fn crypto(&self) -> &Self::Crypto;
    fn store(&self) -> &Self::Store;
    fn cache(&self) -> &Self::Cache;
    fn limiter(&self) -> &Self::Limiter;
    fn sessions(&self) -> &Self::Sessions;
    fn challenges(&self) -> &Self::Challenges;
    /// The configured mail transport, if any (see `mail`).
    fn mail_transport(&self) -> Option<&Self::Mail>;
    fn flows(&self) -> &Self::Flows;
    /// The configured CIBA push transport, if any (see `push`).
    fn push_transport(&self) -> Option<&Self::Push>;
    /// 16 bytes from a CSPRNG, or `None` when the runtime's generator failed: callers
    /// fail closed (503) rather than hand out a predictable secret.
    fn random_id(&self) -> Option<[u8; 16]>;
}

/// Whose account a route acts on, where admins and end users share a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Admin,
    Enduser,
}

/// State that lives as long as the isolate: metrics and memoized documents.
#[derive(Debug, Default)]
pub struct Isolate {
    pub metrics: RefCell<Metrics>,
    /// Successful token verifications, re-checked against the clock on every hit.
    pub verified_tokens: RefCell<VerificationCache>,
    /// name -> (fingerprint, document, expires_at_ms)
    documents: RefCell<HashMap<String, (String, String, i64)>>,
    /// A password hash with the configured parameters, verified against when a login
    /// names no account, so unknown emails cost the same time as known ones.
    dummy_hash: RefCell<Option<(HashParams, String)>>,
    /// Session revocations and RBAC versions as this colo last learned them (edge tier).
    pub edge: revocation::EdgeView,
    /// Compiled permission sets and policies, by tenant RBAC version.
    pub authz: RefCell<authz_cache::AuthzCache>,
}

impl Isolate {
    pub fn dummy_password_hash(&self, params: HashParams) -> String {
        if let Some((p, hash)) = self.dummy_hash.borrow().as_ref() {
            if *p == params {
                return hash.clone();
            }
        }
        let hash = hash_password("no account has this password", [0x5a; 16], params).unwrap_or_default();
        *self.dummy_hash.borrow_mut() = Some((params, hash.clone()));
        hash
    }
}

/// The answer to one request, with what the edge needs for metrics and logs.
#[derive(Debug)]
pub struct Outcome {
    pub response: HttpResponse,
    /// The route template (or a fixed label for unmatched requests) for metrics.
    pub route: &'static str,
    /// Internal detail to log; never part of the response.
    pub log: Option<String>,
}

/// Per-request context handed to every handler.
pub struct Ctx<'a, P: Platform> {
    pub platform: &'a P,
    pub isolate: &'a Isolate,
    pub now_ms: i64,
    /// Problems worth logging that did not fail the request (a cache write, say).
    pub warnings: RefCell<Vec<String>>,
}

impl<P: Platform> Ctx<'_, P> {
    pub fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    pub fn config(&self) -> Result<&Config, ApiError> {
        self.platform.config().map_err(ApiError::Config)
    }

    /// 16 bytes from the platform's CSPRNG; 503 if it failed.
    pub fn random_id(&self) -> Result<[u8; 16], ApiError> {
        self.platform.random_id().ok_or_else(|| ApiError::Unavailable("the random number generator failed".into()))
    }

    pub fn warn(&self, message: String) {
        self.warnings.borrow_mut().push(message);
    }
}

pub async fn handle<P: Platform>(platform: &P, isolate: &Isolate, req: &HttpRequest, now_ms: i64) -> Outcome {
    let local = development_client_ip(platform, req);
    let req = local.as_ref().unwrap_or(req);
    let origin = cors::allowed_origin(platform.config().ok(), req);
    let mut outcome = route(platform, isolate, req, now_ms, origin).await;
    outcome.response = cors::decorate(outcome.response, origin);
    outcome
}

/// In development, a local proxy may carry the client address in the configured
/// `CLIENT_IP_HEADER`; copy it to where `auth::client_ip` looks. Never deployed (the
/// config refuses the variable outside development).
fn development_client_ip<P: Platform>(platform: &P, req: &HttpRequest) -> Option<HttpRequest> {
    let name = platform.config().ok()?.client_ip_header.as_deref()?;
    if req.header("cf-connecting-ip").is_some() {
        return None;
    }
    let address = req.header(name)?.to_string();
    Some(req.clone().with_header("cf-connecting-ip", &address))
}

async fn route<P: Platform>(
    platform: &P,
    isolate: &Isolate,
    req: &HttpRequest,
    now_ms: i64,
    origin: Option<&str>,
) -> Outcome {
    if req.method == Method::Options && req.header("access-control-request-method").is_some() {
        return finish(cors::preflight(req, origin), "cors_preflight", Vec::new());
    }
    let matched = match router::resolve(req.method, &req.path) {
        Ok(matched) => matched,
        Err((error, label)) => return finish(Err(error), label, Vec::new()),
    };
    let declared_len = req.header("content-length").and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
    if declared_len > MAX_BODY_BYTES || req.body.len() > MAX_BODY_BYTES {
        return finish(Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES }), matched.template, Vec::new());
    }
    let ctx = Ctx { platform, isolate, now_ms, warnings: RefCell::new(Vec::new()) };
    let params = &matched.params;
    let result = match matched.route {
        Route::Foundation(action) => foundation::dispatch(&ctx, req, params, action).await,
        Route::Accounts(action) => accounts::dispatch(&ctx, req, params, action).await,
        Route::Clients(action) => clients::dispatch(&ctx, req, params, action).await,
        Route::Factors(action) => factors::dispatch(&ctx, req, params, action).await,
        Route::Grants(action) => grants::dispatch(&ctx, req, params, action).await,
        Route::Authz(action) => authz::dispatch(&ctx, req, params, action).await,
        Route::OAuth(action) => oauth::dispatch(&ctx, req, params, action).await,
        Route::HydraCompat(action) => hydra_compat::dispatch(&ctx, req, params, action).await,
    };
    finish(result, matched.template, ctx.warnings.into_inner())
}

fn finish(result: Result<HttpResponse, ApiError>, route: &'static str, mut logs: Vec<String>) -> Outcome {
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            logs.extend(error.log_detail());
            error.into_response()
        }
    };
    Outcome { response: with_default_headers(response), route, log: (!logs.is_empty()).then(|| logs.join("; ")) }
}

/// Identity responses are private and must not be sniffed or cached unless a handler
/// says otherwise (JWKS and discovery set their own `cache-control`).
fn with_default_headers(mut response: HttpResponse) -> HttpResponse {
    if response.header("cache-control").is_none() {
        response = response.with_header("cache-control", "no-store");
    }
    response.with_header("x-content-type-options", "nosniff").with_header("referrer-policy", "no-referrer")
}
