//! Invitations to a tenant's console.

use super::accounts::User;
use super::StoreError;
use crate::ids::TenantId;
use serde::{Deserialize, Serialize};

pub const INVITATION_TTL_SECS: i64 = 7 * 24 * 3600;

/// Where an invitation stands. Stored and sent as `pending`, `accepted` or `cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Cancelled,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub role: String,
    pub token_hash: String,
    pub invited_by: String,
    pub status: InvitationStatus,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Invitation {
    pub fn is_open(&self, now: i64) -> bool {
        self.status == InvitationStatus::Pending && now < self.expires_at
    }
}

#[allow(async_fn_in_trait)]
pub trait InvitationStore {
    async fn create_invitation(&self, invitation: &Invitation) -> Result<(), StoreError>;
    /// The tenant's invitations in `pending` status, oldest first.
    async fn pending_invitations(&self, tenant_id: TenantId<'_>) -> Result<Vec<Invitation>, StoreError>;
    async fn invitation_by_token_hash(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError>;
    /// Replaces status, token hash and expiry of the tenant's invitation; false if absent.
    async fn update_invitation(&self, invitation: &Invitation) -> Result<bool, StoreError>;
    /// The id of the tenant's role with this name.
    async fn role_id(&self, tenant_id: TenantId<'_>, name: &str) -> Result<Option<String>, StoreError>;
    /// Creates the invitee's user with a tenant-wide binding to `role_id` and marks the
    /// invitation accepted, in one atomic write. `Conflict` if the email is taken.
    async fn accept_invitation(
        &self,
        invitation_id: &str,
        user: &User,
        role_id: &str,
        binding_id: &str,
    ) -> Result<(), StoreError>;
}
