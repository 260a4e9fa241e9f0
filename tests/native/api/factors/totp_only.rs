//! Email plus a TOTP code (issue 12, finding 2): a sign-in only where the tenant's admin
//! set `totp_only_login`; device approval by code needs the signed-in user otherwise;
//! failed codes spend one per-IP budget alike for unknown, unenrolled and enrolled emails.

use super::totp::{allow_totp_only_login, code, enrolled, STEP};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

const LOGIN: &str = "/authsec/uflow/auth/totp/login";

fn from(
    p: &TestPlatform,
    i: &Isolate,
    ip: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
    now: i64,
) -> HttpResponse {
    let mut req = post_json(path, body).with_header("cf-connecting-ip", ip);
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, now).response
}

fn put_tenant(p: &TestPlatform, i: &Isolate, token: &str, tenant_id: &str, body: Value) -> HttpResponse {
    let req = HttpRequest::new(Method::Put, &format!("/authsec/uflow/admin/tenants/{tenant_id}"))
        .with_json(&body)
        .with_header("authorization", &format!("Bearer {token}"));
    send_at(p, i, req, NOW).response
}

#[test]
fn email_and_a_code_sign_in_only_where_the_tenant_set_totp_only_login() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let by_email = |body: Value, now: i64| from(&p, &i, "10.4.4.4", LOGIN, None, body, now);
    for body in [
        json!({"email": "ada@acme.test", "totp_code": code(&e.secret, NOW + STEP)}),
        json!({"email": "ada@acme.test", "tenant_domain": "acme", "totp_code": code(&e.secret, NOW + STEP)}),
        json!({"email": "nobody@acme.test", "totp_code": "123456"}),
    ] {
        let refused = by_email(body.clone(), NOW + 1);
        assert_eq!(refused.status, 400, "{body}: {}", refused.json_body());
        assert_eq!(refused.json_body()["field"], "mfa_token");
        assert!(refused.json_body()["message"].as_str().unwrap().contains("totp_only_login"));
    }
    let tenant = send_at(
        &p,
        &i,
        get(&format!("/authsec/uflow/admin/tenants/{}", e.tenant_id))
            .with_header("authorization", &format!("Bearer {}", e.token)),
        NOW,
    );
    assert_eq!(tenant.response.json_body()["totp_only_login"], false, "off by default");
    allow_totp_only_login(&p, &i, &e.token, &e.tenant_id);
    let signed_in = by_email(json!({"email": "ada@acme.test", "totp_code": code(&e.secret, NOW + STEP)}), NOW + 2);
    assert_eq!(signed_in.status, 200, "{}", signed_in.json_body());
    // The password step stays the way in everywhere.
    let pending = super::totp::password_login(&p, &i, "ada@acme.test", NOW + 70);
    let finish = json!({"mfa_token": pending["mfa_token"], "totp_code": code(&e.secret, NOW + 3 * STEP)});
    assert_eq!(by_email(finish, NOW + 71).status, 200);
}

#[test]
fn the_setting_is_the_admins_own_tenants_and_bad_values_write_nothing() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let ada = onboard(&p, &i, "ada@acme.test", "acme");
    let bob = onboard(&p, &i, "bob@beta.test", "beta");
    let (ada_token, tenant) = (ada["token"].as_str().unwrap(), ada["tenant_id"].as_str().unwrap());
    let foreign = put_tenant(&p, &i, bob["token"].as_str().unwrap(), tenant, json!({"totp_only_login": true}));
    assert_eq!(foreign.status, 404);
    for body in [
        json!({"totp_only_login": "yes"}),
        json!({"totp_only_login": 1, "name": "Renamed"}),
        json!({"totp_only_login": true, "name": 5}),
        json!({}),
    ] {
        let refused = put_tenant(&p, &i, ada_token, tenant, body.clone());
        assert_eq!(refused.status, 400, "{body}: {}", refused.json_body());
    }
    let now = send_at(
        &p,
        &i,
        get(&format!("/authsec/uflow/admin/tenants/{tenant}"))
            .with_header("authorization", &format!("Bearer {ada_token}")),
        NOW,
    )
    .response
    .json_body();
    assert_eq!((now["totp_only_login"].clone(), now["name"].clone()), (json!(false), json!("acme")), "nothing written");
    let both = put_tenant(&p, &i, ada_token, tenant, json!({"totp_only_login": true, "name": "Acme"}));
    assert_eq!(both.status, 200, "{}", both.json_body());
    assert_eq!(
        (both.json_body()["totp_only_login"].clone(), both.json_body()["name"].clone()),
        (json!(true), json!("Acme"))
    );
    let unauthenticated = send_at(
        &p,
        &i,
        HttpRequest::new(Method::Put, &format!("/authsec/uflow/admin/tenants/{tenant}"))
            .with_json(&json!({"totp_only_login": false})),
        NOW,
    );
    assert_eq!(unauthenticated.response.status, 401);
}

