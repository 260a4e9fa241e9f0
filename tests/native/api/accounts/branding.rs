//! A tenant's branding through the tenant admin route (issue 14): set by its own admin
//! with `PUT uflow/admin/tenants/:id` `{branding}`, shown by the GET; every value
//! validated before anything of the update is written; another tenant's admin cannot
//! touch it.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

pub fn put_tenant(p: &TestPlatform, i: &Isolate, token: &str, tenant_id: &str, body: Value) -> HttpResponse {
    let req = HttpRequest::new(Method::Put, &format!("/authsec/uflow/admin/tenants/{tenant_id}"))
        .with_json(&body)
        .with_header("authorization", &format!("Bearer {token}"));
    send_at(p, i, req, NOW + 5).response
}

fn get_tenant(p: &TestPlatform, i: &Isolate, token: &str, tenant_id: &str) -> Value {
    let req = get(&format!("/authsec/uflow/admin/tenants/{tenant_id}"))
        .with_header("authorization", &format!("Bearer {token}"));
    let res = send_at(p, i, req, NOW + 5).response;
    assert_eq!(res.status, 200, "{}", res.json_body());
    res.json_body()
}

fn admin(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> (String, String) {
    let login = onboard(p, i, email, domain);
    (login["token"].as_str().unwrap().to_string(), login["tenant_id"].as_str().unwrap().to_string())
}

#[test]
fn an_admin_sets_shows_and_clears_the_branding_of_their_tenant() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, tenant) = admin(&p, &i, "ada@acme.test", "acme");
    let none = json!({"display_name": null, "logo_url": null, "accent_color": null});
    assert_eq!(get_tenant(&p, &i, &token, &tenant)["branding"], none, "unset by default");

    let branding = json!({"display_name": " Acme Rockets ", "logo_url": "https://CDN.acme.test/logo.svg", "accent_color": "#0A7D5A"});
    let set = put_tenant(&p, &i, &token, &tenant, json!({"branding": branding}));
    assert_eq!(set.status, 200, "{}", set.json_body());
    let stored = json!({"display_name": "Acme Rockets", "logo_url": "https://cdn.acme.test/logo.svg", "accent_color": "#0a7d5a"});
    assert_eq!(set.json_body()["branding"], stored, "normalised");
    assert_eq!(set.json_body()["name"], "acme", "a branding-only update keeps the name");
    assert_eq!(get_tenant(&p, &i, &token, &tenant)["branding"], stored);

    let cleared = put_tenant(&p, &i, &token, &tenant, json!({"branding": {"logo_url": null, "accent_color": ""}}));
    assert_eq!(cleared.status, 200, "{}", cleared.json_body());
    assert_eq!(
        cleared.json_body()["branding"],
        json!({"display_name": "Acme Rockets", "logo_url": null, "accent_color": null}),
        "absent fields are kept; null and empty clear"
    );
}

#[test]
fn every_value_is_validated_before_anything_is_written() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, tenant) = admin(&p, &i, "ada@acme.test", "acme");
    for (body, field) in [
        (json!({"branding": {"accent_color": "red"}}), "branding.accent_color"),
        (json!({"branding": {"accent_color": "#0a7d5a; }"}}), "branding.accent_color"),
        (json!({"branding": {"accent_color": 7}}), "branding.accent_color"),
        (json!({"branding": {"logo_url": "http://cdn.acme.test/logo.svg"}}), "branding.logo_url"),
        (json!({"branding": {"logo_url": "javascript:alert(1)"}}), "branding.logo_url"),
        (json!({"branding": {"logo_url": "https://cdn.acme.test/a\"b"}}), "branding.logo_url"),
        (json!({"branding": {"display_name": "x".repeat(65)}}), "branding.display_name"),
        (json!({"branding": {"display_name": "evil\u{202e}gnp.exe"}}), "branding.display_name"),
        (json!({"branding": "Acme"}), "branding"),
        (
            json!({"name": "Renamed", "totp_only_login": true, "branding": {"display_name": "Acme", "accent_color": "#12"}}),
            "branding.accent_color",
        ),
    ] {
        let refused = put_tenant(&p, &i, &token, &tenant, body.clone());
        assert_eq!(refused.status, 400, "{body}");
        assert_eq!(refused.json_body()["field"], field, "{body}: {}", refused.json_body());
    }
    let now = get_tenant(&p, &i, &token, &tenant);
    assert_eq!((now["name"].clone(), now["totp_only_login"].clone()), (json!("acme"), json!(false)), "nothing written");
    assert_eq!(now["branding"]["display_name"], Value::Null);
    let empty = put_tenant(&p, &i, &token, &tenant, json!({}));
    assert_eq!(
        (empty.status, empty.json_body()["field"].clone()),
        (400, json!("name")),
        "an empty update names the field"
    );
}

#[test]
fn another_tenants_admin_cannot_see_or_set_the_branding() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (ada, acme) = admin(&p, &i, "ada@acme.test", "acme");
    let (bob, _) = admin(&p, &i, "bob@globex.test", "globex");
    let foreign = put_tenant(&p, &i, &bob, &acme, json!({"branding": {"display_name": "Pwned"}}));
    assert_eq!(foreign.status, 404);
    let req =
        get(&format!("/authsec/uflow/admin/tenants/{acme}")).with_header("authorization", &format!("Bearer {bob}"));
    assert_eq!(send_at(&p, &i, req, NOW + 5).response.status, 404);
    assert_eq!(get_tenant(&p, &i, &ada, &acme)["branding"]["display_name"], Value::Null);
}
