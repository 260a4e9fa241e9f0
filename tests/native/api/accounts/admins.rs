//! Admin onboarding, login, lockout and sessions through `api::handle` on the in-memory
//! platform (the same flows run against the Worker in the e2e suite).

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use authsec_edge::ids::{TenantId, UserId};
use authsec_edge::store::state::ChallengeStore;
use serde_json::{json, Value};

const PASSWORD: &str = ADMIN_PASSWORD;

fn post(p: &TestPlatform, i: &Isolate, path: &str, body: Value, now: i64) -> HttpResponse {
    send_at(p, i, post_json(path, body), now).response
}

fn bearer(req: HttpRequest, token: &str) -> HttpRequest {
    req.with_header("authorization", &format!("Bearer {token}"))
}

fn verify(p: &TestPlatform, i: &Isolate, token: &str, now: i64) -> HttpResponse {
    post(p, i, "/authsec/authmgr/token/verify", json!({"token": token}), now)
}

#[test]
fn onboarding_creates_a_tenant_whose_admin_can_sign_in() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    assert_eq!(login["email"], "ada@acme.test");
    assert_eq!(login["tenant_domain"], "acme");
    assert_eq!(login["first_login"], true);
    assert_eq!(login["mfa_required"], false);
    assert!(login["refresh_token"].as_str().unwrap().starts_with("rt2."));
    let verified = verify(&p, &i, login["token"].as_str().unwrap(), NOW + 3).json_body();
    assert_eq!(verified["valid"], true);
    assert_eq!(verified["roles"], json!(["admin"]));
    assert_eq!(verified["tenant_id"], login["tenant_id"]);
    assert_eq!(verified["session_id"], login["session_id"]);
    // The code was mailed, never returned.
    assert!(!login.to_string().contains(&latest_code(&p, "ada@acme.test")));
}

#[test]
fn registration_input_is_validated_and_duplicates_conflict() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    let path = "/authsec/uflow/auth/admin/login/bootstrap";
    let cases = [
        (json!({"email": "not-an-email", "password": PASSWORD, "tenant_domain": "x-corp"}), 400, Some("email")),
        (json!({"email": "b@x.test", "password": "short", "tenant_domain": "x-corp"}), 400, Some("password")),
        (json!({"email": "b@x.test", "password": "password123", "tenant_domain": "x-corp"}), 400, Some("password")),
        (
            json!({"email": "b@x.test", "password": PASSWORD, "confirm_password": "other thing", "tenant_domain": "x-corp"}),
            400,
            Some("password"),
        ),
        (json!({"email": "b@x.test", "password": PASSWORD, "tenant_domain": "no spaces"}), 400, Some("tenant_domain")),
        (json!({"email": "b@x.test", "password": 12345678, "tenant_domain": "x-corp"}), 400, Some("password")),
        (json!({"email": "ADA@acme.test", "password": PASSWORD, "tenant_domain": "y-corp"}), 409, None),
        (json!({"email": "c@x.test", "password": PASSWORD, "tenant_domain": "ACME"}), 409, None),
    ];
    for (n, (body, status, field)) in cases.into_iter().enumerate() {
        // Spread over minutes so the per-IP limit stays out of the way.
        let resp = post(&p, &i, path, body.clone(), NOW + 100 * i64::try_from(n).unwrap());
        assert_eq!(resp.status, status, "{body}: {}", resp.json_body());
        if let Some(field) = field {
            assert_eq!(resp.json_body()["field"], field, "{body}");
        }
    }
}