#[test]
fn device_approval_by_code_needs_the_signed_in_user_unless_the_tenant_allows_codes() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let bob = enrolled(&p, &i, "bob@beta.test", "beta");
    let verified = from(&p, &i, "10.3.3.3", "/authsec/authmgr/token/verify", None, json!({"token": e.token}), NOW);
    let client_id = verified.json_body()["client_id"].clone();
    let admin = json!({"tenant_id": e.tenant_id, "token": e.token});
    let device_grant = ["urn:ietf:params:oauth:grant-type:device_code"];
    crate::api::grants::device::set_grants(&p, &i, &admin, client_id.as_str().unwrap(), &device_grant);
    let start = || {
        let started =
            from(&p, &i, "10.3.3.3", "/authsec/uflow/auth/device/code", None, json!({"client_id": client_id}), NOW);
        assert_eq!(started.status, 200, "{}", started.json_body());
        started.json_body()["user_code"].as_str().unwrap().to_string()
    };
    let user_code = start();
    let approve = |token: Option<&str>, body: Value, now: i64| {
        from(&p, &i, "10.3.3.4", "/authsec/uflow/auth/totp/device-approve", token, body, now)
    };
    let public = approve(
        None,
        json!({"user_code": user_code, "email": "ada@acme.test", "totp_code": code(&e.secret, NOW + STEP)}),
        NOW + 1,
    );
    assert_eq!(public.status, 401, "email and a code approve nothing: {}", public.json_body());
    let as_other = approve(
        Some(&e.token),
        json!({"user_code": user_code, "email": "bob@beta.test", "totp_code": code(&bob.secret, NOW + STEP)}),
        NOW + 2,
    );
    assert_eq!(as_other.status, 403, "the approver is the bearer's user");
    let other_tenant =
        approve(Some(&bob.token), json!({"user_code": user_code, "totp_code": code(&bob.secret, NOW + STEP)}), NOW + 3);
    assert_eq!(other_tenant.status, 404, "a code of another tenant");
    let signed_in =
        approve(Some(&e.token), json!({"user_code": user_code, "totp_code": code(&e.secret, NOW + STEP)}), NOW + 4);
    assert_eq!(signed_in.status, 200, "{}", signed_in.json_body());
    allow_totp_only_login(&p, &i, &e.token, &e.tenant_id);
    let user_code = start();
    let public = approve(
        None,
        json!({"user_code": user_code, "email": "ada@acme.test", "totp_code": code(&e.secret, NOW + 2 * STEP)}),
        NOW + 40,
    );
    assert_eq!(public.status, 200, "the tenant allows sign-in by code: {}", public.json_body());
}

#[test]
fn failed_codes_from_unknown_and_unenrolled_emails_spend_the_ip_budget_alike() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let bob = onboard(&p, &i, "bob@beta.test", "beta");
    allow_totp_only_login(&p, &i, &e.token, &e.tenant_id);
    allow_totp_only_login(&p, &i, bob["token"].as_str().unwrap(), bob["tenant_id"].as_str().unwrap());
    let attempt = |ip: &str, email: &str, totp_code: String, now: i64| {
        from(&p, &i, ip, LOGIN, None, json!({"email": email, "totp_code": totp_code}), now)
    };
    let wrong = if code(&e.secret, NOW + STEP) == "123456" { "654321" } else { "123456" };
    let mut answers = Vec::new();
    for (n, email) in ["ghost1@acme.test", "ghost2@acme.test", "bob@beta.test", "ghost3@beta.test", "bob@beta.test"]
        .iter()
        .enumerate()
    {
        let body = json!({"email": email, "tenant_domain": if email.ends_with("acme.test") { "acme" } else { "beta" },
                          "totp_code": wrong});
        let refused = from(&p, &i, "10.2.2.2", LOGIN, None, body, NOW + i64::try_from(n).unwrap());
        answers.push(refused.status);
    }
    assert!(answers.iter().all(|&s| s == 400), "{answers:?}");
    let spent = attempt("10.2.2.2", "ada@acme.test", code(&e.secret, NOW + STEP), NOW + 10);
    assert_eq!(spent.status, 429, "five failed codes from one IP, on any accounts: {}", spent.json_body());
    assert!(spent.header("retry-after").is_some());
    let elsewhere = attempt("10.2.2.3", "ada@acme.test", code(&e.secret, NOW + STEP), NOW + 11);
    assert_eq!(elsewhere.status, 200, "another IP: {}", elsewhere.json_body());
}
