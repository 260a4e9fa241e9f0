//! RBAC compilation: scopes, groups, expiry, wildcards, roles, and the monotonicity
//! property that removing a binding never widens access.

use super::gen::Rng;
use crate::authz::rbac::{compile, BindingDef, EffectivePermissions, RoleDef, Scope, Subject};
use crate::authz::Permission;

fn role(id: &str, name: &str, perms: &[&str]) -> RoleDef {
    RoleDef {
        id: id.to_string(),
        name: name.to_string(),
        permissions: perms.iter().map(|p| Permission::parse(p).expect("valid")).collect(),
    }
}

fn bind(id: &str, subject: Subject, role_id: &str, scope: Scope, expires_at: Option<i64>) -> BindingDef {
    BindingDef { id: id.to_string(), subject, role_id: role_id.to_string(), scope, expires_at }
}

fn user(id: &str) -> Subject {
    Subject::User(id.to_string())
}

fn group(id: &str) -> Subject {
    Subject::Group(id.to_string())
}

const NOW: i64 = 1_800_000_000;

fn roles() -> Vec<RoleDef> {
    vec![
        role("r-admin", "admin", &["*:*"]),
        role("r-viewer", "viewer", &["docs:read", "projects:read"]),
        role("r-editor", "editor", &["docs:*"]),
        role("r-auditor", "auditor", &["*:read"]),
    ]
}

#[test]
fn tenant_wide_and_scoped_bindings() {
    let bindings = vec![
        bind("b1", user("alice"), "r-viewer", Scope::tenant(), None),
        bind("b2", user("alice"), "r-editor", Scope::new("project", "p1"), None),
        bind("b3", user("bob"), "r-editor", Scope::new("project", "*"), None),
    ];
    let alice = compile("alice", &[], &roles(), &bindings);
    let p1 = Scope::new("project", "p1");
    let p2 = Scope::new("project", "p2");
    assert!(alice.allows("docs", "read", None, NOW), "tenant-wide grant answers a tenant-wide check");
    assert!(alice.allows("docs", "read", Some(&p2), NOW), "tenant-wide grant answers any scope");
    assert!(!alice.allows("docs", "write", None, NOW), "scoped grant does not answer a tenant-wide check");
    assert!(alice.allows("docs", "write", Some(&p1), NOW));
    assert!(!alice.allows("docs", "write", Some(&p2), NOW), "scoped grant is only for its own id");
    assert!(!alice.allows("docs", "write", Some(&Scope::new("folder", "p1")), NOW), "kind must match");
    assert!(!alice.allows("docs", "write", Some(&Scope::new("project", "*")), NOW), "p1 does not cover all");

    let bob = compile("bob", &[], &roles(), &bindings);
    assert!(bob.allows("docs", "write", Some(&p1), NOW), "(project, *) covers every project");
    assert!(bob.allows("docs", "write", Some(&p2), NOW));
    assert!(bob.allows("docs", "write", Some(&Scope::new("project", "*")), NOW));
    assert!(!bob.allows("docs", "write", None, NOW));
    assert!(!bob.allows("docs", "write", Some(&Scope::new("folder", "f1")), NOW));
    assert!(!bob.allows("docs", "write", Some(&Scope::tenant()), NOW));
}

#[test]
fn odd_star_kind_scope_is_not_tenant_wide() {
    let bindings = vec![bind("b1", user("u"), "r-viewer", Scope::new("*", "p1"), None)];
    let eff = compile("u", &[], &roles(), &bindings);
    assert!(!eff.allows("docs", "read", None, NOW));
    assert!(!eff.allows("docs", "read", Some(&Scope::new("project", "p1")), NOW));
    assert!(eff.allows("docs", "read", Some(&Scope::new("*", "p1")), NOW));
}

#[test]
fn group_bindings_grant_members_only() {
    let bindings = vec![bind("b1", group("eng"), "r-editor", Scope::tenant(), None)];
    let member = compile("carol", &["sales".to_string(), "eng".to_string()], &roles(), &bindings);
    assert!(member.allows("docs", "delete", None, NOW));
    assert!(member.has_role("editor", NOW));
    let outsider = compile("dave", &["sales".to_string()], &roles(), &bindings);
    assert!(!outsider.allows("docs", "delete", None, NOW));
    assert!(!outsider.has_role("editor", NOW));
    let named_like_group = compile("eng", &[], &roles(), &bindings);
    assert!(!named_like_group.allows("docs", "read", None, NOW), "a user id is not a group id");
}

