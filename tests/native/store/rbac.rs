//! The RBAC store contract, run by `contract` and `postgres` against every
//! backend: permissions, roles and their links, bindings of users and groups, groups and
//! members, scopes, ABAC policies, and what one principal's authorization reads. Another
//! tenant's ids are never found.

use crate::store::accounts::new_tenant;
use authsec_edge::authz::{BindingDef, Permission, RoleDef, Scope, Subject};
use authsec_edge::ids::{TenantId, UserId};
use authsec_edge::store::accounts::AccountStore;
use authsec_edge::store::admin::TenantAdminStore;
use authsec_edge::store::rbac::{BindingRow, GroupRow, PermissionRow, PolicyRow, RbacStore, RoleRow, ScopeRow};
use authsec_edge::store::StoreError;

const NOW: i64 = 1_795_910_400;
const T: &str = "tenant-80";
const OTHER: &str = "tenant-81";

fn permission(id: &str, tenant: &str, resource: &str, action: &str) -> PermissionRow {
    PermissionRow {
        id: id.into(),
        tenant_id: tenant.into(),
        resource: resource.into(),
        action: action.into(),
        description: format!("{resource} {action}"),
        created_at: NOW,
    }
}

fn role(id: &str, tenant: &str, name: &str) -> RoleRow {
    RoleRow { id: id.into(), tenant_id: tenant.into(), name: name.into(), description: String::new(), created_at: NOW }
}

fn binding(id: &str, tenant: &str, user: &str, group: &str, role: &str, at: i64) -> BindingRow {
    BindingRow {
        id: id.into(),
        tenant_id: tenant.into(),
        user_id: user.into(),
        group_id: group.into(),
        role_id: role.into(),
        scope_type: "*".into(),
        scope_id: "*".into(),
        conditions: "{}".into(),
        expires_at: None,
        created_at: at,
    }
}

fn group(id: &str, tenant: &str, name: &str) -> GroupRow {
    GroupRow { id: id.into(), tenant_id: tenant.into(), name: name.into(), description: String::new(), created_at: NOW }
}

fn scope(id: &str, kind: &str, name: &str, permissions: &str) -> ScopeRow {
    ScopeRow {
        id: id.into(),
        tenant_id: T.into(),
        kind: kind.into(),
        name: name.into(),
        description: format!("the {name} scope"),
        permissions: permissions.into(),
        created_at: NOW,
    }
}

fn policy(id: &str, tenant: &str, name: &str) -> PolicyRow {
    PolicyRow {
        id: id.into(),
        tenant_id: tenant.into(),
        name: name.into(),
        document: format!("{{\"name\":\"{name}\"}}"),
        created_at: NOW,
        updated_at: NOW,
    }
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| id(i).to_string()).collect()
}

fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict(_)))
}

pub async fn all<S: RbacStore + AccountStore + TenantAdminStore>(store: &S) {
    store.register_tenant(&new_tenant(80, "rbac-eighty.test", "rbac@eighty.test")).await.unwrap();
    store.register_tenant(&new_tenant(81, "rbac-eightyone.test", "rbac@eightyone.test")).await.unwrap();
    the_admin_role_of_a_new_tenant_holds_everything(store).await;
    permissions(store).await;
    roles(store).await;
    groups_and_bindings(store).await;
    scopes(store).await;
    policies(store).await;
    deleting_a_user_drops_their_memberships_and_bindings(store).await;
}

async fn the_admin_role_of_a_new_tenant_holds_everything<S: RbacStore + AccountStore>(store: &S) {
    let roles = store.roles(TenantId::new(T)).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        (roles[0].role.id.as_str(), roles[0].role.name.as_str(), roles[0].users_assigned),
        ("role-80", "admin", 1)
    );
    let everything: Vec<(&str, &str, &str)> =
        roles[0].permissions.iter().map(|p| (p.id.as_str(), p.resource.as_str(), p.action.as_str())).collect();
    assert_eq!(everything, [("perm-all-tenant-80", "*", "*")]);
    assert_eq!(store.role(TenantId::new(T), "role-80").await.unwrap().as_ref(), Some(&roles[0]));
    let authz = store.principal_authz(TenantId::new(T), UserId::new("admin-80")).await.unwrap();
    assert!(authz.groups.is_empty());
    assert_eq!(
        authz.roles,
        [RoleDef { id: "role-80".into(), name: "admin".into(), permissions: vec![Permission::parse("*:*").unwrap()] }]
    );
    assert_eq!(
        authz.bindings,
        [BindingDef {
            id: "binding-80".into(),
            subject: Subject::User("admin-80".into()),
            role_id: "role-80".into(),
            scope: Scope::tenant(),
            expires_at: None,
        }]
    );
    assert_eq!(
        store.tenant_roles(TenantId::new(T), UserId::new("admin-80"), NOW).await.unwrap(),
        vec!["admin".to_string()]
    );
    assert_eq!(store.role(TenantId::new(OTHER), "role-80").await.unwrap(), None, "another tenant's role is not found");
}

