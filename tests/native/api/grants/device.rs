//! The device grant and CIBA over the API: codes, polling errors exactly as RFC 8628
//! §3.5 names them, single use, slow_down, expiry, tenant boundaries, guessing limits,
//! the form-encoded OAuth token endpoint, and CIBA with push.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub fn call(p: &TestPlatform, i: &Isolate, path: &str, token: Option<&str>, body: Value, now: i64) -> HttpResponse {
    let mut req = post_json(path, body).with_header("cf-connecting-ip", "10.7.7.7");
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, now).response
}

fn form(p: &TestPlatform, i: &Isolate, path: &str, body: &str, now: i64) -> HttpResponse {
    let req = HttpRequest::new(Method::Post, path)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("cf-connecting-ip", "10.7.7.8")
        .with_body(body.as_bytes().to_vec());
    send_at(p, i, req, now).response
}

/// An admin (login body) and the tenant's default client_id, which an admin has
/// registered for the device grant (it does not offer it by default).
pub fn tenant(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> (Value, String) {
    let login = onboard(p, i, email, domain);
    let verified = call(p, i, "/authsec/authmgr/token/verify", None, json!({"token": login["token"]}), NOW);
    let client_id = verified.json_body()["client_id"].as_str().unwrap().to_string();
    set_grants(p, i, &login, &client_id, &[DEVICE_GRANT]);
    (login, client_id)
}

/// Sets a client's `grant_types` through the clients API, as its tenant's admin.
pub fn set_grants(p: &TestPlatform, i: &Isolate, admin: &Value, client_id: &str, grants: &[&str]) {
    let path = format!("/authsec/clientms/tenants/{}/clients/{client_id}", admin["tenant_id"].as_str().unwrap());
    let req = HttpRequest::new(Method::Put, &path)
        .with_json(&json!({"grant_types": grants}))
        .with_header("authorization", &format!("Bearer {}", admin["token"].as_str().unwrap()));
    let updated = send_at(p, i, req, NOW).response;
    assert_eq!(updated.status, 200, "{}", updated.json_body());
}

pub fn error_of(response: &HttpResponse) -> (u16, String) {
    (response.status, response.json_body()["error"].as_str().unwrap_or_default().to_string())
}

#[test]
fn a_device_code_yields_tokens_once_after_approval_with_rfc_errors_before() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let token = admin["token"].as_str().unwrap();
    let body = json!({"client_id": client_id, "scopes": ["read", "write"], "device_info": {"name": "TV"}});
    let started = call(&p, &i, "/authsec/uflow/auth/device/code", None, body, NOW).json_body();
    let (device_code, user_code) = (started["device_code"].as_str().unwrap(), started["user_code"].as_str().unwrap());
    assert_eq!((started["interval"].clone(), started["expires_in"].clone()), (json!(5), json!(600)));
    assert!(user_code.len() == 9 && &user_code[4..5] == "-", "{user_code}");
    assert_eq!(started["verification_uri"], format!("{ISSUER}/authsec/uflow/activate"));
    let poll =
        |now: i64| call(&p, &i, "/authsec/uflow/auth/device/token", None, json!({"device_code": device_code}), now);
    assert_eq!(error_of(&poll(NOW + 1)), (400, "authorization_pending".into()), "the first poll is never slow_down");
    let slow = poll(NOW + 3);
    assert_eq!(error_of(&slow), (400, "slow_down".into()));
    assert_eq!(slow.json_body()["interval"], 10, "the interval grows by 5 s and is remembered");
    assert_eq!(error_of(&poll(NOW + 12)), (400, "authorization_pending".into()));

    let info = send_at(
        &p,
        &i,
        get(&format!(
            "/authsec/uflow/auth/device/activate/info?user_code={}",
            user_code.to_lowercase().replace('-', "")
        )),
        NOW + 13,
    )
    .response
    .json_body();
    assert_eq!((info["scopes"].clone(), info["device_info"]["name"].clone()), (json!(["read", "write"]), json!("TV")));
    let approve = json!({"user_code": user_code, "approve": true});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/device/verify", Some(token), approve.clone(), NOW + 14).status, 200);
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/device/verify", Some(token), approve, NOW + 15).status, 409);

    let issued = poll(NOW + 30);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    let issued = issued.json_body();
    assert_eq!((issued["scope"].clone(), issued["client_id"].clone()), (json!("read write"), json!(client_id)));
    let claims =
        call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": issued["access_token"]}), NOW + 31);
    assert_eq!(claims.json_body()["token_type"], "device");
    let refreshed = call(
        &p,
        &i,
        "/authsec/uflow/auth/token/refresh",
        None,
        json!({"refresh_token": issued["refresh_token"]}),
        NOW + 32,
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.json_body());
    let claims =
        call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": refreshed.json_body()["token"]}), NOW + 33);
    let claims = claims.json_body();
    assert_eq!(
        (claims["token_type"].clone(), claims["client_id"].clone()),
        (json!("device"), json!(client_id)),
        "refresh keeps the grant"
    );
    assert_eq!(claims["scopes"], json!(["read", "write"]));
    assert_eq!(error_of(&poll(NOW + 40)), (400, "invalid_grant".into()), "single use");
    assert_eq!(error_of(&poll(NOW + 700)), (400, "expired_token".into()));
}

