//! Storage behind narrow, intent-level traits (design.md rule 5).
//!
//! Each method is one atomic operation on every backend: a single statement or a D1
//! `batch` in SQL, one event in a Durable Object. Logic never asks which backend it has.
//! `memory` is the first-class in-memory implementation; `sql` runs the D1 dialect
//! through a small executor trait (D1 in the Worker, SQLite in native tests).

pub mod accounts;
pub mod admin;
pub mod clients;
pub mod flows;
pub mod invitations;
pub mod memory;
mod memory_accounts;
mod memory_flows;
mod memory_mfa;
mod memory_rbac;
mod memory_state;
pub mod mfa;
pub mod migrations;
pub mod postgres;
pub mod rbac;
pub mod sql;
mod sql_accounts;
mod sql_mfa;
mod sql_rbac;
pub mod state;

use crate::rate_limit::{Decision, Limit};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// A uniqueness rule was violated (duplicate id, domain, kid, ...).
    Conflict(String),
    /// The backend failed or is unreachable; the detail is for the log only.
    Unavailable(String),
    /// Stored data could not be decoded: a bug or a schema mismatch.
    Corrupt(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict(what) => write!(f, "conflict: {what}"),
            StoreError::Unavailable(what) => write!(f, "unavailable: {what}"),
            StoreError::Corrupt(what) => write!(f, "corrupt data: {what}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    /// Lower-case, unique across the deployment.
    pub domain: String,
    pub name: String,
    pub status: String,
    pub created_at: i64,
}

/// Metadata about a signing key this deployment has published: when it first appeared
/// in the JWKS and when it first signed. Key material itself stays in Workers Secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub public_jwk: String,
    pub first_published_at: i64,
    pub activated_at: Option<i64>,
}

#[allow(async_fn_in_trait)]
pub trait TenantStore {
    /// Creates a tenant; `Conflict` if its id or domain is taken.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>, StoreError>;
    async fn tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant, oldest first (for platform administrators).
    async fn list_tenants(&self, offset: u64, limit: u64) -> Result<clients::Page<Tenant>, StoreError>;
    /// Renames a tenant; false if it does not exist.
    async fn rename_tenant(&self, id: &str, name: &str) -> Result<bool, StoreError>;
}

#[allow(async_fn_in_trait)]
pub trait SigningKeyStore {
    /// Records that `kid` is published, once: a second call keeps the first timestamp.
    async fn record_published(&self, kid: &str, alg: &str, public_jwk: &str, now: i64) -> Result<(), StoreError>;
    /// Records when `kid` first signed; later calls keep the first timestamp.
    async fn record_signer(&self, kid: &str, now: i64) -> Result<(), StoreError>;
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;
}

/// The relational store's liveness, for the health check.
#[allow(async_fn_in_trait)]
pub trait Ping {
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A cache of derived documents (JWKS, discovery). Eventually consistent: never used for
/// anything that must be fresh everywhere at once (revocation, one-time codes, limits).
#[allow(async_fn_in_trait)]
pub trait DocumentCache: Ping {
    async fn get_document(&self, key: &str) -> Result<Option<String>, StoreError>;
    async fn put_document(&self, key: &str, value: &str, ttl_secs: u64) -> Result<(), StoreError>;
}

/// Linearizable counting for rate limits (a Durable Object in the Worker).
#[allow(async_fn_in_trait)]
pub trait RateLimiter: Ping {
    async fn admit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<Decision, StoreError>;
}

/// Booleans as SQL stores them: written as 0/1, read from an integer (SQLite, D1,
/// Postgres INTEGER columns) or a JSON boolean.
pub(crate) mod sql_bool {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(i64::from(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Flag {
            Int(i64),
            Bool(bool),
        }
        Ok(match Flag::deserialize(deserializer)? {
            Flag::Int(n) => n != 0,
            Flag::Bool(b) => b,
        })
    }
}
