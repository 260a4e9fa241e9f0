//! clientDataJSON (WebAuthn L3 §5.8.1): what the browser says about the ceremony — its
//! type, the challenge it answered and the origin it ran in. The authenticator signs its
//! SHA-256 hash, so once the signature verifies these checks bind the ceremony to this
//! RP, this challenge and an allowed origin.
//!
//! Invariants: the challenge is compared as decoded bytes in constant time; the origin
//! must equal one allowed origin exactly (no prefix, case or port folding); a
//! cross-origin (iframe) ceremony is refused; input over [`MAX_CLIENT_DATA_LEN`] is
//! refused before parsing.

use super::WebauthnError;
use crate::secret::constant_time_eq;
use sha2::{Digest, Sha256};

/// Largest clientDataJSON accepted, in bytes.
pub const MAX_CLIENT_DATA_LEN: usize = 16 * 1024;

/// Shortest challenge accepted (WebAuthn §13.4.3 asks for at least 16 random bytes).
pub const MIN_CHALLENGE_LEN: usize = 16;

/// Which ceremony the client data must describe (§5.8.1 `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ceremony {
    /// Registration: "webauthn.create" (§7.1 step 7).
    Create,
    /// Authentication: "webauthn.get" (§7.2 step 11).
    Get,
}

impl Ceremony {
    pub fn type_name(self) -> &'static str {
        match self {
            Ceremony::Create => "webauthn.create",
            Ceremony::Get => "webauthn.get",
        }
    }
}

/// Checks clientDataJSON for `ceremony` (§7.1 steps 5-11, §7.2 steps 9-15) and returns
/// its SHA-256 hash, the `clientDataHash` that the authenticator signed.
pub fn verify_client_data(
    client_data_json: &[u8],
    ceremony: Ceremony,
    expected_challenge: &[u8],
    allowed_origins: &[String],
) -> Result<[u8; 32], WebauthnError> {
    if expected_challenge.len() < MIN_CHALLENGE_LEN {
        return Err(WebauthnError::ChallengeTooShort);
    }
    if client_data_json.len() > MAX_CLIENT_DATA_LEN {
        return Err(WebauthnError::MalformedClientData("too large"));
    }
    let json: serde_json::Value =
        serde_json::from_slice(client_data_json).map_err(|_| WebauthnError::MalformedClientData("not JSON"))?;
    let object = json.as_object().ok_or(WebauthnError::MalformedClientData("not a JSON object"))?;
    let text = |field: &'static str| {
        object.get(field).and_then(serde_json::Value::as_str).ok_or(WebauthnError::MalformedClientData(field))
    };

    if text("type")? != ceremony.type_name() {
        return Err(WebauthnError::WrongType);
    }
    let challenge = crate::b64::decode(text("challenge")?).ok_or(WebauthnError::ChallengeMismatch)?;
    if !constant_time_eq(&challenge, expected_challenge) {
        return Err(WebauthnError::ChallengeMismatch);
    }
    let origin = text("origin")?;
    if !allowed_origins.iter().any(|allowed| allowed == origin) {
        return Err(WebauthnError::OriginNotAllowed);
    }
    match object.get("crossOrigin") {
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(false)) => {}
        Some(serde_json::Value::Bool(true)) => return Err(WebauthnError::CrossOrigin),
        Some(_) => return Err(WebauthnError::MalformedClientData("crossOrigin")),
    }
    Ok(Sha256::digest(client_data_json).into())
}
