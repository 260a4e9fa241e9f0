//! RBAC and ABAC over the API: an admin builds permissions, roles, groups and bindings,
//! and the checks answer accordingly for several users — including right after a change
//! (the cached permission sets are invalidated by the tenant's RBAC version).

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use serde_json::{json, Value};

const USER_PASSWORD: &str = "a long and private passphrase";

struct Tenant {
    admin: String,
    client_id: String,
}

fn call(p: &TestPlatform, i: &Isolate, method: &str, path: &str, token: &str, body: Value, now: i64) -> HttpResponse {
    let req = match method {
        "GET" => get(path),
        "PUT" => authsec_edge::http::HttpRequest::new(authsec_edge::http::Method::Put, path).with_json(&body),
        "DELETE" => authsec_edge::http::HttpRequest::new(authsec_edge::http::Method::Delete, path),
        _ => post_json(path, body),
    };
    send_at(
        p,
        i,
        req.with_header("authorization", &format!("Bearer {token}")).with_header("cf-connecting-ip", "10.5.5.5"),
        now,
    )
    .response
}

fn tenant(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> Tenant {
    let login = onboard(p, i, email, domain);
    let admin = login["token"].as_str().unwrap().to_string();
    let verified = send_at(p, i, post_json("/authsec/authmgr/token/verify", json!({"token": admin})), NOW).response;
    Tenant { admin, client_id: verified.json_body()["client_id"].as_str().unwrap().to_string() }
}

/// Registers and signs in an end user; returns (user_id, token).
fn user(p: &TestPlatform, i: &Isolate, t: &Tenant, email: &str) -> (String, String) {
    let post = |path: &str, body: Value| {
        send_at(p, i, post_json(path, body).with_header("cf-connecting-ip", email), NOW).response
    };
    post(
        "/authsec/uflow/user/register/initiate",
        json!({"client_id": t.client_id, "email": email, "password": USER_PASSWORD}),
    );
    let code = latest_code(p, email);
    let done = post(
        "/authsec/uflow/user/register/complete",
        json!({"client_id": t.client_id, "email": email, "otp": code, "password": USER_PASSWORD}),
    );
    assert_eq!(done.status, 201, "{}", done.json_body());
    let login =
        post("/authsec/uflow/user/login", json!({"client_id": t.client_id, "email": email, "password": USER_PASSWORD}));
    let body = login.json_body();
    (body["user_id"].as_str().unwrap().to_string(), body["token"].as_str().unwrap().to_string())
}

fn allowed(p: &TestPlatform, i: &Isolate, token: &str, query: &str, now: i64) -> bool {
    let response = call(p, i, "GET", &format!("/authsec/authmgr/user/check/{query}"), token, json!(null), now);
    assert_eq!(response.status, 200, "{query}: {}", response.json_body());
    let body = response.json_body();
    body["has_permission"].as_bool().or(body["has_role"].as_bool()).unwrap()
}

fn create(p: &TestPlatform, i: &Isolate, token: &str, path: &str, body: Value) -> Value {
    let response = call(p, i, "POST", path, token, body, NOW);
    assert_eq!(response.status, 201, "{path}: {}", response.json_body());
    response.json_body()
}

#[test]
fn roles_bindings_scopes_groups_and_expiry_decide_the_checks() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let t = tenant(&p, &i, "ada@acme.test", "acme");
    let (alice, alice_token) = user(&p, &i, &t, "alice@acme.test");
    let (bob, bob_token) = user(&p, &i, &t, "bob@acme.test");
    let (carol, carol_token) = user(&p, &i, &t, "carol@acme.test");
    let editor = create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/roles",
        json!({"name": "editor", "permission_strings": ["docs:read", "docs:write", "reports:*"]}),
    );
    assert_eq!(editor["permissions_count"], 3);
    let role_id = editor["id"].as_str().unwrap();
    assert!(!allowed(&p, &i, &alice_token, "permission?resource=docs&scope=read", NOW), "nothing bound yet");
    let binding =
        create(&p, &i, &t.admin, "/authsec/uflow/admin/bindings", json!({"user_id": alice, "role_id": role_id}));
    assert_eq!(
        (binding["role_name"].clone(), binding["scope_description"].clone()),
        (json!("editor"), json!("tenant-wide"))
    );
    assert!(allowed(&p, &i, &alice_token, "permission?resource=docs&scope=read", NOW), "the very next check sees it");
    assert!(allowed(&p, &i, &alice_token, "permission?resource=reports&action=export", NOW), "reports:* wildcard");
    assert!(!allowed(&p, &i, &alice_token, "permission?resource=docs&action=delete", NOW));
    assert!(allowed(&p, &i, &alice_token, "role?role=editor", NOW));
    assert!(!allowed(&p, &i, &bob_token, "permission?resource=docs&scope=read", NOW), "other users are unaffected");

    // Scoped: bob edits project p1 only, until NOW + 100.
    create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/bindings",
        json!({"user_id": bob, "role_id": role_id, "scope": {"type": "project", "id": "p1"}, "expires_at": NOW + 100}),
    );
    let scoped = |id: &str| format!("permission-scoped?resource=docs&action=write&scope_type=project&scope_id={id}");
    assert!(allowed(&p, &i, &bob_token, &scoped("p1"), NOW));
    assert!(!allowed(&p, &i, &bob_token, &scoped("p2"), NOW));
    assert!(!allowed(&p, &i, &bob_token, "permission?resource=docs&action=write", NOW), "scoped is not tenant-wide");
    assert!(!allowed(&p, &i, &bob_token, &scoped("p1"), NOW + 100), "expired bindings grant nothing");

    // Groups: carol gets the role through a group.
    let group = create(&p, &i, &t.admin, "/authsec/uflow/admin/groups", json!({"name": "writers"}));
    let group_id = group["id"].as_str().unwrap();
    create(&p, &i, &t.admin, "/authsec/uflow/admin/bindings", json!({"group_id": group_id, "role_id": role_id}));
    assert!(!allowed(&p, &i, &carol_token, "permission?resource=docs&action=read", NOW));
    let added = call(
        &p,
        &i,
        "POST",
        &format!("/authsec/uflow/admin/groups/{group_id}/members"),
        &t.admin,
        json!({"user_ids": [carol]}),
        NOW,
    );
    assert_eq!(added.status, 200, "{}", added.json_body());
    assert!(
        allowed(&p, &i, &carol_token, "permission?resource=docs&action=read", NOW),
        "a group binding grants members"
    );
    let mine = |token: &str, what: &str| {
        call(&p, &i, "GET", &format!("/authsec/uflow/user/rbac/{what}"), token, json!(null), NOW).json_body()
    };
    assert_eq!(mine(&carol_token, "groups")["groups"], json!([group_id]));
    assert_eq!(mine(&alice_token, "bindings")["bindings"][0]["id"], binding["id"]);
    assert_eq!(mine(&alice_token, "roles")["roles"][0]["name"], "editor");

    // Deleting takes effect on the next check.
    let binding_id = binding["id"].as_str().unwrap();
    assert_eq!(
        call(&p, &i, "DELETE", &format!("/authsec/uflow/admin/bindings/{binding_id}"), &t.admin, json!(null), NOW)
            .status,
        200
    );
    assert!(!allowed(&p, &i, &alice_token, "permission?resource=docs&scope=read", NOW));
    assert_eq!(
        call(&p, &i, "DELETE", &format!("/authsec/uflow/admin/roles/{role_id}"), &t.admin, json!(null), NOW).status,
        200
    );
    assert!(!allowed(&p, &i, &carol_token, "permission?resource=docs&action=read", NOW), "the role is gone");
    assert!(allowed(&p, &i, &t.admin, "permission?resource=anything&action=at-all", NOW), "the admin role holds *:*");
}

