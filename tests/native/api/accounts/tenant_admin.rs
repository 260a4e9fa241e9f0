//! Tenant administration: user listings, disabling and deleting (sessions end at once),
//! and projects; always within the caller's own tenant.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

const USER_PASSWORD: &str = "a long and private passphrase";

fn call(
    p: &TestPlatform,
    i: &Isolate,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    now: i64,
) -> HttpResponse {
    let mut req = HttpRequest::new(method, path).with_header("authorization", &format!("Bearer {token}"));
    if let Some(body) = body {
        req = req.with_json(&body);
    }
    send_at(p, i, req, now).response
}

/// An admin (token, tenant, client) and one signed-in end user (user_id, token).
fn setup(
    p: &TestPlatform,
    i: &Isolate,
    email: &str,
    domain: &str,
    user: &str,
) -> (String, String, String, String, String) {
    let login = onboard(p, i, email, domain);
    let token = login["token"].as_str().unwrap().to_string();
    let tenant = login["tenant_id"].as_str().unwrap().to_string();
    let verified = send(p, i, post_json("/authsec/authmgr/token/verify", json!({"token": token}))).response.json_body();
    let client = verified["client_id"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        send_at(p, i, post_json(path, body).with_header("cf-connecting-ip", user), NOW + 5).response
    };
    post(
        "/authsec/uflow/user/register/initiate",
        json!({"client_id": client, "email": user, "password": USER_PASSWORD}),
    );
    let code = latest_code(p, user);
    let done = post(
        "/authsec/uflow/user/register/complete",
        json!({"client_id": client, "email": user, "otp": code, "password": USER_PASSWORD}),
    );
    let user_id = done.json_body()["user_id"].as_str().unwrap().to_string();
    let signed_in =
        post("/authsec/uflow/user/login", json!({"client_id": client, "email": user, "password": USER_PASSWORD}));
    let user_token = signed_in.json_body()["token"].as_str().unwrap().to_string();
    (token, tenant, client, user_id, user_token)
}

fn valid(p: &TestPlatform, i: &Isolate, token: &str, now: i64) -> bool {
    send_at(p, i, post_json("/authsec/authmgr/token/verify", json!({"token": token})), now).response.status == 200
}

#[test]
fn listings_page_through_users_of_each_kind() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, _, _, user_id, _) = setup(&p, &i, "ada@acme.test", "acme", "eve@example.test");
    let admins = call(&p, &i, Method::Get, "/authsec/uflow/admin/users/list", &token, None, NOW + 10).json_body();
    assert_eq!(admins["pagination"]["total"], 1);
    assert_eq!(admins["users"][0]["email"], "ada@acme.test");
    let endusers = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/admin/enduser/list",
        &token,
        Some(json!({"page": 1, "limit": 10})),
        NOW + 10,
    );
    let endusers = endusers.json_body();
    assert_eq!(endusers["users"][0]["id"], user_id.as_str());
    assert!(!endusers.to_string().contains("argon2"), "no password hashes in listings");
    let bad = call(&p, &i, Method::Get, "/authsec/uflow/admin/enduser/list?limit=0", &token, None, NOW + 10);
    assert_eq!(bad.json_body()["field"], "limit");
}

#[test]
fn disabling_a_user_ends_their_sessions_and_their_sign_in() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, tenant, client, user_id, user_token) = setup(&p, &i, "ada@acme.test", "acme", "eve@example.test");
    assert!(valid(&p, &i, &user_token, NOW + 10));
    let path = format!("/authsec/uflow/user/enduser/{tenant}/{user_id}/status");
    let off = call(&p, &i, Method::Put, &path, &token, Some(json!({"active": false})), NOW + 11);
    assert_eq!(off.json_body(), json!({"success": true, "user_id": user_id, "active": false, "status": "disabled"}));
    assert!(!valid(&p, &i, &user_token, NOW + 12), "the session ended at once");
    let login = send_at(
        &p,
        &i,
        post_json(
            "/authsec/uflow/user/login",
            json!({"client_id": client, "email": "eve@example.test", "password": USER_PASSWORD}),
        )
        .with_header("cf-connecting-ip", "9.9.9.9"),
        NOW + 13,
    )
    .response;
    assert_eq!(login.status, 403);
    call(&p, &i, Method::Put, &path, &token, Some(json!({"active": true})), NOW + 14);
    let login = send_at(
        &p,
        &i,
        post_json(
            "/authsec/uflow/user/login",
            json!({"client_id": client, "email": "eve@example.test", "password": USER_PASSWORD}),
        )
        .with_header("cf-connecting-ip", "9.9.9.8"),
        NOW + 15,
    )
    .response;
    assert_eq!(login.status, 200);
    assert_eq!(call(&p, &i, Method::Put, &path, &token, Some(json!({"active": "no"})), NOW + 16).status, 400);
}

