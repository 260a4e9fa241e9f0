//! JWS compact serialization (RFC 7515 §7.1): parsing into an untrusted token, and
//! assembling a signed one. Parsing checks shape only; it never decides trust.

use super::TokenError;
use crate::b64;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Tokens longer than this are refused before any decoding: ours are well under 2 KiB.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The only algorithm this service signs or accepts for access tokens.
pub const ALG_ES256: &str = "ES256";

/// The protected header fields we read. `crit` is understood by nobody here, so a token
/// that marks anything critical is refused (RFC 7515 §4.1.11).
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub crit: Option<serde_json::Value>,
}

/// A token whose shape is valid and whose signature has not been checked. Its claims
/// are raw bytes: nobody may act on them before `verify` says so. The fields are private
/// (as jwt-compact's are) so that nothing can assemble one from parts that were never
/// parsed together.
#[derive(Debug, Clone)]
pub struct UntrustedToken<'a> {
    header: Header,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes that were signed.
    signing_input: &'a str,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> UntrustedToken<'a> {
    pub fn parse(token: &'a str) -> Result<Self, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLarge);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("expected three dot-separated parts"));
        };
        let header_bytes = b64::decode(header_b64).ok_or(TokenError::Malformed("header is not base64url"))?;
        let header: Header = serde_json::from_slice(&header_bytes)
            .map_err(|_| TokenError::Malformed("header is not a JSON object with alg"))?;
        let payload = b64::decode(payload_b64).ok_or(TokenError::Malformed("payload is not base64url"))?;
        let signature = b64::decode(signature_b64).ok_or(TokenError::Malformed("signature is not base64url"))?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        Ok(UntrustedToken { header, signing_input, payload, signature })
    }

    /// The header as sent: attacker-chosen until the signature verifies.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The protected header decoded into `T`, for members that `Header` does not read (a
    /// DPoP proof's `jwk`). As attacker-chosen as the rest of the header; `None` when it
    /// does not decode into `T`.
    pub fn header_as<T: DeserializeOwned>(&self) -> Option<T> {
        let encoded = self.signing_input.split('.').next()?;
        serde_json::from_slice(&b64::decode(encoded)?).ok()
    }

    /// The bytes that were signed.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The raw claims, unverified.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// The signing input for a new ES256 token with the given `kid` and JSON payload.
pub fn signing_input(kid: &str, payload_json: &[u8]) -> String {
    let header = serde_json::json!({"alg": ALG_ES256, "typ": "JWT", "kid": kid});
    format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(payload_json))
}

/// Appends the signature to a signing input, completing the compact serialization.
pub fn assemble(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", b64::encode(signature))
}
