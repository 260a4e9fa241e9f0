//! Password sign-in shared by admins and end users: lockout, timing-equal handling of
//! unknown accounts, re-hashing, and the login response.

use crate::accounts::password::{hash_password, needs_rehash, verify_password};
use crate::api::factors::{factors, issue_mfa_token, pending_body};
use crate::api::issue::{start_session, Issued};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::rate_limit::{Decision, Limit};
use crate::store::accounts::{AccountStore, User};
use crate::store::RateLimiter;
use serde_json::{json, Value};

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_SECS: i64 = 900;

/// Checks `password` for `user` (or for nobody, under `unknown_key`), enforcing the
/// lockout; on success the counters are cleared and an outdated hash is replaced.
pub async fn check_password<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: Option<User>,
    unknown_key: &str,
    password: &str,
) -> Result<User, ApiError> {
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
    store.record_login_success(TenantId::new(&user.tenant_id), UserId::new(&user.id), now, rehashed.as_deref()).await?;
    Ok(user)
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
/// `mfa_token` to finish with it (api.md "Accounts", admin login).
pub async fn finish_password_login<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    user: &User,
    tenant_domain: &str,
) -> Result<HttpResponse, ApiError> {
    let enrolled = factors(ctx, &user.tenant_id, &user.id).await?;
    if enrolled.any() {
        let mfa_token = issue_mfa_token(ctx, user).await?;
        return Ok(HttpResponse::json(200, &pending_body(user, tenant_domain, enrolled, &mfa_token)));
    }
    let issued = start_session(ctx, user, req.header("user-agent").unwrap_or("")).await?;
    Ok(HttpResponse::json(200, &login_body(user, tenant_domain, &issued)))
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
