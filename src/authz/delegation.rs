//! Bounding a delegated token's RBAC by its scopes (api.md "Factors, delegated tokens,
//! step-up"). A token a client obtained through a grant may do what its user may do
//! **and** what its approved scopes allow, never more:
//!
//! - `role:<name>` allows what the user's bindings of the role `<name>` grant, at their
//!   scopes (and the role appears in role checks);
//! - a scope the tenant defined (`uflow/admin/scopes`) allows the permissions it maps;
//! - any other scope of the form `resource:action` (with RBAC's `*` wildcards) allows
//!   that permission;
//! - anything else (`openid`, `profile`, `read`, …) allows nothing.
//!
//! Each allowed permission is intersected with the user's own grants, keeping the
//! grant's scope and expiry, so the result is always a subset of the user's view.

use super::permission::{Permission, WILDCARD};
use super::rbac::{compile, BindingDef, EffectivePermissions, RoleDef};

/// The role names a token's scopes name (`role:<name>`).
pub fn scoped_roles(scopes: &[String]) -> impl Iterator<Item = &str> {
    scopes.iter().filter_map(|s| s.strip_prefix("role:"))
}

/// The permissions `scopes` allow besides roles: a tenant-defined scope (`mapped`:
/// name and its permissions) by its mapping, else the scope itself parsed as
/// `resource:action`.
pub fn scope_permissions(scopes: &[String], mapped: &[(String, Vec<Permission>)]) -> Vec<Permission> {
    let mut out = Vec::new();
    for scope in scopes.iter().filter(|s| !s.starts_with("role:")) {
        match mapped.iter().find(|(name, _)| name == scope) {
            Some((_, permissions)) => out.extend(permissions.iter().cloned()),
            None => out.extend(scope.parse::<Permission>().ok()),
        }
    }
    out
}

/// The intersection of two permissions (`*` meets anything as that thing), if any.
pub fn meet(a: &Permission, b: &Permission) -> Option<Permission> {
    fn part<'a>(a: &'a str, b: &'a str) -> Option<&'a str> {
        match (a, b) {
            (WILDCARD, other) | (other, WILDCARD) => Some(other),
            (a, b) if a == b => Some(a),
            _ => None,
        }
    }
    Permission::new(part(a.resource(), b.resource())?, part(a.action(), b.action())?).ok()
}

/// The effective permissions of `user_id` as a delegated token with `scopes` may use them.
pub fn compile_delegated(
    user_id: &str,
    user_groups: &[String],
    roles: &[RoleDef],
    bindings: &[BindingDef],
    scopes: &[String],
    mapped: &[(String, Vec<Permission>)],
) -> EffectivePermissions {
    let names: Vec<&str> = scoped_roles(scopes).collect();
    let named: Vec<RoleDef> = roles.iter().filter(|r| names.contains(&r.name.as_str())).cloned().collect();
    let mut out = compile(user_id, user_groups, &named, bindings);
    let allowed = scope_permissions(scopes, mapped);
    if allowed.is_empty() {
        return out;
    }
    let full = compile(user_id, user_groups, roles, bindings);
    for grant in &full.grants {
        for permission in &allowed {
            if let Some(both) = meet(&grant.permission, permission) {
                out.add_grant(&both, &grant.scope, grant.expires_at);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::rbac::{Scope, Subject};

    fn p(s: &str) -> Permission {
        s.parse().unwrap()
    }

    fn fixture() -> (Vec<RoleDef>, Vec<BindingDef>) {
        let role = |id: &str, perms: &[&str]| RoleDef {
            id: id.into(),
            name: id.into(),
            permissions: perms.iter().map(|s| p(s)).collect(),
        };
        let bind = |id: &str, role: &str| BindingDef {
            id: id.into(),
            subject: Subject::User("u".into()),
            role_id: role.into(),
            scope: Scope::tenant(),
            expires_at: None,
        };
        (
            vec![role("admin", &["*:*"]), role("editor", &["docs:write", "docs:read"])],
            vec![bind("b1", "admin"), bind("b2", "editor")],
        )
    }

    #[test]
    fn meet_intersects_wildcards() {
        assert_eq!(meet(&p("*:*"), &p("docs:read")), Some(p("docs:read")));
        assert_eq!(meet(&p("docs:*"), &p("*:read")), Some(p("docs:read")));
        assert_eq!(meet(&p("docs:read"), &p("docs:write")), None);
    }

    #[test]
    fn no_scope_allows_nothing_and_scopes_never_widen() {
        let (roles, bindings) = fixture();
        let none = compile_delegated("u", &[], &roles, &bindings, &["openid".into(), "read".into()], &[]);
        assert!(none.grants.is_empty() && none.roles.is_empty());
        let docs = compile_delegated("u", &[], &roles, &bindings, &["docs:read".into()], &[]);
        assert!(docs.allows("docs", "read", None, 0));
        assert!(!docs.allows("docs", "write", None, 0));
        assert!(!docs.allows("users", "read", None, 0));
        assert!(!docs.has_role("admin", 0));
        let (_, bindings) = fixture();
        let editor_only = compile_delegated("u", &[], &roles[1..], &bindings[1..], &["users:read".into()], &[]);
        assert!(!editor_only.allows("users", "read", None, 0), "a scope never grants what the user lacks");
    }

    #[test]
    fn role_scopes_and_tenant_scopes() {
        let (roles, bindings) = fixture();
        let editor = compile_delegated("u", &[], &roles, &bindings, &["role:editor".into()], &[]);
        assert!(editor.has_role("editor", 0) && !editor.has_role("admin", 0));
        assert!(editor.allows("docs", "write", None, 0) && !editor.allows("users", "read", None, 0));
        let mapped = vec![("reports".to_string(), vec![p("reports:read")])];
        let reports = compile_delegated("u", &[], &roles, &bindings, &["reports".into()], &mapped);
        assert!(reports.allows("reports", "read", None, 0) && !reports.allows("reports", "write", None, 0));
    }
}
