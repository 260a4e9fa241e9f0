//! Sessions sharded by user (issue 13 §3): a tenant-wide revocation moves one epoch in the
//! tenant's object, and sessions from before sharding (in the tenant's object, with
//! `rt1` refresh tokens) keep refreshing, verifying and revoking after the upgrade.

use crate::support::*;
use authsec_edge::accounts::sessions::{Session, SessionState};
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use authsec_edge::ids::{SessionId, TenantId, UserId};
use authsec_edge::secret::keyed_hash;
use authsec_edge::store::state::{SessionShard, SessionStore};
use serde_json::{json, Value};

/// `REVOCATION_MAX_STALENESS_SECS` by default.
const BOUND: i64 = 30;

fn verify(p: &TestPlatform, colo: &Isolate, token: &str, strict: bool, now: i64) -> u16 {
    send_at(p, colo, post_json("/authsec/authmgr/token/verify", json!({"token": token, "strict": strict})), now)
        .response
        .status
}

fn refresh(p: &TestPlatform, colo: &Isolate, refresh_token: &str, now: i64) -> HttpResponse {
    send_at(p, colo, post_json("/authsec/uflow/auth/token/refresh", json!({"refresh_token": refresh_token})), now)
        .response
}

fn revoke_tenant(p: &TestPlatform, colo: &Isolate, tenant: &str, token: Option<&str>, now: i64) -> HttpResponse {
    let mut req = post_json(&format!("/authsec/uflow/admin/tenants/{tenant}/revoke-sessions"), json!({}));
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, colo, req, now).response
}

fn text<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field].as_str().unwrap_or_else(|| panic!("{field} in {body}"))
}

#[test]
fn new_sessions_live_in_their_users_shard_and_refresh_tokens_name_it() {
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    let (tenant, user) = (text(&login, "tenant_id"), text(&login, "user_id"));
    let sid = text(&login, "session_id");
    let sessions = &p.durable;
    let in_shard = |shard| block_on(sessions.session_state(shard, SessionId::new(sid), NOW + 3)).unwrap();
    assert!(matches!(
        in_shard(SessionShard::User(TenantId::new(tenant), UserId::new(user))),
        SessionState::Live { .. }
    ));
    assert_eq!(in_shard(SessionShard::Tenant(TenantId::new(tenant))), SessionState::Unknown, "not in the tenant's");
    let refresh_token = text(&login, "refresh_token");
    assert!(refresh_token.starts_with(&format!("rt2.{tenant}.{user}.")), "{refresh_token}");
    let renewed = refresh(&p, &colo, refresh_token, NOW + 4);
    assert_eq!(renewed.status, 200, "{}", renewed.json_body());
    assert!(text(&renewed.json_body(), "refresh_token").starts_with(&format!("rt2.{tenant}.{user}.")));
    // The user part only routes: pointed at another user's shard, the token is unknown.
    let secret = refresh_token.rsplit('.').next().unwrap();
    let misrouted = format!("rt2.{tenant}.someone-else.{secret}");
    assert_eq!(refresh(&p, &colo, &misrouted, NOW + 5).status, 400);
}