#[test]
fn a_wrong_code_counts_down_and_five_burn_it() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login/bootstrap",
        json!({"email": "ada@acme.test", "password": PASSWORD, "tenant_domain": "acme"}),
        NOW,
    );
    let code = latest_code(&p, "ada@acme.test");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let path = "/authsec/uflow/auth/admin/complete-registration";
    for (n, remaining) in [4, 3, 2, 1].into_iter().enumerate() {
        let resp = post(
            &p,
            &i,
            path,
            json!({"email": "ada@acme.test", "otp": wrong, "password": PASSWORD}),
            NOW + 61 * (i64::try_from(n).unwrap() + 1),
        );
        assert_eq!(resp.status, 400);
        assert_eq!(resp.json_body()["remaining_attempts"], remaining);
    }
    let burned = post(&p, &i, path, json!({"email": "ada@acme.test", "otp": wrong, "password": PASSWORD}), NOW + 400);
    assert_eq!(burned.json_body()["remaining_attempts"], 0);
    let too_late = post(&p, &i, path, json!({"email": "ada@acme.test", "otp": code, "password": PASSWORD}), NOW + 500);
    assert_eq!(too_late.status, 400, "the right code no longer works");
    assert_eq!(
        send(&p, &i, post_json("/authsec/uflow/auth/admin/login/precheck", json!({"email": "ada@acme.test"})))
            .response
            .json_body()["exists"],
        false
    );
}

#[test]
fn five_failures_lock_the_account_and_unknown_emails_answer_alike() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    let login = |email: &str, password: &str, now: i64| {
        post(&p, &i, "/authsec/uflow/auth/admin/login", json!({"email": email, "password": password}), now)
    };
    for (email, start) in [("ada@acme.test", NOW + 1_000), ("nobody@acme.test", NOW + 10_000)] {
        for (n, remaining) in [4, 3, 2, 1].into_iter().enumerate() {
            let resp = login(email, "wrong password!", start + 61 * i64::try_from(n).unwrap());
            assert_eq!(resp.status, 401, "{email}");
            assert_eq!(
                resp.json_body(),
                json!({"error": "invalid_credentials", "message": "Invalid credentials", "remaining_attempts": remaining}),
                "{email}"
            );
        }
        let locked = login(email, "wrong password!", start + 300);
        assert_eq!(locked.status, 423, "{email}");
        assert!(locked.header("retry-after").is_some());
        assert_eq!(locked.json_body()["error"], "account_locked");
    }
    // Locked means locked, even with the right password; it lifts after 15 minutes.
    assert_eq!(login("ada@acme.test", PASSWORD, NOW + 1_400).status, 423);
    assert_eq!(login("ada@acme.test", PASSWORD, NOW + 1_300 + 900).status, 200);
}

#[test]
fn admin_auth_is_rate_limited_per_email() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let statuses: Vec<u16> = (0..6)
        .map(|_| {
            post(&p, &i, "/authsec/uflow/auth/admin/login/precheck", json!({"email": "ada@acme.test"}), NOW).status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
}

#[test]
fn refresh_rotates_and_reuse_revokes_the_session() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    let first = login["refresh_token"].as_str().unwrap().to_string();
    let path = "/authsec/uflow/auth/token/refresh";
    let rotated = post(&p, &i, path, json!({"refresh_token": first}), NOW + 10).json_body();
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(verify(&p, &i, rotated["token"].as_str().unwrap(), NOW + 11).status, 200);
    // Replaying the first token: the session dies, with every token of it.
    let replay = post(&p, &i, path, json!({"refresh_token": first}), NOW + 12);
    assert_eq!((replay.status, replay.json_body()["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(post(&p, &i, path, json!({"refresh_token": second}), NOW + 13).status, 400);
    assert_eq!(verify(&p, &i, rotated["token"].as_str().unwrap(), NOW + 14).status, 401);
    assert_eq!(verify(&p, &i, login["token"].as_str().unwrap(), NOW + 14).status, 401);
    for junk in ["", "rt1.x.y", "nonsense", "rt1.tenant.secret.extra"] {
        assert_eq!(post(&p, &i, path, json!({"refresh_token": junk}), NOW + 15).status, 400, "{junk}");
    }
}

#[test]
fn logout_and_revocation_take_effect_on_the_next_request() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login",
        json!({"email": "ada@acme.test", "password": PASSWORD}),
        NOW + 100,
    )
    .json_body();
    let (ta, tb) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());
    let list = send_at(&p, &i, bearer(get("/authsec/uflow/auth/sessions"), ta), NOW + 101).response.json_body();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(list["sessions"][1]["current"], true, "oldest last; it is a's");
    // Revoke b's session from a.
    let path = format!("/authsec/uflow/auth/sessions/{}", b["session_id"].as_str().unwrap());
    let revoked = send_at(&p, &i, bearer(HttpRequest::new(Method::Delete, &path), ta), NOW + 102).response;
    assert_eq!(revoked.status, 200);
    assert_eq!(verify(&p, &i, tb, NOW + 103).status, 401);
    assert_eq!(send_at(&p, &i, bearer(HttpRequest::new(Method::Delete, &path), ta), NOW + 104).response.status, 404);
    // Logout ends a's own session.
    let out = send_at(&p, &i, bearer(post_json("/authsec/uflow/auth/logout", json!({})), ta), NOW + 105).response;
    assert_eq!(out.status, 200);
    assert_eq!(verify(&p, &i, ta, NOW + 106).status, 401);
    assert_eq!(send_at(&p, &i, bearer(get("/authsec/uflow/auth/sessions"), ta), NOW + 107).response.status, 401);
}