#[test]
fn an_abac_deny_overrides_a_role_and_policies_are_validated() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let t = tenant(&p, &i, "ada@acme.test", "acme");
    let (alice, _) = user(&p, &i, &t, "alice@acme.test");
    let role = create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/roles",
        json!({"name": "reader", "permission_strings": ["docs:read"]}),
    );
    create(&p, &i, &t.admin, "/authsec/uflow/admin/bindings", json!({"user_id": alice, "role_id": role["id"]}));
    let check = |context: Value| {
        let body = json!({"principal_id": alice, "resource": "docs", "action": "read", "context": context});
        call(&p, &i, "POST", "/authsec/uflow/admin/policy/check", &t.admin, body, NOW).json_body()
    };
    assert_eq!(check(json!({"ip": "10.0.0.1"}))["allowed"], true);
    let policy = json!({"name": "no-untrusted-networks", "rules": [{
        "name": "deny-outside", "effect": "deny", "priority": 10,
        "subjects": [{"type": "*", "value": "*"}], "resources": [{"type": "docs", "value": "*"}], "actions": ["*"],
        "conditions": [{"type": "attribute", "operator": "regex", "key": "ip", "value": "^192\\.168\\..*"}]}]});
    let created = create(&p, &i, &t.admin, "/authsec/spire/policy", policy);
    let denied = check(json!({"ip": "192.168.1.5"}));
    assert_eq!(
        (denied["allowed"].clone(), denied["abac"]["matched_rule"].clone()),
        (json!(false), json!("deny-outside"))
    );
    assert_eq!(check(json!({"ip": "10.0.0.1"}))["allowed"], true, "the deny's condition does not hold");
    let evaluated = call(
        &p,
        &i,
        "POST",
        "/authsec/spire/policy/evaluate",
        &t.admin,
        json!({"subject": "user:x", "resource": {"type": "docs", "id": "d1"}, "action": "read", "context": {"ip": "192.168.0.9"}}),
        NOW,
    );
    assert_eq!(evaluated.json_body()["decision"], "deny");
    let id = created["id"].as_str().unwrap();
    assert_eq!(call(&p, &i, "DELETE", &format!("/authsec/spire/policy/{id}"), &t.admin, json!(null), NOW).status, 200);
    assert_eq!(check(json!({"ip": "192.168.1.5"}))["allowed"], true, "a deleted policy stops denying at once");
    for bad in [
        json!({"name": "x", "rules": [{"name": "r", "effect": "maybe", "priority": 1, "subjects": [{"type": "*", "value": "*"}],
               "resources": [{"type": "*", "value": "*"}], "actions": ["*"]}]}),
        json!({"name": "x", "rules": [{"name": "r", "effect": "deny", "priority": 1, "subjects": [{"type": "*", "value": "(", "pattern": "regex"}],
               "resources": [{"type": "*", "value": "*"}], "actions": ["*"]}]}),
        json!({"name": "x", "rules": "no"}),
    ] {
        assert_eq!(call(&p, &i, "POST", "/authsec/spire/policy", &t.admin, bad.clone(), NOW).status, 400, "{bad}");
    }
}

