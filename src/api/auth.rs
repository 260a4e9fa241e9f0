//! Who is calling: bearer-token authentication for this service's own routes, where a
//! session-bound token (one with `sid`) must also belong to a live session, so logout
//! and revocation take effect on the next request. Plus per-key rate limiting.
//!
//! Trust is a type (design.md rule 7): authentication yields a `Caller`, and the live
//! admin check an `AdminCaller`. Only this module can make either (their fields are
//! private), so a handler that holds one has proof, not a struct anybody could fill in.

use super::dpop::{self, presented_token};
use super::revocation::SessionRef;
use super::{revocation, session_shards, Ctx, Platform};
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::ids::{ClientId, SessionId, TenantId, UserId};
use crate::rate_limit::{Decision, Limit};
use crate::store::accounts::{AccountStore, User};
use crate::store::state::SessionStore;
use crate::store::RateLimiter;
use crate::tokens::claims::{AccessClaims, DEFAULT_AUDIENCE};
use crate::tokens::verify::{verify_access_token_cached, VerifiedToken, VerifyPolicy, LEEWAY_SECS};
use crate::tokens::TokenError;
use serde_json::{Map, Value};
use std::ops::Deref;

/// The caller of a protected route: a verified token of a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    claims: AccessClaims,
}

impl Caller {
    pub fn claims(&self) -> &AccessClaims {
        &self.claims
    }
}

/// Read-only access to the verified claims (`caller.tenant_id`).
impl Deref for Caller {
    type Target = AccessClaims;
    fn deref(&self) -> &AccessClaims {
        &self.claims
    }
}

/// A caller who holds the tenant's `admin` role now, by a live tenant-wide binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminCaller {
    caller: Caller,
}

impl Deref for AdminCaller {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

/// Where a session's liveness is learned (design.md "Two tiers").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Ask the tenant's session store: sees a revocation at once.
    Strict,
    /// This colo's view of revocations (`revocation`), fresh within
    /// `REVOCATION_MAX_STALENESS_SECS`: a warm verification waits for no Durable Object.
    Edge,
}

/// Verifies a token against this deployment's issuer and keys, counting the result, and
/// refuses a session-bound token whose session is no longer live (strict tier).
pub async fn verify_token<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<VerifiedToken, ApiError> {
    verify_token_in(ctx, token, Tier::Strict).await
}

/// `verify_token`, learning session liveness in `tier`.
pub async fn verify_token_in<P: Platform>(
    ctx: &Ctx<'_, P>,
    token: &str,
    tier: Tier,
) -> Result<VerifiedToken, ApiError> {
    let verified = verify_signature(ctx, token).await?;
    let claims = verified.claims();
    if let Some(at) = session_of(claims) {
        let live = match tier {
            Tier::Strict => session_shards::session_live(ctx, at.tenant, at.user, at.session).await?.0,
            Tier::Edge => revocation::session_live_at_edge(ctx, at).await?.0,
        };
        refuse_ended_session(ctx, live)?;
    }
    ctx.isolate.metrics.borrow_mut().record_verification("valid");
    Ok(verified)
}

/// Edge tier (the authmgr checks): the caller, possibly delegated, and the tenant's RBAC
/// version, both from this colo's view (`Tier::Edge`), read concurrently.
pub async fn authenticate_at_edge_with_rbac_version<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(Caller, u64), ApiError> {
    let (token, scheme) = presented_token(req).ok_or(ApiError::MissingToken)?;
    let verified = verify_signature(ctx, token).await?;
    let claims = verified.claims();
    dpop::check_presentation(ctx, req, token, scheme, claims.cnf.as_ref()).await?;
    let tenant_state = match session_of(claims) {
        Some(at) => {
            let (live, tenant_state) = revocation::session_live_at_edge(ctx, at).await?;
            refuse_ended_session(ctx, live)?;
            tenant_state
        }
        None => revocation::tenant_state_at_edge(ctx, TenantId::new(&claims.tenant_id)).await?,
    };
    ctx.isolate.metrics.borrow_mut().record_verification("valid");
    Ok((Caller { claims: claims.clone() }, tenant_state.rbac_version))
}

/// Like `authenticate_allowing_delegated`, and also the tenant's RBAC version, read from
/// the tenant's object concurrently with the session's shard (one round trip deep). The caller may be delegated: `require_live_admin` refuses it, and permission
/// checks bound it by its scopes.
pub async fn authenticate_with_rbac_version<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(Caller, u64), ApiError> {
    let (token, scheme) = presented_token(req).ok_or(ApiError::MissingToken)?;
    let verified = verify_signature(ctx, token).await?;
    let claims = verified.claims();
    dpop::check_presentation(ctx, req, token, scheme, claims.cnf.as_ref()).await?;
    let tenant_state = match session_of(claims) {
        Some(at) => {
            let (live, tenant_state) = session_shards::session_live(ctx, at.tenant, at.user, at.session).await?;
            refuse_ended_session(ctx, live)?;
            tenant_state
        }
        None => ctx.platform.sessions().tenant_state(TenantId::new(&claims.tenant_id)).await?,
    };
    ctx.isolate.metrics.borrow_mut().record_verification("valid");
    Ok((Caller { claims: claims.clone() }, tenant_state.rbac_version))
}

/// The session a token is bound to, if any (sid-less tokens have none to check).
fn session_of(claims: &AccessClaims) -> Option<SessionRef<'_>> {
    (!claims.sid.is_empty()).then(|| SessionRef {
        tenant: TenantId::new(&claims.tenant_id),
        user: UserId::new(&claims.user_id),
        session: SessionId::new(&claims.sid),
        auth_time: claims.auth_time,
    })
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
        ApiError::from(e)
    })
}

