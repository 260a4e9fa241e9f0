//! The OAuth 2.0 / OpenID Connect provider's pure core (api.md "OAuth 2.0 / OIDC
//! provider"): the rules of the authorization request, PKCE, redirect URIs, scopes and
//! their claims, and the id_token. No I/O, no clock: the HTTP side (`api::oauth`) reads
//! the client and the time and passes them in, so every rule is tested natively.

pub mod authorize;
pub mod id_token;
pub mod pkce;
pub mod redirect;
pub mod scopes;

/// RFC 6749 §4.1.3.
pub const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
/// RFC 6749 §6.
pub const REFRESH_TOKEN_GRANT: &str = "refresh_token";
/// RFC 6749 §4.4.
pub const CLIENT_CREDENTIALS_GRANT: &str = "client_credentials";

/// How long an authorization code may wait for its exchange (the issue: 60 s).
pub const CODE_TTL_SECS: i64 = 60;
/// How long a sign-in at the authorize endpoint may take, from the request to the code.
pub const INTERACTION_TTL_SECS: i64 = 600;