#[test]
fn strangers_and_non_admins_are_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = tenant(&p, &i, "ada@acme.test", "acme");
    let b = tenant(&p, &i, "bob@beta.test", "beta");
    let (alice, alice_token) = user(&p, &i, &a, "alice@acme.test");
    let role = create(
        &p,
        &i,
        &a.admin,
        "/authsec/uflow/admin/roles",
        json!({"name": "reader", "permission_strings": ["docs:read"]}),
    );
    let role_path = format!("/authsec/uflow/admin/roles/{}", role["id"].as_str().unwrap());
    assert_eq!(call(&p, &i, "GET", &role_path, &b.admin, json!(null), NOW).status, 404, "another tenant's role");
    assert_eq!(call(&p, &i, "DELETE", &role_path, &b.admin, json!(null), NOW).status, 404);
    let cross = call(
        &p,
        &i,
        "POST",
        "/authsec/uflow/admin/bindings",
        &b.admin,
        json!({"user_id": alice, "role_id": role["id"]}),
        NOW,
    );
    assert_eq!(cross.status, 400, "neither the user nor the role is in the caller's tenant");
    assert_eq!(call(&p, &i, "POST", "/authsec/uflow/admin/roles", &alice_token, json!({"name": "x"}), NOW).status, 403);
    assert_eq!(call(&p, &i, "GET", "/authsec/spire/policy", &alice_token, json!(null), NOW).status, 403);
    assert_eq!(
        send_at(&p, &i, get("/authsec/authmgr/user/check/permission?resource=a&action=b"), NOW).response.status,
        401
    );
    for (path, body) in [
        ("/authsec/uflow/admin/roles", json!({"name": ""})),
        ("/authsec/uflow/admin/roles", json!({"name": "x", "permission_strings": ["nocolon"]})),
        ("/authsec/uflow/admin/permissions", json!({"resource": "a b", "action": "read"})),
        ("/authsec/uflow/admin/bindings", json!({"role_id": role["id"]})),
        ("/authsec/uflow/admin/bindings", json!({"user_id": alice, "role_id": role["id"], "expires_at": NOW - 5})),
        ("/authsec/uflow/admin/groups", json!({"name": 5})),
    ] {
        assert_eq!(call(&p, &i, "POST", path, &a.admin, body.clone(), NOW).status, 400, "{path} {body}");
    }
    assert_eq!(
        call(&p, &i, "GET", "/authsec/authmgr/user/check/permission?resource=docs", &alice_token, json!(null), NOW)
            .status,
        400
    );
}

