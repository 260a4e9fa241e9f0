//! The OpenID Connect id_token (Core §2, §3.1.3.6): what it says of the sign-in, signed
//! ES256 by the same published keys as access tokens.

use crate::b64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How the user proved who they are (RFC 8176 method names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// A password.
    Pwd,
    /// A one-time code: TOTP or a backup code.
    Otp,
    /// A passkey bound to hardware (not backup eligible).
    Hwk,
    /// A passkey that may be synced (backup eligible).
    Swk,
}

/// RFC 8176 §2: `mfa` joins the list when two different methods were used.
pub fn amr(methods: &[AuthMethod]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in methods {
        let name = serde_json::to_value(m).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.len() > 1 {
        out.push("mfa".into());
    }
    out
}

/// The `acr` this provider asserts: multi-factor when two methods were used, else one.
/// A passkey with user verification is multi-factor by itself (possession + the
/// authenticator's PIN or biometric), as NIST SP 800-63B counts it.
pub fn acr(methods: &[AuthMethod]) -> &'static str {
    let passkey = methods.iter().any(|m| matches!(m, AuthMethod::Hwk | AuthMethod::Swk));
    if passkey || amr(methods).iter().any(|m| m == "mfa") {
        ACR_MFA
    } else {
        ACR_SINGLE
    }
}

/// The `acr` values discovery lists.
pub const ACR_SINGLE: &str = "urn:authsec:acr:1fa";
pub const ACR_MFA: &str = "urn:authsec:acr:mfa";

/// `at_hash` (Core §3.1.3.6): the left half of SHA-256 of the access token's ASCII,
/// base64url, for ES256.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    b64::encode(&digest[..16])
}

/// The claims of an id_token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    /// The user's id: stable for the user, whatever the client.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// The session the client's tokens belong to; RP-initiated logout ends it.
    pub sid: String,
    pub amr: Vec<String>,
    pub acr: String,
    /// The client the token was issued to (Core §2: with a single audience it equals
    /// `aud`; sent so relying parties that check it find it).
    pub azp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub tenant_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amr_adds_mfa_for_two_methods_only() {
        assert_eq!(amr(&[AuthMethod::Pwd]), vec!["pwd"]);
        assert_eq!(amr(&[AuthMethod::Pwd, AuthMethod::Otp]), vec!["pwd", "otp", "mfa"]);
        assert_eq!(amr(&[AuthMethod::Swk, AuthMethod::Swk]), vec!["swk"]);
    }

    #[test]
    fn acr_says_mfa_for_passkeys_and_two_factors() {
        assert_eq!(acr(&[AuthMethod::Pwd]), ACR_SINGLE);
        assert_eq!(acr(&[AuthMethod::Pwd, AuthMethod::Otp]), ACR_MFA);
        assert_eq!(acr(&[AuthMethod::Hwk]), ACR_MFA);
    }

    #[test]
    fn at_hash_matches_the_openid_example() {
        // OpenID Connect Core, Appendix A.3: the access token and its at_hash (RS256
        // there, SHA-256 as for ES256, so the same left half).
        let token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        assert_eq!(at_hash(token), "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
