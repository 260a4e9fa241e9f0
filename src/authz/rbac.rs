//! RBAC: compiling one principal's roles and bindings into [`EffectivePermissions`].
//!
//! [`compile`] walks the tenant's bindings once and keeps every grant that reaches the
//! user, directly or through one of their groups, together with the binding's scope and
//! expiry. The result is plain data (Serialize/Deserialize) so it can be cached in isolate
//! memory or a Durable Object as JSON.
//!
//! Invariants:
//! - Expiry is never applied at compile time: every query takes `now`, and a binding with
//!   `expires_at = Some(t)` is live only while `now < t`. A cached compile therefore stays
//!   correct as time passes; [`EffectivePermissions::next_expiry`] says when the answers
//!   may next change so a cache can drop the entry then.
//! - A binding whose role is unknown grants nothing. A binding whose subject is a group
//!   grants exactly the members named by `user_groups`.
//! - Scopes: `("*", "*")` is tenant-wide. A grant scoped to `(kind, "*")` covers every id of
//!   that kind; any other grant covers only its own `(kind, id)`. A scope whose kind is `*`
//!   but whose id is not is not tenant-wide; it matches only an identical requested scope.

use super::permission::Permission;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A role: a named set of permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    /// The role's id, as bindings name it.
    pub id: String,
    /// The role's display name, as [`EffectivePermissions::has_role`] matches it.
    pub name: String,
    /// The permissions the role carries.
    pub permissions: Vec<Permission>,
}

/// Where a binding applies: `("*", "*")` is the whole tenant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// The kind of object (e.g. "project"), or `*` for tenant-wide.
    #[serde(rename = "type")]
    pub kind: String,
    /// The object's id, or `*` for every object of `kind`.
    pub id: String,
}

impl Scope {
    /// The tenant-wide scope `("*", "*")`.
    pub fn tenant() -> Scope {
        Scope { kind: "*".to_string(), id: "*".to_string() }
    }

    /// A scope of one kind and id.
    pub fn new(kind: &str, id: &str) -> Scope {
        Scope { kind: kind.to_string(), id: id.to_string() }
    }

    /// Whether this is the tenant-wide scope `("*", "*")`.
    pub fn is_tenant_wide(&self) -> bool {
        self.kind == "*" && self.id == "*"
    }

    /// Whether a grant held at this scope applies to a check at `requested`.
    fn covers(&self, requested: &Scope) -> bool {
        self.is_tenant_wide() || self == requested || (self.kind == requested.kind && self.id == "*")
    }
}

/// Who a binding grants its role to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Subject {
    /// One user, by id.
    User(String),
    /// Every member of a group, by group id.
    Group(String),
}

/// A role binding: `subject` holds `role_id` within `scope` until `expires_at` (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingDef {
    /// The binding's id.
    pub id: String,
    /// The user or group the role is bound to.
    pub subject: Subject,
    /// The bound role's [`RoleDef::id`].
    pub role_id: String,
    /// Where the role applies.
    pub scope: Scope,
    /// When the binding stops granting (exclusive), or `None` for never.
    pub expires_at: Option<i64>,
}

/// One permission held at one scope until an optional expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The permission granted.
    pub permission: Permission,
    /// Where it applies.
    pub scope: Scope,
    /// When it stops applying (exclusive), or `None` for never.
    pub expires_at: Option<i64>,
}

/// One role held through one binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    /// The role's id.
    pub role_id: String,
    /// The role's name.
    pub role_name: String,
    /// The binding that grants it.
    pub binding_id: String,
    /// Where the binding applies.
    pub scope: Scope,
    /// When the binding stops applying (exclusive), or `None` for never.
    pub expires_at: Option<i64>,
}

/// The compiled, cache-friendly view of one principal: every grant with its scope and expiry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePermissions {
    /// The user this view was compiled for.
    pub user_id: String,
    /// Every (permission, scope) reaching the user, each with its longest-lived expiry.
    pub grants: Vec<Grant>,
    /// Every role reaching the user, one entry per binding.
    pub roles: Vec<RoleGrant>,
    /// The groups the user was a member of when compiled (ABAC subjects match on them).
    #[serde(default)]
    pub groups: Vec<String>,
}

fn live(expires_at: Option<i64>, now: i64) -> bool {
    expires_at.is_none_or(|t| now < t)
}

/// Whether expiry `a` lasts at least as long as `b` (`None` is forever).
fn outlasts(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a >= b,
    }
}