#[test]
fn removing_an_admin_binding_ends_admin_access_on_the_next_request() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let t = tenant(&p, &i, "ada@acme.test", "acme");
    let bindings = call(&p, &i, "GET", "/authsec/uflow/admin/bindings", &t.admin, json!(null), NOW).json_body();
    let admin_binding =
        bindings["bindings"].as_array().unwrap().iter().find(|b| b["role_name"] == "admin").unwrap().clone();
    let path = format!("/authsec/uflow/admin/bindings/{}", admin_binding["id"].as_str().unwrap());
    assert_eq!(call(&p, &i, "DELETE", &path, &t.admin, json!(null), NOW).status, 200);
    let after = call(&p, &i, "GET", "/authsec/uflow/admin/roles", &t.admin, json!(null), NOW + 1);
    assert_eq!(after.status, 403, "the token still says admin, the bindings no longer do");
    let clients = call(&p, &i, "POST", "/authsec/uflow/admin/projects", &t.admin, json!({"name": "x"}), NOW + 1);
    assert_eq!(clients.status, 403);
}

#[test]
fn the_field_names_authsec_clients_send_are_understood() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let t = tenant(&p, &i, "ada@sdk.test", "sdk");
    let (alice, alice_token) = user(&p, &i, &t, "alice@sdk.test");
    let role = create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/roles",
        json!({"name": "editor", "permission_strings": ["docs:write"]}),
    );
    // A tenant-wide binding as the SDK spells it: scope "*".
    let binding = create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/bindings",
        json!({"user_id": alice, "role_id": role["id"], "scope": "*"}),
    );
    assert_eq!(binding["scope"], json!({"type": "*", "id": "*"}));
    assert!(allowed(&p, &i, &alice_token, "permission?resource=docs&action=write", NOW));
    // A binding at one project, checked by role-resource with resource_id and scope_type.
    let viewer = create(&p, &i, &t.admin, "/authsec/uflow/admin/roles", json!({"name": "viewer"}));
    let scoped = json!({"user_id": alice, "role_id": viewer["id"], "scope": {"type": "project", "id": "p1"}});
    create(&p, &i, &t.admin, "/authsec/uflow/admin/bindings", scoped);
    assert!(allowed(&p, &i, &alice_token, "role-resource?role=viewer&scope_type=project&resource_id=p1", NOW));
    assert!(!allowed(&p, &i, &alice_token, "role-resource?role=viewer&scope_type=project&resource_id=p2", NOW));
    // Scopes addressed by name.
    create(&p, &i, &t.admin, "/authsec/uflow/admin/scopes", json!({"name": "reports", "permissions": ["docs:read"]}));
    let renamed =
        call(&p, &i, "PUT", "/authsec/uflow/admin/scopes/reports", &t.admin, json!({"description": "d"}), NOW);
    assert_eq!(renamed.status, 200, "{}", renamed.json_body());
    assert_eq!(call(&p, &i, "DELETE", "/authsec/uflow/admin/scopes/reports", &t.admin, json!(null), NOW).status, 200);
    assert_eq!(call(&p, &i, "DELETE", "/authsec/uflow/admin/scopes/reports", &t.admin, json!(null), NOW).status, 404);
}

#[test]
fn binding_conditions_are_refused_rather_than_stored_and_ignored() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let t = tenant(&p, &i, "ada@cond.test", "cond");
    let (alice, alice_token) = user(&p, &i, &t, "alice@cond.test");
    let role = create(
        &p,
        &i,
        &t.admin,
        "/authsec/uflow/admin/roles",
        json!({"name": "night", "permission_strings": ["vault:open"]}),
    );
    let count = || {
        call(&p, &i, "GET", "/authsec/uflow/admin/bindings", &t.admin, json!(null), NOW).json_body()["count"].clone()
    };
    let before = count();
    for conditions in [json!({"shift": "night"}), json!([{"type": "time", "operator": "after", "value": "22:00"}])] {
        let body = json!({"user_id": alice, "role_id": role["id"], "conditions": conditions});
        let out = call(&p, &i, "POST", "/authsec/uflow/admin/bindings", &t.admin, body, NOW);
        assert_eq!(out.status, 400, "{}", out.json_body());
        assert_eq!(out.json_body()["field"], "conditions");
    }
    assert_eq!(count(), before, "nothing was written");
    assert!(!allowed(&p, &i, &alice_token, "permission?resource=vault&action=open", NOW), "and nothing was granted");
    let empty = json!({"user_id": alice, "role_id": role["id"], "conditions": {}});
    create(&p, &i, &t.admin, "/authsec/uflow/admin/bindings", empty);
}
