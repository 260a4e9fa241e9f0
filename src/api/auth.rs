//! Who is calling: bearer-token authentication for this service's own routes, where a
//! session-bound token (one with `sid`) must also belong to a live session, so logout
//! and revocation take effect on the next request. Plus per-key rate limiting.

use super::password_login::store_error;
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::rate_limit::{Decision, Limit};
use crate::store::accounts::{AccountStore, User};
use crate::store::state::SessionStore;
use crate::store::RateLimiter;
use crate::tokens::claims::{AccessClaims, DEFAULT_AUDIENCE};
use crate::tokens::verify::{verify_access_token_cached, VerifiedToken, VerifyPolicy, LEEWAY_SECS};
use crate::tokens::TokenError;
use serde_json::{Map, Value};

/// Verifies a token against this deployment's issuer and keys, counting the result, and
/// refuses a session-bound token whose session is no longer live.
pub async fn verify_token<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<VerifiedToken, ApiError> {
    let verified = verify_signature(ctx, token).await?;
    if !verified.claims.sid.is_empty() {
        let live = ctx
            .platform
            .sessions()
            .session_active(&verified.claims.tenant_id, &verified.claims.sid, ctx.now_secs())
            .await
            .map_err(super::unavailable::session_store)?;
        refuse_ended_session(ctx, live)?;
    }
    ctx.isolate.metrics.borrow_mut().record_verification("valid");
    Ok(verified)
}

/// Like `authenticate`, and also the tenant's RBAC version, read in the same Durable
/// Object call as the session check (one round trip for a permission check).
pub async fn authenticate_with_rbac_version<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(AccessClaims, u64), ApiError> {
    let token = req.bearer_token().ok_or(ApiError::MissingToken)?;
    let verified = verify_signature(ctx, token).await?;
    let (live, version) = ctx
        .platform
        .sessions()
        .session_status(&verified.claims.tenant_id, &verified.claims.sid, ctx.now_secs())
        .await
        .map_err(super::unavailable::session_store)?;
    if !verified.claims.sid.is_empty() {
        refuse_ended_session(ctx, live)?;
    }
    ctx.isolate.metrics.borrow_mut().record_verification("valid");
    Ok((verified.claims, version))
}

fn refuse_ended_session<P: Platform>(ctx: &Ctx<'_, P>, live: bool) -> Result<(), ApiError> {
    if live {
        return Ok(());
    }
    ctx.isolate.metrics.borrow_mut().record_verification("session_revoked");
    Err(ApiError::InvalidToken("session has ended".into()))
}

/// Signature, algorithm, key and claim checks, through the isolate's cache.
async fn verify_signature<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<VerifiedToken, ApiError> {
    let config = ctx.config()?;
    let policy = VerifyPolicy {
        issuer: &config.issuer,
        audience: DEFAULT_AUDIENCE,
        now: ctx.now_secs(),
        leeway_secs: LEEWAY_SECS,
    };
    let result =
        verify_access_token_cached(token, &config.keys, ctx.platform.crypto(), &policy, &ctx.isolate.verified_tokens)
            .await;
    result.map_err(|e| {
        ctx.isolate.metrics.borrow_mut().record_verification(result_label(&e));
        match e {
            TokenError::Backend(detail) => ApiError::Internal(format!("token backend: {detail}")),
            other => ApiError::InvalidToken(other.to_string()),
        }
    })
}

/// The caller of a protected route: a valid bearer token of a live session.
pub async fn authenticate<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<AccessClaims, ApiError> {
    let token = req.bearer_token().ok_or(ApiError::MissingToken)?;
    Ok(verify_token(ctx, token).await?.claims)
}

/// The caller as a live account of its tenant: a disabled or deleted account is refused
/// like an ended session.
pub async fn authenticated_user<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(AccessClaims, User), ApiError> {
    let claims = authenticate(ctx, req).await?;
    let user = ctx.platform.store().user_by_id(&claims.tenant_id, &claims.user_id).await.map_err(store_error)?;
    let user = user.filter(User::is_active).ok_or_else(|| ApiError::InvalidToken("the account is gone".into()))?;
    Ok((claims, user))
}

