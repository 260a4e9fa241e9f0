//! Passkey management (issue 12, finding 1): the owner lists, renames and deletes their
//! own passkeys; never key material; another account's ids are not found; deleting needs
//! a step-up and never removes the last factor.

use super::totp::{base32_decode, code, STEP};
use super::webauthn::with_passkey;
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

const CREDENTIALS: &str = "/authsec/webauthn/admin/credentials";

fn send_with(
    p: &TestPlatform,
    i: &Isolate,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> HttpResponse {
    let mut req = HttpRequest::new(method, path).with_header("cf-connecting-ip", "10.6.6.6");
    if let Some(body) = body {
        req = req.with_json(&body);
    }
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, NOW + 20).response
}

fn post(p: &TestPlatform, i: &Isolate, path: &str, token: &str, body: Value) -> HttpResponse {
    send_with(p, i, Method::Post, path, Some(token), Some(body))
}

#[test]
fn the_owner_lists_and_renames_passkeys_and_never_sees_key_material() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (login, _) = with_passkey(&p, &i, "ada@acme.test", "acme", 31);
    let token = login["token"].as_str().unwrap();
    let listed = send_with(&p, &i, Method::Get, CREDENTIALS, Some(token), None);
    assert_eq!(listed.status, 200, "{}", listed.json_body());
    let credentials = listed.json_body()["credentials"].clone();
    let first = &credentials[0];
    let mut keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["backup_eligible", "created_at", "credential_id", "flagged", "id", "last_used_at", "name"],
        "no public key, counter, aaguid or attestation"
    );
    let id = first["id"].as_str().unwrap();
    let path = format!("{CREDENTIALS}/{id}");
    let renamed = send_with(&p, &i, Method::Patch, &path, Some(token), Some(json!({"name": "Laptop"})));
    assert_eq!(renamed.status, 200, "{}", renamed.json_body());
    assert_eq!(renamed.json_body()["credential"]["name"], "Laptop");
    for (body, status) in [(json!({"name": 7}), 400), (json!({"name": ""}), 400), (json!({}), 400)] {
        let refused = send_with(&p, &i, Method::Patch, &path, Some(token), Some(body.clone()));
        assert_eq!(refused.status, status, "{body}");
    }
    let malformed = send_at(
        &p,
        &i,
        HttpRequest::new(Method::Patch, &path)
            .with_header("authorization", &format!("Bearer {token}"))
            .with_header("content-type", "application/json")
            .with_body(b"{oops".to_vec()),
        NOW,
    );
    assert_eq!(malformed.response.status, 400);
    assert_eq!(send_with(&p, &i, Method::Get, CREDENTIALS, None, None).status, 401);
    let enduser_route = send_with(&p, &i, Method::Get, "/authsec/webauthn/enduser/credentials", Some(token), None);
    assert_eq!(enduser_route.status, 403, "an admin's passkeys are under the admin route");
    let after = send_with(&p, &i, Method::Get, CREDENTIALS, Some(token), None).json_body();
    assert_eq!(after["credentials"][0]["name"], "Laptop", "refused renames changed nothing");
}

#[test]
fn another_accounts_passkey_is_not_found() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (ada, _) = with_passkey(&p, &i, "ada@acme.test", "acme", 32);
    let (bob, _) = with_passkey(&p, &i, "bob@beta.test", "beta", 33);
    let ada_token = ada["token"].as_str().unwrap();
    let bob_token = bob["token"].as_str().unwrap();
    let bobs = send_with(&p, &i, Method::Get, CREDENTIALS, Some(bob_token), None).json_body();
    let path = format!("{CREDENTIALS}/{}", bobs["credentials"][0]["id"].as_str().unwrap());
    let su = post(&p, &i, "/authsec/uflow/auth/step-up", ada_token, json!({})).json_body();
    assert_eq!(su["error"], "step_up_required");
    assert_eq!(send_with(&p, &i, Method::Patch, &path, Some(ada_token), Some(json!({"name": "mine"}))).status, 404);
    assert_eq!(send_with(&p, &i, Method::Delete, &path, Some(ada_token), None).status, 404);
    let still = send_with(&p, &i, Method::Get, CREDENTIALS, Some(bob_token), None).json_body();
    assert_eq!(still["credentials"].as_array().unwrap().len(), 1);
    assert_ne!(still["credentials"][0]["name"], "mine");
}

#[test]
fn deleting_needs_a_step_up_and_never_removes_the_last_factor() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (login, mut authenticator) = with_passkey(&p, &i, "ada@acme.test", "acme", 34);
    let token = login["token"].as_str().unwrap();
    let listed = send_with(&p, &i, Method::Get, CREDENTIALS, Some(token), None).json_body();
    let path = format!("{CREDENTIALS}/{}", listed["credentials"][0]["id"].as_str().unwrap());
    let bare = send_with(&p, &i, Method::Delete, &path, Some(token), None);
    assert_eq!((bare.status, bare.json_body()["error"].clone()), (400, json!("step_up_required")));
    let options = post(&p, &i, "/authsec/uflow/auth/step-up/passkey", token, json!({})).json_body();
    let su = post(
        &p,
        &i,
        "/authsec/uflow/auth/step-up",
        token,
        json!({"credential": authenticator.assert(&options["publicKey"])}),
    );
    assert_eq!(su.status, 200, "{}", su.json_body());
    let su = su.json_body()["step_up_token"].as_str().unwrap().to_string();
    let delete = |su: &str| {
        let req = HttpRequest::new(Method::Delete, &path)
            .with_header("authorization", &format!("Bearer {token}"))
            .with_header("x-step-up-token", su);
        send_at(&p, &i, req, NOW + 21).response
    };
    assert_eq!(delete(&su).status, 409, "the last factor stays");
    // With a TOTP device confirmed, the passkey may go.
    let registered =
        post(&p, &i, "/authsec/uflow/auth/totp/register", token, json!({"device_name": "phone", "step_up_token": su}));
    assert_eq!(registered.status, 200, "{}", registered.json_body());
    let secret = base32_decode(registered.json_body()["secret"].as_str().unwrap());
    let confirm = json!({"device_id": registered.json_body()["device_id"], "totp_code": code(&secret, NOW + 20), "step_up_token": su});
    assert_eq!(post(&p, &i, "/authsec/uflow/auth/totp/confirm", token, confirm).status, 200);
    let mails_before = p.mail.sent.borrow().len();
    let removed = delete(&su);
    assert_eq!(removed.status, 200, "{}", removed.json_body());
    let sent = p.mail.sent.borrow();
    assert_eq!(sent.len(), mails_before + 1);
    assert_eq!(sent.last().unwrap().subject, "A second factor was removed from your account");
    assert!(sent.last().unwrap().text.contains("passkey"));
    let _ = STEP;
}