#[test]
fn denial_expiry_and_strangers() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let (other, _) = tenant(&p, &i, "bob@beta.test", "beta");
    let start =
        |now| call(&p, &i, "/authsec/uflow/auth/device/code", None, json!({"client_id": client_id}), now).json_body();
    let denied = start(NOW);
    let decide = |token: &Value, code: &Value, approve: bool, now| {
        let body = json!({"user_code": code, "approve": approve});
        call(&p, &i, "/authsec/uflow/auth/device/verify", token.as_str(), body, now)
    };
    assert_eq!(decide(&other["token"], &denied["user_code"], true, NOW + 1).status, 404, "another tenant's user");
    assert_eq!(decide(&admin["token"], &denied["user_code"], false, NOW + 2).status, 200);
    let poll =
        |code: &Value, now| call(&p, &i, "/authsec/uflow/auth/device/token", None, json!({"device_code": code}), now);
    assert_eq!(error_of(&poll(&denied["device_code"], NOW + 3)), (400, "access_denied".into()));
    let late = start(NOW);
    assert_eq!(decide(&admin["token"], &late["user_code"], true, NOW + 601).status, 404, "expired codes are gone");
    assert_eq!(error_of(&poll(&late["device_code"], NOW + 601)), (400, "expired_token".into()));
    assert_eq!(
        error_of(&poll(&json!("dc1.forged"), NOW)),
        (400, "invalid_grant".into()),
        "an unknown code is invalid_grant"
    );
    let no_client = call(&p, &i, "/authsec/uflow/auth/device/code", None, json!({"client_id": "nope"}), NOW);
    assert_eq!(error_of(&no_client), (400, "invalid_client".into()));
    let unauthenticated =
        call(&p, &i, "/authsec/uflow/auth/device/verify", None, json!({"user_code": "BCDF-GHJK"}), NOW);
    assert_eq!(unauthenticated.status, 401);
}

#[test]
fn the_oauth_token_endpoint_speaks_form_encoding_and_authenticates_clients() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client_id) = tenant(&p, &i, "ada@acme.test", "acme");
    let started =
        form(&p, &i, "/authsec/uflow/auth/device/code", &format!("client_id={client_id}&scope=read+write"), NOW);
    assert_eq!(started.status, 200, "{}", started.json_body());
    let started = started.json_body();
    let body = |client: &str| {
        format!(
            "grant_type={}&device_code={}&client_id={client}",
            DEVICE_GRANT.replace(':', "%3A"),
            started["device_code"].as_str().unwrap()
        )
    };
    assert_eq!(
        error_of(&form(&p, &i, "/authsec/oauth/token", &body(&client_id), NOW + 1)),
        (400, "authorization_pending".into())
    );
    assert_eq!(
        error_of(&form(&p, &i, "/authsec/oauth/token", &body("unknown"), NOW + 7)),
        (401, "invalid_client".into())
    );
    let approve = json!({"user_code": started["user_code"], "approve": true});
    call(&p, &i, "/authsec/uflow/auth/device/verify", admin["token"].as_str(), approve, NOW + 8);
    let issued = form(&p, &i, "/authsec/oauth/token", &body(&client_id), NOW + 20);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    assert_eq!(issued.json_body()["token_type"], "Bearer");
    let unsupported = form(&p, &i, "/authsec/oauth/token", "grant_type=password&username=a&password=b", NOW);
    assert_eq!(error_of(&unsupported), (400, "unsupported_grant_type".into()));
    let twice = form(&p, &i, "/authsec/oauth/token", "grant_type=a&grant_type=b", NOW);
    assert_eq!(twice.status, 400, "a repeated parameter is refused (RFC 6749 §3.2)");
}

#[test]
fn guessing_user_codes_is_throttled() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let statuses: Vec<u16> = (0..25)
        .map(|n| {
            let path = format!(
                "/authsec/uflow/auth/device/activate/info?user_code=BCDF-GH{}",
                ["JK", "JL", "JM", "JN", "JP"][n % 5]
            );
            send_at(&p, &i, get(&path).with_header("cf-connecting-ip", "10.6.6.6"), NOW).response.status
        })
        .collect();
    assert!(statuses[..20].iter().all(|s| *s == 404), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}

pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// A confidential client of the admin's tenant, registered for CIBA: (client_id,
/// client_secret).
pub fn confidential(p: &TestPlatform, i: &Isolate, admin: &Value) -> (String, String) {
    let path = format!("/authsec/clientms/tenants/{}/clients/create", admin["tenant_id"].as_str().unwrap());
    let body = json!({"name": "backchannel", "client_type": "confidential", "grant_types": [CIBA_GRANT]});
    let created = call(p, i, &path, admin["token"].as_str(), body, NOW);
    assert_eq!(created.status, 201, "{}", created.json_body());
    let created = created.json_body();
    (created["client_id"].as_str().unwrap().into(), created["client_secret"].as_str().unwrap().into())
}