#[test]
fn expired_bindings_grant_nothing() {
    let bindings = vec![
        bind("b1", user("erin"), "r-viewer", Scope::tenant(), Some(NOW + 100)),
        bind("b2", user("erin"), "r-editor", Scope::tenant(), Some(NOW - 1)),
        bind("b3", user("erin"), "r-auditor", Scope::new("project", "p1"), Some(NOW + 50)),
    ];
    let eff = compile("erin", &[], &roles(), &bindings);
    assert!(eff.allows("docs", "read", None, NOW));
    assert!(!eff.allows("docs", "write", None, NOW), "b2 expired before now");
    assert!(eff.has_role("viewer", NOW) && !eff.has_role("editor", NOW));
    assert_eq!(eff.role_names(NOW), vec!["auditor", "viewer"]);
    assert_eq!(eff.permission_strings(NOW), vec!["*:read", "docs:read", "projects:read"]);
    assert_eq!(eff.next_expiry(NOW), Some(NOW + 50));
    assert_eq!(eff.next_expiry(NOW + 50), Some(NOW + 100), "expiry is exclusive: at t the grant is gone");
    assert!(!eff.allows("users", "read", Some(&Scope::new("project", "p1")), NOW + 50));
    assert!(eff.allows("users", "read", Some(&Scope::new("project", "p1")), NOW + 49));
    assert!(eff.allows("docs", "read", None, NOW + 99));
    assert!(!eff.allows("docs", "read", None, NOW + 100));
    assert_eq!(eff.next_expiry(NOW + 100), None);
    assert!(eff.permission_strings(NOW + 100).is_empty() && eff.role_names(NOW + 100).is_empty());
}

#[test]
fn the_longest_lived_source_of_a_grant_wins() {
    let bindings = vec![
        bind("b1", user("u"), "r-viewer", Scope::tenant(), Some(NOW + 10)),
        bind("b2", group("g"), "r-viewer", Scope::tenant(), None),
        bind("b3", user("u"), "r-viewer", Scope::tenant(), Some(NOW + 5)),
    ];
    let eff = compile("u", &["g".to_string()], &roles(), &bindings);
    assert_eq!(eff.grants.len(), 2, "one grant per (permission, scope)");
    assert!(eff.grants.iter().all(|g| g.expires_at.is_none()));
    assert!(eff.allows("docs", "read", None, NOW + 1_000_000));
    assert_eq!(eff.roles.len(), 3, "roles stay per binding");
    assert_eq!(eff.next_expiry(NOW), Some(NOW + 5));
}

#[test]
fn wildcard_roles_and_unknown_roles() {
    let bindings = vec![
        bind("b1", user("root"), "r-admin", Scope::tenant(), None),
        bind("b2", user("aud"), "r-auditor", Scope::tenant(), None),
        bind("b3", user("ghost"), "r-missing", Scope::tenant(), None),
    ];
    let root = compile("root", &[], &roles(), &bindings);
    assert!(root.allows("anything", "whatever", None, NOW));
    assert!(root.allows("billing", "export", Some(&Scope::new("project", "x")), NOW));
    assert!(root.has_role("admin", NOW) && !root.has_role("Admin", NOW));
    assert_eq!(root.permission_strings(NOW), vec!["*:*"]);
    let aud = compile("aud", &[], &roles(), &bindings);
    assert!(aud.allows("users", "read", None, NOW) && !aud.allows("users", "write", None, NOW));
    let ghost = compile("ghost", &[], &roles(), &bindings);
    assert_eq!(ghost, EffectivePermissions { user_id: "ghost".to_string(), ..Default::default() });
    assert!(!ghost.allows("docs", "read", None, NOW));
}

