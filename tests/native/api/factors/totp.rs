//! TOTP over the API: enrolment, confirmation, MFA-pending password login finished by a
//! code, single use of codes and backup codes, lockout, device rules, tenant variants.

use crate::support::*;
use authsec_edge::accounts::totp::{code_at_step, step_of};
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use authsec_edge::ids::{TenantId, UserId};
use authsec_edge::store::mfa::MfaStore;
use serde_json::{json, Value};

pub(super) const STEP: i64 = 30;

/// RFC 4648 base32 decoding, written independently of the service's encoder.
pub(super) fn base32_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.chars() {
        let value = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".find(c).expect("base32 character");
        bits = (bits << 5) | u64::try_from(value).unwrap();
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(authsec_edge::cast::low_byte(bits >> count));
        }
    }
    out
}

pub(super) fn code(secret: &[u8], at: i64) -> String {
    code_at_step(secret, step_of(u64::try_from(at).unwrap()))
}

pub(super) struct Enrolled {
    pub token: String,
    pub tenant_id: String,
    pub secret: Vec<u8>,
    pub device_id: String,
    pub backup_codes: Vec<String>,
}

/// The tenant's admin turns on `totp_only_login` (email plus a code signs in).
pub fn allow_totp_only_login(p: &TestPlatform, i: &Isolate, admin_token: &str, tenant_id: &str) {
    let req = HttpRequest::new(Method::Put, &format!("/authsec/uflow/admin/tenants/{tenant_id}"))
        .with_json(&json!({"totp_only_login": true}))
        .with_header("authorization", &format!("Bearer {admin_token}"));
    let set = send_at(p, i, req, NOW).response;
    assert_eq!(set.status, 200, "{}", set.json_body());
    assert_eq!(set.json_body()["totp_only_login"], true);
}

pub(super) fn call(
    p: &TestPlatform,
    i: &Isolate,
    path: &str,
    token: Option<&str>,
    body: Value,
    now: i64,
) -> HttpResponse {
    let mut req = post_json(path, body).with_header("cf-connecting-ip", "10.9.9.9");
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, now).response
}

pub(super) fn password_login(p: &TestPlatform, i: &Isolate, email: &str, now: i64) -> Value {
    let body = json!({"email": email, "password": ADMIN_PASSWORD});
    let login = call(p, i, "/authsec/uflow/auth/admin/login", None, body, now);
    assert_eq!(login.status, 200, "{}", login.json_body());
    login.json_body()
}

