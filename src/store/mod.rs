//! Storage behind narrow, intent-level traits (design.md rule 5).
//!
//! Each method is one atomic operation on every backend: a single statement or a D1
//! `batch` in SQL, one event in a Durable Object. Logic never asks which backend it has.
//! The traits live in the files at this level; the implementations in folders:
//! `memory/` is the first-class in-memory implementation; `sql/` runs the D1 dialect
//! through a small executor trait (D1 in the Worker, SQLite in native tests, Postgres
//! through `sql/postgres.rs`).

pub mod accounts;
pub mod admin;
pub mod clients;
pub mod consents;
pub mod flows;
pub mod invitations;
pub mod memory;
pub mod mfa;
pub mod migrations;
pub mod provider;
pub mod rbac;
pub mod sql;
pub mod state;

/// The Postgres executor lives with the SQL backend it feeds; this keeps its old path.
#[cfg(feature = "postgres")]
pub use sql::postgres;

use crate::branding::{Branding, BrandingChange};
use crate::ids::ClientId;
use crate::rate_limit::{Decision, Limit};
use accounts::{AccountStore, DevOutbox};
use admin::TenantAdminStore;
use clients::ClientStore;
use flows::CibaDeviceStore;
use invitations::InvitationStore;
use mfa::MfaStore;
use migrations::MigrationStore;
use rbac::RbacStore;
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
    /// Whether email plus a TOTP code alone signs in to the tenant (ours, off by
    /// default); false for an unknown tenant.
    async fn totp_only_login(&self, id: &str) -> Result<bool, StoreError>;
    /// Sets `totp_only_login`; false if the tenant does not exist.
    async fn set_totp_only_login(&self, id: &str, enabled: bool) -> Result<bool, StoreError>;
    /// The tenant's branding of the sign-in pages (ours, issue 14); the default (none) for
    /// an unknown tenant. A stored value that no longer validates reads as unset.
    async fn branding(&self, id: &str) -> Result<Branding, StoreError>;
    /// The branding of the tenant that owns `client_id`: what the authorize endpoint needs,
    /// asked together with the client itself so that it adds no round trip.
    async fn branding_of_client(&self, client_id: ClientId<'_>) -> Result<Branding, StoreError>;
    /// Applies `change` (each value kept, set or cleared) in one write; false if the
    /// tenant does not exist.
    async fn set_branding(&self, id: &str, change: &BrandingChange) -> Result<bool, StoreError>;
}

#[allow(async_fn_in_trait)]
pub trait SigningKeyStore {
    /// Records that `kid` is published, once: a second call keeps the first timestamp.
    async fn record_published(&self, kid: &str, alg: &str, public_jwk: &str, now: i64) -> Result<(), StoreError>;
    /// Records when `kid` first signed; later calls keep the first timestamp.
    async fn record_signer(&self, kid: &str, now: i64) -> Result<(), StoreError>;
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;
}

/// Everything the API asks of the relational store (D1 or Postgres in the Worker, memory
/// in native tests), under one name: the bound of `api::Platform::Store`. Every type with
/// all the parts is a `Stores`; there is nothing else to implement.
pub trait Stores:
    TenantStore
    + SigningKeyStore
    + AccountStore
    + ClientStore
    + consents::ConsentStore
    + provider::ProviderStore
    + TenantAdminStore
    + InvitationStore
    + MigrationStore
    + MfaStore
    + CibaDeviceStore
    + RbacStore
    + DevOutbox
    + Ping
{
}

impl<T> Stores for T where
    T: TenantStore
        + SigningKeyStore
        + AccountStore
        + ClientStore
        + consents::ConsentStore
        + provider::ProviderStore
        + TenantAdminStore
        + InvitationStore
        + MigrationStore
        + MfaStore
        + CibaDeviceStore
        + RbacStore
        + DevOutbox
        + Ping
{
}

/// The relational store's liveness, for the health check.
#[allow(async_fn_in_trait)]
pub trait Ping {
    async fn ping(&self) -> Result<(), StoreError>;
}

/// KV's minimum expiration TTL: a `put_document` TTL below it is refused by KV.
pub const KV_MIN_TTL_SECS: u64 = 60;

/// A cache of derived documents (JWKS, discovery) and of decisions made elsewhere on
/// their way out to the colos (revocation records, RBAC versions; `api::revocation`).
/// Eventually consistent: it never decides anything, and one-time codes and rate limits
/// never use it.
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
