//! The options a browser passes to `navigator.credentials.create()` / `.get()`, in the
//! JSON form of WebAuthn L3 §5.1.11 (`PublicKeyCredentialCreationOptionsJSON`) and
//! §5.1.12 (`PublicKeyCredentialRequestOptionsJSON`), which
//! `PublicKeyCredential.parseCreationOptionsFromJSON()` and friends accept as is.
//!
//! Invariants: every binary value (challenge, user ID, credential IDs) is base64url
//! without padding; the algorithms offered are exactly those a [`super::PublicKey`] verifies,
//! in order of preference; attestation is "none", since this RP does not evaluate
//! attestation trust.

use super::cose::CoseAlg;
use crate::b64;
use serde_json::{json, Value};

/// How long the browser lets the user take, in milliseconds (§5.4 `timeout`).
pub const TIMEOUT_MS: u64 = 300_000;

/// Inputs of [`creation_options`]; binary values are raw bytes.
#[derive(Debug, Clone, Copy)]
pub struct CreationOptionsParams<'a> {
    pub rp_id: &'a str,
    /// Human-palatable RP name (§5.4.1).
    pub rp_name: &'a str,
    /// The user handle: opaque, at most 64 bytes, no personal data (§5.4.3, §14.6.1).
    pub user_id: &'a [u8],
    pub user_name: &'a str,
    pub display_name: &'a str,
    pub challenge: &'a [u8],
    /// Credentials the user already has, so the authenticator does not register twice.
    pub exclude_credential_ids: &'a [Vec<u8>],
    /// Ask for a discoverable credential (passkey) rather than prefer one (§5.4.6).
    pub require_resident_key: bool,
    /// "required", "preferred" or "discouraged" (§5.8.6).
    pub user_verification: &'a str,
}

/// `PublicKeyCredentialCreationOptionsJSON` (WebAuthn L3 §5.1.11).
pub fn creation_options(params: &CreationOptionsParams<'_>) -> Value {
    let pub_key_cred_params: Vec<Value> =
        CoseAlg::OFFERED.iter().map(|alg| json!({ "type": "public-key", "alg": alg.id() })).collect();
    json!({
        "rp": { "id": params.rp_id, "name": params.rp_name },
        "user": {
            "id": b64::encode(params.user_id),
            "name": params.user_name,
            "displayName": params.display_name,
        },
        "challenge": b64::encode(params.challenge),
        "pubKeyCredParams": pub_key_cred_params,
        "timeout": TIMEOUT_MS,
        "excludeCredentials": descriptors(params.exclude_credential_ids),
        "authenticatorSelection": {
            "residentKey": if params.require_resident_key { "required" } else { "preferred" },
            "requireResidentKey": params.require_resident_key,
            "userVerification": params.user_verification,
        },
        "attestation": "none",
    })
}

/// `PublicKeyCredentialRequestOptionsJSON` (WebAuthn L3 §5.1.12). An empty
/// `allow_credential_ids` lets the user pick any discoverable credential for `rp_id`.
pub fn request_options(
    rp_id: &str,
    challenge: &[u8],
    allow_credential_ids: &[Vec<u8>],
    user_verification: &str,
) -> Value {
    json!({
        "challenge": b64::encode(challenge),
        "timeout": TIMEOUT_MS,
        "rpId": rp_id,
        "allowCredentials": descriptors(allow_credential_ids),
        "userVerification": user_verification,
    })
}

/// `PublicKeyCredentialDescriptorJSON` list (§5.8.3).
fn descriptors(ids: &[Vec<u8>]) -> Vec<Value> {
    ids.iter().map(|id| json!({ "type": "public-key", "id": b64::encode(id) })).collect()
}