async fn permissions<S: RbacStore>(store: &S) {
    store.create_permission(&permission("p-read", T, "documents", "read")).await.unwrap();
    store.create_permission(&permission("p-write", T, "documents", "write")).await.unwrap();
    store.create_permission(&permission("p-export", T, "billing", "export")).await.unwrap();
    assert!(conflict(store.create_permission(&permission("p-again", T, "documents", "read")).await));
    assert!(conflict(store.create_permission(&permission("p-read", T, "documents", "delete")).await));
    // The same resource:action in another tenant is another permission.
    store.create_permission(&permission("p-other-read", OTHER, "documents", "read")).await.unwrap();
    let listed = store.permissions(TenantId::new(T)).await.unwrap();
    assert_eq!(ids(&listed, |p| &p.id), ["perm-all-tenant-80", "p-export", "p-read", "p-write"]);
    assert_eq!(listed[2], permission("p-read", T, "documents", "read"));
    assert_eq!(
        ids(&store.permissions(TenantId::new(OTHER)).await.unwrap(), |p| &p.id),
        ["perm-all-tenant-81", "p-other-read"]
    );
    assert!(!store.delete_permission(TenantId::new(OTHER), "p-export").await.unwrap());
    assert!(!store.delete_permission(TenantId::new(T), "p-missing").await.unwrap());
    assert!(store.delete_permission(TenantId::new(T), "p-export").await.unwrap());
    assert!(!store.delete_permission(TenantId::new(T), "p-export").await.unwrap());
}