#[test]
fn admins_revoke_only_their_own_tenants_users() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = onboard(&p, &i, "bob@globex.test", "globex");
    let revoke = |token: &str, user: &str, now| {
        let path = format!("/authsec/uflow/admin/users/{user}/revoke-sessions");
        send_at(&p, &i, bearer(post_json(&path, json!({})), token), now).response
    };
    let (ta, tb) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());
    // Across tenants the user does not exist, and nothing changes.
    assert_eq!(revoke(ta, b["user_id"].as_str().unwrap(), NOW + 10).status, 404);
    assert_eq!(verify(&p, &i, tb, NOW + 11).status, 200);
    // A token without the admin role is refused.
    let mut plain = claims(NOW);
    plain.tenant_id = a["tenant_id"].as_str().unwrap().into();
    plain.roles = vec![];
    let plain = sign(&plain, &p.config().keys);
    assert_eq!(revoke(&plain, a["user_id"].as_str().unwrap(), NOW + 12).status, 403);
    let done = revoke(ta, a["user_id"].as_str().unwrap(), NOW + 13);
    assert_eq!(done.json_body()["revoked"], 1);
    assert_eq!(verify(&p, &i, ta, NOW + 14).status, 401);
}

#[test]
fn challenges_are_single_use() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    let challenge = send_at(&p, &i, get("/authsec/uflow/auth/admin/challenge"), NOW + 100).response.json_body();
    let nonce = challenge["challenge"].as_str().unwrap();
    assert_eq!(challenge["expires_at"], NOW + 100 + 300);
    let login = |now| {
        post(
            &p,
            &i,
            "/authsec/uflow/auth/admin/login",
            json!({"email": "ada@acme.test", "password": PASSWORD, "challenge": nonce}),
            now,
        )
    };
    assert_eq!(login(NOW + 101).status, 200);
    assert_eq!(login(NOW + 200).status, 400, "used");
}

#[test]
fn a_ticket_key_of_another_kind_is_never_a_login_challenge() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    // A key that the ChallengeStore holds for something else and that a caller may
    // know (a CIBA request id is handed out in clear), presented as a challenge.
    let foreign = "ciba-request-id-the-user-was-shown";
    block_on(p.durable.put_ticket(foreign, &json!({"group": "g"}), NOW + 600)).unwrap();
    let login = json!({"email": "ada@acme.test", "password": PASSWORD, "challenge": foreign});
    let out = post(&p, &i, "/authsec/uflow/auth/admin/login", login, NOW + 1);
    assert_eq!(out.status, 400, "not a challenge of this kind");
    assert!(block_on(p.durable.peek_ticket(foreign, NOW + 2)).unwrap().is_some(), "and it was not consumed");
    // The nonce a client is given is not itself a store key either.
    let challenge = send_at(&p, &i, get("/authsec/uflow/auth/admin/challenge"), NOW + 3).response.json_body();
    let nonce = challenge["challenge"].as_str().unwrap();
    assert!(block_on(p.durable.peek_ticket(nonce, NOW + 4)).unwrap().is_none());
}

