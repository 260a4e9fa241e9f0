//! Password sign-in shared by admins and end users: lockout, timing-equal handling of
//! unknown accounts, re-hashing, and the login response.

use crate::accounts::password::{hash_password, needs_rehash, verify_password};
use crate::api::factors::{factors, issue_mfa_token, pending_body};
use crate::api::issue::{read_claim_sources, start_session_with, Issued};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::rate_limit::{Decision, Limit};
use crate::store::accounts::{AccountStore, User};
use crate::store::RateLimiter;
use futures_util::future::join4;
use serde_json::{json, Value};
use std::future::Future;

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_SECS: i64 = 900;

/// A password that checked out. Its success (counters cleared, an outdated hash
/// replaced) is still to be recorded: `record_success`, which a login runs beside the
/// reads it waits for anyway.
pub struct CheckedPassword {
    pub user: User,
    rehashed: Option<String>,
}

/// Checks `password` for `user` (or for nobody, under `unknown_key`), enforcing the
/// lockout; a failure is recorded before it is answered.
pub async fn check_password<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: Option<User>,
    unknown_key: &str,
    password: &str,
) -> Result<CheckedPassword, ApiError> {
    let Some(user) = user else {
        return Err(unknown_account_failure(ctx, unknown_key, password).await?);
    };
    let store = ctx.platform.store();
    let now = ctx.now_secs();
    if let Some(until) = user.locked_at(now) {
        return Err(ApiError::Locked { retry_after_secs: (until - now).max(1).unsigned_abs() });
    }
    if !verify_password(password, &user.password_hash) {
        let counters = store
            .record_login_failure(
                TenantId::new(&user.tenant_id),
                UserId::new(&user.id),
                now,
                MAX_FAILED_LOGINS,
                LOCK_SECS,
            )
            .await?;
        return Err(match counters.locked_until {
            Some(until) if until > now => ApiError::Locked { retry_after_secs: (until - now).unsigned_abs() },
            _ => {
                ApiError::InvalidCredentials { remaining_attempts: (MAX_FAILED_LOGINS - counters.failed_logins).max(0) }
            }
        });
    }
    if !user.is_active() {
        return Err(ApiError::Forbidden("this account is disabled".into()));
    }
    let params = ctx.config()?.password_hashing;
    let rehashed = if needs_rehash(&user.password_hash, params) {
        hash_password(password, ctx.random_id()?, params).ok()
    } else {
        None
    };
    Ok(CheckedPassword { user, rehashed })
}

/// Clears the failure counters and stores a re-made hash, after a correct password.
pub async fn record_success<P: Platform>(ctx: &Ctx<'_, P>, checked: &CheckedPassword) -> Result<(), ApiError> {
    let user = &checked.user;
    let (tenant, id) = (TenantId::new(&user.tenant_id), UserId::new(&user.id));
    Ok(ctx.platform.store().record_login_success(tenant, id, ctx.now_secs(), checked.rehashed.as_deref()).await?)
}

/// Same work and same answers as a wrong password on a real account: a dummy hash is
/// verified, and failures are counted per email towards the same lock.
async fn unknown_account_failure<P: Platform>(
    ctx: &Ctx<'_, P>,
    key: &str,
    password: &str,
) -> Result<ApiError, ApiError> {
    let dummy = ctx.isolate.dummy_password_hash(ctx.config()?.password_hashing);
    let _ = verify_password(password, &dummy);
    let limit = Limit { max: u32::try_from(MAX_FAILED_LOGINS).unwrap_or(u32::MAX), window_ms: LOCK_SECS * 1000 };
    let decision = ctx
        .platform
        .limiter()
        .admit(&format!("login-unknown:{key}"), limit, ctx.now_ms)
        .await
        .map_err(|e| ApiError::Unavailable(format!("rate limiter: {e}")))?;
    Ok(match decision {
        Decision::Allowed { remaining: 0 } => ApiError::Locked { retry_after_secs: LOCK_SECS.unsigned_abs() },
        Decision::Allowed { remaining } => ApiError::InvalidCredentials { remaining_attempts: i64::from(remaining) },
        Decision::Limited { retry_after_secs } => ApiError::Locked { retry_after_secs },
    })
}

/// After a correct password: a session, or, when the user has a second factor, an
/// `mfa_token` to finish with it (api.md "Accounts", admin login). Everything a login
/// waits for that does not depend on the rest is asked at once: the success record, the
/// tenant's domain, the factors and the token's claim sources (read even when a factor
/// then makes them unneeded: reads are cheaper than a round trip). The new session is
/// the one call left.
pub async fn finish_password_login<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    checked: CheckedPassword,
    tenant_domain: impl Future<Output = Result<String, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    let user = &checked.user;
    let (recorded, domain, enrolled, sources) = join4(
        record_success(ctx, &checked),
        tenant_domain,
        factors(ctx, &user.tenant_id, &user.id),
        read_claim_sources(ctx, TenantId::new(&user.tenant_id), UserId::new(&user.id)),
    )
    .await;
    recorded?;
    let (domain, enrolled) = (domain?, enrolled?);
    if enrolled.any() {
        let mfa_token = issue_mfa_token(ctx, user).await?;
        return Ok(HttpResponse::json(200, &pending_body(user, &domain, enrolled, &mfa_token)));
    }
    let issued = start_session_with(ctx, user, req.header("user-agent").unwrap_or(""), sources?).await?;
    Ok(HttpResponse::json(200, &login_body(user, &domain, &issued)))
}

/// The login answer shared by admin and end-user sign-in.
pub fn login_body(user: &User, tenant_domain: &str, issued: &Issued) -> Value {
    json!({
        "tenant_id": user.tenant_id,
        "tenant_domain": tenant_domain,
        "email": user.email,
        "user_id": user.id,
        "first_login": user.last_login_at.is_none(),
        "otp_required": false,
        "webauthn_required": false,
        "mfa_required": false,
        "mfa_method": Value::Null,
        "methods": ["password"],
        "token": issued.access_token,
        "token_type": "Bearer",
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "session_id": issued.session_id,
    })
}
