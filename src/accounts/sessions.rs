//! Sessions and rotating refresh tokens (api.md "Tokens", "Sessions").
//!
//! A session is one sign-in. Each refresh hands out a new refresh token and marks the
//! old one used; presenting a used one means it was copied, so the whole session (the
//! token family) is revoked (OAuth 2.0 Security BCP, RFC 9700 §4.14.2). Only keyed
//! hashes of refresh tokens are stored.

use serde::{Deserialize, Serialize};

/// A session's absolute lifetime: refreshing never extends it.
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;
/// The prefix of refresh tokens that name their user's session shard.
pub const SHARDED_REFRESH_PREFIX: &str = "rt2";
/// The prefix of refresh tokens issued before sessions were sharded by user.
pub const LEGACY_REFRESH_PREFIX: &str = "rt1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: i64,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    pub user_agent: String,
    /// For a session started by a delegated grant (device code, CIBA): what its tokens
    /// carry instead of the user's defaults, as JSON; empty otherwise. Refreshes keep it.
    #[serde(default)]
    pub delegation: String,
}

impl Session {
    pub fn new(id: String, user_id: String, now: i64, user_agent: String) -> Self {
        Session {
            id,
            user_id,
            created_at: now,
            expires_at: now + SESSION_TTL_SECS,
            last_used_at: now,
            revoked_at: None,
            revoke_reason: None,
            user_agent: user_agent.chars().take(256).collect(),
            delegation: String::new(),
        }
    }

    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    pub fn state(&self, now: i64) -> SessionState {
        if self.is_active(now) {
            SessionState::Live { created_at: self.created_at }
        } else {
            SessionState::Ended
        }
    }
}

/// What a shard knows of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SessionState {
    /// Not revoked and not expired; `created_at` is checked against the tenant's epoch.
    Live { created_at: i64 },
    /// Revoked or expired.
    Ended,
    /// This shard has never held it.
    Unknown,
}

/// The tenant-wide facts every shard defers to, kept in the tenant's object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantState {
    /// Bumped by every RBAC change, so cached permission sets are known fresh.
    pub rbac_version: u64,
    /// The tenant epoch: every session created at or before this second has ended
    /// (0: none). One write ends a whole tenant's sessions without visiting its shards.
    pub sessions_revoked_through: i64,
}

impl TenantState {
    /// Whether a session created at `created_at` survives the tenant's epoch.
    pub fn admits(&self, created_at: i64) -> bool {
        created_at > self.sessions_revoked_through
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRecord {
    pub hash: String,
    pub session_id: String,
    pub used_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshOutcome {
    /// The presented token was current: it is now used and a new one takes its place.
    Rotated,
    /// The presented token had been used before: the session must be revoked.
    Reused,
    Revoked,
    Expired,
    Unknown,
}

/// Decides a refresh. The caller applies it: on `Rotated`, mark the record used and
/// store the new hash; on `Reused`, revoke the session.
pub fn decide_refresh(record: Option<&RefreshRecord>, session: Option<&Session>, now: i64) -> RefreshOutcome {
    let (Some(record), Some(session)) = (record, session) else {
        return RefreshOutcome::Unknown;
    };
    if session.revoked_at.is_some() {
        return RefreshOutcome::Revoked;
    }
    if now >= session.expires_at {
        return RefreshOutcome::Expired;
    }
    if record.used_at.is_some() {
        return RefreshOutcome::Reused;
    }
    RefreshOutcome::Rotated
}

/// A refresh token, split: `rt2.<tenant_id>.<user_id>.<secret>` routes to the user's
/// session shard; `rt1.<tenant_id>.<secret>` was issued before sessions were sharded and
/// routes to the tenant's object, which still holds that session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshToken<'a> {
    pub tenant_id: &'a str,
    /// `None` for a token from before sharding.
    pub user_id: Option<&'a str>,
    pub secret: &'a str,
}

impl std::fmt::Display for RefreshToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.user_id {
            Some(user) => write!(f, "{SHARDED_REFRESH_PREFIX}.{}.{user}.{}", self.tenant_id, self.secret),
            None => write!(f, "{LEGACY_REFRESH_PREFIX}.{}.{}", self.tenant_id, self.secret),
        }
    }
}

pub fn parse_refresh_token(token: &str) -> Option<RefreshToken<'_>> {
    let safe = |s: &str| {
        !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let parts: Vec<&str> = token.split('.').collect();
    let parsed = match parts.as_slice() {
        [SHARDED_REFRESH_PREFIX, tenant_id, user_id, secret] => {
            RefreshToken { tenant_id, user_id: Some(user_id), secret }
        }
        [LEGACY_REFRESH_PREFIX, tenant_id, secret] => RefreshToken { tenant_id, user_id: None, secret },
        _ => return None,
    };
    let fields_safe = safe(parsed.tenant_id) && safe(parsed.secret) && parsed.user_id.is_none_or(safe);
    fields_safe.then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(now: i64) -> Session {
        Session::new("s1".into(), "u1".into(), now, "ua".into())
    }

    fn record(used: Option<i64>) -> RefreshRecord {
        RefreshRecord { hash: "h".into(), session_id: "s1".into(), used_at: used }
    }

    #[test]
    fn every_state_of_a_refresh_is_decided() {
        let s = session(100);
        assert_eq!(decide_refresh(Some(&record(None)), Some(&s), 200), RefreshOutcome::Rotated);
        assert_eq!(decide_refresh(Some(&record(Some(150))), Some(&s), 200), RefreshOutcome::Reused);
        assert_eq!(decide_refresh(None, Some(&s), 200), RefreshOutcome::Unknown);
        assert_eq!(decide_refresh(Some(&record(None)), None, 200), RefreshOutcome::Unknown);
        let mut revoked = s.clone();
        revoked.revoked_at = Some(150);
        assert_eq!(decide_refresh(Some(&record(None)), Some(&revoked), 200), RefreshOutcome::Revoked);
        assert_eq!(decide_refresh(Some(&record(Some(150))), Some(&revoked), 200), RefreshOutcome::Revoked);
        assert_eq!(decide_refresh(Some(&record(None)), Some(&s), 100 + SESSION_TTL_SECS), RefreshOutcome::Expired);
    }

    #[test]
    fn sessions_end_by_revocation_or_age() {
        let s = session(100);
        assert!(s.is_active(101));
        assert!(!s.is_active(100 + SESSION_TTL_SECS));
        let mut r = s.clone();
        r.revoked_at = Some(101);
        assert!(!r.is_active(102));
    }

    #[test]
    fn refresh_tokens_round_trip_and_reject_junk() {
        let sharded = RefreshToken { tenant_id: "tenant-1", user_id: Some("user-1"), secret: "abcDEF_-123" };
        assert_eq!(sharded.to_string(), "rt2.tenant-1.user-1.abcDEF_-123");
        assert_eq!(parse_refresh_token(&sharded.to_string()), Some(sharded));
        let legacy = RefreshToken { tenant_id: "tenant-1", user_id: None, secret: "abcDEF_-123" };
        assert_eq!(legacy.to_string(), "rt1.tenant-1.abcDEF_-123");
        assert_eq!(parse_refresh_token(&legacy.to_string()), Some(legacy));
        for junk in [
            "",
            "rt1",
            "rt1..x",
            "rt2.t.s",
            "rt1.t.s.x",
            "rt1.t/../x.s",
            "rt1.t.s p",
            "rt2.t..s",
            "rt2.t.u/x.s",
            "rt3.t.u.s",
        ] {
            assert_eq!(parse_refresh_token(junk), None, "{junk}");
        }
    }
}