async fn roles<S: RbacStore>(store: &S) {
    let wanted: Vec<String> = ["p-read", "p-write", "p-other-read", "p-missing", "p-read"].map(String::from).into();
    store.create_role(&role("role-editor", T, "editor"), &wanted).await.unwrap();
    let editor = store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap();
    assert_eq!(editor.role, role("role-editor", T, "editor"));
    assert_eq!(ids(&editor.permissions, |p| &p.id), ["p-read", "p-write"], "only this tenant's permissions link");
    assert_eq!(editor.users_assigned, 0);
    assert!(conflict(store.create_role(&role("role-dup", T, "editor"), &["p-read".into()]).await));
    assert_eq!(store.role(TenantId::new(T), "role-dup").await.unwrap(), None, "a refused role wrote nothing");
    store.create_role(&role("role-viewer", T, "viewer"), &["p-read".into()]).await.unwrap();
    store.create_role(&role("role-empty", T, "auditor"), &[]).await.unwrap();
    store.create_role(&role("role-other-editor", OTHER, "editor"), &["p-other-read".into()]).await.unwrap();

    // Direct users are counted once each; group bindings do not count.
    store.create_binding(&binding("rb-1", T, "user-a", "", "role-editor", NOW + 1)).await.unwrap();
    let scoped = BindingRow {
        scope_type: "project".into(),
        scope_id: "p1".into(),
        ..binding("rb-2", T, "user-a", "", "role-editor", NOW + 2)
    };
    store.create_binding(&scoped).await.unwrap();
    store.create_binding(&binding("rb-3", T, "user-b", "", "role-editor", NOW + 3)).await.unwrap();
    store.create_binding(&binding("rb-4", T, "", "group-x", "role-editor", NOW + 4)).await.unwrap();
    store.create_binding(&binding("rb-5", T, "user-a", "", "role-viewer", NOW + 5)).await.unwrap();
    let listed = store.roles(TenantId::new(T)).await.unwrap();
    let summary: Vec<(&str, u64, usize)> =
        listed.iter().map(|r| (r.role.name.as_str(), r.users_assigned, r.permissions.len())).collect();
    assert_eq!(summary, [("admin", 1, 1), ("auditor", 0, 0), ("editor", 2, 2), ("viewer", 1, 1)]);
    assert_eq!(
        ids(&store.roles(TenantId::new(OTHER)).await.unwrap(), |r| &r.role.id),
        ["role-81", "role-other-editor"]
    );

    // Updating replaces the name, the description and (when given) the permissions.
    let renamed = RoleRow { description: "Writes documents".into(), ..role("role-editor", T, "author") };
    assert!(store.update_role(&renamed, Some(&["p-write".into(), "p-other-read".into()])).await.unwrap());
    let author = store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap();
    assert_eq!((author.role, ids(&author.permissions, |p| &p.id)), (renamed.clone(), vec!["p-write".to_string()]));
    let described = RoleRow { description: "Still writes".into(), ..renamed.clone() };
    assert!(store.update_role(&described, None).await.unwrap());
    assert_eq!(
        ids(&store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap().permissions, |p| &p.id),
        ["p-write"]
    );
    let clash = role("role-editor", T, "viewer");
    assert!(conflict(store.update_role(&clash, Some(&["p-read".into()])).await));
    let kept = store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap();
    assert_eq!((kept.role.name.as_str(), ids(&kept.permissions, |p| &p.id)), ("author", vec!["p-write".to_string()]));
    assert!(!store.update_role(&role("role-editor", OTHER, "hijacked"), Some(&[])).await.unwrap());
    assert!(!store.update_role(&role("role-missing", T, "ghost"), None).await.unwrap());
    assert!(!store.update_role(&role("role-missing", T, "viewer"), None).await.unwrap(), "absent, not a conflict");
    assert!(!store.update_role(&role("role-missing", T, "ghost"), Some(&["p-read".into()])).await.unwrap());
    assert_eq!(store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap().permissions.len(), 1);

    // Deleting a permission unlinks it from every role.
    assert!(store.delete_permission(TenantId::new(T), "p-write").await.unwrap());
    assert!(store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap().permissions.is_empty());
    assert!(store.update_role(&renamed, Some(&["p-write".into()])).await.unwrap());
    assert!(
        store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap().permissions.is_empty(),
        "a deleted permission"
    );

    // Deleting a role deletes its links and bindings.
    assert!(!store.delete_role(TenantId::new(OTHER), "role-editor").await.unwrap());
    assert!(store.delete_role(TenantId::new(T), "role-editor").await.unwrap());
    assert!(!store.delete_role(TenantId::new(T), "role-editor").await.unwrap());
    assert_eq!(store.role(TenantId::new(T), "role-editor").await.unwrap(), None);
    assert_eq!(ids(&store.bindings(TenantId::new(T)).await.unwrap(), |b| &b.id), ["binding-80", "rb-5"]);
    assert!(store.delete_role(TenantId::new(T), "role-empty").await.unwrap());
    assert_eq!(ids(&store.roles(TenantId::new(T)).await.unwrap(), |r| &r.role.name), ["admin", "viewer"]);
    // A role recreated under the old id starts without the old links.
    store.create_role(&role("role-editor", T, "editor"), &[]).await.unwrap();
    assert!(store.role(TenantId::new(T), "role-editor").await.unwrap().unwrap().permissions.is_empty());
    assert!(store.delete_role(TenantId::new(T), "role-editor").await.unwrap());
}

