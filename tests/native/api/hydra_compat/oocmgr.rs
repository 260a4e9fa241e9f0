//! oocmgr answers from the tenant's real clients and settings, to its admin only.

use super::{refusal, World, REDIRECT_URI};
use authsec_edge::http::{HttpRequest, Method};
use serde_json::{json, Value};

/// The default client's id (the tenant's "main client").
fn default_client(w: &World) -> String {
    let verified = w.post("/authsec/authmgr/token/verify", None, json!({"token": w.admin_token()}));
    verified.json_body()["client_id"].as_str().unwrap().to_string()
}

#[test]
fn hydra_clients_are_the_tenants_clients_without_secrets() {
    let w = World::new();
    let main = default_client(&w);
    let path = format!("/authsec/clientms/tenants/{}/clients/create", w.tenant());
    let secret = w.post(&path, Some(w.admin_token()), json!({"name": "Backend", "client_type": "confidential"}));
    let secret = secret.json_body()["client_secret"].as_str().unwrap().to_string();
    let listed = w.post("/authsec/oocmgr/hydra-clients/list", Some(w.admin_token()), json!({}));
    assert_eq!(listed.status, 200, "{}", listed.json_body());
    let body = listed.json_body();
    assert_eq!(body["success"], true);
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    let clients = body["data"].as_array().unwrap();
    assert_eq!(clients.len(), 3);
    assert!(clients.iter().all(|c| c["tenant_id"] == w.tenant() && c["tenant_name"] == "acme"));
    assert!(!String::from_utf8_lossy(&listed.body).contains(&secret), "never a secret");
    let mains = w.post("/authsec/oocmgr/hydra-clients/list", Some(w.admin_token()), json!({"client_type": "main"}));
    assert_eq!(mains.json_body()["data"][0]["hydra_client_id"], main.as_str());
    assert_eq!(mains.json_body()["data"].as_array().unwrap().len(), 1);
    let app = clients.iter().find(|c| c["hydra_client_id"] == w.client_id.as_str()).unwrap();
    assert_eq!(app["redirect_uris"], json!([REDIRECT_URI]));
    let by_tenant = w.post("/authsec/oocmgr/hydra-clients/get-by-tenant", Some(w.admin_token()), json!({}));
    let data = by_tenant.json_body()["data"].clone();
    assert_eq!(
        (data["main_client"]["hydra_client_id"].clone(), data["total_clients"].clone()),
        (json!(main), json!(3))
    );
    assert_eq!(data["provider_clients"], json!([]));
    let dump =
        w.post("/authsec/oocmgr/oidc/raw-hydra-dump", Some(w.admin_token()), json!({"client_type": "oauth_client"}));
    let dumped = dump.json_body()["data"]["clients"].as_array().unwrap().clone();
    assert_eq!(dumped.len(), 2);
    let backend = dumped.iter().find(|c| c["client_name"] == "Backend").unwrap();
    assert_eq!(backend["client_secret"], "***hidden***");
    assert_eq!(backend["token_endpoint_auth_method"], "client_secret_basic");
    let synced = w.post("/authsec/oocmgr/hydra-clients/sync", Some(w.admin_token()), json!({}));
    assert_eq!(
        synced.json_body()["data"],
        json!({"total_hydra_clients": 3, "synced_clients": 3, "missing_mappings": 0})
    );
}

#[test]
fn client_ids_follow_the_clients_status() {
    let w = World::new();
    let path = format!("/authsec/clientms/tenants/{}/clients/{}", w.tenant(), w.client_id);
    let req = HttpRequest::new(Method::Patch, &format!("{path}/deactivate"))
        .with_header("authorization", &format!("Bearer {}", w.admin_token()));
    assert_eq!(crate::support::send(&w.p, &w.i, req).response.status, 200);
    let ids = |active_only: bool| -> Value {
        let body = json!({"tenant_id": w.tenant(), "active_only": active_only});
        w.post("/authsec/oocmgr/clients/getClients", Some(w.admin_token()), body).json_body()["data"].clone()
    };
    assert_eq!(ids(false)["count"], 2);
    assert_eq!(ids(true)["client_ids"], json!([default_client(&w)]));
    let active = w.post("/authsec/oocmgr/hydra-clients/list", Some(w.admin_token()), json!({"is_active": false}));
    assert_eq!(active.json_body()["data"][0]["hydra_client_id"], w.client_id.as_str());
}

