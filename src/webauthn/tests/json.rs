//! Options JSON, posted credential JSON, and a whole register-then-sign-in round trip
//! through them.

use super::authenticator::{self as soft, SoftKey, RP_ID};
use super::cases::{AuthCase, RegCase};
use crate::b64;
use crate::tokens::crypto::RustCrypto;
use crate::webauthn::response::decode_base64url;
use crate::webauthn::{
    creation_options, parse_assertion_response, parse_registration_response, request_options, verify_assertion,
    verify_registration, AssertionCheck, CreationOptionsParams, RegistrationCheck, WebauthnError,
};
use base64ct::Encoding;
use serde_json::{json, Value};

fn params<'a>(exclude: &'a [Vec<u8>], challenge: &'a [u8]) -> CreationOptionsParams<'a> {
    CreationOptionsParams {
        rp_id: RP_ID,
        rp_name: "Example",
        user_id: b"user-handle-1",
        user_name: "ada@example.com",
        display_name: "Ada",
        challenge,
        exclude_credential_ids: exclude,
        require_resident_key: true,
        user_verification: "required",
    }
}

#[test]
fn creation_options_shape() {
    let challenge = soft::challenge(1);
    let exclude = vec![b"old-cred".to_vec()];
    let options = creation_options(&params(&exclude, &challenge));
    assert_eq!(options["rp"], json!({ "id": "example.com", "name": "Example" }));
    assert_eq!(options["user"]["id"], b64::encode(b"user-handle-1"));
    assert_eq!(options["user"]["displayName"], "Ada");
    assert_eq!(options["challenge"], b64::encode(&challenge));
    let algs: Vec<i64> =
        options["pubKeyCredParams"].as_array().unwrap().iter().map(|p| p["alg"].as_i64().unwrap()).collect();
    assert_eq!(algs, [-7, -8, -257]);
    assert_eq!(options["pubKeyCredParams"][0]["type"], "public-key");
    assert_eq!(options["timeout"], 300_000);
    assert_eq!(options["excludeCredentials"], json!([{ "type": "public-key", "id": "b2xkLWNyZWQ" }]));
    assert_eq!(
        options["authenticatorSelection"],
        json!({ "residentKey": "required", "requireResidentKey": true, "userVerification": "required" })
    );
    assert_eq!(options["attestation"], "none");

    let preferred = creation_options(&CreationOptionsParams { require_resident_key: false, ..params(&[], &challenge) });
    assert_eq!(preferred["authenticatorSelection"]["residentKey"], "preferred");
    assert_eq!(preferred["excludeCredentials"], json!([]));
}

#[test]
fn request_options_shape() {
    let options = request_options(RP_ID, &[0xff; 16], &[vec![1, 2, 3]], "preferred");
    assert_eq!(
        options,
        json!({
            "challenge": "_____________________w",
            "timeout": 300_000,
            "rpId": "example.com",
            "allowCredentials": [{ "type": "public-key", "id": "AQID" }],
            "userVerification": "preferred",
        })
    );
}

fn registration_json(id: &[u8], client_data: &[u8], attestation_object: &[u8]) -> Value {
    json!({
        "id": b64::encode(id),
        "rawId": b64::encode(id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64::encode(client_data),
            "attestationObject": b64::encode(attestation_object),
            "transports": ["usb", "hybrid"],
        },
        "clientExtensionResults": {},
    })
}

#[test]
fn register_then_sign_in_through_json() {
    let origins = soft::origins();
    let challenge = soft::challenge(11);
    let options = creation_options(&params(&[], &challenge));
    let issued = b64::decode(options["challenge"].as_str().unwrap()).unwrap();

    let mut reg = RegCase::new(SoftKey::eddsa(5));
    reg.credential_id = b"sixteen-byte-id!".to_vec(); // base64 with padding
    reg.client_challenge = issued.clone();
    let built = reg.build();
    let posted = registration_json(&reg.credential_id, &built.client_data, &built.attestation_object);
    let response = parse_registration_response(&posted).unwrap();
    assert_eq!(response.transports, ["usb", "hybrid"]);
    let check = RegistrationCheck {
        client_data_json: &response.client_data_json,
        attestation_object: &response.attestation_object,
        expected_challenge: &challenge,
        allowed_origins: &origins,
        rp_id: RP_ID,
        require_user_verification: true,
    };
    let credential = pollster::block_on(verify_registration(&check, &RustCrypto)).unwrap();
    assert_eq!(credential.credential_id, response.credential_id);

    let challenge = soft::challenge(12);
    let options = request_options(RP_ID, &challenge, std::slice::from_ref(&credential.credential_id), "required");
    let mut auth = AuthCase::new(SoftKey::eddsa(5));
    auth.client_challenge = b64::decode(options["challenge"].as_str().unwrap()).unwrap();
    let built = auth.build();
    let id = b64::encode(&credential.credential_id);
    let posted = json!({
        "id": id,
        "rawId": base64ct::Base64Url::encode_string(&credential.credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64::encode(&built.client_data),
            "authenticatorData": b64::encode(&built.auth_data),
            "signature": b64::encode(&built.signature),
            "userHandle": b64::encode(b"user-handle-1"),
        },
    });
    let response = parse_assertion_response(&posted).unwrap();
    assert_eq!(response.credential_id, credential.credential_id);
    assert_eq!(response.user_handle.as_deref(), Some(&b"user-handle-1"[..]));
    let check = AssertionCheck {
        client_data_json: &response.client_data_json,
        authenticator_data: &response.authenticator_data,
        signature: &response.signature,
        expected_challenge: &challenge,
        allowed_origins: &origins,
        rp_id: RP_ID,
        require_user_verification: true,
        public_key_cose: &credential.public_key_cose,
        stored_sign_count: credential.sign_count,
    };
    let outcome = pollster::block_on(verify_assertion(&check, &RustCrypto)).unwrap();
    assert!(outcome.user_verified && !outcome.counter_regressed);
}

