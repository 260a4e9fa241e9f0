//! Admin onboarding and sign-in (api.md "Accounts", Admin): bootstrap or register →
//! emailed code → complete-registration; precheck; challenge; login with lockout.
//! Rate limited per client IP and per email (5 per minute).

use super::auth::{client_ip, rate_limit};
use super::body::{json_object, required_string};
use super::issue::{random_token, start_session, uuid_like};
use super::mailbox::deliver;
use super::validate;
use super::{Ctx, Platform};
use crate::accounts::otp::{self, OtpOutcome, OtpRecord};
use crate::accounts::password::{check_new_password, hash_password, needs_rehash, verify_password};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::rate_limit::{Decision, Limit};
use crate::store::accounts::{AccountStore, NewTenant, User, UserKind};
use crate::store::state::ChallengeStore;
use crate::store::{RateLimiter, StoreError, Tenant, TenantStore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_SECS: i64 = 900;
const CHALLENGE_TTL_SECS: i64 = 300;
const REGISTER_PURPOSE: &str = "admin-register";

/// What a pending registration carries from bootstrap to complete-registration.
#[derive(Serialize, Deserialize)]
struct PendingRegistration {
    email: String,
    name: String,
    password_hash: String,
    tenant_domain: String,
    tenant_id: String,
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(what) => ApiError::Conflict(format!("already exists: {what}")),
        other => ApiError::Unavailable(format!("account store: {other}")),
    }
}

fn optional_text(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(ApiError::bad_field(field, format!("{field} is longer than {max} characters"))),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a string"))),
    }
}

async fn limit_ip_and_email<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, email: &str) -> Result<(), ApiError> {
    let per_minute = ctx.config()?.admin_auth_per_minute;
    rate_limit(ctx, &format!("admin-auth:ip:{}", client_ip(req)), per_minute, 60).await?;
    rate_limit(ctx, &format!("admin-auth:email:{email}"), per_minute, 60).await
}