#[test]
fn ciba_pushes_to_the_user_waits_for_their_answer_and_issues_once() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, public_client) = tenant(&p, &i, "ada@acme.test", "acme");
    let (other, _) = tenant(&p, &i, "bob@beta.test", "beta");
    let (client_id, secret) = confidential(&p, &i, &admin);
    let token = admin["token"].as_str().unwrap();
    let device = json!({"device_token": "ExponentPushToken[abc]", "platform": "ios", "device_name": "phone"});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/ciba/register-device", Some(token), device, NOW).status, 201);
    let public = json!({"login_hint": "ada@acme.test", "client_id": public_client});
    let refused = call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, public, NOW);
    assert_eq!(error_of(&refused), (401, "unauthorized_client".into()), "a public client id is no credential");
    let wrong = json!({"login_hint": "ada@acme.test", "client_id": client_id, "client_secret": "guess"});
    assert_eq!(
        error_of(&call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, wrong, NOW)),
        (401, "invalid_client".into())
    );
    let initiate = json!({"login_hint": "ada@acme.test", "binding_message": "Code 42", "client_id": client_id, "client_secret": secret});
    let started = call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, initiate, NOW).json_body();
    let auth_req_id = started["auth_req_id"].as_str().unwrap();
    assert_eq!((started["expires_in"].clone(), started["interval"].clone()), (json!(300), json!(5)));
    let pushed = p.push.sent.borrow().clone();
    assert_eq!(
        (pushed.len(), pushed[0].to.as_str(), pushed[0].body.as_str()),
        (1, "ExponentPushToken[abc]", "Code 42")
    );
    assert!(!serde_json::to_string(&pushed[0].data).unwrap().contains(auth_req_id), "the push cannot redeem tokens");
    let request_id = pushed[0].data["request_id"].as_str().unwrap().to_string();
    let poll = |now| {
        let body = json!({"auth_req_id": auth_req_id, "client_id": client_id, "client_secret": secret});
        call(&p, &i, "/authsec/uflow/auth/ciba/token", None, body, now)
    };
    assert_eq!(error_of(&poll(NOW + 1)), (400, "authorization_pending".into()));
    let unauthenticated =
        call(&p, &i, "/authsec/uflow/auth/ciba/token", None, json!({"auth_req_id": auth_req_id}), NOW + 7);
    assert_eq!(error_of(&unauthenticated), (400, "access_denied".into()), "a refusal the SDK's poller stops on");
    let answer = json!({"request_id": request_id, "approved": true});
    let stranger = call(&p, &i, "/authsec/uflow/auth/ciba/respond", other["token"].as_str(), answer.clone(), NOW + 2);
    assert_eq!(stranger.status, 404, "only the named user answers");
    let listed = send_at(
        &p,
        &i,
        get("/authsec/uflow/auth/workspace/ciba/requests").with_header("authorization", &format!("Bearer {token}")),
        NOW + 3,
    )
    .response
    .json_body();
    assert_eq!(listed["requests"][0]["request_id"], json!(request_id));
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/ciba/respond", Some(token), answer, NOW + 4).status, 200);
    let issued = poll(NOW + 10);
    assert_eq!(issued.status, 200, "{}", issued.json_body());
    assert_eq!(error_of(&poll(NOW + 20)), (400, "expired_token".into()), "a used request stops the SDK too");
    let body = json!({"email": "nobody@acme.test", "client_id": client_id, "client_secret": secret});
    let unknown = call(&p, &i, "/authsec/uflow/auth/tenant/ciba/initiate", None, body, NOW);
    assert_eq!(error_of(&unknown), (400, "unknown_user_id".into()));
}

#[test]
fn ciba_denial_and_expiry_use_the_exact_error_strings() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, _) = tenant(&p, &i, "ada@acme.test", "acme");
    let (client_id, secret) = confidential(&p, &i, &admin);
    let start = || {
        let body = json!({"login_hint": "ada@acme.test", "client_id": client_id, "client_secret": secret});
        call(&p, &i, "/authsec/uflow/auth/ciba/initiate", None, body, NOW)
    };
    let denied = start().json_body();
    let answer = json!({"auth_req_id": denied["auth_req_id"], "approved": false});
    assert_eq!(call(&p, &i, "/authsec/uflow/auth/ciba/respond", admin["token"].as_str(), answer, NOW + 1).status, 200);
    let poll = |id: &Value, now| {
        let body = json!({"auth_req_id": id, "client_id": client_id, "client_secret": secret});
        call(&p, &i, "/authsec/uflow/auth/ciba/token", None, body, now)
    };
    assert_eq!(error_of(&poll(&denied["auth_req_id"], NOW + 2)), (400, "access_denied".into()));
    let expired = start().json_body();
    assert_eq!(error_of(&poll(&expired["auth_req_id"], NOW + 301)), (400, "expired_token".into()));
    // Two requests so far; three more fit the per-user window, the sixth is refused.
    let statuses: Vec<u16> = (0..4).map(|_| start().status).collect();
    assert_eq!(statuses, [200, 200, 200, 429], "push prompts to one user are limited");
}
