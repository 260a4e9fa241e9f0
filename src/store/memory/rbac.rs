//! `RbacStore` in memory: the reference the SQL backends are held to. The same data
//! backs registration, invitations, `role_id`, `tenant_roles` and user deletion, so
//! every path sees one RBAC model, as the SQL tables do.

use super::MemoryStore;
use crate::authz::{Permission, RoleDef};
use crate::ids::{TenantId, UserId};
use crate::store::accounts::NewTenant;
use crate::store::rbac::{
    all_permission_id, binding_def, is_unconditional, BindingRow, GroupRow, PermissionRow, PolicyRow, PrincipalAuthz,
    RbacStore, RoleRow, RoleSummary, ScopeRow, ALL_PERMISSION_DESCRIPTION,
};
use crate::store::StoreError;
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct RbacData {
    permissions: Vec<PermissionRow>,
    roles: Vec<RoleRow>,
    /// (tenant, role id, permission id)
    links: Vec<(String, String, String)>,
    bindings: Vec<BindingRow>,
    groups: Vec<GroupRow>,
    /// (tenant, group id, user id)
    members: Vec<(String, String, String)>,
    scopes: Vec<ScopeRow>,
    policies: Vec<PolicyRow>,
}

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict(what.into())
}

fn retain_counting<T>(items: &mut Vec<T>, keep: impl FnMut(&T) -> bool) -> bool {
    let before = items.len();
    items.retain(keep);
    items.len() != before
}

impl RbacData {
    /// Whether registration's rows are free to write (the SQL keys would refuse them otherwise).
    pub fn can_register(&self, new: &NewTenant) -> bool {
        let permission = all_permission_id(&new.tenant.id);
        !self.roles.iter().any(|r| r.id == new.admin_role_id)
            && !self.bindings.iter().any(|b| b.id == new.binding_id)
            && !self.permissions.iter().any(|p| p.id == permission)
    }

    /// The tenant's `admin` role holding `*:*`, bound tenant-wide to the first admin.
    pub fn register(&mut self, new: &NewTenant) {
        let (tenant, now) = (&new.tenant.id, new.tenant.created_at);
        let permission = all_permission_id(tenant);
        self.permissions.push(PermissionRow {
            id: permission.clone(),
            tenant_id: tenant.clone(),
            resource: "*".into(),
            action: "*".into(),
            description: ALL_PERMISSION_DESCRIPTION.into(),
            created_at: now,
        });
        self.roles.push(RoleRow {
            id: new.admin_role_id.clone(),
            tenant_id: tenant.clone(),
            name: "admin".into(),
            description: "Full access to the tenant".into(),
            created_at: now,
        });
        self.links.push((tenant.clone(), new.admin_role_id.clone(), permission));
        self.bindings.push(user_binding(&new.binding_id, tenant, &new.admin.id, &new.admin_role_id, now));
    }

    /// Binds a role to a user tenant-wide (an accepted invitation); `Conflict` on a taken id.
    pub fn bind_user(
        &mut self,
        id: &str,
        tenant_id: &str,
        user_id: &str,
        role_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        if self.bindings.iter().any(|b| b.id == id) {
            return Err(conflict("binding id"));
        }
        self.bindings.push(user_binding(id, tenant_id, user_id, role_id, now));
        Ok(())
    }

    pub fn role_id(&self, tenant_id: &str, name: &str) -> Option<String> {
        self.roles.iter().find(|r| r.tenant_id == tenant_id && r.name == name).map(|r| r.id.clone())
    }

    /// Names of the roles bound to the user directly and tenant-wide, unexpired, by name.
    pub fn tenant_roles(&self, tenant_id: &str, user_id: &str, now: i64) -> Vec<String> {
        let names: BTreeSet<String> = self
            .bindings
            .iter()
            .filter(|b| b.tenant_id == tenant_id && b.group_id.is_empty() && b.user_id == user_id)
            .filter(|b| b.scope_type == "*" && b.scope_id == "*" && b.expires_at.is_none_or(|at| at > now))
            .filter(|b| is_unconditional(b))
            .filter_map(|b| self.roles.iter().find(|r| r.tenant_id == tenant_id && r.id == b.role_id))
            .map(|r| r.name.clone())
            .collect();
        names.into_iter().collect()
    }