#[test]
fn the_dev_outbox_exists_only_in_development() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    assert_eq!(send(&p, &i, get("/authsec/dev/outbox?to=ada%40acme.test")).response.status, 404);
    let mut config = config_with(ring());
    config.environment = authsec_edge::config::Environment::Development;
    let (p, i) = (TestPlatform::with_config(Ok(config)), Isolate::default());
    post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login/bootstrap",
        json!({"email": "ada@acme.test", "password": PASSWORD, "tenant_domain": "acme"}),
        NOW,
    );
    let outbox = send(&p, &i, get("/authsec/dev/outbox?to=ADA%40acme.test")).response.json_body();
    let body = outbox["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains(&latest_code(&p, "ada@acme.test")));
    assert_eq!(send(&p, &i, get("/authsec/dev/outbox")).response.status, 400);
}

#[test]
fn a_login_rehashes_a_password_made_with_older_parameters() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let login = onboard(&p, &i, "ada@acme.test", "acme");
    let tenant = login["tenant_id"].as_str().unwrap();
    let user = login["user_id"].as_str().unwrap();
    let stored = |p: &TestPlatform| {
        use authsec_edge::store::accounts::AccountStore;
        block_on(p.store.user_by_id(TenantId::new(tenant), UserId::new(user))).unwrap().unwrap().password_hash
    };
    assert!(stored(&p).contains("m=1024,t=1"));
    // The same deployment with stronger parameters: the next login upgrades the hash.
    let mut config = config_with(ring());
    config.password_hashing.memory_kib = 2048;
    let mut stronger = TestPlatform::with_config(Ok(config));
    stronger.store = p.store;
    let ok = send_at(
        &stronger,
        &i,
        post_json("/authsec/uflow/auth/admin/login", json!({"email": "ada@acme.test", "password": PASSWORD})),
        NOW + 100,
    );
    assert_eq!(ok.response.status, 200);
    let upgraded = stored(&stronger);
    assert!(upgraded.contains("m=2048,t=1"), "{upgraded}");
    // And the upgraded hash still verifies.
    let again = send_at(
        &stronger,
        &i,
        post_json("/authsec/uflow/auth/admin/login", json!({"email": "ada@acme.test", "password": PASSWORD})),
        NOW + 200,
    );
    assert_eq!(again.response.status, 200);
}

fn mails_to(p: &TestPlatform, to: &str) -> Vec<String> {
    p.mail.sent.borrow().iter().filter(|m| m.to == to).map(|m| m.subject.clone()).collect()
}

