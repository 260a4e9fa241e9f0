//! Access tokens: ES256-signed JWTs (RFC 7519, RFC 7515, RFC 7518 §3.4).
//!
//! Trust is a type: `jwt::UntrustedToken` is what parsing yields; only
//! `verify::verify_access_token` turns it into a `verify::VerifiedToken`, and nothing
//! the token says about itself (its `alg`, its keys) steers how it is verified.
//! Signing and verification go through the `crypto::Es256` trait so that the Worker
//! uses Web Crypto while native code and tests use RustCrypto, on the same vectors.
//!
//! JWTs that others sign are verified here too: DPoP proofs (`dpop`, RFC 9449) and
//! `private_key_jwt` client assertions (`client_assertion`, RFC 7523), with keys the
//! sender presents or registered (`public_jwk`). Those keys may be ES256, EdDSA or
//! RS256, so they go through the passkey signature seam (`webauthn::SignatureVerifier`),
//! which has both backends for all three.

pub mod cache;
pub mod claims;
pub mod client_assertion;
pub mod crypto;
pub mod dpop;
pub mod htu;
pub mod issue;
pub mod jwt;
pub mod keys;
pub mod public_jwk;
pub mod verify;

#[cfg(test)]
mod tests;

use std::fmt;

/// Why a token was refused. The messages are safe to return to callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    TooLarge,
    Malformed(&'static str),
    UnsupportedAlgorithm,
    MissingKeyId,
    UnknownKeyId,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    /// The crypto backend itself failed (not a bad signature); logged, answered as 500.
    Backend(String),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::TooLarge => f.write_str("token is too large"),
            TokenError::Malformed(what) => write!(f, "token is malformed: {what}"),
            TokenError::UnsupportedAlgorithm => f.write_str("token algorithm is not allowed"),
            TokenError::MissingKeyId => f.write_str("token header has no kid"),
            TokenError::UnknownKeyId => f.write_str("token was signed with an unknown key"),
            TokenError::BadSignature => f.write_str("token signature is invalid"),
            TokenError::Expired => f.write_str("token has expired"),
            TokenError::NotYetValid => f.write_str("token is not valid yet"),
            TokenError::WrongIssuer => f.write_str("token issuer is not accepted"),
            TokenError::WrongAudience => f.write_str("token audience is not accepted"),
            TokenError::Backend(_) => f.write_str("token could not be processed"),
        }
    }
}
