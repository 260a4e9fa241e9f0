//! Issue 12, the SDK's CIBA: a public CIBA client is an admin's per-client opt-in (the
//! CIBA grant with `token_endpoint_auth_method: none`); its requests carry a binding
//! message, are limited per IP and per user, and name the client on the prompt; every
//! final answer of the AuthSec polling routes is one AuthSec's SDK stops on.

use super::device::{call, confidential, error_of, CIBA_GRANT};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, Method};
use serde_json::{json, Value};

/// A public client opted into CIBA by the admin: its client_id.
fn public_ciba_client(p: &TestPlatform, i: &Isolate, admin: &Value) -> String {
    let path = format!("/authsec/clientms/tenants/{}/clients/create", admin["tenant_id"].as_str().unwrap());
    let body = json!({"name": "Voice assistant", "token_endpoint_auth_method": "none", "grant_types": [CIBA_GRANT]});
    let created = call(p, i, &path, admin["token"].as_str(), body, NOW);
    assert_eq!(created.status, 201, "{}", created.json_body());
    let created = created.json_body();
    assert!(created.get("client_secret").is_none(), "a public client has no secret");
    assert_eq!(created["token_endpoint_auth_method"], "none");
    created["client_id"].as_str().unwrap().to_string()
}

#[test]
fn a_public_ciba_client_is_opt_in_needs_a_binding_message_and_names_itself() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let admin = onboard(&p, &i, "ada@acme.test", "acme");
    let token = admin["token"].as_str().unwrap();
    let device = json!({"device_token": "ExponentPushToken[abc]", "platform": "ios"});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/ciba/register-device", Some(token), device, NOW).status, 201);
    let client_id = public_ciba_client(&p, &i, &admin);
    let initiate = "/authsec/uflow/auth/workspace/ciba/initiate";
    let unbound = call(&p, &i, initiate, None, json!({"client_id": client_id, "email": "ada@acme.test"}), NOW);
    assert_eq!(error_of(&unbound), (400, "invalid_request".into()), "{}", unbound.json_body());
    let body = json!({"client_id": client_id, "email": "ada@acme.test", "binding_message": "Code 7"});
    let started = call(&p, &i, initiate, None, body, NOW);
    assert_eq!(started.status, 200, "{}", started.json_body());
    let auth_req_id = started.json_body()["auth_req_id"].as_str().unwrap().to_string();
    let pushed = p.push.sent.borrow().clone();
    assert_eq!(pushed[0].title, "Sign-in request from Voice assistant");
    assert_eq!(pushed[0].data["client_name"], "Voice assistant");
    let listed = send_at(
        &p,
        &i,
        get("/authsec/uflow/auth/workspace/ciba/requests").with_header("authorization", &format!("Bearer {token}")),
        NOW + 1,
    )
    .response
    .json_body();
    assert_eq!(listed["requests"][0]["client_name"], "Voice assistant", "{listed}");

    // The SDK's workspace poll: `{client_id, auth_req_id}`, no secret.
    let poll = |body: Value, now| call(&p, &i, "/authsec/uflow/auth/workspace/ciba/token", None, body, now);
    let pending = poll(json!({"client_id": client_id, "auth_req_id": auth_req_id}), NOW + 1);
    assert_eq!(error_of(&pending), (400, "authorization_pending".into()));
    let answer = json!({"auth_req_id": auth_req_id, "approved": true, "biometric_verified": true});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/workspace/ciba/respond", Some(token), answer, NOW + 2).status, 200);
    let issued = poll(json!({"client_id": client_id, "auth_req_id": auth_req_id}), NOW + 7);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    let claims = call(
        &p,
        &i,
        "/authsec/authmgr/token/verify",
        None,
        json!({"token": issued.json_body()["access_token"]}),
        NOW + 8,
    );
    assert_eq!(claims.json_body()["client_id"], json!(client_id));
    assert_eq!(claims.json_body()["roles"], json!([]), "a CIBA token carries no roles its scopes do not name");
}