#[test]
fn a_rival_registration_neither_replaces_nor_completes_the_first() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let begin = |password: &str, domain: &str, now| {
        let body = json!({"email": "vic@acme.test", "password": password, "tenant_domain": domain});
        post(&p, &i, "/authsec/uflow/auth/admin/login/bootstrap", body, now)
    };
    assert_eq!(begin(PASSWORD, "victim-co", NOW).status, 201);
    let code = latest_code(&p, "vic@acme.test");
    let complete = |otp: &str, password: &str, now| {
        let body = json!({"email": "vic@acme.test", "otp": otp, "password": password});
        post(&p, &i, "/authsec/uflow/auth/admin/complete-registration", body, now)
    };
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_eq!(complete(wrong, PASSWORD, NOW + 61).json_body()["remaining_attempts"], 4);
    // Eve asks for the same email with her own password: answered alike, nothing mailed,
    // and the pending registration keeps its password and its attempt count.
    let eve = begin("eve's own passphrase", "eve-co", NOW + 122);
    assert_eq!(eve.status, 201, "answered like any request");
    assert_eq!(mails_to(&p, "vic@acme.test").len(), 1, "no second code went out");
    assert_eq!(complete(wrong, PASSWORD, NOW + 183).json_body()["remaining_attempts"], 3, "not reset");
    // The right code is useless with Eve's password (and costs an attempt).
    let stolen = complete(&code, "eve's own passphrase", NOW + 244);
    assert_eq!((stolen.status, stolen.json_body()["remaining_attempts"].clone()), (400, json!(2)));
    let missing = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/complete-registration",
        json!({"email": "vic@acme.test", "otp": code}),
        NOW + 305,
    );
    assert_eq!((missing.status, missing.json_body()["field"].clone()), (400, json!("password")));
    let done = complete(&code, PASSWORD, NOW + 366);
    assert_eq!(done.status, 201, "{}", done.json_body());
    let login = post(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login",
        json!({"email": "vic@acme.test", "password": PASSWORD}),
        NOW + 427,
    );
    assert_eq!(login.status, 200, "the account has the first requester's password");
}

#[test]
fn re_requesting_codes_does_not_buy_more_than_a_daily_budget_of_guesses() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    let mut now = NOW + 100;
    let mut tick = || {
        now += 61; // past the per-minute limits; the daily budget is what is under test
        now
    };
    let forgot = "/authsec/uflow/auth/admin/forgot-password";
    let verify = "/authsec/uflow/auth/admin/forgot-password/verify-otp";
    let mut attempts = 0;
    while attempts < 20 {
        assert_eq!(post(&p, &i, forgot, json!({"email": "ada@acme.test"}), tick()).status, 200);
        let code = latest_code(&p, "ada@acme.test");
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..5 {
            let out = post(&p, &i, verify, json!({"email": "ada@acme.test", "otp": wrong}), tick());
            assert_eq!(out.status, 400, "attempt {attempts}: {}", out.json_body());
            attempts += 1;
        }
    }
    assert_eq!(post(&p, &i, forgot, json!({"email": "ada@acme.test"}), tick()).status, 200);
    let code = latest_code(&p, "ada@acme.test");
    let locked = post(&p, &i, verify, json!({"email": "ada@acme.test", "otp": code}), tick());
    assert_eq!(locked.status, 423, "even the right code, after 20 wrong ones today: {}", locked.json_body());
    assert!(locked.header("retry-after").is_some());
    let notices = mails_to(&p, "ada@acme.test").into_iter().filter(|s| s.contains("locked")).count();
    assert_eq!(notices, 1, "the owner hears of it once");
    post(&p, &i, verify, json!({"email": "ada@acme.test", "otp": code}), tick());
    let notices = mails_to(&p, "ada@acme.test").into_iter().filter(|s| s.contains("locked")).count();
    assert_eq!(notices, 1, "and only once");
}

#[test]
fn guesses_where_no_code_was_issued_lock_nothing() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    onboard(&p, &i, "ada@acme.test", "acme");
    let verify = "/authsec/uflow/auth/admin/forgot-password/verify-otp";
    let mut now = NOW + 100;
    for _ in 0..25 {
        now += 61;
        let out = post(&p, &i, verify, json!({"email": "ada@acme.test", "otp": "000000"}), now);
        assert_eq!(out.status, 400, "no code is pending: {}", out.json_body());
    }
    // Nobody can lock an address's recovery by guessing against nothing.
    assert_eq!(
        post(&p, &i, "/authsec/uflow/auth/admin/forgot-password", json!({"email": "ada@acme.test"}), now + 61).status,
        200
    );
    let code = latest_code(&p, "ada@acme.test");
    let out = post(&p, &i, verify, json!({"email": "ada@acme.test", "otp": code}), now + 122);
    assert_eq!(out.status, 200, "{}", out.json_body());
}
