//! The client lifecycle under `/authsec/clientms/tenants/:tenant_id/clients`.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

struct Admin {
    token: String,
    tenant: String,
}

fn admin(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> Admin {
    let login = onboard(p, i, email, domain);
    Admin { token: login["token"].as_str().unwrap().into(), tenant: login["tenant_id"].as_str().unwrap().into() }
}

fn call(p: &TestPlatform, i: &Isolate, method: Method, path: &str, token: &str, body: Option<Value>) -> HttpResponse {
    let mut req = HttpRequest::new(method, path).with_header("authorization", &format!("Bearer {token}"));
    if let Some(body) = body {
        req = req.with_json(&body);
    }
    send_at(p, i, req, NOW + 10).response
}

fn base(tenant: &str) -> String {
    format!("/authsec/clientms/tenants/{tenant}/clients")
}

#[test]
fn a_confidential_client_shows_its_secret_once() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let created = call(
        &p,
        &i,
        Method::Post,
        &format!("{}/create", base(&a.tenant)),
        &a.token,
        Some(json!({"name": "Billing", "redirect_uris": ["https://billing.acme.test/cb", "http://127.0.0.1:8080/cb"],
                    "grant_types": ["authorization_code", "refresh_token"], "unknown_extra": true})),
    );
    assert_eq!(created.status, 201, "{}", created.json_body());
    let body = created.json_body();
    let secret = body["client_secret"].as_str().unwrap();
    assert!(secret.len() >= 40);
    assert_eq!(body["tenant_id"], a.tenant);
    let fetched = call(
        &p,
        &i,
        Method::Get,
        &format!("{}/{}", base(&a.tenant), body["client_id"].as_str().unwrap()),
        &a.token,
        None,
    );
    assert_eq!(fetched.status, 200);
    let fetched = fetched.json_body();
    assert_eq!(fetched["has_secret"], true);
    assert!(fetched.get("client_secret").is_none());
    assert!(!fetched.to_string().contains(secret), "never shown again");
    assert_eq!(fetched["redirect_uris"], json!(["https://billing.acme.test/cb", "http://127.0.0.1:8080/cb"]));
    let public = call(
        &p,
        &i,
        Method::Post,
        &format!("{}/create", base(&a.tenant)),
        &a.token,
        Some(json!({"name": "SPA", "client_type": "public"})),
    )
    .json_body();
    assert!(public.get("client_secret").is_none());
    let listed = call(&p, &i, Method::Get, &format!("{}/getClients?page=1&limit=2", base(&a.tenant)), &a.token, None)
        .json_body();
    assert_eq!(listed["pagination"], json!({"page": 1, "limit": 2, "total": 3, "total_pages": 2}));
    assert_eq!(listed["clients"].as_array().unwrap().len(), 2);
}

#[test]
fn input_is_validated() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let create = |body: Value| call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(body));
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(257)}), "name"),
        (json!({"name": "a", "redirect_uris": ["http://evil.test/cb"]}), "redirect_uris"),
        (json!({"name": "a", "redirect_uris": ["https://ok.test/cb#frag"]}), "redirect_uris"),
        (json!({"name": "a", "redirect_uris": "https://ok.test"}), "redirect_uris"),
        (json!({"name": "a", "grant_types": ["password"]}), "grant_types"),
        (json!({"name": "a", "client_type": "secret"}), "client_type"),
        (json!({"name": "a", "email": "nope"}), "email"),
    ] {
        let resp = create(body.clone());
        assert_eq!((resp.status, resp.json_body()["field"].as_str()), (400, Some(field)), "{body}");
    }
    let listed = call(&p, &i, Method::Get, &format!("{}/getClients?limit=500", base(&a.tenant)), &a.token, None);
    assert_eq!(listed.json_body()["field"], "limit");
}

#[test]
fn other_tenants_and_non_admins_are_kept_out() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let b = admin(&p, &i, "bob@globex.test", "globex");
    let created =
        call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(json!({"name": "A app"})));
    let id = created.json_body()["client_id"].as_str().unwrap().to_string();
    // B on A's path: forbidden; B on its own path with A's id: not found.
    assert_eq!(call(&p, &i, Method::Get, &format!("{}/{id}", base(&a.tenant)), &b.token, None).status, 403);
    assert_eq!(call(&p, &i, Method::Get, &format!("{}/{id}", base(&b.tenant)), &b.token, None).status, 404);
    assert_eq!(call(&p, &i, Method::Delete, &format!("{}/{id}", base(&b.tenant)), &b.token, None).status, 404);
    assert_eq!(
        call(&p, &i, Method::Patch, &format!("{}/{id}", base(&b.tenant)), &b.token, Some(json!({"name": "x"}))).status,
        404
    );
    assert_eq!(
        call(&p, &i, Method::Get, &format!("{}/{id}", base(&a.tenant)), &a.token, None).json_body()["name"],
        "A app"
    );
    // A token of A's tenant without the admin role may read but not change.
    let mut reader = claims(NOW);
    reader.tenant_id = a.tenant.clone();
    reader.roles = vec![];
    let reader = sign(&reader, &p.config().keys);
    assert_eq!(call(&p, &i, Method::Get, &format!("{}/{id}", base(&a.tenant)), &reader, None).status, 200);
    assert_eq!(
        call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &reader, Some(json!({"name": "x"}))).status,
        403
    );
    assert_eq!(call(&p, &i, Method::Delete, &format!("{}/{id}", base(&a.tenant)), &reader, None).status, 403);
    assert_eq!(send(&p, &i, get(&format!("{}/{id}", base(&a.tenant)))).response.status, 401);
}

