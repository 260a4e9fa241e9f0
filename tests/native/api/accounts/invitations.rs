//! Invitations: invite, list, resend, cancel, accept — tokens single use and scoped.

use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

fn call(p: &TestPlatform, i: &Isolate, method: Method, path: &str, token: Option<&str>, body: Value) -> HttpResponse {
    let mut req = HttpRequest::new(method, path).with_json(&body);
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, NOW + 10).response
}

fn invite_token(p: &TestPlatform, to: &str) -> String {
    let sent = p.mail.sent.borrow();
    let mail = sent.iter().rev().find(|m| m.to == to).expect("an invitation was mailed");
    let after = mail.text.split("with this token: ").nth(1).expect("the mail carries a token");
    after.split_whitespace().next().unwrap().to_string()
}

#[test]
fn an_invitee_accepts_once_and_signs_in_with_the_invited_role() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let ta = a["token"].as_str().unwrap();
    let invited = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/admin/invite",
        Some(ta),
        json!({"email": "Ben@Acme.test", "role": "admin"}),
    );
    assert_eq!(invited.status, 201, "{}", invited.json_body());
    assert_eq!(invited.json_body()["email"], "ben@acme.test");
    let pending = call(&p, &i, Method::Get, "/authsec/uflow/admin/invite/pending", Some(ta), json!({})).json_body();
    assert_eq!(pending["total"], 1);
    assert!(!pending.to_string().contains(&invite_token(&p, "ben@acme.test")), "the token is never listed");
    let token = invite_token(&p, "ben@acme.test");
    let weak = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/auth/admin/invite/accept",
        None,
        json!({"token": token, "password": "password1"}),
    );
    assert_eq!((weak.status, weak.json_body()["field"].as_str()), (400, Some("password")));
    let accepted = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/auth/admin/invite/accept",
        None,
        json!({"token": token, "password": "ben's own long passphrase", "name": "Ben"}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.json_body());
    assert_eq!(accepted.json_body()["tenant_id"], a["tenant_id"]);
    let again = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/auth/admin/invite/accept",
        None,
        json!({"token": token, "password": "ben's own long passphrase"}),
    );
    assert_eq!((again.status, again.json_body()["error"].as_str()), (400, Some("invalid_grant")));
    let login = call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/auth/admin/login",
        None,
        json!({"email": "ben@acme.test", "password": "ben's own long passphrase"}),
    );
    assert_eq!(login.status, 200);
    let verified =
        call(&p, &i, Method::Post, "/authsec/authmgr/token/verify", None, json!({"token": login.json_body()["token"]}));
    assert_eq!(verified.json_body()["roles"], json!(["admin"]));
    assert_eq!(
        call(&p, &i, Method::Get, "/authsec/uflow/admin/invite/pending", Some(ta), json!({})).json_body()["total"],
        0
    );
}

#[test]
fn resending_replaces_the_token_and_cancelling_voids_it() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let ta = a["token"].as_str().unwrap();
    call(
        &p,
        &i,
        Method::Post,
        "/authsec/uflow/admin/invite",
        Some(ta),
        json!({"email": "ben@acme.test", "role": "admin"}),
    );
    let first = invite_token(&p, "ben@acme.test");
    let resent =
        call(&p, &i, Method::Post, "/authsec/uflow/admin/invite/resend", Some(ta), json!({"email": "ben@acme.test"}));
    assert_eq!(resent.status, 200);
    let second = invite_token(&p, "ben@acme.test");
    assert_ne!(first, second);
    let accept = |token: &str| {
        call(
            &p,
            &i,
            Method::Post,
            "/authsec/uflow/auth/admin/invite/accept",
            None,
            json!({"token": token, "password": "ben's own long passphrase"}),
        )
    };
    assert_eq!(accept(&first).status, 400, "the old token no longer works");
    let id = resent.json_body()["id"].as_str().unwrap().to_string();
    let cancelled =
        call(&p, &i, Method::Post, "/authsec/uflow/admin/invite/cancel", Some(ta), json!({"invitation_id": id}));
    assert_eq!(cancelled.json_body()["status"], "cancelled");
    assert_eq!(accept(&second).status, 400, "a cancelled invitation cannot be accepted");
    assert_eq!(
        call(&p, &i, Method::Post, "/authsec/uflow/admin/invite/cancel", Some(ta), json!({"invitation_id": id})).status,
        404
    );
}

#[test]
fn invitations_are_validated_and_scoped_to_the_tenant() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let a = onboard(&p, &i, "ada@acme.test", "acme");
    let b = onboard(&p, &i, "bob@globex.test", "globex");
    let (ta, tb) = (a["token"].as_str().unwrap(), b["token"].as_str().unwrap());
    let invite =
        |token: &str, body: Value| call(&p, &i, Method::Post, "/authsec/uflow/admin/invite", Some(token), body);
    assert_eq!(invite(ta, json!({"email": "x@acme.test", "role": "owner"})).json_body()["field"], "role");
    assert_eq!(invite(ta, json!({"email": "nope", "role": "admin"})).json_body()["field"], "email");
    assert_eq!(
        invite(ta, json!({"email": "bob@globex.test", "role": "admin"})).status,
        409,
        "already an admin elsewhere"
    );
    assert_eq!(invite(ta, json!({"email": "ben@acme.test", "role": "admin"})).status, 201);
    assert_eq!(invite(ta, json!({"email": "ben@acme.test", "role": "admin"})).status, 409, "already invited");
    assert_eq!(
        call(&p, &i, Method::Post, "/authsec/uflow/admin/invite/cancel", Some(tb), json!({"email": "ben@acme.test"}))
            .status,
        404
    );
    assert_eq!(
        call(&p, &i, Method::Get, "/authsec/uflow/admin/invite/pending", Some(tb), json!({})).json_body()["total"],
        0
    );
    assert_eq!(
        call(
            &p,
            &i,
            Method::Post,
            "/authsec/uflow/admin/invite",
            None,
            json!({"email": "c@acme.test", "role": "admin"})
        )
        .status,
        401
    );
    assert_eq!(
        call(
            &p,
            &i,
            Method::Post,
            "/authsec/uflow/auth/admin/invite/accept",
            None,
            json!({"token": "made-up", "password": "a long enough passphrase"})
        )
        .status,
        400
    );
}
