//! The credential a browser posts back: the JSON of `PublicKeyCredential.toJSON()`
//! (WebAuthn L3 §5.1.8 `RegistrationResponseJSON`, `AuthenticationResponseJSON`),
//! decoded into typed byte fields for [`super::verify_registration`] and
//! [`super::verify_assertion`].
//!
//! Invariants: every binary field is base64url (unpadded as `toJSON()` sends it, or
//! padded as some libraries do) of at most [`MAX_FIELD_LEN`] characters; `type` is
//! "public-key"; `id` and `rawId` decode to the same credential ID of 1 to 1023 bytes.
//! Errors name the offending field.

use super::authdata::MAX_CREDENTIAL_ID_LEN;
use super::WebauthnError;
use serde_json::{Map, Value};

/// Longest binary field accepted, in base64url characters.
pub const MAX_FIELD_LEN: usize = 16 * 1024;

/// Longest user handle, in bytes (§5.4.3).
pub const MAX_USER_HANDLE_LEN: usize = 64;

/// Most transports kept, and the longest transport name.
const MAX_TRANSPORTS: usize = 16;
const MAX_TRANSPORT_LEN: usize = 64;

/// A posted registration credential (`RegistrationResponseJSON`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationResponse {
    pub credential_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub attestation_object: Vec<u8>,
    /// `response.transports` as the browser reported them (§5.8.4), to store and echo in
    /// later `allowCredentials`; empty when absent.
    pub transports: Vec<String>,
}

/// A posted assertion (`AuthenticationResponseJSON`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionResponse {
    pub credential_id: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub authenticator_data: Vec<u8>,
    pub signature: Vec<u8>,
    /// The user handle of a discoverable credential; `None` when absent, null or empty.
    pub user_handle: Option<Vec<u8>>,
}

/// Parses `RegistrationResponseJSON` (§5.1.8).
pub fn parse_registration_response(json: &Value) -> Result<RegistrationResponse, WebauthnError> {
    let (credential_id, response) = envelope(json)?;
    Ok(RegistrationResponse {
        credential_id,
        client_data_json: binary(response, "clientDataJSON", "response.clientDataJSON")?,
        attestation_object: binary(response, "attestationObject", "response.attestationObject")?,
        transports: transports(response)?,
    })
}

/// Parses `AuthenticationResponseJSON` (§5.1.8).
pub fn parse_assertion_response(json: &Value) -> Result<AssertionResponse, WebauthnError> {
    let (credential_id, response) = envelope(json)?;
    let user_handle = match response.get("userHandle") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(_) => {
            let handle = binary(response, "userHandle", "response.userHandle")?;
            if handle.len() > MAX_USER_HANDLE_LEN {
                return Err(WebauthnError::FieldTooLarge("response.userHandle"));
            }
            Some(handle)
        }
    };
    Ok(AssertionResponse {
        credential_id,
        client_data_json: binary(response, "clientDataJSON", "response.clientDataJSON")?,
        authenticator_data: binary(response, "authenticatorData", "response.authenticatorData")?,
        signature: binary(response, "signature", "response.signature")?,
        user_handle,
    })
}

/// The fields common to both shapes: `id`, `rawId`, `type` and the `response` object.
fn envelope(json: &Value) -> Result<(Vec<u8>, &Map<String, Value>), WebauthnError> {
    let object = json.as_object().ok_or(WebauthnError::InvalidField("credential"))?;
    match object.get("type") {
        None => return Err(WebauthnError::MissingField("type")),
        Some(Value::String(t)) if t == "public-key" => {}
        Some(_) => return Err(WebauthnError::InvalidField("type")),
    }
    let id = binary(object, "id", "id")?;
    let raw_id = binary(object, "rawId", "rawId")?;
    if id != raw_id {
        return Err(WebauthnError::CredentialIdMismatch);
    }
    if raw_id.is_empty() || raw_id.len() > MAX_CREDENTIAL_ID_LEN {
        return Err(WebauthnError::InvalidField("rawId"));
    }
    let response = match object.get("response") {
        None => return Err(WebauthnError::MissingField("response")),
        Some(Value::Object(response)) => response,
        Some(_) => return Err(WebauthnError::InvalidField("response")),
    };
    Ok((raw_id, response))
}

/// A required base64url field `key` of `object`; `name` is its path for errors.
fn binary(object: &Map<String, Value>, key: &str, name: &'static str) -> Result<Vec<u8>, WebauthnError> {
    let text = match object.get(key) {
        None | Some(Value::Null) => return Err(WebauthnError::MissingField(name)),
        Some(Value::String(text)) => text,
        Some(_) => return Err(WebauthnError::InvalidField(name)),
    };
    if text.len() > MAX_FIELD_LEN {
        return Err(WebauthnError::FieldTooLarge(name));
    }
    decode_base64url(text).ok_or(WebauthnError::InvalidField(name))
}

/// base64url with or without padding (RFC 4648 §5); the standard alphabet is refused.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let unpadded = if text.len().is_multiple_of(4) {
        text.strip_suffix("==").or_else(|| text.strip_suffix('=')).unwrap_or(text)
    } else {
        text
    };
    crate::b64::decode(unpadded)
}

/// `response.transports`: optional array of short strings.
fn transports(response: &Map<String, Value>) -> Result<Vec<String>, WebauthnError> {
    const NAME: &str = "response.transports";
    let items = match response.get("transports") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(WebauthnError::InvalidField(NAME)),
    };
    if items.len() > MAX_TRANSPORTS {
        return Err(WebauthnError::FieldTooLarge(NAME));
    }
    items
        .iter()
        .map(|item| match item.as_str() {
            Some(t) if !t.is_empty() && t.len() <= MAX_TRANSPORT_LEN => Ok(t.to_owned()),
            _ => Err(WebauthnError::InvalidField(NAME)),
        })
        .collect()
}