#[test]
fn the_oidc_config_is_the_providers_own_settings() {
    let w = World::new();
    let config = w.post("/authsec/oocmgr/oidc/get-config", Some(w.admin_token()), json!({"tenant_id": w.tenant()}));
    assert_eq!(config.status, 200, "{}", config.json_body());
    let data = config.json_body()["data"].clone();
    assert_eq!(data["tenant_client"]["client_id"], default_client(&w).as_str());
    assert_eq!((data["oidc_providers"].clone(), data["provider_count"].clone()), (json!([]), json!(0)));
    let settings = &data["provider_settings"];
    assert_eq!(
        settings["authorization_endpoint"],
        format!("{}/authsec/oauth/authorize", settings["issuer"].as_str().unwrap())
    );
    assert_eq!(settings["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(settings["totp_only_login"], false);
    let put = HttpRequest::new(Method::Put, &format!("/authsec/uflow/admin/tenants/{}", w.tenant()))
        .with_json(&json!({"totp_only_login": true}))
        .with_header("authorization", &format!("Bearer {}", w.admin_token()));
    assert_eq!(crate::support::send(&w.p, &w.i, put).response.status, 200);
    let app = w.post("/authsec/oocmgr/oidc/get-config", Some(w.admin_token()), json!({"client_id": w.client_id}));
    let data = app.json_body()["data"].clone();
    assert_eq!(data["provider_settings"]["totp_only_login"], true);
    assert_eq!(data["tenant_client"]["redirect_uris"], json!([REDIRECT_URI]));
    let foreign_client = default_client_of(&w, w.other_token());
    let foreign =
        w.post("/authsec/oocmgr/oidc/get-config", Some(w.admin_token()), json!({"client_id": foreign_client}));
    assert_eq!(foreign.status, 404, "another tenant's client is unknown");
}

fn default_client_of(w: &World, token: &str) -> String {
    let verified = w.post("/authsec/authmgr/token/verify", None, json!({"token": token}));
    verified.json_body()["client_id"].as_str().unwrap().to_string()
}

#[test]
fn the_auth_providers_are_the_built_in_sign_in() {
    let w = World::new();
    let url = format!("/authsec/oocmgr/oidc/show-auth-providers?tenant_id={}", w.tenant());
    let all = w.get(&url, Some(w.admin_token()), None);
    assert_eq!(all.status, 200, "{}", all.json_body());
    assert_eq!(all.json_body()["data"]["providers"][0]["provider_name"], "authsec");
    let req = crate::support::post_json("/authsec/oocmgr/oidc/show-auth-providers", json!({"tenant_id": w.tenant()}))
        .with_header("client-id", &w.client_id)
        .with_header("authorization", &format!("Bearer {}", w.admin_token()));
    let one = crate::support::send(&w.p, &w.i, req).response.json_body();
    assert_eq!(one["data"]["client_id"], w.client_id.as_str());
    assert_eq!(one["data"]["providers"][0]["provider_type"], "internal");
    let stranger = w.post(
        "/authsec/oocmgr/oidc/show-auth-providers",
        Some(w.admin_token()),
        json!({"client_id": default_client_of(&w, w.other_token())}),
    );
    assert_eq!(stranger.status, 404);
}

#[test]
fn the_tenant_routes_describe_the_callers_tenant() {
    let w = World::new();
    let main = default_client(&w);
    let token = Some(w.admin_token());
    let exists =
        w.post("/authsec/oocmgr/tenant/check-exists", token, json!({"tenant_id": w.tenant(), "org_id": "org-1"}));
    let data = exists.json_body()["data"].clone();
    assert_eq!((data["exists"].clone(), data["org_id"].clone()), (json!(true), json!("org-1")));
    assert_eq!(data["tenant_info"]["client_id"], main.as_str());
    let listed = w.post("/authsec/oocmgr/tenant/list-all", token, json!({})).json_body()["data"].clone();
    assert_eq!(listed["count"], 1, "only the caller's own tenant");
    assert_eq!(listed["tenants"][0]["main_client"]["client_id"], main.as_str());
    let page = w.post("/authsec/oocmgr/tenant/login-page-data", token, json!({})).json_body()["data"].clone();
    assert_eq!((page["tenant_name"].clone(), page["main_client_id"].clone()), (json!("acme"), json!(main)));
    let stats = w.post("/authsec/oocmgr/stats/tenant", token, json!({})).json_body()["data"].clone();
    assert_eq!((stats["tenant_clients"].clone(), stats["total_providers"].clone()), (json!(2), json!(0)));
    let flow = w.post("/authsec/oocmgr/test/oidc-flow", token, json!({})).json_body()["data"].clone();
    let template = flow["login_url_template"].as_str().unwrap();
    assert!(template.contains(&format!("/authsec/oauth/authorize?client_id={main}&")), "{template}");
    assert!(template.contains("code_challenge_method=S256"), "{template}");
    let federated = w.post("/authsec/oocmgr/test/oidc-flow", token, json!({"provider_name": "github"}));
    assert_eq!(refusal(&federated), (501, "not_implemented".into()));
}

#[test]
fn update_complete_renames_the_tenant_and_edits_a_client_after_checking_everything() {
    let w = World::new();
    let token = Some(w.admin_token());
    let bad = json!({"tenant_name": "Acme Two", "client_id": w.client_id,
                     "tenant_client": {"redirect_uris": ["http://evil.example/cb"]}});
    let refused = w.post("/authsec/oocmgr/tenant/update-complete", token, bad);
    assert_eq!(refused.json_body()["field"], "redirect_uris", "{}", refused.json_body());
    let page = w.post("/authsec/oocmgr/tenant/login-page-data", token, json!({})).json_body();
    assert_eq!(page["data"]["tenant_name"], "acme", "nothing was written");
    let good = json!({"tenant_name": "Acme Two", "client_id": w.client_id, "updated_by": "someone",
                      "tenant_client": {"client_name": "Renamed", "redirect_uris": ["https://app.acme.test/cb"],
                                        "scopes": ["openid"]}});
    let updated = w.post("/authsec/oocmgr/tenant/update-complete", token, good);
    assert_eq!(updated.status, 200, "{}", updated.json_body());
    let data = updated.json_body()["data"].clone();
    assert_eq!(data["tenant_client"]["redirect_uris"], json!(["https://app.acme.test/cb"]));
    assert_eq!(data["updated_by"], "ada@acme.test", "the caller, not what the body claims");
    let path = format!("/authsec/clientms/tenants/{}/clients/{}", w.tenant(), w.client_id);
    let client = w.get(&path, token, None).json_body();
    assert_eq!(
        (client["name"].clone(), client["redirect_uris"].clone()),
        (json!("Renamed"), json!(["https://app.acme.test/cb"]))
    );
    let page = w.post("/authsec/oocmgr/tenant/login-page-data", token, json!({})).json_body();
    assert_eq!(page["data"]["tenant_name"], "Acme Two");
    let providers = json!({"oidc_providers": [{"provider_name": "github"}]});
    assert_eq!(refusal(&w.post("/authsec/oocmgr/tenant/update-complete", token, providers)).0, 501);
    let empty = w.post("/authsec/oocmgr/tenant/update-complete", token, json!({"updated_by": "x"}));
    assert_eq!(refusal(&empty), (400, "invalid_request".into()));
    let foreign = json!({"tenant_id": w.other["tenant_id"], "tenant_name": "Mine now"});
    assert_eq!(w.post("/authsec/oocmgr/tenant/update-complete", token, foreign).status, 404);
}

#[test]
fn only_the_tenants_admin_reaches_oocmgr() {
    let w = World::new();
    let routes = [
        "/authsec/oocmgr/hydra-clients/list",
        "/authsec/oocmgr/hydra-clients/get-by-tenant",
        "/authsec/oocmgr/hydra-clients/sync",
        "/authsec/oocmgr/oidc/get-config",
        "/authsec/oocmgr/oidc/show-auth-providers",
        "/authsec/oocmgr/oidc/raw-hydra-dump",
        "/authsec/oocmgr/tenant/check-exists",
        "/authsec/oocmgr/tenant/list-all",
        "/authsec/oocmgr/tenant/login-page-data",
        "/authsec/oocmgr/tenant/update-complete",
        "/authsec/oocmgr/stats/tenant",
        "/authsec/oocmgr/test/oidc-flow",
        "/authsec/oocmgr/clients/getClients",
    ];
    let ours = json!({"tenant_id": w.tenant()});
    for route in routes {
        assert_eq!(w.post(route, None, ours.clone()).status, 401, "{route}");
        assert_eq!(w.post(route, Some(&w.user_token), ours.clone()).status, 403, "{route}: an end user");
        assert_eq!(w.post(route, Some(w.other_token()), ours.clone()).status, 404, "{route}: another tenant");
        let typed = w.post(route, Some(w.admin_token()), json!({"tenant_id": 7}));
        assert_eq!(typed.json_body()["field"], "tenant_id", "{route}");
    }
    let bad = w.post("/authsec/oocmgr/hydra-clients/list", Some(w.admin_token()), json!({"is_active": "yes"}));
    assert_eq!(bad.json_body()["field"], "is_active");
    let req = HttpRequest::new(Method::Post, "/authsec/oocmgr/hydra-clients/list")
        .with_body(b"{not json".to_vec())
        .with_header("content-type", "application/json")
        .with_header("authorization", &format!("Bearer {}", w.admin_token()));
    assert_eq!(crate::support::send(&w.p, &w.i, req).response.status, 400);
    assert_eq!(w.get("/authsec/oocmgr/hydra-clients/list", Some(w.admin_token()), None).status, 405);
}
