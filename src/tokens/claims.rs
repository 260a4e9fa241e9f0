//! The claims of an AuthSec access token (api.md "Tokens"), wire-compatible with the
//! field names AuthSec's SDKs read.

use serde::{Deserialize, Serialize};

/// The audience when no resource or audience was requested.
pub const DEFAULT_AUDIENCE: &str = "authsec-api";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Admin,
    Enduser,
    Sdk,
    Device,
    Service,
}

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3); we always emit a string
/// for one audience, as AuthSec does, and accept both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(aud) => aud == wanted,
            Audience::Many(auds) => auds.iter().any(|a| a == wanted),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub user_id: String,
    pub tenant_id: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub email_id: String,
    pub token_type: TokenType,
    pub aud: Audience,
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    #[serde(default)]
    pub sid: String,
    /// When the session's user signed in (OIDC `auth_time`): the edge checks it against
    /// the tenant's session epoch. Absent (0) on tokens without a session.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub auth_time: i64,
    /// The grant a client obtained this token through (`device_code` or `ciba`; ours,
    /// api.md "Factors, delegated tokens, step-up"). Absent for a first-party sign-in.
    /// A delegated token is refused on admin, factor and account-change routes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub grant: String,
    /// Who acts on the subject's behalf (RFC 8693 §4.1), for a token exchanged with an
    /// actor token; a chain of delegations nests (`act.act`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    /// The key the token is bound to (RFC 9449 §6.1): only a request with a DPoP proof
    /// signed by that key may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// RFC 7800 / RFC 9449 §6.1: the JWK SHA-256 thumbprint of the key a token is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub jkt: String,
}

/// RFC 8693 §4.1: the acting party of a delegated token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub sub: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    /// The actor before this one, when the subject token was itself delegated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Box<Actor>>,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

impl AccessClaims {
    /// Whether a client obtained this token through a grant rather than the user signing
    /// in here. Device tokens predating the `grant` claim count too.
    pub fn is_delegated(&self) -> bool {
        !self.grant.is_empty() || self.token_type == TokenType::Device
    }
}
