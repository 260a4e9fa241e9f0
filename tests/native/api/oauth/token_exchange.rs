//! Token exchange (RFC 8693): it only narrows, names the actor, and lives no longer than
//! the subject's session (issue 14).

use super::super::grants::device::{call, error_of};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", authsec_edge::http::percent_encode(v))).collect::<Vec<_>>().join("&")
}

fn exchange(p: &TestPlatform, i: &Isolate, client: &(String, String), pairs: &[(&str, &str)]) -> HttpResponse {
    let mut all = vec![("grant_type", EXCHANGE)];
    all.extend_from_slice(pairs);
    let basic = Base64::encode_string(format!("{}:{}", client.0, client.1).as_bytes());
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/token")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("authorization", &format!("Basic {basic}"))
        .with_body(form(&all).into_bytes());
    send_at(p, i, req, NOW + 10).response
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).unwrap()).unwrap()
}

/// A tenant with a client registered for token exchange.
fn setup(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> (Value, (String, String)) {
    let admin = onboard(p, i, email, domain);
    let tenant = admin["tenant_id"].as_str().unwrap();
    let created = call(
        p,
        i,
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        admin["token"].as_str(),
        json!({"name": "gateway", "client_type": "confidential", "grant_types": [EXCHANGE]}),
        NOW,
    );
    assert_eq!(created.status, 201, "{}", created.json_body());
    let created = created.json_body();
    (admin, (created["client_id"].as_str().unwrap().into(), created["client_secret"].as_str().unwrap().into()))
}

#[test]
fn an_exchange_narrows_a_users_token_for_the_client_and_names_the_actor() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client) = setup(&p, &i, "ada@acme.test", "acme");
    let subject = admin["token"].as_str().unwrap();
    let plain = exchange(
        &p,
        &i,
        &client,
        &[("subject_token", subject), ("subject_token_type", ACCESS), ("scope", "documents:read")],
    );
    assert_eq!(plain.status, 200, "{}", plain.json_body());
    assert_eq!(plain.json_body()["issued_token_type"], ACCESS);
    let narrowed = plain.json_body()["access_token"].as_str().unwrap().to_string();
    let claims = payload(&narrowed);
    let original = payload(subject);
    assert_eq!(claims["sub"], original["sub"], "still the user");
    assert_eq!(claims["sid"], original["sid"], "bound to the user's session");
    assert_eq!(claims["client_id"].as_str(), Some(client.0.as_str()));
    assert_eq!(
        (claims["grant"].as_str(), claims["scope"].clone()),
        (Some("token_exchange"), json!(["documents:read"]))
    );
    assert_eq!(claims["roles"], json!([]), "no role: its scopes name none");
    assert!(claims["exp"].as_i64() <= original["exp"].as_i64());
    // Narrowing again is fine; widening a scoped token is not.
    let wider = exchange(
        &p,
        &i,
        &client,
        &[("subject_token", &narrowed), ("subject_token_type", ACCESS), ("scope", "documents:read documents:write")],
    );
    assert_eq!(error_of(&wider), (400, "invalid_scope".into()));
    // An actor token names who acts.
    let acting = exchange(
        &p,
        &i,
        &client,
        &[
            ("subject_token", &narrowed),
            ("subject_token_type", ACCESS),
            ("actor_token", subject),
            ("actor_token_type", ACCESS),
        ],
    );
    assert_eq!(acting.status, 200, "{}", acting.json_body());
    let act = payload(acting.json_body()["access_token"].as_str().unwrap())["act"].clone();
    assert_eq!(act["sub"], original["sub"]);
    assert_eq!(act["client_id"], original["client_id"]);
}

#[test]
fn the_exchanged_token_ends_with_the_subjects_session() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (admin, client) = setup(&p, &i, "ada@acme.test", "acme");
    let subject = admin["token"].as_str().unwrap();
    let out =
        exchange(&p, &i, &client, &[("subject_token", subject), ("subject_token_type", ACCESS), ("scope", "x:y")]);
    let narrowed = out.json_body()["access_token"].as_str().unwrap().to_string();
    let logout = call(&p, &i, "/authsec/uflow/auth/logout", Some(subject), json!({}), NOW + 11);
    assert_eq!(logout.status, 200, "{}", logout.json_body());
    let strict =
        call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": narrowed, "strict": true}), NOW + 12);
    assert_eq!(strict.status, 401);
    let again = exchange(&p, &i, &client, &[("subject_token", subject), ("subject_token_type", ACCESS)]);
    assert_eq!(error_of(&again), (400, "invalid_grant".into()), "a revoked subject is refused");
}

#[test]
fn another_tenants_token_wrong_types_and_clients_without_the_grant_are_refused() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, client) = setup(&p, &i, "ada@acme.test", "acme");
    let (other_admin, _) = setup(&p, &i, "bo@globex.test", "globex");
    let foreign = other_admin["token"].as_str().unwrap();
    let crossed = exchange(&p, &i, &client, &[("subject_token", foreign), ("subject_token_type", ACCESS)]);
    assert_eq!(error_of(&crossed), (400, "invalid_grant".into()));
    let untyped = exchange(&p, &i, &client, &[("subject_token", foreign)]);
    assert_eq!(error_of(&untyped), (400, "invalid_request".into()));
    let refresh_type = exchange(
        &p,
        &i,
        &client,
        &[
            ("subject_token", foreign),
            ("subject_token_type", ACCESS),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"),
        ],
    );
    assert_eq!(error_of(&refresh_type), (400, "invalid_request".into()));
    let (admin, _) = setup(&p, &i, "cy@initech.test", "initech");
    let tenant = admin["tenant_id"].as_str().unwrap();
    let plain = call(
        &p,
        &i,
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        admin["token"].as_str(),
        json!({"name": "plain", "client_type": "confidential"}),
        NOW,
    )
    .json_body();
    let no_grant =
        (plain["client_id"].as_str().unwrap().to_string(), plain["client_secret"].as_str().unwrap().to_string());
    let refused = exchange(
        &p,
        &i,
        &no_grant,
        &[("subject_token", admin["token"].as_str().unwrap()), ("subject_token_type", ACCESS)],
    );
    assert_eq!(error_of(&refused), (400, "unauthorized_client".into()));
}
