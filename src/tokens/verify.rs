//! Access-token verification (api.md "Tokens", RFC 8725 best practices).
//!
//! The order matters: size, shape, algorithm allow-list and key selection come before
//! any signature work, and the claims are parsed only after the signature verified.

use super::cache::VerificationCache;
use super::claims::AccessClaims;
use super::crypto::Es256;
use super::jwt::{UntrustedToken, ALG_ES256};
use super::keys::KeyRing;
use super::TokenError;
use std::cell::RefCell;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: i64 = 60;

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone)]
pub struct VerifyPolicy<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub now: i64,
    pub leeway_secs: i64,
}

/// A token whose signature, algorithm, key, issuer, audience and lifetime all checked out.
/// Only `verify_access_token` makes one (its fields are private), so holding one is proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    kid: String,
    claims: AccessClaims,
}

impl VerifiedToken {
    /// The key that signed it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn claims(&self) -> &AccessClaims {
        &self.claims
    }
}

/// Like `verify_access_token`, but consults and fills a per-isolate cache of successes
/// (see `cache`). `fingerprint` identifies the key ring the token is checked against.
pub async fn verify_access_token_cached<C: Es256>(
    token: &str,
    keys: &KeyRing,
    crypto: &C,
    policy: &VerifyPolicy<'_>,
    cache: &RefCell<VerificationCache>,
) -> Result<VerifiedToken, TokenError> {
    let key = VerificationCache::key(token, keys.fingerprint(), policy);
    if let Some(result) = cache.borrow().get(&key, policy) {
        return result;
    }
    let verified = verify_access_token(token, keys, crypto, policy).await?;
    cache.borrow_mut().insert(key, verified.clone(), policy.now, policy.leeway_secs);
    Ok(verified)
}

pub async fn verify_access_token<C: Es256>(
    token: &str,
    keys: &KeyRing,
    crypto: &C,
    policy: &VerifyPolicy<'_>,
) -> Result<VerifiedToken, TokenError> {
    let (kid, payload) = verify_signature(token, keys, crypto).await?;
    let claims: AccessClaims =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed("claims are missing or mistyped"))?;
    check_claims(&claims, policy)?;
    Ok(VerifiedToken { kid, claims })
}

/// Checks that one of our keys signed `token` (algorithm, `crit`, `kid`, signature) and
/// returns the key id and the payload, whose claims the caller checks: access tokens
/// here, an id_token presented back as a logout hint in `api::oauth`.
pub async fn verify_signature<C: Es256>(
    token: &str,
    keys: &KeyRing,
    crypto: &C,
) -> Result<(String, Vec<u8>), TokenError> {
    let untrusted = UntrustedToken::parse(token)?;
    // Exact match: "none", "NONE", "HS256" (a public key used as an HMAC secret) and
    // every other algorithm are refused before any key is touched.
    if untrusted.header().alg != ALG_ES256 {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    if untrusted.header().crit.is_some() {
        return Err(TokenError::Malformed("crit header parameters are not supported"));
    }
    let kid = untrusted.header().kid.as_deref().ok_or(TokenError::MissingKeyId)?;
    let key = keys.public_key(kid).ok_or(TokenError::UnknownKeyId)?;
    let valid = crypto
        .verify(key, untrusted.signing_input().as_bytes(), untrusted.signature())
        .await
        .map_err(|e| TokenError::Backend(e.0))?;
    if !valid {
        return Err(TokenError::BadSignature);
    }
    Ok((kid.to_string(), untrusted.payload().to_vec()))
}

fn check_claims(claims: &AccessClaims, policy: &VerifyPolicy<'_>) -> Result<(), TokenError> {
    if claims.iss != policy.issuer {
        return Err(TokenError::WrongIssuer);
    }
    if !claims.aud.contains(policy.audience) {
        return Err(TokenError::WrongAudience);
    }
    if policy.now > claims.exp.saturating_add(policy.leeway_secs) {
        return Err(TokenError::Expired);
    }
    if claims.nbf > policy.now.saturating_add(policy.leeway_secs) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}