/// The first-party caller of a protected route: a valid bearer token of a live session,
/// signed in here, not obtained by a client through a grant. Fails closed: every route
/// behind it (factors, sessions, clients, approvals) refuses delegated tokens.
pub async fn authenticate<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<Caller, ApiError> {
    let caller = authenticate_allowing_delegated(ctx, req).await?;
    refuse_delegated(&caller)?;
    Ok(caller)
}

/// Like `authenticate`, but a token a client obtained through a grant (device code, CIBA)
/// is accepted too: only for routes that act within the token's own scopes (logout,
/// narrowing it, permission checks bounded by its scopes).
pub async fn authenticate_allowing_delegated<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<Caller, ApiError> {
    let (token, scheme) = presented_token(req).ok_or(ApiError::MissingToken)?;
    let claims = verify_token(ctx, token).await?.claims().clone();
    dpop::check_presentation(ctx, req, token, scheme, claims.cnf.as_ref()).await?;
    Ok(Caller { claims })
}

/// 403 for a delegated token (api.md "Factors, delegated tokens, step-up").
pub fn refuse_delegated(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_delegated() {
        return Err(ApiError::Forbidden(
            "a token a client obtained through a grant (device code or CIBA) cannot be used here; \
             sign in to this service directly"
                .into(),
        ));
    }
    Ok(())
}

/// The caller as a live account of its tenant: a disabled or deleted account is refused
/// like an ended session.
pub async fn authenticated_user<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<(Caller, User), ApiError> {
    let caller = authenticate(ctx, req).await?;
    let user = ctx.platform.store().user_by_id(TenantId::new(&caller.tenant_id), UserId::new(&caller.user_id)).await?;
    let user = user.filter(User::is_active).ok_or_else(|| ApiError::InvalidToken("the account is gone".into()))?;
    Ok((caller, user))
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
    let client = ctx.platform.store().client_by_client_id(ClientId::new(client_id)).await?;
    if client.is_none_or(|c| c.tenant_id != tenant_id) {
        return Err(ApiError::Forbidden("the client belongs to another tenant".into()));
    }
    Ok(())
}

/// The caller of an admin route: authenticated and holding the `admin` role (JA) now,
/// by a live tenant-wide binding — not merely when the token was minted, so removing an
/// admin takes effect on the next request.
pub async fn authenticate_admin<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<AdminCaller, ApiError> {
    let (caller, version) = authenticate_with_rbac_version(ctx, req).await?;
    require_live_admin(ctx, caller, version).await
}

/// `require_admin` against the live bindings at the tenant's RBAC version `version`.
pub async fn require_live_admin<P: Platform>(
    ctx: &Ctx<'_, P>,
    caller: Caller,
    version: u64,
) -> Result<AdminCaller, ApiError> {
    refuse_delegated(&caller)?;
    require_admin(&caller)?;
    let permissions =
        super::authz_cache::effective_permissions(ctx, &caller.tenant_id, &caller.user_id, version).await?;
    if permissions.has_tenant_role("admin", ctx.now_secs()) {
        Ok(AdminCaller { caller })
    } else {
        Err(ApiError::Forbidden("the tenant's admin role is required".into()))
    }
}

/// The caller's token must belong to the tenant a path names.
pub fn require_tenant(caller: &Caller, tenant_id: &str) -> Result<(), ApiError> {
    if caller.tenant_id == tenant_id {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the token belongs to another tenant".into()))
    }
}

/// The caller's token must carry the tenant's `admin` role (JA in api.md); the live
/// binding is checked after.
fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.roles.iter().any(|r| r == "admin") {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the tenant's admin role is required".into()))
    }
}

/// The client address as Cloudflare reports it. Only `CF-Connecting-IP` is trusted
/// (Cloudflare sets it and overwrites what a client sends); without it every request
/// shares one bucket. `api::handle` fills it from `CLIENT_IP_HEADER` in development.
pub fn client_ip(req: &HttpRequest) -> &str {
    req.header("cf-connecting-ip").unwrap_or("unknown")
}

/// The sign-in limits of an auth area (`admin-auth`, `enduser-auth`): `per_minute` per
/// client address and per email. Two independent limiter objects, asked together (one
/// round trip of waiting); both attempts are counted.
pub async fn limit_ip_and_email<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    area: &str,
    per_minute: u32,
    email: &str,
) -> Result<(), ApiError> {
    let (by_ip, by_email) = futures_util::future::join(
        rate_limit(ctx, &format!("{area}:ip:{}", client_ip(req)), per_minute, 60),
        rate_limit(ctx, &format!("{area}:email:{email}"), per_minute, 60),
    )
    .await;
    by_ip.and(by_email)
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

/// Whether `key` is seen here for the first time within `window_secs` (at least): one
/// atomic step of the rate limiter's Durable Object with a limit of one. For the `jti`s
/// of client assertions and DPoP proofs, which must never be accepted twice.
pub async fn first_use<P: Platform>(ctx: &Ctx<'_, P>, key: &str, window_secs: i64) -> Result<bool, ApiError> {
    let limit = Limit { max: 1, window_ms: window_secs.max(1) * 1000 };
    match ctx.platform.limiter().admit(key, limit, ctx.now_ms).await {
        Ok(Decision::Allowed { .. }) => Ok(true),
        Ok(Decision::Limited { .. }) => Ok(false),
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