async fn groups_and_bindings<S: RbacStore + AccountStore>(store: &S) {
    store.create_group(&group("g-eng", T, "engineering")).await.unwrap();
    store.create_group(&group("g-ops", T, "operations")).await.unwrap();
    store.create_group(&group("g-other", OTHER, "engineering")).await.unwrap();
    assert!(conflict(store.create_group(&group("g-dup", T, "engineering")).await));
    assert!(conflict(store.create_group(&group("g-eng", T, "another")).await));
    let sre = GroupRow { description: "Site reliability".into(), ..group("g-ops", T, "sre") };
    assert!(store.update_group(&sre).await.unwrap());
    assert!(conflict(store.update_group(&group("g-ops", T, "engineering")).await));
    assert!(!store.update_group(&group("g-ops", OTHER, "stolen")).await.unwrap());
    assert!(!store.update_group(&group("g-missing", T, "ghost")).await.unwrap());
    assert!(!store.update_group(&group("g-missing", T, "engineering")).await.unwrap(), "absent, not a conflict");
    assert_eq!(store.groups(TenantId::new(T)).await.unwrap(), [group("g-eng", T, "engineering"), sre.clone()]);
    assert_eq!(ids(&store.groups(TenantId::new(OTHER)).await.unwrap(), |g| &g.id), ["g-other"]);

    let members: Vec<String> = ["user-b", "user-a", "user-b"].map(String::from).into();
    store.add_group_members(TenantId::new(T), "g-eng", &members).await.unwrap();
    store.add_group_members(TenantId::new(T), "g-eng", &["user-a".into()]).await.unwrap();
    store.add_group_members(TenantId::new(T), "g-ops", &["user-c".into()]).await.unwrap();
    store.add_group_members(TenantId::new(T), "g-eng", &[]).await.unwrap();
    store.add_group_members(TenantId::new(OTHER), "g-eng", &["user-z".into()]).await.unwrap();
    store.add_group_members(TenantId::new(OTHER), "g-other", &["user-a".into()]).await.unwrap();
    assert_eq!(store.group_members(TenantId::new(T), "g-eng").await.unwrap(), ["user-a", "user-b"]);
    assert!(
        store.group_members(TenantId::new(OTHER), "g-eng").await.unwrap().is_empty(),
        "not into another tenant's group"
    );
    assert!(!store.remove_group_member(TenantId::new(OTHER), "g-eng", UserId::new("user-a")).await.unwrap());

    let expiring = BindingRow {
        scope_type: "project".into(),
        scope_id: "p1".into(),
        expires_at: Some(NOW + 100),
        ..binding("b-user", T, "user-a", "", "role-viewer", NOW + 10)
    };
    store.create_binding(&expiring).await.unwrap();
    store.create_binding(&binding("b-eng", T, "", "g-eng", "role-viewer", NOW + 11)).await.unwrap();
    store.create_binding(&binding("b-ops", T, "", "g-ops", "role-80", NOW + 12)).await.unwrap();
    store.create_binding(&binding("b-user-b", T, "user-b", "", "role-80", NOW + 13)).await.unwrap();
    store.create_binding(&binding("b-other", OTHER, "user-a", "", "role-81", NOW + 14)).await.unwrap();
    store.create_binding(&binding("b-other-group", OTHER, "", "g-other", "role-81", NOW + 15)).await.unwrap();
    assert!(conflict(store.create_binding(&binding("b-user", T, "user-a", "", "role-80", NOW)).await));
    let listed = store.bindings(TenantId::new(T)).await.unwrap();
    assert_eq!(ids(&listed, |b| &b.id), ["binding-80", "rb-5", "b-user", "b-eng", "b-ops", "b-user-b"]);
    assert_eq!(listed[2], expiring);

    let authz = store.principal_authz(TenantId::new(T), UserId::new("user-a")).await.unwrap();
    assert_eq!(authz.groups, ["g-eng"]);
    let role_names: Vec<&str> = authz.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(role_names, ["admin", "viewer"], "every role of the tenant, none of another");
    assert_eq!(authz.roles[1].permissions, [Permission::new("documents", "read").unwrap()]);
    let reached: Vec<(&str, &Subject)> = authz.bindings.iter().map(|b| (b.id.as_str(), &b.subject)).collect();
    assert_eq!(
        reached,
        [
            ("rb-5", &Subject::User("user-a".into())),
            ("b-user", &Subject::User("user-a".into())),
            ("b-eng", &Subject::Group("g-eng".into())),
        ]
    );
    assert_eq!(
        (authz.bindings[1].scope.clone(), authz.bindings[1].expires_at),
        (Scope::new("project", "p1"), Some(NOW + 100))
    );
    let elsewhere = store.principal_authz(TenantId::new(OTHER), UserId::new("user-a")).await.unwrap();
    assert_eq!(elsewhere.groups, ["g-other"]);
    assert_eq!(ids(&elsewhere.bindings, |b| &b.id), ["b-other", "b-other-group"]);
    assert_eq!(ids(&elsewhere.roles, |r| &r.id), ["role-81", "role-other-editor"]);
    // A binding stored with conditions (refused on write now, possible in older rows)
    // grants nothing: its conditions would never be evaluated.
    let conditional = BindingRow {
        conditions: "{\"ip\":\"10.0.0.0/8\"}".into(),
        ..binding("b-cond", T, "user-nobody", "", "role-80", NOW + 16)
    };
    store.create_binding(&conditional).await.unwrap();
    let nobody = store.principal_authz(TenantId::new(T), UserId::new("user-nobody")).await.unwrap();
    assert!(nobody.groups.is_empty() && nobody.bindings.is_empty() && nobody.roles.len() == 2);
    assert!(store.tenant_roles(TenantId::new(T), UserId::new("user-nobody"), NOW).await.unwrap().is_empty());
    // Tenant-wide, direct, unexpired roles are what token claims carry.
    assert_eq!(store.tenant_roles(TenantId::new(T), UserId::new("user-b"), NOW).await.unwrap(), ["admin"]);
    assert_eq!(
        store.tenant_roles(TenantId::new(T), UserId::new("user-c"), NOW).await.unwrap(),
        Vec::<String>::new(),
        "not through groups"
    );
    let lapsed = BindingRow { expires_at: Some(NOW), ..binding("b-lapsed", T, "user-c", "", "role-viewer", NOW + 16) };
    store.create_binding(&lapsed).await.unwrap();
    assert_eq!(store.tenant_roles(TenantId::new(T), UserId::new("user-c"), NOW - 1).await.unwrap(), ["viewer"]);
    assert_eq!(store.tenant_roles(TenantId::new(T), UserId::new("user-c"), NOW).await.unwrap(), Vec::<String>::new());
    assert!(store.delete_binding(TenantId::new(T), "b-lapsed").await.unwrap());

    assert!(store.remove_group_member(TenantId::new(T), "g-eng", UserId::new("user-a")).await.unwrap());
    assert!(!store.remove_group_member(TenantId::new(T), "g-eng", UserId::new("user-a")).await.unwrap());
    let after = store.principal_authz(TenantId::new(T), UserId::new("user-a")).await.unwrap();
    assert_eq!((after.groups.len(), ids(&after.bindings, |b| &b.id)), (0, vec!["rb-5".into(), "b-user".into()]));
    assert!(!store.delete_binding(TenantId::new(OTHER), "b-user").await.unwrap());
    assert!(store.delete_binding(TenantId::new(T), "b-user").await.unwrap());
    assert!(!store.delete_binding(TenantId::new(T), "b-user").await.unwrap());

    // Deleting a group deletes its memberships and its bindings.
    assert!(!store.delete_group(TenantId::new(OTHER), "g-eng").await.unwrap());
    assert!(store.delete_group(TenantId::new(T), "g-eng").await.unwrap());
    assert!(!store.delete_group(TenantId::new(T), "g-eng").await.unwrap());
    assert!(store.group_members(TenantId::new(T), "g-eng").await.unwrap().is_empty());
    assert_eq!(
        ids(&store.bindings(TenantId::new(T)).await.unwrap(), |b| &b.id),
        ["binding-80", "rb-5", "b-ops", "b-user-b", "b-cond"]
    );
    assert_eq!(ids(&store.groups(TenantId::new(T)).await.unwrap(), |g| &g.id), ["g-ops"]);
    assert!(store.principal_authz(TenantId::new(T), UserId::new("user-b")).await.unwrap().groups.is_empty());
    // A group recreated under the old id starts empty.
    store.create_group(&group("g-eng", T, "engineering")).await.unwrap();
    assert!(store.group_members(TenantId::new(T), "g-eng").await.unwrap().is_empty());
}