#[test]
fn deleting_a_user_ends_their_sessions_but_nobody_deletes_themselves() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, _, _, user_id, user_token) = setup(&p, &i, "ada@acme.test", "acme", "eve@example.test");
    let login = onboard(&p, &i, "bob@globex.test", "globex");
    let own_id = send(&p, &i, post_json("/authsec/authmgr/token/verify", json!({"token": token}))).response.json_body()
        ["user_id"]
        .clone();
    let own = call(
        &p,
        &i,
        Method::Delete,
        &format!("/authsec/uflow/admin/users/{}", own_id.as_str().unwrap()),
        &token,
        None,
        NOW + 10,
    );
    assert_eq!(own.status, 403);
    let foreign = call(
        &p,
        &i,
        Method::Delete,
        &format!("/authsec/uflow/admin/users/{}", login["user_id"].as_str().unwrap()),
        &token,
        None,
        NOW + 10,
    );
    assert_eq!(foreign.status, 404, "another tenant's user is not found");
    assert!(valid(&p, &i, login["token"].as_str().unwrap(), NOW + 10));
    let gone = call(&p, &i, Method::Delete, &format!("/authsec/uflow/admin/users/{user_id}"), &token, None, NOW + 11);
    assert_eq!(gone.status, 200);
    assert!(!valid(&p, &i, &user_token, NOW + 12));
    assert_eq!(
        call(&p, &i, Method::Delete, &format!("/authsec/uflow/admin/users/{user_id}"), &token, None, NOW + 13).status,
        404
    );
    // An end user's token is not an admin's.
    let (_, _, _, _, other_user) = setup(&p, &i, "cy@initech.test", "initech", "zoe@example.test");
    assert_eq!(call(&p, &i, Method::Get, "/authsec/uflow/admin/users/list", &other_user, None, NOW + 14).status, 403);
}

#[test]
fn projects_are_managed_within_the_tenant() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = onboard(&p, &i, "bob@globex.test", "globex");
    let (ta, tb) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());
    let listed = call(&p, &i, Method::Get, "/authsec/uflow/admin/projects", ta, None, NOW + 10).json_body();
    let default = listed["projects"][0].clone();
    assert_eq!(default["is_default"], true);
    let created = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/admin/projects",
        ta,
        Some(json!({"name": "Payments", "description": "PCI"})),
        NOW + 11,
    );
    assert_eq!(created.status, 201);
    let id = created.json_body()["id"].as_str().unwrap().to_string();
    let path = format!("/authsec/uflow/admin/projects/{id}");
    assert_eq!(call(&p, &i, Method::Get, &path, tb, None, NOW + 12).status, 404, "another tenant's project");
    assert_eq!(call(&p, &i, Method::Delete, &path, tb, None, NOW + 12).status, 404);
    let renamed = call(&p, &i, Method::Put, &path, ta, Some(json!({"name": "Billing"})), NOW + 13).json_body();
    assert_eq!((renamed["name"].as_str(), renamed["description"].as_str()), (Some("Billing"), Some("PCI")));
    assert_eq!(
        call(&p, &i, Method::Post, "/authsec/uflow/admin/projects", ta, Some(json!({"name": ""})), NOW + 14).status,
        400
    );
    let default_path = format!("/authsec/uflow/admin/projects/{}", default["id"].as_str().unwrap());
    assert_eq!(call(&p, &i, Method::Delete, &default_path, ta, None, NOW + 15).status, 403);
    assert_eq!(call(&p, &i, Method::Delete, &path, ta, None, NOW + 16).status, 200);
    assert_eq!(call(&p, &i, Method::Get, &path, ta, None, NOW + 17).status, 404);
}

#[test]
fn an_admin_sees_and_renames_only_their_own_tenant() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = onboard(&p, &i, "bob@globex.test", "globex");
    let (ta, ta_id, tb_id) =
        (a["token"].as_str().unwrap(), a["tenant_id"].as_str().unwrap(), b["tenant_id"].as_str().unwrap());
    let listed = call(&p, &i, Method::Get, "/authsec/uflow/admin/tenants", ta, None, NOW + 10).json_body();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["tenants"][0]["tenant_domain"], "acme");
    assert_eq!(
        call(&p, &i, Method::Get, &format!("/authsec/uflow/admin/tenants/{tb_id}"), ta, None, NOW + 11).status,
        404
    );
    assert_eq!(
        call(
            &p,
            &i,
            Method::Put,
            &format!("/authsec/uflow/admin/tenants/{tb_id}"),
            ta,
            Some(json!({"name": "x"})),
            NOW + 11
        )
        .status,
        404
    );
    let renamed = call(
        &p,
        &i,
        Method::Put,
        &format!("/authsec/uflow/admin/tenants/{ta_id}"),
        ta,
        Some(json!({"name": "Acme Corp"})),
        NOW + 12,
    );
    assert_eq!(renamed.json_body()["name"], "Acme Corp");
    assert_eq!(
        call(
            &p,
            &i,
            Method::Put,
            &format!("/authsec/uflow/admin/tenants/{ta_id}"),
            ta,
            Some(json!({"name": 3})),
            NOW + 13
        )
        .status,
        400
    );
}

#[test]
fn only_platform_admins_see_and_run_migrations() {
    let mut config = config_with(ring());
    config.platform_admins = vec!["ada@acme.test".into()];
    let (p, i) = (TestPlatform::with_config(Ok(config)), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = onboard(&p, &i, "bob@globex.test", "globex");
    let status = call(
        &p,
        &i,
        Method::Get,
        "/authsec/migration/migrations/master/status",
        a["token"].as_str().unwrap(),
        None,
        NOW + 10,
    );
    assert_eq!(status.status, 200);
    assert_eq!(status.json_body()["pending"], json!([]));
    assert_eq!(status.json_body()["backend"], "memory");
    let run = call(
        &p,
        &i,
        Method::Post,
        "/authsec/migration/migrations/master/run",
        a["token"].as_str().unwrap(),
        Some(json!({})),
        NOW + 11,
    );
    assert_eq!(run.json_body()["applied_now"], json!([]));
    let other = call(
        &p,
        &i,
        Method::Get,
        "/authsec/migration/migrations/master/status",
        b["token"].as_str().unwrap(),
        None,
        NOW + 12,
    );
    assert_eq!(other.status, 403, "a tenant admin is not a platform admin");
    assert_eq!(send(&p, &i, get("/authsec/migration/migrations/master/status")).response.status, 401);
}