#[test]
fn ending_a_tenants_sessions_is_one_epoch_strict_at_once_and_at_the_edge_within_the_bound() {
    let p = TestPlatform::new();
    let (here, elsewhere) = (Isolate::default(), Isolate::default());
    let acme = onboard(&p, &here, "ada@acme.test", "acme");
    let other = onboard(&p, &here, "bob@other.test", "other");
    let (tenant, token) = (text(&acme, "tenant_id"), text(&acme, "token"));
    let other_token = text(&other, "token");
    assert_eq!(verify(&p, &elsewhere, token, false, NOW + 3), 200, "the other colo has seen it live");

    assert_eq!(revoke_tenant(&p, &here, tenant, None, NOW + 4).status, 401, "needs a signed-in admin");
    assert_eq!(revoke_tenant(&p, &here, tenant, Some(other_token), NOW + 4).status, 404, "another tenant's id");
    assert_eq!(verify(&p, &here, token, true, NOW + 4), 200, "a refused call wrote nothing");
    let ended = revoke_tenant(&p, &here, tenant, Some(token), NOW + 5);
    assert_eq!(ended.status, 200, "{}", ended.json_body());
    assert_eq!(ended.json_body()["sessions_revoked_through"], NOW + 5);

    assert_eq!(verify(&p, &here, token, true, NOW + 6), 401, "strict: at once");
    assert_eq!(verify(&p, &elsewhere, token, true, NOW + 6), 401, "strict: at once everywhere");
    assert_eq!(verify(&p, &here, token, false, NOW + 6), 401, "edge: at once where it was ended");
    assert_eq!(verify(&p, &Isolate::default(), token, false, NOW + 6), 401, "a colo that reads KV afresh");
    assert_eq!(verify(&p, &elsewhere, token, false, NOW + BOUND), 200, "within the bound, perhaps not yet");
    assert_eq!(verify(&p, &elsewhere, token, false, NOW + 3 + BOUND + 1), 401, "past the bound, never");
    let check = get("/authsec/authmgr/user/check/permission?resource=docs&action=read")
        .with_header("authorization", &format!("Bearer {token}"));
    assert_eq!(send_at(&p, &here, check, NOW + 6).response.status, 401, "checks too");
    assert_eq!(refresh(&p, &here, text(&acme, "refresh_token"), NOW + 7).status, 400, "no refresh either");

    assert_eq!(verify(&p, &here, other_token, true, NOW + 7), 200, "other tenants keep theirs");
    assert_eq!(verify(&p, &here, other_token, false, NOW + 7), 200);
    // Sessions begun after the epoch are untouched by it.
    let again = send_at(
        &p,
        &here,
        post_json("/authsec/uflow/auth/admin/login", json!({"email": "ada@acme.test", "password": ADMIN_PASSWORD})),
        NOW + 8,
    )
    .response;
    assert_eq!(again.status, 200, "{}", again.json_body());
    let fresh = again.json_body();
    assert_eq!(verify(&p, &here, text(&fresh, "token"), true, NOW + 9), 200);
    assert_eq!(verify(&p, &elsewhere, text(&fresh, "token"), false, NOW + 9), 200);
    assert_eq!(refresh(&p, &here, text(&fresh, "refresh_token"), NOW + 9).status, 200);
}

/// A session as the service stored it before sharding: in the tenant's object, with an
/// `rt1.<tenant>.<secret>` refresh token.
fn legacy_session(p: &TestPlatform, tenant: &str, user: &str, id: &str, secret: &str) -> String {
    let hash = keyed_hash(p.config().pepper.expose(), &["refresh", tenant, secret]);
    let session = Session::new(id.into(), user.into(), NOW + 3, "before the upgrade".into());
    block_on(p.durable.create_session(SessionShard::Tenant(TenantId::new(tenant)), &session, &hash)).unwrap();
    format!("rt1.{tenant}.{secret}")
}

#[test]
fn a_session_from_before_sharding_still_refreshes_verifies_lists_and_revokes() {
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    let (tenant, user) = (text(&login, "tenant_id"), text(&login, "user_id"));
    let old = legacy_session(&p, tenant, user, "legacy-1", "legacy-secret-1");

    let renewed = refresh(&p, &colo, &old, NOW + 10);
    assert_eq!(renewed.status, 200, "{}", renewed.json_body());
    let renewed = renewed.json_body();
    assert_eq!(renewed["session_id"], "legacy-1");
    let next = text(&renewed, "refresh_token");
    assert!(next.starts_with(&format!("rt1.{tenant}.")), "it keeps routing to the tenant's object: {next}");
    let access = text(&renewed, "access_token");
    assert_eq!(verify(&p, &colo, access, true, NOW + 11), 200, "strict finds it in the tenant's object");
    assert_eq!(verify(&p, &colo, access, false, NOW + 11), 200);

    let list = get("/authsec/uflow/auth/sessions").with_header("authorization", &format!("Bearer {access}"));
    let listed = send_at(&p, &colo, list, NOW + 11).response.json_body();
    let ids: Vec<&str> = listed["sessions"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"legacy-1") && ids.contains(&text(&login, "session_id")), "both places: {ids:?}");

    // Reuse detection still holds there: the spent token revokes the session.
    assert_eq!(refresh(&p, &colo, &old, NOW + 12).status, 400);
    assert_eq!(verify(&p, &colo, access, true, NOW + 13), 401);
    assert_eq!(refresh(&p, &colo, next, NOW + 13).status, 400, "the family is gone");
}