async fn scopes<S: RbacStore>(store: &S) {
    store.create_scope(&scope("s-read", "scope", "read", "[\"documents:read\"]")).await.unwrap();
    store.create_scope(&scope("s-admin", "scope", "admin", "[\"*:*\"]")).await.unwrap();
    store.create_scope(&scope("a-read", "api_scope", "read", "[]")).await.unwrap();
    assert!(conflict(store.create_scope(&scope("s-dup", "scope", "read", "[]")).await));
    assert!(conflict(store.create_scope(&scope("s-read", "api_scope", "write", "[]")).await));
    assert_eq!(
        store.scopes(TenantId::new(T), "scope").await.unwrap(),
        [scope("s-admin", "scope", "admin", "[\"*:*\"]"), scope("s-read", "scope", "read", "[\"documents:read\"]")]
    );
    assert_eq!(ids(&store.scopes(TenantId::new(T), "api_scope").await.unwrap(), |s| &s.id), ["a-read"]);
    assert!(store.scopes(TenantId::new(OTHER), "scope").await.unwrap().is_empty());

    let widened = scope("s-read", "scope", "read", "[\"documents:read\",\"documents:list\"]");
    assert!(store.update_scope(&widened).await.unwrap());
    assert!(!store.update_scope(&scope("s-read", "api_scope", "read", "[]")).await.unwrap(), "kind is part of the key");
    assert!(!store.update_scope(&ScopeRow { tenant_id: OTHER.into(), ..widened.clone() }).await.unwrap());
    assert!(conflict(store.update_scope(&scope("s-read", "scope", "admin", "[]")).await));
    assert_eq!(store.scopes(TenantId::new(T), "scope").await.unwrap()[1], widened);

    assert!(!store.delete_scope(TenantId::new(T), "api_scope", "s-read").await.unwrap());
    assert!(!store.delete_scope(TenantId::new(OTHER), "scope", "s-read").await.unwrap());
    assert!(store.delete_scope(TenantId::new(T), "scope", "s-read").await.unwrap());
    assert!(!store.delete_scope(TenantId::new(T), "scope", "s-read").await.unwrap());
    assert_eq!(ids(&store.scopes(TenantId::new(T), "scope").await.unwrap(), |s| &s.id), ["s-admin"]);
}

