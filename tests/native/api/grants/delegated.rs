//! Issue 12, finding 3: tokens a client obtains through a grant are delegated. They are
//! refused on admin, factor and account-change routes, carry only the roles their scopes
//! name, are bounded by their scopes in RBAC checks; every grant checks the client's
//! `grant_types`; the activation page names the client, words the scopes and warns
//! across networks.

use super::device::{call, error_of, set_grants, tenant, DEVICE_GRANT};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use base64ct::{Base64, Encoding};
use serde_json::{json, Value};

/// Runs a device flow for `scopes` approved by `admin`: the token response.
fn device_token(p: &TestPlatform, i: &Isolate, admin: &Value, client_id: &str, scopes: &[&str]) -> Value {
    let body = json!({"client_id": client_id, "scopes": scopes});
    let started = call(p, i, "/authsec/uflow/auth/device/code", None, body, NOW).json_body();
    let approve = json!({"user_code": started["user_code"], "approve": true});
    let approved = call(p, i, "/authsec/uflow/auth/device/verify", admin["token"].as_str(), approve, NOW + 1);
    assert_eq!(approved.status, 200, "{}", approved.json_body());
    let issued =
        call(p, i, "/authsec/uflow/auth/device/token", None, json!({"device_code": started["device_code"]}), NOW + 6);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    issued.json_body()
}

fn with_token(method: Method, path: &str, token: &str, body: Option<Value>) -> HttpRequest {
    let req = HttpRequest::new(method, path)
        .with_header("authorization", &format!("Bearer {token}"))
        .with_header("cf-connecting-ip", "10.9.9.9");
    match body {
        Some(body) => req.with_json(&body),
        None => req,
    }
}

fn as_user(
    p: &TestPlatform,
    i: &Isolate,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> HttpResponse {
    send_at(p, i, with_token(method, path, token, body), NOW + 8).response
}

#[test]
fn delegated_tokens_are_refused_on_admin_factor_and_account_routes() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let issued = device_token(&p, &i, &admin, &client_id, &["role:admin", "*:*"]);
    let token = issued["access_token"].as_str().unwrap();
    let tenant_id = admin["tenant_id"].as_str().unwrap();
    let user_id = admin["user_id"].as_str().unwrap();
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::Get, "/authsec/uflow/admin/roles".into(), None),
        (Method::Post, "/authsec/uflow/admin/permissions".into(), Some(json!({"resource": "x", "action": "y"}))),
        (Method::Get, "/authsec/uflow/admin/users/list".into(), None),
        (Method::Put, format!("/authsec/uflow/admin/tenants/{tenant_id}"), Some(json!({"name": "Mine"}))),
        (Method::Post, format!("/authsec/uflow/admin/users/{user_id}/revoke-sessions"), Some(json!({}))),
        (Method::Get, format!("/authsec/clientms/tenants/{tenant_id}/clients/getClients"), None),
        (Method::Post, format!("/authsec/clientms/tenants/{tenant_id}/clients/create"), Some(json!({"name": "x"}))),
        (Method::Post, "/authsec/uflow/auth/totp/register".into(), Some(json!({"device_name": "phone"}))),
        (Method::Post, "/authsec/uflow/auth/totp/devices".into(), Some(json!({}))),
        (Method::Post, "/authsec/webauthn/admin/beginRegistration".into(), Some(json!({}))),
        (Method::Get, "/authsec/uflow/auth/sessions".into(), None),
        (Method::Delete, "/authsec/uflow/auth/sessions/any".into(), None),
        (Method::Post, "/authsec/uflow/auth/device/verify".into(), Some(json!({"user_code": "BCDF-GHJK"}))),
        (Method::Post, "/authsec/uflow/auth/ciba/respond".into(), Some(json!({"request_id": "x", "approved": true}))),
        (
            Method::Post,
            "/authsec/uflow/auth/ciba/register-device".into(),
            Some(json!({"device_token": "t", "platform": "ios"})),
        ),
    ];
    for (method, path, body) in routes {
        let response = as_user(&p, &i, method, &path, token, body);
        assert_eq!(response.status, 403, "{path}: {}", response.json_body());
        assert!(response.json_body()["message"].as_str().unwrap().contains("grant"), "{path}: a clear message");
    }
    // What a delegated token may still do: be verified, check within its scopes, log out.
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token}), NOW + 8);
    assert_eq!(verified.status, 200);
    let check =
        as_user(&p, &i, Method::Get, "/authsec/authmgr/user/check/permission?resource=docs&action=read", token, None);
    assert_eq!(check.json_body()["has_permission"], true, "{}", check.json_body());
    assert_eq!(as_user(&p, &i, Method::Post, "/authsec/uflow/auth/logout", token, Some(json!({}))).status, 200);
    // The same admin signed in directly is not refused.
    let own = as_user(&p, &i, Method::Get, "/authsec/uflow/admin/roles", admin["token"].as_str().unwrap(), None);
    assert_eq!(own.status, 200);
}

