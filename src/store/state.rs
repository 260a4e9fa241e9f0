//! State that needs linearizable read-modify-write: sessions with their refresh tokens,
//! one-time codes, the second-factor guard and single-use tickets. In the Worker each
//! lives in a Durable Object (sessions per user, codes per purpose and email, the guard
//! per user, tickets sharded by key).

use super::{Ping, StoreError};
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::otp::{OtpOutcome, OtpRecord, Placement};
use crate::accounts::sessions::{RefreshOutcome, Session, SessionState, TenantState};
use crate::ids::{SessionId, TenantId, UserId};

/// Where a session lives. Sessions are sharded by user: one object holds one user's
/// sessions, refresh families and "revoke all", so no object carries a whole tenant.
/// Sessions started before sharding stay in the tenant's object until they expire;
/// their refresh tokens (`rt1`) route there, and lookups fall back to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionShard<'a> {
    User(TenantId<'a>, UserId<'a>),
    /// The tenant's object: sessions from before sharding, the RBAC version and the
    /// tenant's session epoch.
    Tenant(TenantId<'a>),
}

impl SessionShard<'_> {
    /// The Durable Object (and in-memory partition) this shard names.
    pub fn object_name(&self) -> String {
        match self {
            SessionShard::User(tenant, user) => format!("user:{tenant}:{user}"),
            SessionShard::Tenant(tenant) => format!("tenant:{tenant}"),
        }
    }
}

#[allow(async_fn_in_trait)]
pub trait SessionStore: Ping {
    /// Stores a new session and its first refresh-token hash.
    async fn create_session(
        &self,
        shard: SessionShard<'_>,
        session: &Session,
        refresh_hash: &str,
    ) -> Result<(), StoreError>;
    /// Presents a refresh-token hash; on `Rotated` the new hash replaces it and the
    /// session is returned; on `Reused` the session is revoked.
    async fn rotate_refresh(
        &self,
        shard: SessionShard<'_>,
        presented_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> Result<(RefreshOutcome, Option<Session>), StoreError>;
    /// Revokes one session of `user_id`; false if there is no such live session.
    async fn revoke_session(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        session_id: SessionId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    /// Revokes every live session of a user; returns their ids (for the edge to learn of).
    async fn revoke_user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError>;
    /// The user's live sessions, newest first.
    async fn user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<Session>, StoreError>;
    async fn session_state(
        &self,
        shard: SessionShard<'_>,
        session_id: SessionId<'_>,
        now: i64,
    ) -> Result<SessionState, StoreError>;
    async fn tenant_state(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError>;
    /// Marks every cached permission set of the tenant stale; returns the new state.
    async fn bump_rbac_version(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError>;
    /// Ends every session of the tenant created at or before `now` (the tenant epoch).
    async fn end_tenant_sessions(&self, tenant_id: TenantId<'_>, now: i64) -> Result<TenantState, StoreError>;
}

#[allow(async_fn_in_trait)]
pub trait ChallengeStore: Ping {
    /// Offers a new pending code under `key`, in one atomic step; see `accounts::otp::place`.
    async fn place_otp(&self, key: &str, record: &OtpRecord, now: i64) -> Result<Placement, StoreError>;
    /// Checks a presented code hash from `holder`; see `accounts::otp::check`.
    async fn check_otp(
        &self,
        key: &str,
        presented_hash: &str,
        holder: &str,
        now: i64,
    ) -> Result<OtpOutcome, StoreError>;
    /// Applies one event to the second-factor guard under `key` (one per user); see
    /// `accounts::mfa_guard::transition`.
    async fn guard(&self, key: &str, event: GuardEvent, now: i64) -> Result<GuardOutcome, StoreError>;
    /// Stores a short-lived ticket (an admin login challenge, a pending MFA login, a
    /// WebAuthn challenge, an index entry) and what it stands for.
    async fn put_ticket(&self, key: &str, payload: &serde_json::Value, expires_at: i64) -> Result<(), StoreError>;
    /// Reads a live ticket without consuming it.
    async fn peek_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError>;
    /// Consumes a ticket: its payload exactly once, and only before it expires.
    async fn take_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError>;
}