#[test]
fn survives_a_json_round_trip() {
    let bindings = vec![
        bind("b1", user("u"), "r-viewer", Scope::tenant(), Some(NOW + 10)),
        bind("b2", group("g"), "r-editor", Scope::new("project", "p"), None),
    ];
    let eff = compile("u", &["g".to_string()], &roles(), &bindings);
    let json = serde_json::to_string(&eff).expect("serialize");
    let back: EffectivePermissions = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, eff);
    assert!(json.contains("\"docs:*\""), "permissions are cached in their string form: {json}");
    let tampered = json.replace("docs:*", "docs*:x");
    assert!(serde_json::from_str::<EffectivePermissions>(&tampered).is_err(), "cache input is re-validated");
}

const RESOURCES: [&str; 3] = ["docs", "users", "projects"];
const ACTIONS: [&str; 3] = ["read", "write", "delete"];

fn random_scope(rng: &mut Rng) -> Scope {
    match rng.below(4) {
        0 => Scope::tenant(),
        1 => Scope::new("project", "*"),
        _ => Scope::new(rng.pick(&["project", "folder"]), rng.pick(&["p1", "p2"])),
    }
}

/// Removing any one binding never widens access, for any check, scope and time; adding
/// it back never narrows it.
#[test]
fn removing_a_binding_never_widens_access() {
    let mut changed = 0;
    let perms = ["*:*", "docs:*", "*:read", "docs:read", "users:write", "projects:delete"];
    for seed in 0..200u64 {
        let mut rng = Rng::new(seed);
        let roles: Vec<RoleDef> = (0..4)
            .map(|i| {
                let n = 1 + rng.below(2);
                let ps: Vec<&str> = (0..n).map(|_| rng.pick(&perms)).collect();
                role(&format!("r{i}"), &format!("role{i}"), &ps)
            })
            .collect();
        let bindings: Vec<BindingDef> = (0..1 + rng.below(6))
            .map(|i| {
                let subject = if rng.chance(50) { user(rng.pick(&["u", "v"])) } else { group(rng.pick(&["g", "h"])) };
                let expires = rng.chance(40).then(|| NOW + i64::try_from(rng.below(20)).unwrap() - 10);
                bind(&format!("b{i}"), subject, &format!("r{}", rng.below(5)), random_scope(&mut rng), expires)
            })
            .collect();
        let groups = vec!["g".to_string()];
        let full = compile("u", &groups, &roles, &bindings);
        let drop = rng.below(bindings.len());
        let mut fewer = bindings.clone();
        fewer.remove(drop);
        let less = compile("u", &groups, &roles, &fewer);
        for now in [NOW - 11, NOW, NOW + 5] {
            for resource in RESOURCES {
                for action in ACTIONS {
                    let scopes = [None, Some(random_scope(&mut rng)), Some(random_scope(&mut rng))];
                    for scope in &scopes {
                        let after = less.allows(resource, action, scope.as_ref(), now);
                        let before = full.allows(resource, action, scope.as_ref(), now);
                        assert!(!after || before, "seed {seed}: dropping b{drop} widened {resource}:{action}");
                        changed += usize::from(after != before);
                    }
                }
            }
            for name in ["role0", "role1", "role2", "role3"] {
                assert!(!less.has_role(name, now) || full.has_role(name, now), "seed {seed}");
            }
        }
    }
    assert!(changed >= 100, "removals change enough answers to mean something: {changed}");
}

#[test]
fn a_role_is_held_at_a_scope_only_where_its_binding_covers_it() {
    let bindings = vec![
        bind("b1", user("u"), "r-editor", Scope::new("project", "p1"), None),
        bind("b2", user("u"), "r-viewer", Scope::new("folder", "*"), None),
        bind("b3", user("u"), "r-auditor", Scope::tenant(), Some(NOW + 10)),
    ];
    let eff = compile("u", &[], &roles(), &bindings);
    assert!(eff.has_role_at("editor", &Scope::new("project", "p1"), NOW));
    assert!(!eff.has_role_at("editor", &Scope::new("project", "p2"), NOW));
    assert!(eff.has_role_at("viewer", &Scope::new("folder", "any"), NOW), "a kind-wide binding covers every id");
    assert!(!eff.has_role_at("viewer", &Scope::new("project", "p1"), NOW));
    assert!(eff.has_role_at("auditor", &Scope::new("project", "p9"), NOW), "tenant-wide covers all");
    assert!(!eff.has_role_at("auditor", &Scope::new("project", "p9"), NOW + 11), "until it expires");
}