#[test]
fn delegated_roles_and_permission_checks_are_bounded_by_the_scopes() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let narrow = device_token(&p, &i, &admin, &client_id, &["docs:read", "profile"]);
    let token = narrow["access_token"].as_str().unwrap();
    let claims = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token}), NOW + 8).json_body();
    assert_eq!(claims["roles"], json!([]), "no role scope, no roles: {claims}");
    let check = |token: &str, query: &str| {
        let path = format!("/authsec/authmgr/user/check/{query}");
        as_user(&p, &i, Method::Get, &path, token, None).json_body()
    };
    assert_eq!(check(token, "permission?resource=docs&action=read")["has_permission"], true);
    assert_eq!(check(token, "permission?resource=docs&action=write")["has_permission"], false);
    assert_eq!(check(token, "permission?resource=users&action=read")["has_permission"], false);
    assert_eq!(check(token, "role?role=admin")["has_role"], false);
    let listed = as_user(&p, &i, Method::Get, "/authsec/authmgr/user/permissions", token, None).json_body();
    assert_eq!(listed["permissions"], json!(["docs:read"]), "{listed}");
    // A refreshed token stays as narrow.
    let refreshed = call(
        &p,
        &i,
        "/authsec/uflow/auth/token/refresh",
        None,
        json!({"refresh_token": narrow["refresh_token"]}),
        NOW + 9,
    );
    let refreshed = refreshed.json_body()["access_token"].as_str().unwrap().to_string();
    assert_eq!(check(&refreshed, "permission?resource=docs&action=write")["has_permission"], false);

    let wide = device_token(&p, &i, &admin, &client_id, &["role:admin"]);
    let token = wide["access_token"].as_str().unwrap();
    let claims = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token}), NOW + 8).json_body();
    assert_eq!(claims["roles"], json!(["admin"]), "a role scope names the role: {claims}");
    assert_eq!(check(token, "role?role=admin")["has_role"], true);
    assert_eq!(check(token, "permission?resource=users&action=delete")["has_permission"], true);
    let admin_route = as_user(&p, &i, Method::Get, "/authsec/uflow/admin/roles", token, None);
    assert_eq!(admin_route.status, 403, "even with the admin role, never on admin routes");
}

#[test]
fn every_grant_checks_the_clients_grant_types() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let admin = onboard(&p, &i, "ada@acme.test", "acme");
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": admin["token"]}), NOW);
    let default_client = verified.json_body()["client_id"].as_str().unwrap().to_string();
    let start = |now| call(&p, &i, "/authsec/uflow/auth/device/code", None, json!({"client_id": default_client}), now);
    assert_eq!(
        error_of(&start(NOW)),
        (400, "unauthorized_client".into()),
        "a tenant's default client does not offer the device grant until an admin enables it"
    );
    set_grants(&p, &i, &admin, &default_client, &[DEVICE_GRANT]);
    let started = start(NOW).json_body();
    let approve = json!({"user_code": started["user_code"], "approve": true});
    assert_eq!(
        call(&p, &i, "/authsec/uflow/auth/device/verify", admin["token"].as_str(), approve, NOW + 1).status,
        200
    );
    let poll = |now| {
        call(&p, &i, "/authsec/uflow/auth/device/token", None, json!({"device_code": started["device_code"]}), now)
    };
    set_grants(&p, &i, &admin, &default_client, &[]);
    assert_eq!(error_of(&poll(NOW + 6)), (400, "unauthorized_client".into()), "withdrawn after approval");
    set_grants(&p, &i, &admin, &default_client, &[DEVICE_GRANT]);
    let issued = poll(NOW + 12);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    set_grants(&p, &i, &admin, &default_client, &["authorization_code"]);
    let refresh = json!({"refresh_token": issued.json_body()["refresh_token"]});
    let refused = call(&p, &i, "/authsec/uflow/auth/token/refresh", None, refresh, NOW + 13);
    assert_eq!(error_of(&refused), (400, "invalid_grant".into()), "refresh needs the grant too");

    // A confidential client without the CIBA grant cannot use CIBA, and CIBA can be registered.
    let path = format!("/authsec/clientms/tenants/{}/clients/create", admin["tenant_id"].as_str().unwrap());
    let created = call(&p, &i, &path, admin["token"].as_str(), json!({"name": "no-ciba"}), NOW).json_body();
    let body = json!({"login_hint": "ada@acme.test", "client_id": created["client_id"], "client_secret": created["client_secret"]});
    let refused = call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, body, NOW);
    assert_eq!(error_of(&refused), (400, "unauthorized_client".into()));
    let ciba = json!({"name": "ciba", "grant_types": ["urn:openid:params:grant-type:ciba"]});
    let created = call(&p, &i, &path, admin["token"].as_str(), ciba, NOW);
    assert_eq!(created.status, 201, "{}", created.json_body());
    assert_eq!(created.json_body()["grant_types"], json!(["urn:openid:params:grant-type:ciba"]));
}