async fn policies<S: RbacStore>(store: &S) {
    store.create_policy(&policy("pol-nights", T, "deny-nights")).await.unwrap();
    store.create_policy(&policy("pol-office", T, "allow-office")).await.unwrap();
    store.create_policy(&policy("pol-other", OTHER, "deny-nights")).await.unwrap();
    assert!(conflict(store.create_policy(&policy("pol-dup", T, "deny-nights")).await));
    assert!(conflict(store.create_policy(&policy("pol-nights", T, "fresh")).await));
    assert_eq!(
        store.policies(TenantId::new(T)).await.unwrap(),
        [policy("pol-office", T, "allow-office"), policy("pol-nights", T, "deny-nights")]
    );

    let revised = PolicyRow {
        document: "{\"rules\":[]}".into(),
        updated_at: NOW + 50,
        created_at: NOW + 999,
        ..policy("pol-nights", T, "deny-weekends")
    };
    assert!(store.update_policy(&revised).await.unwrap());
    let stored = store.policies(TenantId::new(T)).await.unwrap();
    assert_eq!(stored[1], PolicyRow { created_at: NOW, ..revised.clone() }, "created_at is kept");
    assert!(conflict(store.update_policy(&policy("pol-nights", T, "allow-office")).await));
    assert!(!store.update_policy(&policy("pol-nights", OTHER, "stolen")).await.unwrap());
    assert!(!store.update_policy(&policy("pol-missing", T, "ghost")).await.unwrap());
    assert!(!store.update_policy(&policy("pol-missing", T, "allow-office")).await.unwrap(), "absent, not a conflict");

    assert!(!store.delete_policy(TenantId::new(OTHER), "pol-nights").await.unwrap());
    assert!(store.delete_policy(TenantId::new(T), "pol-nights").await.unwrap());
    assert!(!store.delete_policy(TenantId::new(T), "pol-nights").await.unwrap());
    assert_eq!(ids(&store.policies(TenantId::new(T)).await.unwrap(), |p| &p.id), ["pol-office"]);
    assert_eq!(ids(&store.policies(TenantId::new(OTHER)).await.unwrap(), |p| &p.id), ["pol-other"]);
}

async fn deleting_a_user_drops_their_memberships_and_bindings<S: RbacStore + AccountStore + TenantAdminStore>(
    store: &S,
) {
    let mut user = new_tenant(80, "unused.test", "leaver@eighty.test").admin;
    user.id = "user-leaver".into();
    user.email = "leaver@eighty.test".into();
    store.create_user(&user).await.unwrap();
    store.add_group_members(TenantId::new(T), "g-ops", &["user-leaver".into(), "user-stayer".into()]).await.unwrap();
    store.create_binding(&binding("b-leaver", T, "user-leaver", "", "role-viewer", NOW + 20)).await.unwrap();
    assert_eq!(store.principal_authz(TenantId::new(T), UserId::new("user-leaver")).await.unwrap().bindings.len(), 2);
    assert!(store.delete_user(TenantId::new(T), UserId::new("user-leaver")).await.unwrap());
    let gone = store.principal_authz(TenantId::new(T), UserId::new("user-leaver")).await.unwrap();
    assert!(gone.groups.is_empty() && gone.bindings.is_empty());
    assert_eq!(store.group_members(TenantId::new(T), "g-ops").await.unwrap(), ["user-c", "user-stayer"]);
    assert_eq!(store.role(TenantId::new(T), "role-viewer").await.unwrap().unwrap().users_assigned, 1);
}
