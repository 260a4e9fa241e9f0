//! Passkeys over the API with a software authenticator: registration from a session,
//! discoverable sign-in, the second step of a password login, and the refusals
//! (replayed challenge, wrong origin, missing UV, cloned counter, strangers).

use crate::soft_authenticator::{SoftAuthenticator, ORIGIN, RP_ID};
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::HttpResponse;
use serde_json::{json, Value};

pub(super) fn call(p: &TestPlatform, i: &Isolate, path: &str, token: Option<&str>, body: Value) -> HttpResponse {
    let mut req = post_json(path, body).with_header("cf-connecting-ip", "10.8.8.8");
    if let Some(token) = token {
        req = req.with_header("authorization", &format!("Bearer {token}"));
    }
    send_at(p, i, req, NOW + 10).response
}

/// An admin with one registered passkey; returns the admin's login and the authenticator.
pub(super) fn with_passkey(
    p: &TestPlatform,
    i: &Isolate,
    email: &str,
    domain: &str,
    seed: u8,
) -> (Value, SoftAuthenticator) {
    let login = onboard(p, i, email, domain);
    let token = login["token"].as_str().unwrap();
    let begin =
        call(p, i, "/authsec/webauthn/admin/beginRegistration", Some(token), json!({"password": ADMIN_PASSWORD}));
    assert_eq!(begin.status, 200, "{}", begin.json_body());
    let options = begin.json_body()["publicKey"].clone();
    let step_up = begin.json_body()["step_up_token"].clone();
    assert_eq!(options["rp"]["id"], RP_ID);
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    let mut authenticator = SoftAuthenticator::new(seed);
    let credential = authenticator.register(&options, ORIGIN, RP_ID);
    let finish = call(
        p,
        i,
        "/authsec/webauthn/admin/finishRegistration",
        Some(token),
        json!({"credential": credential, "step_up_token": step_up}),
    );
    assert_eq!(finish.status, 201, "{}", finish.json_body());
    (login, authenticator)
}

pub(super) fn begin_sign_in(p: &TestPlatform, i: &Isolate, body: Value) -> Value {
    let begin = call(p, i, "/authsec/webauthn/admin/beginAuthentication", None, body);
    assert_eq!(begin.status, 200, "{}", begin.json_body());
    begin.json_body()["publicKey"].clone()
}

pub(super) fn finish_sign_in(p: &TestPlatform, i: &Isolate, body: Value) -> HttpResponse {
    call(p, i, "/authsec/webauthn/admin/finishAuthentication", None, body)
}

#[test]
fn a_registered_passkey_alone_signs_in_and_its_challenge_works_once() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (login, mut authenticator) = with_passkey(&p, &i, "ada@acme.test", "acme", 3);
    let options = begin_sign_in(&p, &i, json!({}));
    assert_eq!(options["allowCredentials"], json!([]), "discoverable: no email, no list");
    let credential = authenticator.assert(&options);
    let done = finish_sign_in(&p, &i, json!({"credential": credential}));
    assert_eq!(done.status, 200, "{}", done.json_body());
    let token = done.json_body()["token"].as_str().unwrap().to_string();
    let verified = call(&p, &i, "/authsec/authmgr/token/verify", None, json!({"token": token})).json_body();
    assert_eq!((verified["valid"].clone(), verified["user_id"].clone()), (json!(true), login["user_id"].clone()));
    let replay = finish_sign_in(&p, &i, json!({"credential": credential}));
    assert_eq!(replay.status, 401, "the challenge is spent: {}", replay.json_body());
}

#[test]
fn with_a_passkey_enrolled_a_password_login_waits_for_it() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, mut authenticator) = with_passkey(&p, &i, "ada@acme.test", "acme", 4);
    let pending = call(
        &p,
        &i,
        "/authsec/uflow/auth/admin/login",
        None,
        json!({"email": "ada@acme.test", "password": ADMIN_PASSWORD}),
    )
    .json_body();
    assert_eq!((pending["mfa_required"].clone(), pending["webauthn_required"].clone()), (json!(true), json!(true)));
    assert!(pending.get("token").is_none());
    let mfa_token = pending["mfa_token"].as_str().unwrap();
    let options = begin_sign_in(&p, &i, json!({"mfa_token": mfa_token}));
    assert_eq!(options["allowCredentials"].as_array().unwrap().len(), 1);
    let done = finish_sign_in(&p, &i, json!({"credential": authenticator.assert(&options), "mfa_token": mfa_token}));
    assert_eq!(done.status, 200, "{}", done.json_body());
    let status = call(&p, &i, "/authsec/webauthn/admin/mfa/status", None, json!({"email": "ada@acme.test"}));
    assert_eq!(status.json_body()["methods"], json!(["password", "webauthn"]));
}