#[test]
fn the_activation_info_names_the_client_words_the_scopes_and_warns_across_networks() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let body = json!({"client_id": client_id, "scopes": ["email", "docs:read", "role:editor"]});
    let req = post_json("/authsec/uflow/auth/device/code", body).with_header("cf-connecting-ip", "203.0.113.7");
    let started = send_at(&p, &i, req, NOW).response.json_body();
    let info = |ip: &str| {
        let path =
            format!("/authsec/uflow/auth/device/activate/info?user_code={}", started["user_code"].as_str().unwrap());
        send_at(&p, &i, get(&path).with_header("cf-connecting-ip", ip), NOW + 1).response.json_body()
    };
    let same = info("203.0.113.200");
    assert_eq!(same["client_name"], "Default client");
    assert_eq!(
        same["scope_descriptions"],
        json!([{"scope": "email", "description": "See your email address"},
               {"scope": "docs:read", "description": "“read” on “docs”"},
               {"scope": "role:editor", "description": "Act with your “editor” role"}])
    );
    assert_eq!((same["same_network"].clone(), same["network_warning"].clone()), (json!(true), Value::Null));
    let elsewhere = info("198.51.100.4");
    assert_eq!(elsewhere["same_network"], false);
    assert!(elsewhere["network_warning"].as_str().unwrap().contains("another network"));
    assert!(!elsewhere.to_string().contains("203.0.113"), "the requester's address is not disclosed");
}

#[test]
fn verify_says_a_token_is_delegated_and_narrowing_it_drops_the_roles_its_scopes_no_longer_name() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let issued = device_token(&p, &i, &admin, &client_id, &["role:admin", "docs:read"]);
    let token = issued["access_token"].as_str().unwrap();
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token}), NOW + 8).json_body();
    assert_eq!((verified["delegated"].clone(), verified["grant"].clone()), (json!(true), json!("device_code")));
    assert_eq!(verified["roles"], json!(["admin"]));
    let narrowed =
        as_user(&p, &i, Method::Post, "/authsec/authmgr/token/generate", token, Some(json!({"scopes": ["docs:read"]})));
    assert_eq!(narrowed.status, 200, "{}", narrowed.json_body());
    let narrow = narrowed.json_body()["access_token"].as_str().unwrap().to_string();
    let claims = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": narrow}), NOW + 8).json_body();
    assert_eq!(claims["roles"], json!([]), "role:admin is gone, and the role with it: {claims}");
    let own =
        call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": admin["token"]}), NOW + 8).json_body();
    assert_eq!((own["delegated"].clone(), own["grant"].clone()), (json!(false), json!(null)));
}

#[test]
fn a_confidential_client_asks_for_device_codes_only_with_its_own_credentials() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, _) = tenant(&p, &i, "ada@acme.test", "acme");
    let create = |name: &str, kind: &str| {
        let path = format!("/authsec/clientms/tenants/{}/clients/create", admin["tenant_id"].as_str().unwrap());
        let body = json!({"name": name, "client_type": kind, "grant_types": [DEVICE_GRANT]});
        call(&p, &i, &path, admin["token"].as_str(), body, NOW).json_body()
    };
    let (trusted, public) = (create("Trusted TV", "confidential"), create("Anyone's app", "public"));
    // The body names the trusted client; HTTP Basic authenticates a public client (no
    // secret): a code must not be issued under the trusted client's name.
    let basic = Base64::encode_string(format!("{}:", public["client_id"].as_str().unwrap()).as_bytes());
    let req = post_json("/authsec/uflow/auth/device/code", json!({"client_id": trusted["client_id"]}))
        .with_header("authorization", &format!("Basic {basic}"))
        .with_header("cf-connecting-ip", "10.7.7.9");
    assert_eq!(error_of(&send_at(&p, &i, req, NOW).response), (401, "invalid_client".into()));
    let body = json!({"client_id": trusted["client_id"], "client_secret": trusted["client_secret"]});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/device/code", None, body, NOW).status, 200);
}
