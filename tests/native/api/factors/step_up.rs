//! Step-up before factor changes (issue 12, finding 1): a bearer token alone adds no
//! factor; the proof is the password only while there is no factor, then a factor; the
//! step-up token is bound to its session and lives 5 minutes; every change is mailed;
//! the password-reset mail lists the factors.

use super::totp::{base32_decode, call, code, enrolled, STEP};
use super::webauthn::with_passkey;
use crate::soft_authenticator::{SoftAuthenticator, ORIGIN, RP_ID};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::ids::{TenantId, UserId};
use authsec_edge::store::mfa::MfaStore;
use serde_json::{json, Value};

const STEP_UP: &str = "/authsec/uflow/auth/step-up";

fn token_of(login: &Value) -> String {
    login["token"].as_str().unwrap().to_string()
}

fn step_up(p: &TestPlatform, i: &Isolate, token: &str, body: Value, now: i64) -> String {
    let answer = call(p, i, STEP_UP, Some(token), body, now);
    assert_eq!(answer.status, 200, "{}", answer.json_body());
    assert_eq!(answer.json_body()["expires_in"], 300);
    answer.json_body()["step_up_token"].as_str().unwrap().to_string()
}

fn factor_mails(p: &TestPlatform, to: &str) -> Vec<String> {
    let sent = p.mail.sent.borrow();
    sent.iter().filter(|m| m.to == to && m.subject.contains("account")).map(|m| m.subject.clone()).collect()
}

#[test]
fn a_bearer_token_alone_cannot_add_a_first_totp_device_or_a_passkey() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    let token = token_of(&login);
    let user_id = login["user_id"].as_str().unwrap();
    let tenant_id = login["tenant_id"].as_str().unwrap();
    for (path, body) in [
        ("/authsec/uflow/auth/totp/register", json!({"device_name": "planted"})),
        ("/authsec/webauthn/admin/beginRegistration", json!({})),
        ("/authsec/webauthn/admin/beginRegistration", json!({"password": "not the password"})),
        ("/authsec/uflow/auth/totp/register", json!({"device_name": "x", "step_up_token": "su1.forged"})),
    ] {
        let refused = call(&p, &i, path, Some(&token), body.clone(), NOW);
        assert!(matches!(refused.status, 400 | 401), "{path} {body}: {}", refused.json_body());
    }
    let refused = call(&p, &i, "/authsec/uflow/auth/totp/register", Some(&token), json!({"device_name": "x"}), NOW);
    assert_eq!(refused.json_body()["error"], "step_up_required");
    assert!(
        block_on(p.store.totp_devices(TenantId::new(tenant_id), UserId::new(user_id))).unwrap().is_empty(),
        "nothing was written"
    );
    // A finished registration needs the proof too, not just a begun ceremony.
    let mut authenticator = SoftAuthenticator::new(21);
    let su = step_up(&p, &i, &token, json!({"password": ADMIN_PASSWORD}), NOW);
    let begin =
        call(&p, &i, "/authsec/webauthn/admin/beginRegistration", Some(&token), json!({"step_up_token": su}), NOW);
    assert_eq!(begin.status, 200, "{}", begin.json_body());
    let credential = authenticator.register(&begin.json_body()["publicKey"], ORIGIN, RP_ID);
    let bare = call(
        &p,
        &i,
        "/authsec/webauthn/admin/finishRegistration",
        Some(&token),
        json!({"credential": credential}),
        NOW,
    );
    assert_eq!((bare.status, bare.json_body()["error"].clone()), (400, json!("step_up_required")));
    assert!(block_on(p.store.passkeys(TenantId::new(tenant_id), UserId::new(user_id))).unwrap().is_empty());
}

#[test]
fn a_step_up_token_is_bound_to_its_session_and_lasts_five_minutes() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    let token = token_of(&login);
    let su = step_up(&p, &i, &token, json!({"password": ADMIN_PASSWORD}), NOW);
    let other_session = call(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login",
        None,
        json!({"email": "ada@acme.test", "password": ADMIN_PASSWORD}),
        NOW + 61,
    );
    let other = token_of(&other_session.json_body());
    let register = |bearer: &str, now: i64| {
        call(
            &p,
            &i,
            "/authsec/uflow/auth/totp/register",
            Some(bearer),
            json!({"device_name": "a", "step_up_token": su}),
            now,
        )
    };
    assert_eq!(register(&other, NOW + 62).status, 400, "another session of the same user");
    let stranger = onboard(&p, &i, "bob@beta.test", "beta");
    assert_eq!(register(&token_of(&stranger), NOW + 62).status, 400, "another user");
    assert_eq!(register(&token, NOW + 301).status, 400, "expired after 5 minutes");
    assert_eq!(register(&token, NOW + 200).status, 200, "fresh: reusable within its window");
    let wrong = call(&p, &i, STEP_UP, Some(&token), json!({"password": "wrong password here"}), NOW + 202);
    assert_eq!(wrong.status, 401, "a wrong password counts as a failed login: {}", wrong.json_body());
    for (body, status) in [(json!({}), 400), (json!({"password": 12}), 400), (json!({"step_up_token": ["x"]}), 400)] {
        let refused = call(&p, &i, STEP_UP, Some(&token), body.clone(), NOW + 203);
        assert_eq!(refused.status, status, "{body}: {}", refused.json_body());
    }
    assert_eq!(call(&p, &i, STEP_UP, None, json!({"password": ADMIN_PASSWORD}), NOW).status, 401);
}