/// Onboards an admin and enrols (and confirms, with the code of the step before `NOW`)
/// one TOTP device.
pub(super) fn enrolled(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> Enrolled {
    let login = onboard(p, i, email, domain);
    let token = login["token"].as_str().unwrap().to_string();
    let first = json!({"device_name": "phone", "password": ADMIN_PASSWORD});
    let registered = call(p, i, "/authsec/uflow/auth/totp/register", Some(&token), first, NOW);
    assert_eq!(registered.status, 200, "{}", registered.json_body());
    let body = registered.json_body();
    let step_up = body["step_up_token"].clone();
    let secret = base32_decode(body["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20);
    let url = body["qr_code_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("otpauth://totp/AuthSec:{email}?secret=")), "{url}");
    let device_id = body["device_id"].as_str().unwrap().to_string();
    let confirm = json!({"device_id": device_id, "totp_code": code(&secret, NOW - STEP), "step_up_token": step_up});
    let confirmed = call(p, i, "/authsec/uflow/auth/totp/confirm", Some(&token), confirm, NOW);
    assert_eq!(confirmed.status, 200, "{}", confirmed.json_body());
    let backup_codes = body["backup_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().into()).collect();
    Enrolled { token, tenant_id: login["tenant_id"].as_str().unwrap().into(), secret, device_id, backup_codes }
}

#[test]
fn an_unconfirmed_device_changes_nothing_and_a_confirmed_one_makes_login_wait_for_a_code() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    let token = login["token"].as_str().unwrap();
    let first = json!({"device_name": "x", "password": ADMIN_PASSWORD});
    let registered = call(&p, &i, "/authsec/uflow/auth/totp/register", Some(token), first, NOW);
    let body = registered.json_body();
    assert_eq!(body["backup_codes"].as_array().unwrap().len(), 10);
    assert_eq!(password_login(&p, &i, "ada@acme.test", NOW)["mfa_required"], false, "unconfirmed: no MFA yet");
    let secret = base32_decode(body["secret"].as_str().unwrap());
    let wrong = json!({"device_id": body["device_id"], "totp_code": "000000", "step_up_token": body["step_up_token"]});
    let refused = call(&p, &i, "/authsec/uflow/auth/totp/confirm", Some(token), wrong, NOW);
    assert_eq!((refused.status, refused.json_body()["error"].clone()), (400, json!("invalid_otp")));
    let right = json!({"device_id": body["device_id"], "totp_code": code(&secret, NOW), "step_up_token": body["step_up_token"]});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/totp/confirm", Some(token), right, NOW).status, 200);

    let pending = password_login(&p, &i, "ada@acme.test", NOW + 5);
    assert_eq!(pending["mfa_required"], true);
    assert_eq!(pending["otp_required"], true);
    assert_eq!(pending["mfa_method"], "totp");
    assert!(pending.get("token").is_none() && pending.get("refresh_token").is_none(), "no token before the code");
    let mfa_token = pending["mfa_token"].as_str().unwrap();
    let finish = json!({"mfa_token": mfa_token, "totp_code": code(&secret, NOW + STEP)});
    let done = call(&p, &i, "/authsec/uflow/auth/totp/login", None, finish.clone(), NOW + 6);
    assert_eq!(done.status, 200, "{}", done.json_body());
    let issued = done.json_body()["token"].as_str().unwrap().to_string();
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": issued}), NOW + 7);
    assert_eq!(verified.json_body()["valid"], true);
    let again = call(&p, &i, "/authsec/uflow/auth/totp/login", None, finish, NOW + 8);
    assert_eq!(again.status, 400, "the code and the mfa_token are spent: {}", again.json_body());
}

#[test]
fn a_code_is_accepted_once_and_never_an_older_one() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let verify = |code: String| {
        call(&p, &i, "/authsec/uflow/auth/totp/verify", Some(&e.token), json!({"totp_code": code}), NOW + 1)
    };
    assert_eq!(verify(code(&e.secret, NOW - STEP)).status, 400, "the confirming code is spent");
    let fresh = verify(code(&e.secret, NOW + STEP));
    assert_eq!(fresh.status, 200, "{}", fresh.json_body());
    assert!(fresh.json_body()["token"].is_string());
    let replay = verify(code(&e.secret, NOW + STEP));
    assert_eq!(replay.status, 400);
    assert!(replay.json_body()["message"].as_str().unwrap().contains("already used"));
    assert_eq!(verify(code(&e.secret, NOW)).status, 400, "an older step than the last accepted one");
}

#[test]
fn backup_codes_work_once_each_and_regeneration_voids_the_old_ones() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let login_with = |code: &str, now: i64| {
        let mfa_token = password_login(&p, &i, "ada@acme.test", now)["mfa_token"].as_str().unwrap().to_string();
        call(&p, &i, "/authsec/uflow/auth/totp/login", None, json!({"mfa_token": mfa_token, "totp_code": code}), now)
    };
    let first = e.backup_codes[0].to_uppercase();
    // A minute apart: password logins are rate limited per email.
    assert_eq!(login_with(&first, NOW + 100).status, 200);
    assert_eq!(login_with(&first, NOW + 200).status, 400, "spent");
    let regenerate =
        |body: Value| call(&p, &i, "/authsec/uflow/auth/totp/backup/regenerate", Some(&e.token), body, NOW + 201);
    assert_eq!(regenerate(json!({})).status, 400, "a session alone cannot mint backup codes");
    let regenerated = regenerate(json!({"totp_code": code(&e.secret, NOW + 201)}));
    assert_eq!(regenerated.status, 200, "{}", regenerated.json_body());
    let new_codes = regenerated.json_body()["backup_codes"].clone();
    assert_eq!(login_with(&e.backup_codes[1], NOW + 300).status, 400, "voided by regeneration");
    assert_eq!(login_with(new_codes[0].as_str().unwrap(), NOW + 400).status, 200);
    let by_email = json!({"email": "ada@acme.test", "totp_code": new_codes[1]});
    let alone = call(&p, &i, "/authsec/uflow/auth/totp/login", None, by_email, NOW + 500);
    assert_eq!(alone.status, 400, "a backup code is never a sign-in by email alone");
}

#[test]
fn five_wrong_codes_lock_the_factor_even_against_the_right_code() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let verify = |code: String, now: i64| {
        call(&p, &i, "/authsec/uflow/auth/totp/verify", Some(&e.token), json!({"totp_code": code}), now)
    };
    let wrong = if code(&e.secret, NOW) == "123456" { "654321" } else { "123456" };
    for remaining in (1..5).rev() {
        let refused = verify(wrong.into(), NOW);
        assert_eq!(refused.json_body()["remaining_attempts"], remaining);
    }
    assert_eq!(verify(wrong.into(), NOW).status, 423);
    let locked = verify(code(&e.secret, NOW + STEP), NOW + 10);
    assert_eq!(locked.status, 423, "{}", locked.json_body());
    assert!(locked.header("retry-after").is_some());
    let later = NOW + 901;
    assert_eq!(verify(code(&e.secret, later), later).status, 200, "the lock ends");
}

#[test]
fn the_last_device_stays_and_a_removed_primary_hands_on_its_role() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let delete = |backup: &str| json!({"device_id": e.device_id, "totp_code": backup});
    let unproven = json!({"device_id": e.device_id});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/totp/device/delete", Some(&e.token), unproven, NOW).status, 400);
    let last = call(&p, &i, "/authsec/uflow/auth/totp/device/delete", Some(&e.token), delete(&e.backup_codes[0]), NOW);
    assert_eq!(last.status, 409);
    let register = |body: Value| call(&p, &i, "/authsec/uflow/auth/totp/register", Some(&e.token), body, NOW);
    assert_eq!(register(json!({"device_name": "b"})).status, 400, "a second device needs the first one's code");
    let second = register(json!({"device_name": "b", "totp_code": code(&e.secret, NOW)}));
    assert_eq!(second.status, 200, "{}", second.json_body());
    let second = second.json_body();
    assert_eq!(second["backup_codes"], json!([]), "the saved backup codes stay valid");
    let secret = base32_decode(second["secret"].as_str().unwrap());
    let confirm = json!({"device_id": second["device_id"], "totp_code": code(&secret, NOW + STEP),
                         "step_up_token": second["step_up_token"]});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/totp/confirm", Some(&e.token), confirm, NOW + 1).status, 200);
    let removed =
        call(&p, &i, "/authsec/uflow/auth/totp/device/delete", Some(&e.token), delete(&e.backup_codes[1]), NOW + 2);
    assert_eq!(removed.status, 200, "{}", removed.json_body());
    let listed = send_at(
        &p,
        &i,
        get("/authsec/uflow/auth/totp/devices").with_header("authorization", &format!("Bearer {}", e.token)),
        NOW + 3,
    )
    .response
    .json_body();
    let devices = listed["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(
        (devices[0]["id"].clone(), devices[0]["is_primary"].clone()),
        (second["device_id"].clone(), json!(true))
    );
}