#[test]
fn the_default_client_cannot_be_deleted_and_status_changes_apply() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let default = call(&p, &i, Method::Get, &format!("{}/getClients", base(&a.tenant)), &a.token, None).json_body()
        ["clients"][0]
        .clone();
    assert_eq!(default["is_default"], true);
    let default_id = default["client_id"].as_str().unwrap();
    for (method, suffix) in [(Method::Delete, ""), (Method::Patch, "/soft-delete")] {
        let resp = call(&p, &i, method, &format!("{}/{default_id}{suffix}", base(&a.tenant)), &a.token, None);
        assert_eq!(resp.status, 403, "{suffix}");
    }
    let resp = call(
        &p,
        &i,
        Method::Post,
        &format!("{}/delete-complete", base(&a.tenant)),
        &a.token,
        Some(json!({"client_id": default_id})),
    );
    assert_eq!(resp.status, 403);
    let app =
        call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(json!({"name": "App"})))
            .json_body();
    let app_id = app["client_id"].as_str().unwrap();
    let off = call(&p, &i, Method::Patch, &format!("{}/{app_id}/deactivate", base(&a.tenant)), &a.token, None);
    assert_eq!(off.json_body()["active"], false);
    let on = call(
        &p,
        &i,
        Method::Post,
        &format!("{}/set-status", base(&a.tenant)),
        &a.token,
        Some(json!({"client_id": app_id, "active": true})),
    );
    assert_eq!(on.json_body()["active"], true);
    let soft = call(&p, &i, Method::Patch, &format!("{}/{app_id}/soft-delete", base(&a.tenant)), &a.token, None);
    assert_eq!(soft.json_body()["deleted"], true);
    let listed = call(&p, &i, Method::Get, &format!("{}/getClients", base(&a.tenant)), &a.token, None).json_body();
    assert_eq!(listed["pagination"]["total"], 1, "soft-deleted clients are not listed");
    let gone = call(&p, &i, Method::Delete, &format!("{}/{app_id}", base(&a.tenant)), &a.token, None);
    assert_eq!(gone.status, 200);
    assert_eq!(call(&p, &i, Method::Get, &format!("{}/{app_id}", base(&a.tenant)), &a.token, None).status, 404);
}

#[test]
fn an_inactive_client_cannot_sign_users_in() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let app =
        call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(json!({"name": "App"})))
            .json_body();
    let app_id = app["client_id"].as_str().unwrap();
    call(&p, &i, Method::Patch, &format!("{}/{app_id}/deactivate", base(&a.tenant)), &a.token, None);
    let register = send_at(
        &p,
        &i,
        post_json(
            "/authsec/uflow/user/register/initiate",
            json!({"client_id": app_id, "email": "eve@example.test", "password": "a long and private passphrase"}),
        ),
        NOW + 20,
    )
    .response;
    assert_eq!((register.status, register.json_body()["field"].as_str()), (400, Some("client_id")));
}

#[test]
fn token_endpoint_auth_method_and_the_ciba_grant_are_set_by_an_admin() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = admin(&p, &i, "ada@acme.test", "acme");
    let create = |body: Value| call(&p, &i, Method::Post, &format!("{}/create", base(&a.tenant)), &a.token, Some(body));
    let ciba = "urn:openid:params:grant-type:ciba";
    let public = create(json!({"name": "voice", "token_endpoint_auth_method": "none", "grant_types": [ciba]}));
    assert_eq!(public.status, 201, "{}", public.json_body());
    let public = public.json_body();
    assert_eq!((public["client_type"].as_str(), public.get("client_secret")), (Some("public"), None));
    for (body, field) in [
        (json!({"name": "a", "token_endpoint_auth_method": "private_key_jwt"}), "jwks"),
        (json!({"name": "a", "token_endpoint_auth_method": "tls_client_auth"}), "token_endpoint_auth_method"),
        (json!({"name": "a", "token_endpoint_auth_method": 7}), "token_endpoint_auth_method"),
        (
            json!({"name": "a", "token_endpoint_auth_method": "none", "client_type": "confidential"}),
            "token_endpoint_auth_method",
        ),
    ] {
        let resp = create(body.clone());
        assert_eq!((resp.status, resp.json_body()["field"].as_str()), (400, Some(field)), "{body}");
    }
    let path = format!("{}/{}", base(&a.tenant), public["client_id"].as_str().unwrap());
    let update = |body: Value| call(&p, &i, Method::Patch, &path, &a.token, Some(body));
    let bad = update(json!({"token_endpoint_auth_method": "basic", "name": "renamed"}));
    assert_eq!(bad.status, 400);
    let unchanged = call(&p, &i, Method::Get, &path, &a.token, None).json_body();
    assert_eq!(unchanged["name"], "voice", "a refused update writes nothing");
    let confidential = update(json!({"token_endpoint_auth_method": "client_secret_post"})).json_body();
    assert_eq!(confidential["token_endpoint_auth_method"], "client_secret_post");
    assert!(confidential["client_secret"].as_str().is_some_and(|s| s.len() >= 40), "minted and shown once");
    let public_again = update(json!({"token_endpoint_auth_method": "none"})).json_body();
    assert_eq!(
        (public_again["has_secret"].clone(), public_again["client_type"].clone()),
        (json!(false), json!("public"))
    );
    assert_eq!(public_again["grant_types"], json!([ciba]));
}

mod metadata;
