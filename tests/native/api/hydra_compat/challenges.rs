//! Hydra's login and consent challenges are interaction handles: the browser routes lead
//! to the interaction's page (where its checks apply), the lookups are for the admin of
//! its tenant only.

use super::{refusal, World, REDIRECT_URI};
use crate::support::NOW;
use serde_json::json;

#[test]
fn the_login_and_consent_hooks_lead_the_browser_to_its_own_interaction() {
    let w = World::new();
    let (tx, cookie) = w.begin_sign_in();
    for hook in ["/authsec/hmgr/login?login_challenge=", "/authsec/hmgr/consent?consent_challenge="] {
        let redirected = w.get(&format!("{hook}{tx}"), None, None);
        assert_eq!(redirected.status, 303);
        let location = redirected.header("location").unwrap().to_string();
        assert_eq!(location, format!("/authsec/oauth/authorize/continue?tx={tx}"));
        let page = w.get(&location, None, Some(&cookie));
        assert_eq!(page.status, 200, "the browser that began it sees its sign-in page");
        assert_eq!(super::hidden_field(&page, "tx"), tx);
        let stranger = w.get(&location, None, Some("authsec_browser=someone-else"));
        assert_eq!(stranger.status, 403, "another browser gets nothing from the handle alone");
    }
}

#[test]
fn the_hooks_refuse_a_missing_or_malformed_challenge() {
    let w = World::new();
    let missing = w.get("/authsec/hmgr/login", None, None);
    assert_eq!(refusal(&missing), (400, "invalid_request".into()));
    assert_eq!(missing.json_body()["field"], "login_challenge");
    let long = w.get(&format!("/authsec/hmgr/consent?consent_challenge={}", "x".repeat(65)), None, None);
    assert_eq!(long.json_body()["field"], "consent_challenge");
    let spaced = w.get("/authsec/hmgr/login?login_challenge=a%20b", None, None);
    assert_eq!(spaced.status, 400);
}

#[test]
fn the_tenant_admin_reads_the_client_of_a_pending_sign_in() {
    let w = World::new();
    let (tx, _) = w.begin_sign_in();
    let read = w.get(&format!("/authsec/hmgr/challenge?login_challenge={tx}"), Some(w.admin_token()), None);
    assert_eq!(read.status, 200, "{}", read.json_body());
    let client = read.json_body();
    assert_eq!(client["client_id"], w.client_id.as_str());
    assert_eq!(client["client_name"], "Example App");
    assert_eq!(client["redirect_uris"], json!([REDIRECT_URI]));
    assert_eq!(client["scope"], "openid email");
    assert_eq!(client["token_endpoint_auth_method"], "none");
    assert_eq!(client["metadata"]["tenant_id"], w.tenant());
    let page = w.get(&format!("/authsec/hmgr/login/page-data?login_challenge={tx}"), Some(w.admin_token()), None);
    assert_eq!(page.status, 200, "{}", page.json_body());
    let page = page.json_body();
    assert_eq!((page["success"].clone(), page["login_challenge"].clone()), (json!(true), json!(tx)));
    assert_eq!(page["tenant_name"], "acme");
    assert_eq!(page["client_name"], "Example App");
    assert_eq!(page["providers"], json!([]));
    assert_eq!(page["local_login_enabled"], true);
    assert_eq!(page["requested_scope"], json!(["openid", "email"]));
}

#[test]
fn other_tenants_end_users_and_strangers_learn_nothing_about_a_challenge() {
    let w = World::new();
    let (tx, _) = w.begin_sign_in();
    for path in ["/authsec/hmgr/challenge", "/authsec/hmgr/login/page-data"] {
        let url = format!("{path}?login_challenge={tx}");
        assert_eq!(w.get(&url, Some(w.other_token()), None).status, 404, "another tenant's challenge is unknown");
        assert_eq!(w.get(&url, Some(&w.user_token), None).status, 403, "an end user is no admin");
        assert_eq!(w.get(&url, None, None).status, 401);
        let unknown = format!("{path}?login_challenge=not-a-handle");
        assert_eq!(w.get(&unknown, Some(w.admin_token()), None).status, 404);
        let missing = w.get(path, Some(w.admin_token()), None);
        assert_eq!(missing.json_body()["field"], "login_challenge");
    }
}

#[test]
fn an_expired_sign_in_is_gone() {
    let w = World::new();
    let (tx, _) = w.begin_sign_in();
    let url = format!("/authsec/hmgr/challenge?login_challenge={tx}");
    assert_eq!(w.get_at(&url, Some(w.admin_token()), None, NOW + 60).status, 200);
    assert_eq!(w.get_at(&url, Some(w.admin_token()), None, NOW + 11 * 60).status, 404, "interactions live 10 minutes");
}
