//! DPoP (RFC 9449) at this service's routes: proofs at the token endpoint (with server
//! nonces) and DPoP-bound tokens presented to this service's own routes.
//!
//! - **Nonces** (§8) are stateless: the 5-minute time bucket and a keyed MAC of it. The
//!   token endpoint requires the current or the previous one, so a proof cannot be made
//!   ahead of time; a missing or stale nonce answers `use_dpop_nonce` with a fresh one.
//! - **Replay** (§11.1): a proof's `jti` is accepted once per key, in one atomic step of
//!   the rate limiter's Durable Object, for longer than its `iat` window.
//! - **Bound tokens** (§7): a token with `cnf.jkt` is accepted only with the `DPoP`
//!   scheme and a proof by that key over this request (`htm`, `htu`, `ath`); presented
//!   as `Bearer` it is refused, and a `DPoP` presentation of an unbound token too.

use super::auth::first_use;
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::secret::keyed_hash;
use crate::tokens::claims::Confirmation;
use crate::tokens::dpop::{verify_dpop_proof, DpopError, DpopPolicy, VerifiedDpopProof, DEFAULT_IAT_WINDOW_SECS};

/// How long a server nonce lasts (it is accepted for one more bucket after).
pub const NONCE_WINDOW_SECS: i64 = 300;
/// The algorithms proofs may use (discovery's `dpop_signing_alg_values_supported`).
pub const DPOP_ALGORITHMS: &[&str] = &["ES256", "EdDSA", "RS256"];

fn nonce_for<P: Platform>(ctx: &Ctx<'_, P>, bucket: i64) -> Result<String, ApiError> {
    let bucket = bucket.to_string();
    let mac = keyed_hash(ctx.config()?.pepper.expose(), &["dpop-nonce", &bucket]);
    Ok(format!("{bucket}.{}", mac.get(..32).unwrap_or(&mac)))
}

/// The nonce clients should use now.
pub fn current_nonce<P: Platform>(ctx: &Ctx<'_, P>) -> Result<String, ApiError> {
    nonce_for(ctx, ctx.now_secs().div_euclid(NONCE_WINDOW_SECS))
}

/// How a request presented its access token (RFC 6750 §2.1, RFC 9449 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Dpop,
}

/// The access token of the `Authorization` header and its scheme.
pub fn presented_token(req: &HttpRequest) -> Option<(&str, Scheme)> {
    let value = req.header("authorization")?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Some((token, Scheme::Bearer))
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Some((token, Scheme::Dpop))
    } else {
        None
    }
}

fn refusal(error: DpopError, at_resource: bool, nonce: &str) -> ApiError {
    match error {
        DpopError::Backend(detail) => ApiError::Internal(format!("DPoP proof: {detail}")),
        e if e.is_nonce_error() => ApiError::Dpop {
            at_resource,
            error: "use_dpop_nonce",
            description: "use the server's DPoP nonce".into(),
            nonce: Some(nonce.to_string()),
        },
        e => ApiError::Dpop { at_resource, error: "invalid_dpop_proof", description: e.to_string(), nonce: None },
    }
}

/// Verifies the request's `DPoP` proof (nonce required at the token endpoint) and
/// spends its `jti`.
async fn verify<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    proof: &str,
    access_token: Option<&str>,
) -> Result<VerifiedDpopProof, ApiError> {
    let at_resource = access_token.is_some();
    let uri = format!("{}{}", ctx.config()?.issuer, req.path);
    let current = current_nonce(ctx)?;
    let mut policy = DpopPolicy::new(req.method.as_str(), &uri, ctx.now_secs());
    policy.access_token = access_token;
    if !at_resource {
        policy.nonce = Some(&current);
    }
    let mut result = verify_dpop_proof(proof, &policy, ctx.platform.crypto()).await;
    // The previous bucket's nonce is computed only for a proof that missed the current one.
    let previous;
    if matches!(result, Err(DpopError::WrongNonce)) {
        previous = nonce_for(ctx, ctx.now_secs().div_euclid(NONCE_WINDOW_SECS) - 1)?;
        policy.nonce = Some(&previous);
        result = verify_dpop_proof(proof, &policy, ctx.platform.crypto()).await;
    }
    let verified = result.map_err(|e| refusal(e, at_resource, &current))?;
    let key = format!("dpop-jti:{}:{}", verified.jkt(), verified.jti());
    if !first_use(ctx, &key, 2 * DEFAULT_IAT_WINDOW_SECS + NONCE_WINDOW_SECS).await? {
        let description = "this DPoP proof was already used".to_string();
        return Err(ApiError::Dpop { at_resource, error: "invalid_dpop_proof", description, nonce: None });
    }
    Ok(verified)
}

/// The proof of a token request, if it sent one.
pub async fn token_request_proof<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<Option<VerifiedDpopProof>, ApiError> {
    match req.header("dpop") {
        Some(proof) => Ok(Some(verify(ctx, req, proof, None).await?)),
        None => Ok(None),
    }
}

/// RFC 9449 §7: whether the token, as presented, may be used for this request.
pub async fn check_presentation<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    token: &str,
    scheme: Scheme,
    cnf: Option<&Confirmation>,
) -> Result<(), ApiError> {
    let refuse = |error: &'static str, description: &str| ApiError::Dpop {
        at_resource: true,
        error,
        description: description.to_string(),
        nonce: None,
    };
    match (cnf, scheme) {
        (None, Scheme::Bearer) => Ok(()),
        (None, Scheme::Dpop) => Err(refuse("invalid_token", "this token is not DPoP-bound; present it as Bearer")),
        (Some(_), Scheme::Bearer) => {
            Err(refuse("invalid_token", "this token is DPoP-bound; present it with a DPoP proof"))
        }
        (Some(cnf), Scheme::Dpop) => {
            let proof = req.header("dpop").ok_or_else(|| refuse("invalid_dpop_proof", "the DPoP header is missing"))?;
            let verified = verify(ctx, req, proof, Some(token)).await?;
            if verified.jkt() != cnf.jkt {
                return Err(refuse("invalid_dpop_proof", "the proof is signed by another key than the token's"));
            }
            Ok(())
        }
    }
}