#[test]
fn revoking_a_user_reaches_their_sessions_from_before_sharding() {
    let p = TestPlatform::new();
    let colo = Isolate::default();
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    let (tenant, user) = (text(&login, "tenant_id"), text(&login, "user_id"));
    let old = legacy_session(&p, tenant, user, "legacy-2", "legacy-secret-2");
    let legacy_access = text(&refresh(&p, &colo, &old, NOW + 10).json_body(), "access_token").to_string();
    let token = text(&login, "token");
    let path = format!("/authsec/uflow/admin/users/{user}/revoke-sessions");
    let req = post_json(&path, json!({})).with_header("authorization", &format!("Bearer {legacy_access}"));
    let revoked = send_at(&p, &colo, req, NOW + 11).response;
    assert_eq!(revoked.status, 200, "{}", revoked.json_body());
    assert_eq!(revoked.json_body()["revoked"], 2, "the sharded and the legacy session");
    for access in [token, legacy_access.as_str()] {
        assert_eq!(verify(&p, &colo, access, true, NOW + 12), 401);
        assert_eq!(verify(&p, &Isolate::default(), access, false, NOW + 12), 401);
    }

    // Logout of a legacy session ends it too.
    let old = legacy_session(&p, tenant, user, "legacy-3", "legacy-secret-3");
    let access = text(&refresh(&p, &colo, &old, NOW + 13).json_body(), "access_token").to_string();
    let logout =
        post_json("/authsec/uflow/auth/logout", json!({})).with_header("authorization", &format!("Bearer {access}"));
    assert_eq!(send_at(&p, &colo, logout, NOW + 14).response.status, 200);
    let state = block_on(p.durable.session_state(
        SessionShard::Tenant(TenantId::new(tenant)),
        SessionId::new("legacy-3"),
        NOW + 15,
    ))
    .unwrap();
    assert_eq!(state, SessionState::Ended, "the object itself revoked it");
}

#[test]
fn the_development_route_that_makes_a_pre_sharding_session_exists_only_in_development() {
    let make = |p: &TestPlatform, colo: &Isolate, token: &str| {
        let req = post_json("/authsec/dev/legacy-session", json!({}))
            .with_header("authorization", &format!("Bearer {token}"));
        send_at(p, colo, req, NOW + 5).response
    };
    let (p, colo) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    assert_eq!(make(&p, &colo, text(&login, "token")).status, 404, "never in production");

    let mut config = config_with(ring());
    config.environment = authsec_edge::config::Environment::Development;
    let (p, colo) = (TestPlatform::with_config(Ok(config)), Isolate::default());
    let login = onboard(&p, &colo, "ada@acme.test", "acme");
    assert_eq!(make(&p, &colo, "not-a-token").status, 401);
    let made = make(&p, &colo, text(&login, "token"));
    assert_eq!(made.status, 201, "{}", made.json_body());
    let made = made.json_body();
    let tenant = text(&login, "tenant_id");
    let in_tenant_object = block_on(p.durable.session_state(
        SessionShard::Tenant(TenantId::new(tenant)),
        SessionId::new(text(&made, "session_id")),
        NOW + 6,
    ))
    .unwrap();
    assert!(matches!(in_tenant_object, SessionState::Live { .. }), "where the old release kept sessions");
    assert_eq!(refresh(&p, &colo, text(&made, "refresh_token"), NOW + 6).status, 200);
}
