//! Tenant administration: users by kind with paging, status, deletion, and projects.
//! Every operation is scoped by tenant.

use super::accounts::{User, UserKind, UserStatus};
use super::clients::Page;
use super::StoreError;
use crate::ids::{TenantId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub is_default: i64,
    pub created_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait TenantAdminStore {
    /// Users of one kind, oldest first.
    async fn list_users(
        &self,
        tenant_id: TenantId<'_>,
        kind: UserKind,
        offset: u64,
        limit: u64,
    ) -> Result<Page<User>, StoreError>;
    /// Sets `status`; false if the user does not exist.
    async fn set_user_status(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        status: UserStatus,
    ) -> Result<bool, StoreError>;
    /// Deletes the user and their role bindings in one atomic write; false if absent.
    async fn delete_user(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<bool, StoreError>;
    async fn list_projects(&self, tenant_id: TenantId<'_>) -> Result<Vec<Project>, StoreError>;
    async fn create_project(&self, project: &Project) -> Result<(), StoreError>;
    /// Renames or re-describes the tenant's project; false if absent.
    async fn update_project(&self, project: &Project) -> Result<bool, StoreError>;
    /// Deletes a non-default project; false if absent (or default).
    async fn delete_project(&self, tenant_id: TenantId<'_>, project_id: &str) -> Result<bool, StoreError>;
}