    /// Drops a deleted user's bindings and memberships.
    pub fn forget_user(&mut self, tenant_id: &str, user_id: &str) {
        self.bindings.retain(|b| !(b.tenant_id == tenant_id && b.user_id == user_id));
        self.members.retain(|(t, _, u)| !(t == tenant_id && u == user_id));
    }

    fn link(&mut self, tenant_id: &str, role_id: &str, permission_ids: &[String]) {
        for id in permission_ids {
            let ours = self.permissions.iter().any(|p| p.tenant_id == tenant_id && &p.id == id);
            let linked = self.links.iter().any(|(_, r, p)| r == role_id && p == id);
            if ours && !linked {
                self.links.push((tenant_id.into(), role_id.into(), id.clone()));
            }
        }
    }

    fn summary(&self, role: &RoleRow) -> RoleSummary {
        let mut permissions: Vec<PermissionRow> = self
            .permissions
            .iter()
            .filter(|p| self.links.iter().any(|(t, r, id)| *t == role.tenant_id && *r == role.id && *id == p.id))
            .cloned()
            .collect();
        permissions.sort_by(|a, b| (&a.resource, &a.action, &a.id).cmp(&(&b.resource, &b.action, &b.id)));
        let users: BTreeSet<&str> = self
            .bindings
            .iter()
            .filter(|b| b.tenant_id == role.tenant_id && b.role_id == role.id && !b.user_id.is_empty())
            .map(|b| b.user_id.as_str())
            .collect();
        RoleSummary { role: role.clone(), permissions, users_assigned: crate::cast::usize_to_u64(users.len()) }
    }
}

fn user_binding(id: &str, tenant_id: &str, user_id: &str, role_id: &str, now: i64) -> BindingRow {
    BindingRow {
        id: id.into(),
        tenant_id: tenant_id.into(),
        user_id: user_id.into(),
        group_id: String::new(),
        role_id: role_id.into(),
        scope_type: "*".into(),
        scope_id: "*".into(),
        conditions: "{}".into(),
        expires_at: None,
        created_at: now,
    }
}

fn sorted<T: Clone, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = items.collect();
    out.sort_by_key(|item| key(item));
    out
}