#[test]
fn seeds_are_sealed_at_rest() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": e.token}), NOW).json_body();
    let user_id = verified["user_id"].as_str().unwrap();
    let devices = block_on(p.store.totp_devices(TenantId::new(&e.tenant_id), UserId::new(user_id))).unwrap();
    let sealed = &devices[0].secret_sealed;
    assert!(sealed.starts_with("v1."));
    let hex: String = e.secret.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!sealed.contains(&hex) && !sealed.contains(&authsec_edge::b64::encode(&e.secret)));
}

#[test]
fn tenant_variants_refuse_another_tenants_client_and_bad_input_is_a_clear_4xx() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let other = onboard(&p, &i, "bob@beta.test", "beta");
    let other_token = other["token"].as_str().unwrap();
    let other_client = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": other_token}), NOW)
        .json_body()["client_id"]
        .clone();
    let cross = json!({"client_id": other_client, "totp_code": code(&e.secret, NOW + STEP)});
    let refused = call(&p, &i, "/authsec/uflow/auth/workspace/totp/verify", Some(&e.token), cross, NOW);
    assert_eq!(refused.status, 403);
    for (path, token, body, status) in [
        ("/authsec/uflow/auth/tenant/totp/register", None, json!({"device_name": "x"}), 401),
        ("/authsec/uflow/auth/totp/register", Some(e.token.as_str()), json!({"device_name": ""}), 400),
        ("/authsec/uflow/auth/totp/register", Some(e.token.as_str()), json!({"device_name": 7}), 400),
        (
            "/authsec/uflow/auth/totp/confirm",
            Some(e.token.as_str()),
            json!({"device_id": "nope", "totp_code": "1"}),
            404,
        ),
        ("/authsec/uflow/auth/totp/verify", Some(e.token.as_str()), json!({"totp_code": "12ab"}), 400),
        ("/authsec/uflow/auth/totp/login", None, json!({"mfa_token": "mfa1.forged", "totp_code": "123456"}), 400),
        ("/authsec/uflow/auth/totp/login", None, json!({"totp_code": "123456"}), 400),
        ("/authsec/uflow/auth/totp/device/primary", Some(other_token), json!({"device_id": e.device_id}), 404),
        ("/authsec/uflow/auth/totp/backup/regenerate", Some(other_token), json!({}), 400),
    ] {
        let response = call(&p, &i, path, token, body.clone(), NOW);
        assert_eq!(response.status, status, "{path} {body}: {}", response.json_body());
    }
    let malformed = send_at(
        &p,
        &i,
        authsec_edge::http::HttpRequest::new(authsec_edge::http::Method::Post, "/authsec/uflow/auth/totp/login")
            .with_header("content-type", "application/json")
            .with_body(b"{not json".to_vec()),
        NOW,
    );
    assert_eq!(malformed.response.status, 400);
}

#[test]
fn a_code_login_by_email_answers_alike_for_unknown_and_unenrolled_accounts() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let e = enrolled(&p, &i, "ada@acme.test", "acme");
    let bob = onboard(&p, &i, "bob@beta.test", "beta");
    allow_totp_only_login(&p, &i, &e.token, &e.tenant_id);
    allow_totp_only_login(&p, &i, bob["token"].as_str().unwrap(), bob["tenant_id"].as_str().unwrap());
    let by_email = |email: &str, domain: &str, code: String| {
        let body = json!({"email": email, "tenant_domain": domain, "totp_code": code});
        call(&p, &i, "/authsec/uflow/auth/totp/login", None, body, NOW + 1)
    };
    let unknown = by_email("nobody@acme.test", "acme", "123456".into());
    let unenrolled = by_email("bob@beta.test", "beta", "123456".into());
    assert_eq!((unknown.status, unknown.json_body()), (unenrolled.status, unenrolled.json_body()));
    let ok = by_email("ada@acme.test", "acme", code(&e.secret, NOW + STEP));
    assert_eq!(ok.status, 200, "{}", ok.json_body());
    assert!(ok.json_body()["refresh_token"].is_string());
}