#[test]
fn refusals_on_the_authsec_polling_routes_are_ones_the_sdk_stops_on() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let admin = onboard(&p, &i, "ada@acme.test", "acme");
    let (client_id, secret) = confidential(&p, &i, &admin);
    let body = json!({"login_hint": "ada@acme.test", "client_id": client_id, "client_secret": secret});
    let started = call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, body, NOW).json_body();
    let poll = |path: &str, body: Value| call(&p, &i, path, None, body, NOW + 1);
    // The SDK's admin poll: `{auth_req_id}` only. A confidential client's request
    // without its secret, or with a client not opted in, is access_denied.
    let admin_poll = poll("/authsec/uflow/auth/ciba/token", json!({"auth_req_id": started["auth_req_id"]}));
    assert_eq!(error_of(&admin_poll), (400, "access_denied".into()), "{}", admin_poll.json_body());
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": admin["token"]}), NOW);
    let default_client = verified.json_body()["client_id"].clone();
    let not_opted_in = json!({"client_id": default_client, "auth_req_id": started["auth_req_id"]});
    assert_eq!(
        error_of(&poll("/authsec/uflow/auth/workspace/ciba/token", not_opted_in)),
        (400, "access_denied".into())
    );
    // Unknown, missing or mistyped request ids: expired_token.
    for body in [
        json!({"auth_req_id": "ciba1.forged", "client_id": client_id, "client_secret": secret}),
        json!({"client_id": client_id}),
        json!({"auth_req_id": null}),
        json!({"auth_req_id": 7}),
    ] {
        let answer = poll("/authsec/uflow/auth/tenant/ciba/token", body.clone());
        assert_eq!(error_of(&answer), (400, "expired_token".into()), "{body}: {}", answer.json_body());
    }
    // Malformed JSON stays a plain 400.
    let req = HttpRequest::new(Method::Post, "/authsec/uflow/auth/ciba/token")
        .with_header("content-type", "application/json")
        .with_body(b"{not json".to_vec());
    assert_eq!(send_at(&p, &i, req, NOW).response.status, 400);
    // The standard token endpoint keeps RFC 6749's errors.
    let form = format!(
        "grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id={}",
        started["auth_req_id"].as_str().unwrap()
    );
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(form.into_bytes());
    assert_eq!(error_of(&send_at(&p, &i, req, NOW + 1).response), (401, "invalid_client".into()));
}

#[test]
fn public_ciba_requests_are_limited_per_ip_and_per_user() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let admin = onboard(&p, &i, "ada@acme.test", "acme");
    let client_id = public_ciba_client(&p, &i, &admin);
    let mut emails = Vec::new();
    for n in 0..11 {
        let email = format!("user{n}@acme.test");
        let from = |path: &str, body: Value| {
            send_at(&p, &i, post_json(path, body).with_header("cf-connecting-ip", &format!("10.3.3.{n}")), NOW).response
        };
        let invite = json!({"client_id": client_id, "email": email, "password": "a long and private passphrase"});
        let started = from("/authsec/uflow/user/register/initiate", invite);
        assert!(started.status < 300, "{}", started.json_body());
        let body = json!({"client_id": client_id, "email": email, "otp": latest_code(&p, &email),
                          "password": "a long and private passphrase"});
        assert_eq!(from("/authsec/uflow/user/register/complete", body).status, 201);
        emails.push(email);
    }
    let initiate = |email: &str, ip: &str| {
        let body = json!({"client_id": client_id, "email": email, "binding_message": "Code 1"});
        let req = post_json("/authsec/uflow/auth/workspace/ciba/initiate", body).with_header("cf-connecting-ip", ip);
        send_at(&p, &i, req, NOW).response.status
    };
    let per_ip: Vec<u16> = emails.iter().map(|e| initiate(e, "10.1.1.1")).collect();
    assert_eq!(per_ip[..10], [200; 10], "{per_ip:?}");
    assert_eq!(per_ip[10], 429, "one IP, many users: {per_ip:?}");
    let per_user: Vec<u16> = (0..6).map(|n| initiate("ada@acme.test", &format!("10.2.2.{n}"))).collect();
    assert_eq!(per_user, [200, 200, 200, 200, 200, 429], "one user, many IPs");
}