/// Makes a bad assertion for the options of a begun sign-in.
type Forgery = dyn Fn(&mut SoftAuthenticator, &Value) -> Value;

#[test]
fn refusals_name_the_rule_that_failed() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, mut authenticator) = with_passkey(&p, &i, "ada@acme.test", "acme", 5);
    let cases: [(&str, Box<Forgery>); 3] = [
        ("origin", Box::new(|a, o| a.assert_with(o, "https://evil.example.test", 0x05, 1))),
        ("user verification", Box::new(|a, o| a.assert_with(o, ORIGIN, 0x01, 1))),
        (
            "signature",
            Box::new(|a, o| {
                let mut c = a.assert(o);
                let sig = c["response"]["signature"].as_str().unwrap().to_string();
                let mut bytes = authsec_edge::b64::decode(&sig).unwrap();
                let last = bytes.len() - 1;
                bytes[last] ^= 1;
                c["response"]["signature"] = json!(authsec_edge::b64::encode(&bytes));
                c
            }),
        ),
    ];
    for (rule, forge) in cases {
        let options = begin_sign_in(&p, &i, json!({"email": "ada@acme.test"}));
        let refused = finish_sign_in(&p, &i, json!({"credential": forge(&mut authenticator, &options)}));
        assert_eq!(refused.status, 401, "{rule}: {}", refused.json_body());
        assert_eq!(refused.json_body()["error"], "webauthn_verification_failed");
    }
}

#[test]
fn a_counter_going_backwards_flags_the_passkey_for_good() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, mut authenticator) = with_passkey(&p, &i, "ada@acme.test", "acme", 6);
    let options = begin_sign_in(&p, &i, json!({}));
    let credential = authenticator.assert_with(&options, ORIGIN, 0x05, 5);
    assert_eq!(finish_sign_in(&p, &i, json!({"credential": credential})).status, 200);
    let options = begin_sign_in(&p, &i, json!({}));
    let clone = authenticator.assert_with(&options, ORIGIN, 0x05, -2);
    let refused = finish_sign_in(&p, &i, json!({"credential": clone}));
    assert_eq!(refused.status, 401);
    assert!(refused.json_body()["message"].as_str().unwrap().contains("cloned"));
    let options = begin_sign_in(&p, &i, json!({}));
    let honest = authenticator.assert_with(&options, ORIGIN, 0x05, 10);
    assert_eq!(finish_sign_in(&p, &i, json!({"credential": honest})).status, 401, "flagged for good");
}

#[test]
fn registration_needs_the_owners_session_and_passkeys_stay_in_their_tenant() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, mut ada) = with_passkey(&p, &i, "ada@acme.test", "acme", 7);
    let bob = onboard(&p, &i, "bob@beta.test", "beta");
    let bob_token = bob["token"].as_str().unwrap();
    let unauthenticated = call(&p, &i, "/authsec/webauthn/admin/beginRegistration", None, json!({}));
    assert_eq!(unauthenticated.status, 401);
    let for_other = json!({"email": "ada@acme.test"});
    let hijack = call(&p, &i, "/authsec/webauthn/admin/beginRegistration", Some(bob_token), for_other);
    assert_eq!(hijack.status, 403, "no registering for someone else");
    // A challenge issued for Bob's login does not accept Ada's passkey.
    let options = begin_sign_in(&p, &i, json!({"email": "bob@beta.test"}));
    let refused = finish_sign_in(&p, &i, json!({"credential": ada.assert(&options)}));
    assert_eq!(refused.status, 401, "{}", refused.json_body());
    let enduser_route = call(&p, &i, "/authsec/webauthn/enduser/beginRegistration", Some(bob_token), json!({}));
    assert_eq!(enduser_route.status, 403, "an admin registers under the admin route");
}

#[test]
fn malformed_credentials_are_a_clear_400() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, _) = with_passkey(&p, &i, "ada@acme.test", "acme", 8);
    for credential in [
        json!(null),
        json!("text"),
        json!({"id": "AAAA", "rawId": "AAAB", "type": "public-key", "response": {}}),
        json!({"id": "AAAA", "rawId": "AAAA", "type": "password", "response": {}}),
    ] {
        let refused = finish_sign_in(&p, &i, json!({"credential": credential}));
        assert_eq!(refused.status, 400, "{credential}: {}", refused.json_body());
    }
    assert_eq!(finish_sign_in(&p, &i, json!({})).status, 400);
}
