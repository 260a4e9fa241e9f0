//! MFA status for AuthSec's SDK (issue 12): `mfa/loginStatus` with a tenant resolves the
//! end user of that tenant, in every form the SDK and upstream serve; unknown emails
//! answer as an account without factors.

use super::totp::{base32_decode, code};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use serde_json::{json, Value};

const USER_PASSWORD: &str = "a long and private passphrase";

fn post(p: &TestPlatform, i: &Isolate, path: &str, token: Option<&str>, body: Value) -> HttpResponse {
    let mut req = post_json(path, body).with_header("cf-connecting-ip", "10.1.1.1");
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, NOW + 5).response
}

fn get_status(p: &TestPlatform, i: &Isolate, path: &str) -> HttpResponse {
    send_at(p, i, get(path).with_header("cf-connecting-ip", "10.1.1.2"), NOW + 5).response
}

/// A tenant (id, default client) with an end user who enrolled TOTP.
fn end_user_with_totp(p: &TestPlatform, i: &Isolate) -> (String, String) {
    let admin = onboard(p, i, "ada@acme.test", "acme");
    let verified = post(p, i, "/authsec/authmgr/token/verify", None, json!({"token": admin["token"]}));
    let client = verified.json_body()["client_id"].as_str().unwrap().to_string();
    let email = "eve@example.test";
    let body = json!({"client_id": client, "email": email, "password": USER_PASSWORD});
    assert_eq!(post(p, i, "/authsec/uflow/user/register/initiate", None, body).status, 200);
    let otp = latest_code(p, email);
    let done = post(
        p,
        i,
        "/authsec/uflow/user/register/complete",
        None,
        json!({"client_id": client, "email": email, "otp": otp, "password": USER_PASSWORD}),
    );
    assert_eq!(done.status, 201, "{}", done.json_body());
    let login = post(
        p,
        i,
        "/authsec/uflow/user/login",
        None,
        json!({"client_id": client, "email": email, "password": USER_PASSWORD}),
    );
    let token = login.json_body()["token"].as_str().unwrap().to_string();
    let reg = post(
        p,
        i,
        "/authsec/uflow/auth/totp/register",
        Some(&token),
        json!({"device_name": "phone", "password": USER_PASSWORD}),
    );
    assert_eq!(reg.status, 200, "{}", reg.json_body());
    let secret = base32_decode(reg.json_body()["secret"].as_str().unwrap());
    let confirm = json!({"device_id": reg.json_body()["device_id"], "totp_code": code(&secret, NOW + 5),
                         "step_up_token": reg.json_body()["step_up_token"]});
    assert_eq!(post(p, i, "/authsec/uflow/auth/totp/confirm", Some(&token), confirm).status, 200);
    (admin["tenant_id"].as_str().unwrap().to_string(), client)
}

fn enrolled(answer: &HttpResponse) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.json_body());
    let body = answer.json_body();
    json!([body["mfa_required"], body["totp_enabled"], body["webauthn_enabled"], body["mfa_method"]])
}

#[test]
fn login_status_resolves_the_end_user_of_the_named_tenant_in_every_form() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (tenant_id, client) = end_user_with_totp(&p, &i);
    let yes = json!([true, true, false, "totp"]);
    let no = json!([false, false, false, null]);
    let eve = "eve%40example.test";
    for answer in [
        post(
            &p,
            &i,
            "/authsec/webauthn/mfa/loginStatus",
            None,
            json!({"email": "eve@example.test", "workspace_id": tenant_id}),
        ),
        post(
            &p,
            &i,
            "/authsec/webauthn/mfa/loginStatus",
            None,
            json!({"email": "Eve@Example.test", "tenant_id": tenant_id}),
        ),
        post(&p, &i, "/webauthn/mfa/loginStatus", None, json!({"email": "eve@example.test", "tenant_id": tenant_id})),
        post(
            &p,
            &i,
            "/authsec/webauthn/enduser/mfa/loginStatus",
            None,
            json!({"email": "eve@example.test", "client_id": client}),
        ),
        get_status(&p, &i, &format!("/authsec/webauthn/mfa/loginStatus?email={eve}&workspace_id={tenant_id}")),
        get_status(&p, &i, &format!("/authsec/webauthn/enduser/mfa/loginStatus?email={eve}&client_id={client}")),
    ] {
        assert_eq!(enrolled(&answer), yes);
        assert_eq!(answer.json_body()["methods"], json!(["password", "totp"]));
    }
    // Unknown emails and tenants answer exactly as an account without factors.
    let unknown = post(
        &p,
        &i,
        "/authsec/webauthn/mfa/loginStatus",
        None,
        json!({"email": "nobody@example.test", "tenant_id": tenant_id}),
    );
    let without = post(
        &p,
        &i,
        "/authsec/webauthn/mfa/loginStatus",
        None,
        json!({"email": "ada@acme.test", "tenant_id": tenant_id}),
    );
    let no_tenant = post(
        &p,
        &i,
        "/authsec/webauthn/mfa/loginStatus",
        None,
        json!({"email": "eve@example.test", "tenant_id": "nope"}),
    );
    assert_eq!((unknown.json_body(), no_tenant.json_body()), (without.json_body(), without.json_body()));
    assert_eq!(enrolled(&unknown), no);
    // The admin routes answer for admins only.
    let admin_route = post(
        &p,
        &i,
        "/authsec/webauthn/admin/mfa/loginStatus",
        None,
        json!({"email": "eve@example.test", "tenant_id": tenant_id}),
    );
    assert_eq!(enrolled(&admin_route), no);
    let admin_get = get_status(&p, &i, "/authsec/webauthn/admin/mfa/loginStatus?email=ada%40acme.test");
    assert_eq!(enrolled(&admin_get), no);
    for (path, body) in [
        ("/authsec/webauthn/mfa/loginStatus", json!({})),
        ("/authsec/webauthn/mfa/loginStatus", json!({"email": 5})),
        ("/authsec/webauthn/enduser/mfa/loginStatus", json!({"email": "eve@example.test"})),
    ] {
        assert_eq!(post(&p, &i, path, None, body.clone()).status, 400, "{path} {body}");
    }
}
