//! Calls to `SessionStore`: one object per user (`user:{tenant}:{user}`) holding that
//! user's sessions and refresh-token hashes, and one per tenant (`tenant:{id}`) holding
//! the tenant state (RBAC version, session epoch) and sessions from before sharding.
//! Both are named by `store::state::SessionShard`.

use super::{do_calls, Stored};
use crate::accounts::sessions::{RefreshOutcome, Session, SessionState, TenantState};
use serde::{Deserialize, Serialize};

/// Stores a new session and its first refresh-token hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateSession {
    pub session: Session,
    pub refresh_hash: String,
}

/// Spends `presented_hash` and puts `new_hash` in its place, or reports why not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotateRefresh {
    pub presented_hash: String,
    pub new_hash: String,
    pub now: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rotation {
    pub outcome: RefreshOutcome,
    pub session: Option<Session>,
}

/// Revokes the user's live sessions, or only `session_id` when it is given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevokeSessions {
    pub user_id: String,
    pub session_id: Option<String>,
    pub reason: String,
    pub now: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revoked {
    pub count: u32,
    /// The sessions this call revoked, so the edge can be told of each.
    #[serde(default)]
    pub ids: Vec<String>,
}

/// The user's live sessions, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListSessions {
    pub user_id: String,
    pub now: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionList {
    pub sessions: Vec<Session>,
}

/// What the shard knows of one session (`SessionState`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GetSessionState {
    pub session_id: String,
    pub now: i64,
}

/// The tenant's state (only the tenant's object holds it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct GetTenantState;

/// Increments the tenant's RBAC version; replies with the new tenant state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct BumpRbacVersion;

/// Moves the tenant epoch to `now`: every session created at or before it has ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct EndTenantSessions {
    pub now: i64,
}

do_calls! {
    CreateSession => "/create", Stored;
    RotateRefresh => "/rotate", Rotation;
    RevokeSessions => "/revoke", Revoked;
    ListSessions => "/list", SessionList;
    GetSessionState => "/session-state", SessionState;
    GetTenantState => "/tenant-state", TenantState;
    BumpRbacVersion => "/bump-rbac", TenantState;
    EndTenantSessions => "/end-tenant-sessions", TenantState;
}