impl RbacStore for MemoryStore {
    async fn create_permission(&self, p: &PermissionRow) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let taken = rbac
            .permissions
            .iter()
            .any(|q| q.id == p.id || (q.tenant_id == p.tenant_id && q.resource == p.resource && q.action == p.action));
        if taken {
            return Err(conflict("permission"));
        }
        rbac.permissions.push(p.clone());
        Ok(())
    }

    async fn permissions(&self, tenant_id: TenantId<'_>) -> Result<Vec<PermissionRow>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.permissions.iter().filter(|p| p.tenant_id == tenant_id).cloned();
        Ok(sorted(ours, |p| (p.resource.clone(), p.action.clone(), p.id.clone())))
    }

    async fn delete_permission(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let removed = retain_counting(&mut rbac.permissions, |p| !(p.tenant_id == tenant_id && p.id == id));
        if removed {
            rbac.links.retain(|(t, _, p)| !(t == tenant_id && p == id));
        }
        Ok(removed)
    }

    async fn create_role(&self, role: &RoleRow, permission_ids: &[String]) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if rbac.roles.iter().any(|r| r.id == role.id || (r.tenant_id == role.tenant_id && r.name == role.name)) {
            return Err(conflict("role"));
        }
        rbac.roles.push(role.clone());
        rbac.link(&role.tenant_id, &role.id, permission_ids);
        Ok(())
    }

    async fn roles(&self, tenant_id: TenantId<'_>) -> Result<Vec<RoleSummary>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = sorted(rbac.roles.iter().filter(|r| r.tenant_id == tenant_id), |r| (r.name.clone(), r.id.clone()));
        Ok(ours.into_iter().map(|r| rbac.summary(r)).collect())
    }

    async fn role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<RoleSummary>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        Ok(rbac.roles.iter().find(|r| r.tenant_id == tenant_id && r.id == id).map(|r| rbac.summary(r)))
    }

    async fn update_role(&self, role: &RoleRow, permission_ids: Option<&[String]>) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if !rbac.roles.iter().any(|r| r.tenant_id == role.tenant_id && r.id == role.id) {
            return Ok(false);
        }
        if rbac.roles.iter().any(|r| r.tenant_id == role.tenant_id && r.name == role.name && r.id != role.id) {
            return Err(conflict("role name"));
        }
        if let Some(stored) = rbac.roles.iter_mut().find(|r| r.tenant_id == role.tenant_id && r.id == role.id) {
            stored.name = role.name.clone();
            stored.description = role.description.clone();
        }
        if let Some(ids) = permission_ids {
            rbac.links.retain(|(t, r, _)| !(*t == role.tenant_id && *r == role.id));
            rbac.link(&role.tenant_id, &role.id, ids);
        }
        Ok(true)
    }

    async fn delete_role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let removed = retain_counting(&mut rbac.roles, |r| !(r.tenant_id == tenant_id && r.id == id));
        if removed {
            rbac.links.retain(|(t, r, _)| !(t == tenant_id && r == id));
            rbac.bindings.retain(|b| !(b.tenant_id == tenant_id && b.role_id == id));
        }
        Ok(removed)
    }

    async fn create_binding(&self, binding: &BindingRow) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if rbac.bindings.iter().any(|b| b.id == binding.id) {
            return Err(conflict("binding id"));
        }
        rbac.bindings.push(binding.clone());
        Ok(())
    }

    async fn bindings(&self, tenant_id: TenantId<'_>) -> Result<Vec<BindingRow>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.bindings.iter().filter(|b| b.tenant_id == tenant_id).cloned();
        Ok(sorted(ours, |b| (b.created_at, b.id.clone())))
    }

    async fn delete_binding(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        Ok(retain_counting(&mut self.rbac.borrow_mut().bindings, |b| !(b.tenant_id == tenant_id && b.id == id)))
    }

    async fn create_group(&self, group: &GroupRow) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if rbac.groups.iter().any(|g| g.id == group.id || (g.tenant_id == group.tenant_id && g.name == group.name)) {
            return Err(conflict("group"));
        }
        rbac.groups.push(group.clone());
        Ok(())
    }

    async fn groups(&self, tenant_id: TenantId<'_>) -> Result<Vec<GroupRow>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.groups.iter().filter(|g| g.tenant_id == tenant_id).cloned();
        Ok(sorted(ours, |g| (g.name.clone(), g.id.clone())))
    }

    async fn update_group(&self, group: &GroupRow) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        // As an UPDATE: a missing row is "false", never a conflict.
        if !rbac.groups.iter().any(|g| g.tenant_id == group.tenant_id && g.id == group.id) {
            return Ok(false);
        }
        if rbac.groups.iter().any(|g| g.tenant_id == group.tenant_id && g.name == group.name && g.id != group.id) {
            return Err(conflict("group name"));
        }
        Ok(match rbac.groups.iter_mut().find(|g| g.tenant_id == group.tenant_id && g.id == group.id) {
            Some(stored) => {
                stored.name = group.name.clone();
                stored.description = group.description.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_group(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let removed = retain_counting(&mut rbac.groups, |g| !(g.tenant_id == tenant_id && g.id == id));
        if removed {
            rbac.members.retain(|(t, g, _)| !(t == tenant_id && g == id));
            rbac.bindings.retain(|b| !(b.tenant_id == tenant_id && b.group_id == id));
        }
        Ok(removed)
    }

    async fn add_group_members(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if !rbac.groups.iter().any(|g| g.tenant_id == tenant_id && g.id == group_id) {
            return Ok(());
        }
        for user in user_ids {
            if !rbac.members.iter().any(|(_, g, u)| g == group_id && u == user) {
                rbac.members.push((tenant_id.into(), group_id.into(), user.clone()));
            }
        }
        Ok(())
    }

    async fn remove_group_member(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_id: UserId<'_>,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        Ok(retain_counting(&mut rbac.members, |(t, g, u)| !(t == tenant_id && g == group_id && u == user_id)))
    }

    async fn group_members(&self, tenant_id: TenantId<'_>, group_id: &str) -> Result<Vec<String>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.members.iter().filter(|(t, g, _)| t == tenant_id && g == group_id).map(|(_, _, u)| u.clone());
        Ok(sorted(ours, Clone::clone))
    }

    async fn create_scope(&self, scope: &ScopeRow) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let taken = rbac.scopes.iter().any(|s| {
            s.id == scope.id || (s.tenant_id == scope.tenant_id && s.kind == scope.kind && s.name == scope.name)
        });
        if taken {
            return Err(conflict("scope"));
        }
        rbac.scopes.push(scope.clone());
        Ok(())
    }

    async fn scopes(&self, tenant_id: TenantId<'_>, kind: &str) -> Result<Vec<ScopeRow>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.scopes.iter().filter(|s| s.tenant_id == tenant_id && s.kind == kind).cloned();
        Ok(sorted(ours, |s| (s.name.clone(), s.id.clone())))
    }

    async fn update_scope(&self, scope: &ScopeRow) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        let same = |s: &ScopeRow| s.tenant_id == scope.tenant_id && s.kind == scope.kind;
        if !rbac.scopes.iter().any(|s| same(s) && s.id == scope.id) {
            return Ok(false);
        }
        if rbac.scopes.iter().any(|s| same(s) && s.name == scope.name && s.id != scope.id) {
            return Err(conflict("scope name"));
        }
        Ok(match rbac.scopes.iter_mut().find(|s| same(s) && s.id == scope.id) {
            Some(stored) => {
                stored.name = scope.name.clone();
                stored.description = scope.description.clone();
                stored.permissions = scope.permissions.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_scope(&self, tenant_id: TenantId<'_>, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        Ok(retain_counting(&mut rbac.scopes, |s| !(s.tenant_id == tenant_id && s.kind == kind && s.id == id)))
    }

    async fn create_policy(&self, policy: &PolicyRow) -> Result<(), StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if rbac.policies.iter().any(|p| p.id == policy.id || (p.tenant_id == policy.tenant_id && p.name == policy.name))
        {
            return Err(conflict("policy"));
        }
        rbac.policies.push(policy.clone());
        Ok(())
    }

    async fn policies(&self, tenant_id: TenantId<'_>) -> Result<Vec<PolicyRow>, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let ours = rbac.policies.iter().filter(|p| p.tenant_id == tenant_id).cloned();
        Ok(sorted(ours, |p| (p.name.clone(), p.id.clone())))
    }

    async fn update_policy(&self, policy: &PolicyRow) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        if !rbac.policies.iter().any(|p| p.tenant_id == policy.tenant_id && p.id == policy.id) {
            return Ok(false);
        }
        if rbac.policies.iter().any(|p| p.tenant_id == policy.tenant_id && p.name == policy.name && p.id != policy.id) {
            return Err(conflict("policy name"));
        }
        Ok(match rbac.policies.iter_mut().find(|p| p.tenant_id == policy.tenant_id && p.id == policy.id) {
            Some(stored) => {
                stored.name = policy.name.clone();
                stored.document = policy.document.clone();
                stored.updated_at = policy.updated_at;
                true
            }
            None => false,
        })
    }

    async fn delete_policy(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut rbac = self.rbac.borrow_mut();
        Ok(retain_counting(&mut rbac.policies, |p| !(p.tenant_id == tenant_id && p.id == id)))
    }

    async fn principal_authz(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
    ) -> Result<PrincipalAuthz, StoreError> {
        self.check_up()?;
        let rbac = self.rbac.borrow();
        let groups: Vec<String> = sorted(
            rbac.members.iter().filter(|(t, _, u)| t == tenant_id && u == user_id).map(|(_, g, _)| g.clone()),
            Clone::clone,
        );
        let ours = sorted(rbac.roles.iter().filter(|r| r.tenant_id == tenant_id), |r| (r.name.clone(), r.id.clone()));
        let roles = ours
            .into_iter()
            .map(|r| RoleDef {
                id: r.id.clone(),
                name: r.name.clone(),
                permissions: rbac
                    .summary(r)
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::new(&p.resource, &p.action).ok())
                    .collect(),
            })
            .collect();
        let reaches = |b: &BindingRow| {
            if b.group_id.is_empty() {
                b.user_id == user_id
            } else {
                groups.contains(&b.group_id)
            }
        };
        let bindings = sorted(rbac.bindings.iter().filter(|b| b.tenant_id == tenant_id && reaches(b)).cloned(), |b| {
            (b.created_at, b.id.clone())
        });
        let bindings = bindings.into_iter().filter(is_unconditional).map(binding_def).collect();
        Ok(PrincipalAuthz { roles, bindings, groups })
    }
}
