//! Calls to `SessionStore`: one object per tenant (named `tenant:{id}`), holding its
//! sessions, refresh-token hashes and RBAC version.

use super::{do_calls, Stored};
use crate::accounts::sessions::{RefreshOutcome, Session};
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

/// Whether the session exists, is not revoked and has not expired.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionActive {
    pub session_id: String,
    pub now: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Active {
    pub active: bool,
}

/// Whether the session is active (false without one) together with the tenant's RBAC
/// version, in one round trip.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionStatus {
    pub session_id: Option<String>,
    pub now: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Status {
    pub active: bool,
    pub rbac_version: u64,
}

/// The tenant's RBAC version.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct GetRbacVersion;

/// Increments the tenant's RBAC version and returns the new one.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct BumpRbacVersion;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RbacVersion {
    pub version: u64,
}

do_calls! {
    CreateSession => "/create", Stored;
    RotateRefresh => "/rotate", Rotation;
    RevokeSessions => "/revoke", Revoked;
    ListSessions => "/list", SessionList;
    SessionActive => "/active", Active;
    SessionStatus => "/status", Status;
    GetRbacVersion => "/rbac-version", RbacVersion;
    BumpRbacVersion => "/bump-rbac", RbacVersion;
}
