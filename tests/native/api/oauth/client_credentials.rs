//! The client credentials grant: a client acting as itself, with exactly the scopes its
//! RBAC bindings hold (issue 14).

use super::super::grants::device::{call, error_of};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use base64ct::{Base64, Encoding};
use serde_json::{json, Value};

fn token(p: &TestPlatform, i: &Isolate, id: &str, secret: &str, scope: Option<&str>) -> HttpResponse {
    let mut body = "grant_type=client_credentials".to_string();
    if let Some(scope) = scope {
        body.push_str(&format!("&scope={}", scope.replace(' ', "+").replace(':', "%3A")));
    }
    let basic = Base64::encode_string(format!("{id}:{secret}").as_bytes());
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("authorization", &format!("Basic {basic}"))
        .with_body(body.into_bytes());
    send_at(p, i, req, NOW).response
}

/// A tenant, a confidential client with the grant, and a role `reader`
/// (`documents:read`) bound to the client.
fn setup(p: &TestPlatform, i: &Isolate) -> (Value, String, String, String) {
    let admin = onboard(p, i, "ada@acme.test", "acme");
    let admin_token = admin["token"].as_str();
    let tenant = admin["tenant_id"].as_str().unwrap();
    let created = call(
        p,
        i,
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        admin_token,
        json!({"name": "worker", "client_type": "confidential", "grant_types": ["client_credentials"]}),
        NOW,
    );
    assert_eq!(created.status, 201, "{}", created.json_body());
    let created = created.json_body();
    let (id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
    let role = call(
        p,
        i,
        "/authsec/uflow/admin/roles",
        admin_token,
        json!({"name": "reader", "permission_strings": ["documents:read"]}),
        NOW,
    );
    assert_eq!(role.status, 201, "{}", role.json_body());
    let role_id = role.json_body()["id"].as_str().unwrap().to_string();
    let bound =
        call(p, i, "/authsec/uflow/admin/bindings", admin_token, json!({"client_id": id, "role_id": role_id}), NOW);
    assert_eq!(bound.status, 201, "{}", bound.json_body());
    (admin, id.to_string(), secret.to_string(), role_id)
}

#[test]
fn a_client_gets_the_scopes_its_bindings_hold_and_nothing_else() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, id, secret, _) = setup(&p, &i);
    let granted = token(&p, &i, &id, &secret, Some("documents:read"));
    assert_eq!(granted.status, 200, "{}", granted.json_body());
    assert_eq!(granted.json_body()["scope"], "documents:read");
    assert!(granted.json_body().get("refresh_token").is_none(), "no refresh token for a client acting as itself");
    let wider = token(&p, &i, &id, &secret, Some("documents:read documents:write"));
    assert_eq!(error_of(&wider), (400, "invalid_scope".into()), "a scope the client does not hold");
    assert_eq!(error_of(&token(&p, &i, &id, &secret, Some("role:admin"))), (400, "invalid_scope".into()));
    assert_eq!(error_of(&token(&p, &i, &id, &secret, Some("*:*"))), (400, "invalid_scope".into()));
    let default = token(&p, &i, &id, &secret, None);
    assert_eq!(default.json_body()["scope"], "role:reader", "no scope: the client's roles");
}

#[test]
fn the_token_is_the_clients_delegated_and_checked_by_rbac() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, id, secret, _) = setup(&p, &i);
    let access =
        token(&p, &i, &id, &secret, Some("role:reader")).json_body()["access_token"].as_str().unwrap().to_string();
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": access}), NOW).json_body();
    assert_eq!((verified["user_id"].as_str(), verified["token_type"].as_str()), (Some(id.as_str()), Some("service")));
    assert_eq!(verified["roles"], json!(["reader"]));
    let check = |resource: &str, action: &str| -> Value {
        let path = format!("/authsec/authmgr/user/check/permission?resource={resource}&action={action}");
        let req = HttpRequest::new(Method::Get, &path).with_header("authorization", &format!("Bearer {access}"));
        send_at(&p, &i, req, NOW).response.json_body()
    };
    assert_eq!(check("documents", "read")["has_permission"], true);
    assert_eq!(check("documents", "write")["has_permission"], false);
    let tenant = admin["tenant_id"].as_str().unwrap();
    let admin_route = call(&p, &i, "/authsec/uflow/admin/roles", Some(&access), json!({"name": "x"}), NOW);
    assert_eq!(admin_route.status, 403, "a delegated token is no admin");
    let clients = format!("/authsec/clientms/tenants/{tenant}/clients/getClients");
    assert_eq!(call(&p, &i, &clients, Some(&access), json!({}), NOW).status, 403);
}

#[test]
fn public_clients_wrong_secrets_and_clients_without_the_grant_are_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, id, _, role_id) = setup(&p, &i);
    assert_eq!(error_of(&token(&p, &i, &id, "wrong", None)), (401, "invalid_client".into()));
    let tenant = admin["tenant_id"].as_str().unwrap();
    let other = call(
        &p,
        &i,
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        admin["token"].as_str(),
        json!({"name": "no grant", "client_type": "confidential"}),
        NOW,
    )
    .json_body();
    let refused = token(&p, &i, other["client_id"].as_str().unwrap(), other["client_secret"].as_str().unwrap(), None);
    assert_eq!(error_of(&refused), (400, "unauthorized_client".into()));
    let bind_unknown = call(
        &p,
        &i,
        "/authsec/uflow/admin/bindings",
        admin["token"].as_str(),
        json!({"client_id": "no-such-client", "role_id": role_id}),
        NOW,
    );
    assert_eq!(bind_unknown.status, 400);
    assert_eq!(bind_unknown.json_body()["field"], "client_id", "{}", bind_unknown.json_body());
}
