//! What has no counterpart here answers 501 with the reason and what to use instead.

use super::{refusal, World};
use authsec_edge::http::{HttpRequest, Method};
use serde_json::json;

fn send(w: &World, method: Method, path: &str, token: Option<&str>) -> authsec_edge::http::HttpResponse {
    let mut req = HttpRequest::new(method, path).with_json(&json!({"login_challenge": "x", "tenant_id": "t"}));
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    crate::support::send(&w.p, &w.i, req).response
}

#[test]
fn each_refused_upstream_route_says_why_and_what_to_use() {
    let w = World::new();
    let cases: &[(Method, &str, &str)] = &[
        (Method::Post, "/authsec/hmgr/login/complete-local", "access token"),
        (Method::Post, "/authsec/hmgr/consent", "/authsec/oauth/authorize/consent"),
        (Method::Post, "/authsec/hmgr/auth/initiate/github", "federation"),
        (Method::Post, "/authsec/hmgr/auth/callback", "federation"),
        (Method::Post, "/authsec/hmgr/auth/exchange-token", "/authsec/oauth/token"),
        (Method::Post, "/authsec/hmgr/pkce/store", "code_verifier"),
        (Method::Post, "/authsec/hmgr/saml/acs", "SAML"),
        (Method::Get, "/authsec/hmgr/saml/metadata/t-1/c-1", "SAML"),
        (Method::Get, "/authsec/hmgr/admin/saml-providers", "SAML"),
        (Method::Get, "/authsec/hmgr/admin/users", "/authsec/uflow/admin/users/list"),
        (Method::Delete, "/authsec/hmgr/admin/users/u-1/roles/r-1", "/authsec/uflow/admin/bindings"),
        (Method::Put, "/authsec/hmgr/admin/tenants/t-1", "/authsec/uflow/admin/tenants"),
        (Method::Get, "/authsec/hmgr/admin/permissions", "/authsec/uflow/admin/permissions"),
        (Method::Get, "/authsec/hmgr/admin/profile", "/authsec/authmgr/user/profile"),
        (Method::Post, "/authsec/oocmgr/configure-complete-oidc", "clients/create"),
        (Method::Post, "/authsec/oocmgr/tenant/create-base-client", "never chosen by the caller"),
        (Method::Post, "/authsec/oocmgr/tenant/delete-complete", "clients/delete-complete"),
        (Method::Post, "/authsec/oocmgr/config/edit", "totp_only_login"),
        (Method::Post, "/authsec/oocmgr/oidc/add-provider", "federation"),
        (Method::Post, "/authsec/oocmgr/oidc/get-provider-secret", "federation"),
        (Method::Post, "/authsec/oocmgr/oidc/edit-client-auth-provider", "federation"),
        (Method::Post, "/authsec/oocmgr/saml/list-providers", "SAML"),
    ];
    for (method, path, names) in cases {
        for token in [None, Some(w.admin_token())] {
            let out = send(&w, *method, path, token);
            assert_eq!(refusal(&out), (501, "not_implemented".into()), "{path}");
            let message = out.json_body()["message"].as_str().unwrap().to_string();
            assert!(message.contains(names), "{path}: {message}");
            assert!(!message.contains("yet"), "{path}: a decision, not a delay: {message}");
        }
    }
}

#[test]
fn paths_upstream_never_had_under_the_prefixes_still_answer_501() {
    let w = World::new();
    for (path, names) in [
        ("/authsec/hmgr/saml/anything/else", "SAML"),
        ("/authsec/oocmgr/saml/other", "SAML"),
        ("/authsec/hmgr/no-such-route", "Hydra manager"),
        ("/authsec/oocmgr/no/such/route", "OIDC configuration manager"),
    ] {
        let out = send(&w, Method::Post, path, None);
        assert_eq!(refusal(&out), (501, "not_implemented".into()), "{path}");
        assert!(out.json_body()["message"].as_str().unwrap().contains(names), "{path}");
    }
    assert_eq!(send(&w, Method::Get, "/authsec/hmgr/login/complete-local", None).status, 405);
}

#[test]
fn the_health_routes_are_public_and_reveal_no_configuration() {
    let w = World::new();
    for (path, service) in
        [("/authsec/hmgr/health", "oauth-login-service-api"), ("/authsec/oocmgr/health", "oidc-config-manager")]
    {
        let out = w.get(path, None, None);
        assert_eq!(out.status, 200);
        let body = out.json_body();
        assert_eq!((body["status"].clone(), body["service"].clone()), (json!("healthy"), json!(service)));
        assert!(body.get("hydra_admin_url").is_none());
    }
}