/// A 6-digit code from the platform's CSPRNG.
fn new_code<P: Platform>(ctx: &Ctx<'_, P>) -> String {
    loop {
        let bytes = ctx.platform.random_id();
        let draws: Vec<u32> = bytes.chunks(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        if let Some(code) = otp::code_from_draws(&draws) {
            return code;
        }
    }
}

/// `POST auth/admin/login/bootstrap` and `POST auth/admin/register`.
pub async fn begin_registration<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    bootstrap: bool,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    limit_ip_and_email(ctx, req, &email).await?;
    let password = required_string(&body, "password")?;
    let confirmation = match body.get("confirm_password") {
        Some(Value::String(s)) => Some(s.as_str()),
        None | Some(Value::Null) => None,
        Some(_) => return Err(ApiError::bad_field("confirm_password", "confirm_password must be a string")),
    };
    check_new_password(password, confirmation).map_err(|e| ApiError::bad_field("password", e.to_string()))?;
    let tenant_domain = validate::tenant_domain("tenant_domain", required_string(&body, "tenant_domain")?)?;
    let name = optional_text(&body, "name", 128)?;
    let store = ctx.platform.store();
    if store.admin_by_email(&email).await.map_err(store_error)?.is_some() {
        return Err(ApiError::Conflict("an admin with this email already exists".into()));
    }
    if store.tenant_by_domain(&tenant_domain).await.map_err(store_error)?.is_some() {
        return Err(ApiError::Conflict("this tenant domain is taken".into()));
    }
    let config = ctx.config()?;
    let password_hash = hash_password(password, ctx.platform.random_id(), config.password_hashing)
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?;
    let pending = PendingRegistration {
        email: email.clone(),
        name,
        password_hash,
        tenant_domain: tenant_domain.clone(),
        tenant_id: uuid_like(ctx),
    };
    let code = new_code(ctx);
    let record = OtpRecord::new(
        otp::hash_code(config.pepper.expose(), REGISTER_PURPOSE, &email, &code),
        ctx.now_secs(),
        serde_json::to_value(&pending).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    ctx.platform
        .challenges()
        .put_otp(&format!("{REGISTER_PURPOSE}:{email}"), &record)
        .await
        .map_err(|e| ApiError::Unavailable(format!("challenge store: {e}")))?;
    let text = format!(
        "Your AuthSec verification code is {code}.\n\nIt expires in 10 minutes. If you did not ask to register {tenant_domain}, ignore this mail."
    );
    deliver(ctx, &email, "Your AuthSec verification code", text).await?;
    let message = "a verification code was sent to your email";
    let body = if bootstrap {
        json!({"message": message, "status": "pending_verification", "tenant_id": pending.tenant_id, "tenant_domain": tenant_domain})
    } else {
        json!({"message": message, "email": email})
    };
    Ok(HttpResponse::json(201, &body))
}

/// `POST auth/admin/complete-registration`: the code unlocks the pending registration,
/// and the whole tenant is created in one atomic write.
pub async fn complete_registration<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let code = required_string(&body, "otp")?.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_field("otp", "otp must be 6 digits"));
    }
    limit_ip_and_email(ctx, req, &email).await?;
    let config = ctx.config()?;
    let presented = otp::hash_code(config.pepper.expose(), REGISTER_PURPOSE, &email, code);
    let outcome = ctx
        .platform
        .challenges()
        .check_otp(&format!("{REGISTER_PURPOSE}:{email}"), &presented, ctx.now_secs())
        .await
        .map_err(|e| ApiError::Unavailable(format!("challenge store: {e}")))?;
    let payload = match outcome {
        OtpOutcome::Accepted(payload) => payload,
        OtpOutcome::Wrong { remaining } => {
            return Err(ApiError::InvalidOtp {
                message: "the code is wrong".into(),
                remaining_attempts: Some(remaining),
            })
        }
        OtpOutcome::Burned => {
            return Err(ApiError::InvalidOtp {
                message: "too many wrong codes; start the registration again".into(),
                remaining_attempts: Some(0),
            })
        }
        OtpOutcome::Expired | OtpOutcome::Missing => {
            return Err(ApiError::InvalidOtp {
                message: "no pending code for this email, or it expired; start again".into(),
                remaining_attempts: None,
            })
        }
    };
    let pending: PendingRegistration =
        serde_json::from_value(payload).map_err(|e| ApiError::Internal(format!("pending registration: {e}")))?;
    let now = ctx.now_secs();
    let admin = User {
        id: uuid_like(ctx),
        tenant_id: pending.tenant_id.clone(),
        email: pending.email.clone(),
        name: pending.name.clone(),
        kind: UserKind::Admin,
        status: "active".into(),
        password_hash: pending.password_hash,
        email_verified: 1,
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        last_login_at: None,
    };
    let new = NewTenant {
        tenant: Tenant {
            id: pending.tenant_id.clone(),
            domain: pending.tenant_domain.clone(),
            name: pending.tenant_domain.clone(),
            status: "active".into(),
            created_at: now,
        },
        project_id: uuid_like(ctx),
        client_id: uuid_like(ctx),
        client_row_id: uuid_like(ctx),
        admin_role_id: uuid_like(ctx),
        binding_id: uuid_like(ctx),
        admin: admin.clone(),
    };
    ctx.platform.store().register_tenant(&new).await.map_err(store_error)?;
    Ok(HttpResponse::json(
        201,
        &json!({"message": "registration complete", "email": admin.email, "tenant_id": admin.tenant_id, "user_id": admin.id}),
    ))
}

/// `POST auth/admin/login/precheck`: what the console should ask next.
pub async fn precheck<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    limit_ip_and_email(ctx, req, &email).await?;
    let store = ctx.platform.store();
    let Some(admin) = store.admin_by_email(&email).await.map_err(store_error)? else {
        return Ok(HttpResponse::json(
            200,
            &json!({"exists": false, "next_step": "bootstrap", "requires_password": true, "available_providers": ["password"]}),
        ));
    };
    let domain = store.tenant_by_id(&admin.tenant_id).await.map_err(store_error)?.map(|t| t.domain).unwrap_or_default();
    Ok(HttpResponse::json(
        200,
        &json!({"exists": true, "display_name": admin.name, "tenant_domain": domain, "tenant_id": admin.tenant_id,
                "next_step": "login", "requires_password": true, "available_providers": ["password"]}),
    ))
}

/// `GET auth/admin/challenge`: a single-use nonce a login may present.
pub async fn challenge<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("admin-challenge:ip:{}", client_ip(req)), 30, 60).await?;
    let nonce = random_token(ctx);
    let now = ctx.now_secs();
    ctx.platform
        .challenges()
        .put_nonce(&nonce, now + CHALLENGE_TTL_SECS)
        .await
        .map_err(|e| ApiError::Unavailable(format!("challenge store: {e}")))?;
    Ok(HttpResponse::json(200, &json!({"challenge": nonce, "created_at": now, "expires_at": now + CHALLENGE_TTL_SECS})))
}

