//! Worker-side clients of the `SessionStore` (one object per user, one per tenant) and
//! `ChallengeStore` (one object per code and per user's guard; tickets sharded by key).

use super::durable_client::DurableClient;
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::otp::{OtpOutcome, OtpRecord, Placement};
use crate::accounts::sessions::{RefreshOutcome, Session, SessionState, TenantState};
use crate::durable_protocol::challenge::{CheckOtp, Guard, PeekTicket, PlaceOtp, PutTicket, TakeTicket};
use crate::durable_protocol::session::{
    BumpRbacVersion, CreateSession, EndTenantSessions, GetSessionState, GetTenantState, ListSessions, RevokeSessions,
    RotateRefresh,
};
use crate::ids::{SessionId, TenantId, UserId};
use crate::store::state::{ChallengeStore, SessionShard, SessionStore};
use crate::store::{Ping, StoreError};

pub struct SessionClient(pub DurableClient);
pub struct ChallengeClient(pub DurableClient);

fn tenant_object(tenant_id: TenantId<'_>) -> String {
    SessionShard::Tenant(tenant_id).object_name()
}

impl Ping for SessionClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.ping().await
    }
}

impl SessionStore for SessionClient {
    async fn create_session(
        &self,
        shard: SessionShard<'_>,
        session: &Session,
        refresh_hash: &str,
    ) -> Result<(), StoreError> {
        let request = CreateSession { session: session.clone(), refresh_hash: refresh_hash.to_string() };
        self.0.call(&shard.object_name(), &request).await.map(|_| ())
    }

    async fn rotate_refresh(
        &self,
        shard: SessionShard<'_>,
        presented_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> Result<(RefreshOutcome, Option<Session>), StoreError> {
        let request = RotateRefresh { presented_hash: presented_hash.to_string(), new_hash: new_hash.to_string(), now };
        let rotation = self.0.call(&shard.object_name(), &request).await?;
        Ok((rotation.outcome, rotation.session))
    }

    async fn revoke_session(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        session_id: SessionId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let request = RevokeSessions {
            user_id: user_id.to_string(),
            session_id: Some(session_id.to_string()),
            reason: reason.to_string(),
            now,
        };
        Ok(self.0.call(&shard.object_name(), &request).await?.count > 0)
    }

    async fn revoke_user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        reason: &str,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let request =
            RevokeSessions { user_id: user_id.to_string(), session_id: None, reason: reason.to_string(), now };
        Ok(self.0.call(&shard.object_name(), &request).await?.ids)
    }

    async fn user_sessions(
        &self,
        shard: SessionShard<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<Session>, StoreError> {
        let request = ListSessions { user_id: user_id.to_string(), now };
        Ok(self.0.call(&shard.object_name(), &request).await?.sessions)
    }

    async fn session_state(
        &self,
        shard: SessionShard<'_>,
        session_id: SessionId<'_>,
        now: i64,
    ) -> Result<SessionState, StoreError> {
        let request = GetSessionState { session_id: session_id.to_string(), now };
        self.0.call(&shard.object_name(), &request).await
    }

    async fn tenant_state(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError> {
        self.0.call(&tenant_object(tenant_id), &GetTenantState).await
    }

    async fn bump_rbac_version(&self, tenant_id: TenantId<'_>) -> Result<TenantState, StoreError> {
        self.0.call(&tenant_object(tenant_id), &BumpRbacVersion).await
    }

    async fn end_tenant_sessions(&self, tenant_id: TenantId<'_>, now: i64) -> Result<TenantState, StoreError> {
        self.0.call(&tenant_object(tenant_id), &EndTenantSessions { now }).await
    }
}

impl Ping for ChallengeClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.ping().await
    }
}

impl ChallengeStore for ChallengeClient {
    async fn place_otp(&self, key: &str, record: &OtpRecord, now: i64) -> Result<Placement, StoreError> {
        let request = PlaceOtp { key: key.to_string(), record: record.clone(), now };
        self.0.call(&format!("otp:{key}"), &request).await
    }

    async fn check_otp(
        &self,
        key: &str,
        presented_hash: &str,
        holder: &str,
        now: i64,
    ) -> Result<OtpOutcome, StoreError> {
        let request = CheckOtp {
            key: key.to_string(),
            presented_hash: presented_hash.to_string(),
            holder: holder.to_string(),
            now,
        };
        self.0.call(&format!("otp:{key}"), &request).await
    }

    async fn guard(&self, key: &str, event: GuardEvent, now: i64) -> Result<GuardOutcome, StoreError> {
        let request = Guard { key: key.to_string(), event, now };
        self.0.call(&format!("mfa:{key}"), &request).await
    }

    async fn put_ticket(&self, key: &str, payload: &serde_json::Value, expires_at: i64) -> Result<(), StoreError> {
        let request = PutTicket { key: key.to_string(), payload: payload.clone(), expires_at };
        self.0.call(&ticket_object(key), &request).await.map(|_| ())
    }

    async fn peek_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        let request = PeekTicket { key: key.to_string(), now };
        Ok(self.0.call(&ticket_object(key), &request).await?.payload)
    }

    async fn take_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        let request = TakeTicket { key: key.to_string(), now };
        Ok(self.0.call(&ticket_object(key), &request).await?.payload)
    }
}

/// Ticket keys are hex hashes, so their first two characters spread tickets over 256 objects.
fn ticket_object(key: &str) -> String {
    format!("ticket:{}", key.get(..2).unwrap_or(key))
}