#[test]
fn base64url_with_or_without_padding_only() {
    assert_eq!(decode_base64url("YQ"), Some(b"a".to_vec()));
    assert_eq!(decode_base64url("YQ=="), Some(b"a".to_vec()));
    assert_eq!(decode_base64url("YWI="), Some(b"ab".to_vec()));
    assert_eq!(decode_base64url("YWJj"), Some(b"abc".to_vec()));
    assert_eq!(decode_base64url("_-8"), Some(vec![0xff, 0xef]));
    for bad in ["YQ=", "YQ===", "Y===", "YWJj====", "+/8", "/+8=", "YQ==YQ==", "Y Q"] {
        assert_eq!(decode_base64url(bad), None, "{bad}");
    }
}

#[test]
fn credential_json_errors_name_the_field() {
    let good = registration_json(b"cred", b"{}", &[0xa0]);
    assert!(parse_registration_response(&good).is_ok());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut json = good.clone();
        edit(&mut json);
        parse_registration_response(&json)
    };
    assert_eq!(broken(&|j| j["id"] = json!("b3RoZXI")), Err(WebauthnError::CredentialIdMismatch));
    assert_eq!(broken(&|j| j["type"] = json!("password")), Err(WebauthnError::InvalidField("type")));
    assert_eq!(broken(&|j| drop(j.as_object_mut().unwrap().remove("type"))), Err(WebauthnError::MissingField("type")));
    assert_eq!(
        broken(&|j| drop(j.as_object_mut().unwrap().remove("rawId"))),
        Err(WebauthnError::MissingField("rawId"))
    );
    assert_eq!(
        broken(&|j| drop(j["response"].as_object_mut().unwrap().remove("attestationObject"))),
        Err(WebauthnError::MissingField("response.attestationObject"))
    );
    assert_eq!(
        broken(&|j| j["response"]["clientDataJSON"] = json!(7)),
        Err(WebauthnError::InvalidField("response.clientDataJSON"))
    );
    assert_eq!(
        broken(&|j| j["response"]["clientDataJSON"] = json!("e30+")),
        Err(WebauthnError::InvalidField("response.clientDataJSON"))
    );
    assert_eq!(
        broken(&|j| j["response"]["attestationObject"] = json!("A".repeat(16 * 1024 + 1))),
        Err(WebauthnError::FieldTooLarge("response.attestationObject"))
    );
    assert_eq!(
        broken(&|j| j["response"]["transports"] = json!("usb")),
        Err(WebauthnError::InvalidField("response.transports"))
    );
    assert_eq!(broken(&|j| j["response"] = json!("x")), Err(WebauthnError::InvalidField("response")));
    assert_eq!(
        broken(&|j| drop(j.as_object_mut().unwrap().remove("response"))),
        Err(WebauthnError::MissingField("response"))
    );
    let long_id = b64::encode(&[1; 1024]);
    assert_eq!(
        broken(&|j| {
            j["id"] = json!(long_id);
            j["rawId"] = json!(long_id);
        }),
        Err(WebauthnError::InvalidField("rawId"))
    );
    assert_eq!(parse_registration_response(&json!([1])), Err(WebauthnError::InvalidField("credential")));
}

#[test]
fn assertion_json_errors() {
    let good = json!({
        "id": "Y3JlZA",
        "rawId": "Y3JlZA",
        "type": "public-key",
        "response": { "clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA", "userHandle": null },
    });
    assert_eq!(parse_assertion_response(&good).unwrap().user_handle, None);
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut json = good.clone();
        edit(&mut json);
        parse_assertion_response(&json)
    };
    assert_eq!(broken(&|j| j["response"]["userHandle"] = json!("")).unwrap().user_handle, None);
    assert_eq!(
        broken(&|j| j["response"]["userHandle"] = json!(b64::encode(&[1; 65]))),
        Err(WebauthnError::FieldTooLarge("response.userHandle"))
    );
    assert_eq!(
        broken(&|j| drop(j["response"].as_object_mut().unwrap().remove("signature"))),
        Err(WebauthnError::MissingField("response.signature"))
    );
    assert_eq!(
        broken(&|j| j["response"]["authenticatorData"] = Value::Null),
        Err(WebauthnError::MissingField("response.authenticatorData"))
    );
    assert_eq!(broken(&|j| j["rawId"] = json!("Y3JlZQ")), Err(WebauthnError::CredentialIdMismatch));
}
