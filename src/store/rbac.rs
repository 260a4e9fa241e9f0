//! RBAC at rest (api.md "RBAC and ABAC"): permissions ("resource:action"), roles and
//! their permissions, bindings of users or groups to roles with a scope and an optional
//! expiry, groups with members, OAuth-style scopes mapped to permissions, API scopes, and
//! ABAC policy documents. Everything is per tenant; an id of another tenant is simply
//! not found. Every mutation is one statement or one batch.

use super::StoreError;
use crate::authz::{BindingDef, RoleDef, Scope, Subject};
use crate::ids::{TenantId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRow {
    pub id: String,
    pub tenant_id: String,
    pub resource: String,
    pub action: String,
    pub description: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
}

/// A role with what the listing shows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSummary {
    pub role: RoleRow,
    pub permissions: Vec<PermissionRow>,
    /// Distinct users bound to it directly.
    pub users_assigned: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingRow {
    pub id: String,
    pub tenant_id: String,
    /// Exactly one of `user_id` and `group_id` is non-empty.
    pub user_id: String,
    pub group_id: String,
    pub role_id: String,
    pub scope_type: String,
    pub scope_id: String,
    /// JSON object, `{}` when none.
    pub conditions: String,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
}

/// A named scope: OAuth-style scopes (`kind` "scope") mapped to permission strings, and
/// API scopes (`kind` "api_scope") naming what an API exposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub name: String,
    pub description: String,
    /// JSON array of "resource:action" strings.
    pub permissions: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    /// The policy document as JSON (validated by `authz::CompiledPolicy` before storing).
    pub document: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The id of the tenant's `*:*` permission, which registration (and migration 0006, for
/// older tenants) links to the `admin` role.
pub fn all_permission_id(tenant_id: &str) -> String {
    format!("perm-all-{tenant_id}")
}

/// The description of the `*:*` permission (the same text as migration 0006 writes).
pub const ALL_PERMISSION_DESCRIPTION: &str = "Every action on every resource";

/// What compiling one principal's permissions needs, in one read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrincipalAuthz {
    pub groups: Vec<String>,
    pub roles: Vec<RoleDef>,
    pub bindings: Vec<BindingDef>,
}

#[allow(async_fn_in_trait)]
pub trait RbacStore {
    /// `Conflict` if the tenant has this resource:action already.
    async fn create_permission(&self, p: &PermissionRow) -> Result<(), StoreError>;
    async fn permissions(&self, tenant_id: TenantId<'_>) -> Result<Vec<PermissionRow>, StoreError>;
    /// Deletes it and unlinks it from every role; false if absent.
    async fn delete_permission(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;

    /// Creates the role linked to `permission_ids` (all of this tenant) atomically.
    /// `Conflict` if the name is taken.
    async fn create_role(&self, role: &RoleRow, permission_ids: &[String]) -> Result<(), StoreError>;
    /// Roles with their permissions and direct user counts, by name.
    async fn roles(&self, tenant_id: TenantId<'_>) -> Result<Vec<RoleSummary>, StoreError>;
    async fn role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<RoleSummary>, StoreError>;
    /// Replaces name, description and (when given) the permission set; false if absent.
    async fn update_role(&self, role: &RoleRow, permission_ids: Option<&[String]>) -> Result<bool, StoreError>;
    /// Deletes the role, its permission links and its bindings; false if absent.
    async fn delete_role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;

    async fn create_binding(&self, binding: &BindingRow) -> Result<(), StoreError>;
    async fn bindings(&self, tenant_id: TenantId<'_>) -> Result<Vec<BindingRow>, StoreError>;
    async fn delete_binding(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;

    /// `Conflict` if the name is taken.
    async fn create_group(&self, group: &GroupRow) -> Result<(), StoreError>;
    async fn groups(&self, tenant_id: TenantId<'_>) -> Result<Vec<GroupRow>, StoreError>;
    async fn update_group(&self, group: &GroupRow) -> Result<bool, StoreError>;
    /// Deletes the group, its memberships and its bindings; false if absent.
    async fn delete_group(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;
    /// Adds members (idempotent).
    async fn add_group_members(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<(), StoreError>;
    async fn remove_group_member(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_id: UserId<'_>,
    ) -> Result<bool, StoreError>;
    async fn group_members(&self, tenant_id: TenantId<'_>, group_id: &str) -> Result<Vec<String>, StoreError>;

    /// `Conflict` if (kind, name) is taken.
    async fn create_scope(&self, scope: &ScopeRow) -> Result<(), StoreError>;
    async fn scopes(&self, tenant_id: TenantId<'_>, kind: &str) -> Result<Vec<ScopeRow>, StoreError>;
    async fn update_scope(&self, scope: &ScopeRow) -> Result<bool, StoreError>;
    async fn delete_scope(&self, tenant_id: TenantId<'_>, kind: &str, id: &str) -> Result<bool, StoreError>;

    /// `Conflict` if the name is taken.
    async fn create_policy(&self, policy: &PolicyRow) -> Result<(), StoreError>;
    async fn policies(&self, tenant_id: TenantId<'_>) -> Result<Vec<PolicyRow>, StoreError>;
    async fn update_policy(&self, policy: &PolicyRow) -> Result<bool, StoreError>;
    async fn delete_policy(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;

    /// The user's groups, the tenant's roles with permissions, and the bindings of the
    /// user and of those groups (expired ones included: expiry is judged at check time).
    async fn principal_authz(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>)
        -> Result<PrincipalAuthz, StoreError>;
}

/// Whether a stored binding carries conditions. They are refused on write today; a row
/// written before that would grant unconditionally, so it grants nothing (fail closed).
pub(super) fn is_unconditional(b: &BindingRow) -> bool {
    matches!(b.conditions.trim(), "" | "{}" | "[]" | "null")
}

/// A stored binding as the authorization core reads it.
pub(super) fn binding_def(b: BindingRow) -> BindingDef {
    let subject = if b.group_id.is_empty() { Subject::User(b.user_id) } else { Subject::Group(b.group_id) };
    BindingDef {
        id: b.id,
        subject,
        role_id: b.role_id,
        scope: Scope::new(&b.scope_type, &b.scope_id),
        expires_at: b.expires_at,
    }
}
