//! Worker-side clients of the `SessionStore` (one object per tenant) and
//! `ChallengeStore` (one object per code and per user's guard; tickets sharded by key).

use super::durable_client::DurableClient;
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::otp::{OtpOutcome, OtpRecord};
use crate::accounts::sessions::{RefreshOutcome, Session};
use crate::durable::challenge_store::{CheckOtp, Guard, PutOtp, Ticket};
use crate::durable::session_store::{CreateRequest, RotateRequest, RotateResponse, UserRequest};
use crate::store::state::{ChallengeStore, SessionStore};
use crate::store::{Ping, StoreError};

pub struct SessionClient(pub DurableClient);
pub struct ChallengeClient(pub DurableClient);

fn tenant_object(tenant_id: &str) -> String {
    format!("tenant:{tenant_id}")
}

fn user_request(user_id: &str, session_id: Option<&str>, reason: Option<&str>, now: i64) -> UserRequest {
    UserRequest {
        user_id: user_id.to_string(),
        session_id: session_id.map(str::to_string),
        reason: reason.map(str::to_string),
        now,
    }
}

impl Ping for SessionClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.call::<_, String>("health", "/ping", &()).await.map(|_| ())
    }
}

impl SessionStore for SessionClient {
    async fn create_session(&self, tenant_id: &str, session: &Session, refresh_hash: &str) -> Result<(), StoreError> {
        let request = CreateRequest { session: session.clone(), refresh_hash: refresh_hash.to_string() };
        self.0.call::<_, bool>(&tenant_object(tenant_id), "/create", &request).await.map(|_| ())
    }

    async fn rotate_refresh(
        &self,
        tenant_id: &str,
        presented_hash: &str,
        new_hash: &str,
        now: i64,
    ) -> Result<(RefreshOutcome, Option<Session>), StoreError> {
        let request = RotateRequest { presented_hash: presented_hash.to_string(), new_hash: new_hash.to_string(), now };
        let response: RotateResponse = self.0.call(&tenant_object(tenant_id), "/rotate", &request).await?;
        Ok((response.outcome, response.session))
    }

    async fn revoke_session(
        &self,
        tenant_id: &str,
        user_id: &str,
        session_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let request = user_request(user_id, Some(session_id), Some(reason), now);
        let count: u32 = self.0.call(&tenant_object(tenant_id), "/revoke", &request).await?;
        Ok(count > 0)
    }

    async fn revoke_user_sessions(
        &self,
        tenant_id: &str,
        user_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<u32, StoreError> {
        let request = user_request(user_id, None, Some(reason), now);
        self.0.call(&tenant_object(tenant_id), "/revoke", &request).await
    }

    async fn user_sessions(&self, tenant_id: &str, user_id: &str, now: i64) -> Result<Vec<Session>, StoreError> {
        let request = user_request(user_id, None, None, now);
        self.0.call(&tenant_object(tenant_id), "/list", &request).await
    }

    async fn session_active(&self, tenant_id: &str, session_id: &str, now: i64) -> Result<bool, StoreError> {
        let request = user_request("", Some(session_id), None, now);
        self.0.call(&tenant_object(tenant_id), "/active", &request).await
    }

    async fn session_status(&self, tenant_id: &str, session_id: &str, now: i64) -> Result<(bool, u64), StoreError> {
        let request = user_request("", Some(session_id).filter(|s| !s.is_empty()), None, now);
        self.0.call(&tenant_object(tenant_id), "/status", &request).await
    }

    async fn rbac_version(&self, tenant_id: &str) -> Result<u64, StoreError> {
        self.0.call(&tenant_object(tenant_id), "/rbac-version", &()).await
    }

    async fn bump_rbac_version(&self, tenant_id: &str) -> Result<u64, StoreError> {
        self.0.call(&tenant_object(tenant_id), "/bump-rbac", &()).await
    }
}

impl Ping for ChallengeClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.call::<_, String>("health", "/ping", &()).await.map(|_| ())
    }
}

impl ChallengeStore for ChallengeClient {
    async fn put_otp(&self, key: &str, record: &OtpRecord) -> Result<(), StoreError> {
        let request = PutOtp { key: key.to_string(), record: record.clone() };
        self.0.call::<_, bool>(&format!("otp:{key}"), "/put-otp", &request).await.map(|_| ())
    }

    async fn check_otp(&self, key: &str, presented_hash: &str, now: i64) -> Result<OtpOutcome, StoreError> {
        let request = CheckOtp { key: key.to_string(), presented_hash: presented_hash.to_string(), now };
        self.0.call(&format!("otp:{key}"), "/check-otp", &request).await
    }

    async fn guard(&self, key: &str, event: GuardEvent, now: i64) -> Result<GuardOutcome, StoreError> {
        let request = Guard { key: key.to_string(), event, now };
        self.0.call(&format!("mfa:{key}"), "/guard", &request).await
    }

    async fn put_ticket(&self, key: &str, payload: &serde_json::Value, expires_at: i64) -> Result<(), StoreError> {
        let request =
            Ticket { key: key.to_string(), payload: Some(payload.clone()), expires_at: Some(expires_at), now: None };
        self.0.call::<_, bool>(&ticket_object(key), "/put-ticket", &request).await.map(|_| ())
    }

    async fn peek_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        let request = Ticket { key: key.to_string(), payload: None, expires_at: None, now: Some(now) };
        self.0.call(&ticket_object(key), "/peek-ticket", &request).await
    }

    async fn take_ticket(&self, key: &str, now: i64) -> Result<Option<serde_json::Value>, StoreError> {
        let request = Ticket { key: key.to_string(), payload: None, expires_at: None, now: Some(now) };
        self.0.call(&ticket_object(key), "/take-ticket", &request).await
    }
}

/// Ticket keys are hex hashes, so their first two characters spread tickets over 256 objects.
fn ticket_object(key: &str) -> String {
    format!("ticket:{}", key.get(..2).unwrap_or(key))
}