/// Compiles the grants that reach `user_id` (directly or through `user_groups`) from the
/// tenant's `roles` and `bindings`. Expired bindings are kept: expiry is applied per query.
pub fn compile(
    user_id: &str,
    user_groups: &[String],
    roles: &[RoleDef],
    bindings: &[BindingDef],
) -> EffectivePermissions {
    let mut out = EffectivePermissions {
        user_id: user_id.to_string(),
        groups: user_groups.to_vec(),
        ..EffectivePermissions::default()
    };
    for binding in bindings {
        let reaches = match &binding.subject {
            Subject::User(id) => id == user_id,
            Subject::Group(group) => user_groups.iter().any(|g| g == group),
        };
        if !reaches {
            continue;
        }
        let Some(role) = roles.iter().find(|r| r.id == binding.role_id) else {
            continue;
        };
        out.roles.push(RoleGrant {
            role_id: role.id.clone(),
            role_name: role.name.clone(),
            binding_id: binding.id.clone(),
            scope: binding.scope.clone(),
            expires_at: binding.expires_at,
        });
        for permission in &role.permissions {
            out.add_grant(permission, &binding.scope, binding.expires_at);
        }
    }
    out
}

impl EffectivePermissions {
    /// Records a grant, keeping one entry per (permission, scope) with the longest expiry:
    /// the pair is live at `now` exactly when its longest-lived source is.
    pub(super) fn add_grant(&mut self, permission: &Permission, scope: &Scope, expires_at: Option<i64>) {
        match self.grants.iter_mut().find(|g| &g.permission == permission && &g.scope == scope) {
            Some(existing) => {
                if outlasts(expires_at, existing.expires_at) {
                    existing.expires_at = expires_at;
                }
            }
            None => {
                self.grants.push(Grant { permission: permission.clone(), scope: scope.clone(), expires_at });
            }
        }
    }

    /// Whether a live grant covers `action` on `resource` at `scope`. `None` is a
    /// tenant-wide check: only tenant-wide grants count. `Some(scope)` is also satisfied by
    /// tenant-wide grants, grants at exactly that scope, and grants at `(scope.kind, "*")`.
    pub fn allows(&self, resource: &str, action: &str, scope: Option<&Scope>, now: i64) -> bool {
        self.grants.iter().any(|g| {
            live(g.expires_at, now)
                && g.permission.grants(resource, action)
                && match scope {
                    None => g.scope.is_tenant_wide(),
                    Some(requested) => g.scope.covers(requested),
                }
        })
    }

    /// The roles reaching the user through bindings live at `now`.
    pub fn live_roles(&self, now: i64) -> impl Iterator<Item = &RoleGrant> {
        self.roles.iter().filter(move |r| live(r.expires_at, now))
    }

    /// Whether a live binding (at any scope) gives the user a role named `role_name`.
    pub fn has_role(&self, role_name: &str, now: i64) -> bool {
        self.live_roles(now).any(|r| r.role_name == role_name)
    }

    /// Whether a live binding gives the user `role_name` where it applies to `scope`: a
    /// tenant-wide binding, one at exactly that scope, or one at `(scope.kind, "*")`.
    pub fn has_role_at(&self, role_name: &str, scope: &Scope, now: i64) -> bool {
        self.live_roles(now).any(|r| r.role_name == role_name && r.scope.covers(scope))
    }

    /// Whether a live tenant-wide binding gives the user a role named `role_name` (what
    /// administering the tenant requires).
    pub fn has_tenant_role(&self, role_name: &str, now: i64) -> bool {
        self.live_roles(now).any(|r| r.role_name == role_name && r.scope.is_tenant_wide())
    }

    /// The live permissions at any scope as sorted, deduplicated `"resource:action"` strings.
    pub fn permission_strings(&self, now: i64) -> Vec<String> {
        let set: BTreeSet<String> =
            self.grants.iter().filter(|g| live(g.expires_at, now)).map(|g| g.permission.to_string()).collect();
        set.into_iter().collect()
    }

    /// The names of live roles at any scope, sorted and deduplicated.
    pub fn role_names(&self, now: i64) -> Vec<String> {
        let set: BTreeSet<&str> = self.live_roles(now).map(|r| r.role_name.as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// The earliest expiry strictly after `now` among grants and roles: until then every
    /// answer of this view stays the same, so a cache may keep it until that instant.
    pub fn next_expiry(&self, now: i64) -> Option<i64> {
        let grants = self.grants.iter().filter_map(|g| g.expires_at);
        let roles = self.roles.iter().filter_map(|r| r.expires_at);
        grants.chain(roles).filter(|&t| t > now).min()
    }
}
