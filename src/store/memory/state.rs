//! The in-memory Durable-Object state (sessions, codes, tickets, the MFA guard and
//! tenant states), through the same pure rules as the `SessionStore` and
//! `ChallengeStore` objects.

use super::MemoryStore;
use crate::accounts::mfa_guard::{self, GuardEvent, GuardOutcome, GuardState};
use crate::accounts::otp::{self, OtpOutcome, OtpRecord, Placement};
use crate::accounts::sessions::{decide_refresh, RefreshOutcome, RefreshRecord, Session, SessionState, TenantState};
use crate::ids::{SessionId, TenantId, UserId};
use crate::store::state::{ChallengeStore, SessionShard, SessionStore};
use crate::store::StoreError;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct DurableState {
    /// Keyed by the shard's object name, as the Durable Objects are.
    sessions: HashMap<String, Vec<Session>>,
    refresh: HashMap<String, Vec<RefreshRecord>>,
    otps: HashMap<String, OtpRecord>,
    guards: HashMap<String, GuardState>,
    tenants: HashMap<String, TenantState>,
    /// key -> (payload, expires_at)
    tickets: HashMap<String, (serde_json::Value, i64)>,
}

impl SessionStore for MemoryStore {
    async fn create_session(
        &self,
        shard: SessionShard<'_>,
        session: &Session,
        refresh_hash: &str,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        state.sessions.entry(shard.object_name()).or_default().push(session.clone());
        state.refresh.entry(shard.object_name()).or_default().push(RefreshRecord {
            hash: refresh_hash.into(),
            session_id: session.id.clone(),
            used_at: None,
        });
        Ok(())
    }

    async fn rotate_refresh(
        &self,
        shard: SessionShard<'_>,
        presented_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> Result<(RefreshOutcome, Option<Session>), StoreError> {
        self.check_up()?;
        let mut guard = self.state.borrow_mut();
        let state = &mut *guard;
        let records = state.refresh.entry(shard.object_name()).or_default();
        let sessions = state.sessions.entry(shard.object_name()).or_default();
        let record = records.iter().find(|r| r.hash == presented_hash).cloned();
        let session = record.as_ref().and_then(|r| sessions.iter().find(|s| s.id == r.session_id).cloned());
        let outcome = decide_refresh(record.as_ref(), session.as_ref(), now);
        match outcome {
            RefreshOutcome::Rotated => {
                let record = record.ok_or_else(|| StoreError::Corrupt("rotated without a refresh record".into()))?;
                for r in records.iter_mut().filter(|r| r.hash == presented_hash) {
                    r.used_at = Some(now);
                }
                records.push(RefreshRecord {
                    hash: new_hash.into(),
                    session_id: record.session_id.clone(),
                    used_at: None,
                });
                let session = sessions
                    .iter_mut()
                    .find(|s| s.id == record.session_id)
                    .ok_or_else(|| StoreError::Corrupt("rotated without a session".into()))?;
                session.last_used_at = now;
                Ok((outcome, Some(session.clone())))
            }
            RefreshOutcome::Reused => {
                let id =
                    record.ok_or_else(|| StoreError::Corrupt("reused without a refresh record".into()))?.session_id;
                for s in sessions.iter_mut().filter(|s| s.id == id && s.revoked_at.is_none()) {
                    s.revoked_at = Some(now);
                    s.revoke_reason = Some("refresh_token_reuse".into());
                }
                Ok((outcome, session))
            }
            _ => Ok((outcome, None)),
        }
    }

    async fn revoke_session(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        session_id: SessionId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let sessions = state.sessions.entry(shard.object_name()).or_default();
        let mut revoked = false;
        for s in sessions.iter_mut().filter(|s| s.id == session_id && s.user_id == user_id && s.is_active(now)) {
            s.revoked_at = Some(now);
            s.revoke_reason = Some(reason.into());
            revoked = true;
        }
        Ok(revoked)
    }

    async fn revoke_user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let sessions = state.sessions.entry(shard.object_name()).or_default();
        let mut ids = Vec::new();
        for s in sessions.iter_mut().filter(|s| s.user_id == user_id && s.is_active(now)) {
            s.revoked_at = Some(now);
            s.revoke_reason = Some(reason.into());
            ids.push(s.id.clone());
        }
        Ok(ids)
    }

    async fn user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<Session>, StoreError> {
        self.check_up()?;
        let state = self.state.borrow();
        let mut live: Vec<Session> = state
            .sessions
            .get(&shard.object_name())
            .map(|all| all.iter().filter(|s| s.user_id == user_id && s.is_active(now)).cloned().collect())
            .unwrap_or_default();
        live.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(live)
    }

    async fn session_state(
        &self,
        shard: SessionShard<'_>,
        session_id: SessionId<'_>,
        now: i64,
    ) -> Result<SessionState, StoreError> {
        self.check_up()?;
        let state = self.state.borrow();
        let session = state.sessions.get(&shard.object_name()).and_then(|all| all.iter().find(|s| s.id == session_id));
        Ok(session.map_or(SessionState::Unknown, |s| s.state(now)))
    }

    async fn tenant_state(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError> {
        self.check_up()?;
        Ok(self.state.borrow().tenants.get(tenant_id.as_str()).copied().unwrap_or_default())
    }

    async fn bump_rbac_version(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let tenant = state.tenants.entry(tenant_id.into()).or_default();
        tenant.rbac_version += 1;
        Ok(*tenant)
    }

    async fn end_tenant_sessions(&self, tenant_id: TenantId<'_>, now: i64) -> Result<TenantState, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let tenant = state.tenants.entry(tenant_id.into()).or_default();
        tenant.sessions_revoked_through = tenant.sessions_revoked_through.max(now);
        Ok(*tenant)
    }
}

impl ChallengeStore for MemoryStore {
    async fn place_otp(&self, key: &str, record: &OtpRecord, now: i64) -> Result<Placement, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let (placement, kept) = otp::place(state.otps.remove(key), record.clone(), now);
        state.otps.insert(key.into(), kept);
        Ok(placement)
    }

    async fn check_otp(
        &self,
        key: &str,
        presented_hash: &str,
        holder: &str,
        now: i64,
    ) -> Result<OtpOutcome, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let (outcome, next) = otp::check(state.otps.remove(key), presented_hash, holder, now);
        if let Some(next) = next {
            state.otps.insert(key.into(), next);
        }
        Ok(outcome)
    }

    async fn guard(&self, key: &str, event: GuardEvent, now: i64) -> Result<GuardOutcome, StoreError> {
        self.check_up()?;
        let mut state = self.state.borrow_mut();
        let (next, outcome) = mfa_guard::transition(state.guards.remove(key).unwrap_or_default(), event, now);
        state.guards.insert(key.into(), next);
        Ok(outcome)
    }

    async fn put_ticket(&self, key: &str, payload: &serde_json::Value, expires_at: i64) -> Result<(), StoreError> {
        self.check_up()?;
        self.state.borrow_mut().tickets.insert(key.into(), (payload.clone(), expires_at));
        Ok(())
    }

    async fn peek_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        self.check_up()?;
        let state = self.state.borrow();
        Ok(state.tickets.get(key).filter(|(_, expires_at)| now < *expires_at).map(|(payload, _)| payload.clone()))
    }

    async fn take_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        self.check_up()?;
        let taken = self.state.borrow_mut().tickets.remove(key);
        Ok(taken.filter(|(_, expires_at)| now < *expires_at).map(|(payload, _)| payload))
    }
}
