//! The edge tier (issue 13): `token/verify` and the authmgr checks answer from the colo.
//! The session store decides revocations; the revoking route tells KV and its own
//! isolate before it answers. An `Isolate` here stands for one colo; two isolates on one
//! platform are two colos sharing KV and the Durable Objects.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use serde_json::{json, Value};

/// `REVOCATION_MAX_STALENESS_SECS` by default.
const BOUND: i64 = 30;

fn verify(p: &TestPlatform, colo: &Isolate, body: Value, now: i64) -> HttpResponse {
    send_at(p, colo, post_json("/authsec/authmgr/token/verify", body), now).response
}

fn bearer_get(p: &TestPlatform, colo: &Isolate, path: &str, token: &str, now: i64) -> HttpResponse {
    send_at(p, colo, get(path).with_header("authorization", &format!("Bearer {token}")), now).response
}

fn logout(p: &TestPlatform, colo: &Isolate, token: &str, now: i64) -> HttpResponse {
    let req =
        post_json("/authsec/uflow/auth/logout", json!({})).with_header("authorization", &format!("Bearer {token}"));
    send_at(p, colo, req, now).response
}

#[test]
fn a_revoked_session_is_refused_at_once_where_it_was_revoked_and_elsewhere_within_the_bound() {
    let p = TestPlatform::new();
    let (here, elsewhere) = (Isolate::default(), Isolate::default());
    let login = onboard(&p, &here, "ada@acme.test", "acme");
    let token = login["token"].as_str().unwrap();
    // The other colo has seen the session live a moment ago.
    assert_eq!(verify(&p, &elsewhere, json!({"token": token}), NOW).status, 200);
    assert_eq!(logout(&p, &here, token, NOW + 1).status, 200);
    assert_eq!(verify(&p, &here, json!({"token": token}), NOW + 2).status, 401, "the revoking colo, at once");
    assert_eq!(verify(&p, &here, json!({"token": token, "strict": true}), NOW + 2).status, 401);
    assert_eq!(
        verify(&p, &elsewhere, json!({"token": token, "strict": true}), NOW + 2).status,
        401,
        "strict asks the session store: at once everywhere"
    );
    // Within the published bound the other colo may still accept it; past it, never.
    assert_eq!(verify(&p, &elsewhere, json!({"token": token}), NOW + BOUND - 1).status, 200);
    assert_eq!(verify(&p, &elsewhere, json!({"token": token}), NOW + BOUND + 1).status, 401);
    // A colo that never saw the session learns of the revocation from KV on first sight.
    assert_eq!(verify(&p, &Isolate::default(), json!({"token": token}), NOW + 3).status, 401);
}

#[test]
fn revoking_every_session_of_a_user_reaches_the_edge() {
    let p = TestPlatform::new();
    let (here, elsewhere) = (Isolate::default(), Isolate::default());
    let login = onboard(&p, &here, "ada@acme.test", "acme");
    let admin = login["token"].as_str().unwrap();
    let second = send_at(
        &p,
        &here,
        post_json("/authsec/uflow/auth/admin/login", json!({"email": "ada@acme.test", "password": ADMIN_PASSWORD})),
        NOW + 1,
    )
    .response
    .json_body();
    let other = second["token"].as_str().unwrap();
    let user_id = login["user_id"].as_str().unwrap();
    let path = format!("/authsec/uflow/admin/users/{user_id}/revoke-sessions");
    let req = post_json(&path, json!({})).with_header("authorization", &format!("Bearer {other}"));
    assert_eq!(send_at(&p, &here, req, NOW + 2).response.status, 200);
    assert_eq!(verify(&p, &elsewhere, json!({"token": admin}), NOW + 3).status, 401, "KV carried it");
    assert_eq!(verify(&p, &here, json!({"token": other}), NOW + 3).status, 401);
}

#[test]
fn warm_verifications_and_permission_checks_wait_for_no_session_store() {
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    let token = login["token"].as_str().unwrap();
    let check = "/authsec/authmgr/user/check/permission?resource=docs&action=read";
    assert_eq!(verify(&p, &colo, json!({"token": token}), NOW).status, 200);
    assert_eq!(bearer_get(&p, &colo, check, token, NOW).status, 200);
    // Every Durable Object fails from now on: the edge tier does not notice, the strict
    // tier does.
    p.durable.inject_failures(true);
    assert_eq!(verify(&p, &colo, json!({"token": token}), NOW + 1).status, 200);
    assert_eq!(bearer_get(&p, &colo, check, token, NOW + 1).status, 200, "a warm check");
    assert_eq!(verify(&p, &colo, json!({"token": token, "strict": true}), NOW + 1).status, 503);
    // Even a cold colo verifies from KV alone: no record means nothing was revoked.
    assert_eq!(verify(&p, &Isolate::default(), json!({"token": token}), NOW + 2).status, 200);
    p.durable.inject_failures(false);
}

#[test]
fn strict_must_be_a_boolean() {
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let out = verify(&p, &colo, json!({"token": "x.y.z", "strict": "yes"}), NOW);
    assert_eq!((out.status, out.json_body()["field"].clone()), (400, json!("strict")));
}

#[test]
fn a_token_never_outlives_its_sessions_absolute_lifetime() {
    // The edge tier learns of revocations, not of expiries: a token minted near the end
    // of a session must end with it.
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    let session_end = NOW + 2 + authsec_edge::accounts::sessions::SESSION_TTL_SECS; // onboard signs in at NOW + 2
    let late = session_end - 100;
    let body = json!({"refresh_token": login["refresh_token"]});
    let refreshed = send_at(&p, &colo, post_json("/authsec/uflow/auth/token/refresh", body), late).response;
    assert_eq!(refreshed.status, 200, "{}", refreshed.json_body());
    assert_eq!(refreshed.json_body()["expires_in"], 100);
    let token = refreshed.json_body()["token"].as_str().unwrap().to_string();
    let claims = verify(&p, &colo, json!({"token": token}), late).json_body();
    assert_eq!(claims["expires_at"], session_end, "capped at the session's end, not now + 15 minutes");
}