#[test]
fn once_a_factor_exists_the_password_is_no_step_up_and_confirm_needs_the_proof() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let by_password = call(&p, &i, STEP_UP, Some(&e.token), json!({"password": ADMIN_PASSWORD}), NOW + 1);
    assert_eq!((by_password.status, by_password.json_body()["error"].clone()), (400, json!("step_up_required")));
    let su = step_up(&p, &i, &e.token, json!({"totp_code": code(&e.secret, NOW + STEP)}), NOW + 2);
    let second = call(
        &p,
        &i,
        "/authsec/uflow/auth/totp/register",
        Some(&e.token),
        json!({"device_name": "b", "step_up_token": su}),
        NOW + 3,
    );
    assert_eq!(second.status, 200, "{}", second.json_body());
    let secret = base32_decode(second.json_body()["secret"].as_str().unwrap());
    let device_id = second.json_body()["device_id"].clone();
    let bare = json!({"device_id": device_id, "totp_code": code(&secret, NOW + 2 * STEP)});
    let refused = call(&p, &i, "/authsec/uflow/auth/totp/confirm", Some(&e.token), bare, NOW + 4);
    assert_eq!((refused.status, refused.json_body()["error"].clone()), (400, json!("step_up_required")));
    let with = json!({"device_id": device_id, "totp_code": code(&secret, NOW + 2 * STEP), "step_up_token": su});
    // One guard per user: the new device's code must be of a newer step than the step-up's.
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/totp/confirm", Some(&e.token), with, NOW + STEP + 5).status, 200);
}

#[test]
fn a_passkey_assertion_is_a_step_up_for_its_own_account_only() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (login, mut ada) = with_passkey(&p, &i, "ada@acme.test", "acme", 22);
    let token = token_of(&login);
    let (bob_login, mut bob) = with_passkey(&p, &i, "bob@beta.test", "beta", 23);
    let options = call(&p, &i, "/authsec/uflow/auth/step-up/passkey", Some(&token), json!({}), NOW + 10);
    assert_eq!(options.status, 200, "{}", options.json_body());
    let options = options.json_body()["publicKey"].clone();
    assert_eq!(options["allowCredentials"].as_array().unwrap().len(), 1);
    let foreign = call(&p, &i, STEP_UP, Some(&token), json!({"credential": bob.assert(&options)}), NOW + 10);
    assert_eq!(foreign.status, 401, "another account's passkey: {}", foreign.json_body());
    let options = call(&p, &i, "/authsec/uflow/auth/step-up/passkey", Some(&token), json!({}), NOW + 10).json_body();
    let su = step_up(&p, &i, &token, json!({"credential": ada.assert(&options["publicKey"])}), NOW + 10);
    let begin =
        call(&p, &i, "/authsec/webauthn/admin/beginRegistration", Some(&token), json!({"step_up_token": su}), NOW + 10);
    assert_eq!(begin.status, 200, "{}", begin.json_body());
    let none = onboard(&p, &i, "cy@gamma.test", "gamma");
    let without = call(&p, &i, "/authsec/uflow/auth/step-up/passkey", Some(&token_of(&none)), json!({}), NOW);
    assert_eq!(without.status, 400, "no passkey to assert with");
    let _ = bob_login;
}

#[test]
fn every_factor_change_is_mailed_and_the_reset_mail_lists_the_factors() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    assert_eq!(factor_mails(&p, "ada@acme.test"), ["A second factor was added to your account"]);
    let regenerated = call(
        &p,
        &i,
        "/authsec/uflow/auth/totp/backup/regenerate",
        Some(&e.token),
        json!({"totp_code": code(&e.secret, NOW + STEP)}),
        NOW + 1,
    );
    assert_eq!(regenerated.status, 200, "{}", regenerated.json_body());
    assert_eq!(factor_mails(&p, "ada@acme.test").len(), 2);
    let forgot = post_json("/authsec/uflow/auth/admin/forgot-password", json!({"email": "ada@acme.test"}))
        .with_header("cf-connecting-ip", "10.1.2.3");
    assert_eq!(send_at(&p, &i, forgot, NOW + 2).response.status, 200);
    let sent = p.mail.sent.borrow();
    let reset = sent.iter().rev().find(|m| m.to == "ada@acme.test").unwrap();
    assert!(reset.text.contains("authenticator app \"phone\""), "{}", reset.text);
    assert_eq!(latest_code(&p, "ada@acme.test").len(), 6, "the code still comes first");
}