/// A `client_id` that a body names (the tenant variants send one) must be a client of
/// the caller's tenant.
pub async fn require_named_client_of<P: Platform>(
    ctx: &Ctx<'_, P>,
    body: &Map<String, Value>,
    tenant_id: &str,
) -> Result<(), ApiError> {
    let Some(client_id) = super::body::present_text(body, "client_id") else {
        return Ok(());
    };
    let client = ctx.platform.store().client_by_client_id(client_id).await.map_err(store_error)?;
    if client.is_none_or(|c| c.tenant_id != tenant_id) {
        return Err(ApiError::Forbidden("the client belongs to another tenant".into()));
    }
    Ok(())
}

/// The caller of an admin route: authenticated and holding the `admin` role (JA) now,
/// by a live tenant-wide binding — not merely when the token was minted, so removing an
/// admin takes effect on the next request.
pub async fn authenticate_admin<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<AccessClaims, ApiError> {
    let (caller, version) = authenticate_with_rbac_version(ctx, req).await?;
    require_live_admin(ctx, &caller, version).await?;
    Ok(caller)
}

/// `require_admin` against the live bindings at the tenant's RBAC version `version`.
pub async fn require_live_admin<P: Platform>(
    ctx: &Ctx<'_, P>,
    claims: &AccessClaims,
    version: u64,
) -> Result<(), ApiError> {
    require_admin(claims)?;
    let permissions =
        super::authz_cache::effective_permissions(ctx, &claims.tenant_id, &claims.user_id, version).await?;
    if permissions.has_tenant_role("admin", ctx.now_secs()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the tenant's admin role is required".into()))
    }
}

/// The caller's token must belong to the tenant a path names.
pub fn require_tenant(claims: &AccessClaims, tenant_id: &str) -> Result<(), ApiError> {
    if claims.tenant_id == tenant_id {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the token belongs to another tenant".into()))
    }
}

/// The caller must hold the tenant's `admin` role (JA in api.md).
pub fn require_admin(claims: &AccessClaims) -> Result<(), ApiError> {
    if claims.roles.iter().any(|r| r == "admin") {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the tenant's admin role is required".into()))
    }
}

/// The client address as workerd reports it (falls back to one shared bucket).
pub fn client_ip(req: &HttpRequest) -> &str {
    req.header("cf-connecting-ip").or_else(|| req.header("x-real-ip")).unwrap_or("unknown")
}

/// Counts one attempt under `key`; 429 with Retry-After when over `max` per window.
pub async fn rate_limit<P: Platform>(ctx: &Ctx<'_, P>, key: &str, max: u32, window_secs: i64) -> Result<(), ApiError> {
    let limit = Limit { max, window_ms: window_secs * 1000 };
    match ctx.platform.limiter().admit(key, limit, ctx.now_ms).await {
        Ok(Decision::Allowed { .. }) => Ok(()),
        Ok(Decision::Limited { retry_after_secs }) => Err(ApiError::RateLimited { retry_after_secs }),
        Err(e) => Err(ApiError::Unavailable(format!("rate limiter: {e}"))),
    }
}

fn result_label(error: &TokenError) -> &'static str {
    match error {
        TokenError::TooLarge => "too_large",
        TokenError::Malformed(_) => "malformed",
        TokenError::UnsupportedAlgorithm => "bad_algorithm",
        TokenError::MissingKeyId | TokenError::UnknownKeyId => "unknown_key",
        TokenError::BadSignature => "bad_signature",
        TokenError::Expired => "expired",
        TokenError::NotYetValid => "not_yet_valid",
        TokenError::WrongIssuer => "wrong_issuer",
        TokenError::WrongAudience => "wrong_audience",
        TokenError::Backend(_) => "error",
    }
}