/// `POST auth/admin/login`. Unknown emails take the same path, time and answers as
/// known ones: a dummy hash is verified and failures are counted per email.
pub async fn login<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let password = required_string(&body, "password")?;
    limit_ip_and_email(ctx, req, &email).await?;
    if let Some(challenge) = body.get("challenge").filter(|v| !v.is_null()) {
        let nonce = challenge.as_str().ok_or_else(|| ApiError::bad_field("challenge", "challenge must be a string"))?;
        let fresh = ctx
            .platform
            .challenges()
            .take_nonce(nonce, ctx.now_secs())
            .await
            .map_err(|e| ApiError::Unavailable(format!("challenge store: {e}")))?;
        if !fresh {
            return Err(ApiError::InvalidGrant("the challenge is unknown, used or expired".into()));
        }
    }
    let wanted_domain = match body.get("tenant_domain") {
        Some(Value::String(d)) if !d.trim().is_empty() => Some(d.trim().to_lowercase()),
        _ => None,
    };
    let store = ctx.platform.store();
    let now = ctx.now_secs();
    let mut user = store.admin_by_email(&email).await.map_err(store_error)?;
    let mut tenant = None;
    if let Some(u) = &user {
        tenant = store.tenant_by_id(&u.tenant_id).await.map_err(store_error)?;
        if wanted_domain.is_some() && tenant.as_ref().map(|t| &t.domain) != wanted_domain.as_ref() {
            user = None;
        }
    }
    let Some(user) = user else {
        return unknown_account_failure(ctx, &email, password).await;
    };
    if let Some(until) = user.locked_at(now) {
        return Err(ApiError::Locked { retry_after_secs: (until - now).max(1) as u64 });
    }
    if !verify_password(password, &user.password_hash) {
        let counters = store
            .record_login_failure(&user.tenant_id, &user.id, now, MAX_FAILED_LOGINS, LOCK_SECS)
            .await
            .map_err(store_error)?;
        return Err(match counters.locked_until {
            Some(until) if until > now => ApiError::Locked { retry_after_secs: (until - now) as u64 },
            _ => {
                ApiError::InvalidCredentials { remaining_attempts: (MAX_FAILED_LOGINS - counters.failed_logins).max(0) }
            }
        });
    }
    if !user.is_active() {
        return Err(ApiError::Forbidden("this account is disabled".into()));
    }
    let config = ctx.config()?;
    let rehashed = if needs_rehash(&user.password_hash, config.password_hashing) {
        hash_password(password, ctx.platform.random_id(), config.password_hashing).ok()
    } else {
        None
    };
    store.record_login_success(&user.tenant_id, &user.id, now, rehashed.as_deref()).await.map_err(store_error)?;
    let issued = start_session(ctx, &user, req.header("user-agent").unwrap_or("")).await?;
    Ok(HttpResponse::json(
        200,
        &json!({
            "tenant_id": user.tenant_id,
            "tenant_domain": tenant.map(|t| t.domain).unwrap_or_default(),
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
        }),
    ))
}

/// Same work and same answers as a wrong password on a real account.
async fn unknown_account_failure<P: Platform>(
    ctx: &Ctx<'_, P>,
    email: &str,
    password: &str,
) -> Result<HttpResponse, ApiError> {
    let dummy = ctx.isolate.dummy_password_hash(ctx.config()?.password_hashing);
    let _ = verify_password(password, &dummy);
    let limit = Limit { max: MAX_FAILED_LOGINS as u32, window_ms: LOCK_SECS * 1000 };
    let decision = ctx
        .platform
        .limiter()
        .admit(&format!("admin-login-unknown:{email}"), limit, ctx.now_ms)
        .await
        .map_err(|e| ApiError::Unavailable(format!("rate limiter: {e}")))?;
    Err(match decision {
        Decision::Allowed { remaining: 0 } => ApiError::Locked { retry_after_secs: LOCK_SECS as u64 },
        Decision::Allowed { remaining } => ApiError::InvalidCredentials { remaining_attempts: remaining as i64 },
        Decision::Limited { retry_after_secs } => ApiError::Locked { retry_after_secs },
    })
}
