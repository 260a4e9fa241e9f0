//! End users (tenant from client_id) and password recovery for admins and end users.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use serde_json::{json, Value};

const USER_PASSWORD: &str = "a long and private passphrase";

fn post(p: &TestPlatform, i: &Isolate, path: &str, body: Value, ip: &str, now: i64) -> HttpResponse {
    send_at(p, i, post_json(path, body).with_header("cf-connecting-ip", ip), now).response
}

/// A tenant with its admin; returns (tenant_id, default client_id).
fn tenant(p: &TestPlatform, i: &Isolate) -> (String, String) {
    let login = onboard(p, i, "ada@acme.test", "acme");
    let token = login["token"].as_str().unwrap();
    let verified = post(p, i, "/authsec/authmgr/token/verify", json!({"token": token}), "x", NOW).json_body();
    (login["tenant_id"].as_str().unwrap().to_string(), verified["client_id"].as_str().unwrap().to_string())
}

fn register(p: &TestPlatform, i: &Isolate, client: &str, email: &str, now: i64) -> HttpResponse {
    let ip = "10.0.0.2";
    let started = post(
        p,
        i,
        "/authsec/uflow/user/register/initiate",
        json!({"client_id": client, "email": email, "password": USER_PASSWORD}),
        ip,
        now,
    );
    assert_eq!(started.status, 200, "{}", started.json_body());
    let code = latest_code(p, email);
    post(
        p,
        i,
        "/authsec/uflow/auth/enduser/verify-otp",
        json!({"client_id": client, "email": email, "otp": code, "password": USER_PASSWORD}),
        ip,
        now,
    )
}

fn login(p: &TestPlatform, i: &Isolate, client: &str, email: &str, password: &str, now: i64) -> HttpResponse {
    post(
        p,
        i,
        "/authsec/uflow/auth/enduser/login",
        json!({"client_id": client, "email": email, "password": password}),
        "10.0.0.3",
        now,
    )
}

#[test]
fn an_end_user_registers_through_a_client_and_signs_in() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (tenant_id, client) = tenant(&p, &i);
    let done = register(&p, &i, &client, "eve@example.test", NOW + 10);
    assert_eq!(done.status, 201, "{}", done.json_body());
    assert_eq!(done.json_body()["tenant_id"], tenant_id);
    let signed_in = login(&p, &i, &client, "eve@example.test", USER_PASSWORD, NOW + 20);
    assert_eq!(signed_in.status, 200, "{}", signed_in.json_body());
    let token = signed_in.json_body()["token"].as_str().unwrap().to_string();
    let verified = post(&p, &i, "/authsec/authmgr/token/verify", json!({"token": token}), "x", NOW + 21).json_body();
    assert_eq!(verified["token_type"], "enduser");
    assert_eq!(verified["tenant_id"], tenant_id);
    assert_eq!(verified["roles"], json!([]));
    // The same path under user/login, and the admin is not an end user.
    let again = post(
        &p,
        &i,
        "/authsec/uflow/user/login",
        json!({"client_id": client, "email": "eve@example.test", "password": USER_PASSWORD}),
        "10.0.0.4",
        NOW + 22,
    );
    assert_eq!(again.status, 200);
    assert_eq!(login(&p, &i, &client, "ada@acme.test", ADMIN_PASSWORD, NOW + 23).status, 401);
    let precheck = |email: &str| {
        post(
            &p,
            &i,
            "/authsec/uflow/auth/enduser/login/precheck",
            json!({"client_id": client, "email": email}),
            "10.0.0.5",
            NOW + 24,
        )
        .json_body()
    };
    assert_eq!(precheck("eve@example.test")["exists"], true);
    assert_eq!(precheck("nobody@example.test")["exists"], false);
    assert_eq!(precheck("nobody@example.test")["tenant_domain"], "acme");
}

#[test]
fn registering_a_taken_email_answers_alike_and_mails_no_code() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, client) = tenant(&p, &i);
    register(&p, &i, &client, "eve@example.test", NOW + 10);
    let sent_before = p.mail.sent.borrow().len();
    let again = post(
        &p,
        &i,
        "/authsec/uflow/auth/enduser/initiate-registration",
        json!({"client_id": client, "email": "eve@example.test", "password": USER_PASSWORD}),
        "10.0.1.1",
        NOW + 100,
    );
    let fresh = post(
        &p,
        &i,
        "/authsec/uflow/auth/enduser/initiate-registration",
        json!({"client_id": client, "email": "new@example.test", "password": USER_PASSWORD}),
        "10.0.1.2",
        NOW + 100,
    );
    assert_eq!((again.status, fresh.status), (200, 200));
    let keys = |v: Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(again.json_body()), keys(fresh.json_body()));
    let sent = p.mail.sent.borrow();
    assert_eq!(sent.len(), sent_before + 2);
    let notice = sent.iter().rev().find(|m| m.to == "eve@example.test").unwrap();
    assert!(!notice.text.chars().any(|c| c.is_ascii_digit()), "no code for an existing account");
}

#[test]
fn an_unknown_or_inactive_client_is_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    tenant(&p, &i);
    for client in ["", "no-such-client"] {
        let resp = post(
            &p,
            &i,
            "/authsec/uflow/user/register/initiate",
            json!({"client_id": client, "email": "eve@example.test", "password": USER_PASSWORD}),
            "10.0.2.1",
            NOW + 10,
        );
        assert_eq!(resp.status, 400);
        assert_eq!(resp.json_body()["field"], "client_id");
    }
}

#[test]
fn an_end_user_resets_a_forgotten_password_and_old_sessions_end() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, client) = tenant(&p, &i);
    register(&p, &i, &client, "eve@example.test", NOW + 10);
    let before = login(&p, &i, &client, "eve@example.test", USER_PASSWORD, NOW + 20).json_body();
    let ip = "10.0.3.1";
    let forgot = post(
        &p,
        &i,
        "/authsec/uflow/user/forgot-password",
        json!({"client_id": client, "email": "eve@example.test"}),
        ip,
        NOW + 100,
    );
    assert_eq!(forgot.status, 200);
    let code = latest_code(&p, "eve@example.test");
    let verified = post(
        &p,
        &i,
        "/authsec/uflow/user/forgot-password/verify-otp",
        json!({"client_id": client, "email": "eve@example.test", "otp": code}),
        ip,
        NOW + 101,
    );
    assert_eq!(verified.status, 200, "{}", verified.json_body());
    let weak = post(
        &p,
        &i,
        "/authsec/uflow/user/forgot-password/reset",
        json!({"client_id": client, "email": "eve@example.test", "otp": code, "new_password": "password1"}),
        ip,
        NOW + 102,
    );
    assert_eq!((weak.status, weak.json_body()["field"].as_str()), (400, Some("new_password")));
    let reset = post(
        &p,
        &i,
        "/authsec/uflow/user/forgot-password/reset",
        json!({"client_id": client, "email": "eve@example.test", "otp": code, "new_password": "an entirely new passphrase"}),
        ip,
        NOW + 103,
    );
    assert_eq!(reset.status, 200, "{}", reset.json_body());
    let old_token = before["token"].as_str().unwrap();
    assert_eq!(post(&p, &i, "/authsec/authmgr/token/verify", json!({"token": old_token}), "x", NOW + 104).status, 401);
    assert_eq!(login(&p, &i, &client, "eve@example.test", USER_PASSWORD, NOW + 200).status, 401);
    assert_eq!(login(&p, &i, &client, "eve@example.test", "an entirely new passphrase", NOW + 300).status, 200);
    // The code worked once.
    let replay = post(
        &p,
        &i,
        "/authsec/uflow/user/forgot-password/reset",
        json!({"client_id": client, "email": "eve@example.test", "otp": code, "new_password": "yet another passphrase"}),
        ip,
        NOW + 400,
    );
    assert_eq!(replay.status, 400);
}

#[test]
fn an_admin_resets_without_the_verify_step_and_unknown_emails_answer_alike() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    tenant(&p, &i);
    let ip = "10.0.4.1";
    let known =
        post(&p, &i, "/authsec/uflow/auth/admin/forgot-password", json!({"email": "ada@acme.test"}), ip, NOW + 100);
    let unknown = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/forgot-password",
        json!({"email": "zed@acme.test"}),
        "10.0.4.2",
        NOW + 100,
    );
    assert_eq!((known.status, known.json_body()), (unknown.status, unknown.json_body()));
    assert!(p.mail.sent.borrow().iter().all(|m| m.to != "zed@acme.test"), "nobody to mail");
    // Any code for the unknown email fails exactly as a wrong code for a real account.
    let guess = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/forgot-password/verify-otp",
        json!({"email": "zed@acme.test", "otp": "123456"}),
        "10.0.4.2",
        NOW + 101,
    )
    .json_body();
    assert_eq!(guess["error"], "invalid_otp");
    assert_eq!(guess["remaining_attempts"], 4);
    let code = latest_code(&p, "ada@acme.test");
    let reset = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/forgot-password/reset",
        json!({"email": "ada@acme.test", "otp": code, "new_password": "a brand new admin passphrase"}),
        ip,
        NOW + 102,
    );
    assert_eq!(reset.status, 200, "{}", reset.json_body());
    let login = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login",
        json!({"email": "ada@acme.test", "password": "a brand new admin passphrase"}),
        ip,
        NOW + 200,
    );
    assert_eq!(login.status, 200);
}
