//! Admin onboarding and sign-in (api.md "Accounts", Admin): bootstrap or register →
//! emailed code → complete-registration; precheck; challenge; login with lockout.
//! Rate limited per client IP and per email (`ADMIN_AUTH_PER_MINUTE`).

use super::codes::{code_field, redeem_code, send_code, CodeFor};
use super::password_login::{check_password, finish_password_login};
use crate::accounts::password::{check_new_password, hash_password};
use crate::api::auth::{client_ip, rate_limit};
use crate::api::body::{json_object, optional_text, required_string};
use crate::api::issue::{random_token, uuid_like};
use crate::api::validate;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, NewTenant, User, UserKind};
use crate::store::state::ChallengeStore;
use crate::store::{Tenant, TenantStore};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const CHALLENGE_TTL_SECS: i64 = 300;

/// Where a login challenge lives in the ChallengeStore: a keyed hash in its own
/// namespace, as every other ticket kind has, so that a key handed out for something
/// else (a CIBA request id, say) can never be presented, and consumed, as a challenge.
fn challenge_key<P: Platform>(ctx: &Ctx<'_, P>, nonce: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["admin-login-challenge", nonce]))
}
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

pub async fn limit_ip_and_email<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, email: &str) -> Result<(), ApiError> {
    crate::api::auth::limit_ip_and_email(ctx, req, "admin-auth", ctx.config()?.admin_auth_per_minute, email).await
}

/// The `password` (and optional `confirm_password`) of a body, checked against the rules.
pub fn new_password_field<'a>(body: &'a serde_json::Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    let password = required_string(body, field)?;
    let confirmation = match body.get("confirm_password") {
        Some(Value::String(s)) => Some(s.as_str()),
        None | Some(Value::Null) => None,
        Some(_) => return Err(ApiError::bad_field("confirm_password", "confirm_password must be a string")),
    };
    check_new_password(password, confirmation).map_err(|e| ApiError::bad_field(field, e.to_string()))?;
    Ok(password)
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
    let password = new_password_field(&body, "password")?;
    let tenant_domain = validate::tenant_domain("tenant_domain", required_string(&body, "tenant_domain")?)?;
    let name = optional_text(&body, "name", 128)?;
    let store = ctx.platform.store();
    if store.admin_by_email(&email).await?.is_some() {
        return Err(ApiError::Conflict("an admin with this email already exists".into()));
    }
    if store.tenant_by_domain(&tenant_domain).await?.is_some() {
        return Err(ApiError::Conflict("this tenant domain is taken".into()));
    }
    let password_hash = hash_password(password, ctx.random_id()?, ctx.config()?.password_hashing)
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?;
    let pending = PendingRegistration {
        email: email.clone(),
        name,
        password_hash,
        tenant_domain: tenant_domain.clone(),
        tenant_id: uuid_like(ctx)?,
    };
    let payload = serde_json::to_value(&pending).map_err(|e| ApiError::Internal(e.to_string()))?;
    // Bound to this request's password: a rival request for the same email can neither
    // replace this pending registration nor reset its attempts, nor complete it.
    let code_for = CodeFor::bound(ctx, REGISTER_PURPOSE, &email, &email, password)?;
    send_code(ctx, &code_for, payload, &format!("register the tenant {tenant_domain}")).await?;
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
    let code = code_field(&body)?;
    let password = required_string(&body, "password")?;
    limit_ip_and_email(ctx, req, &email).await?;
    let payload = redeem_code(ctx, &CodeFor::bound(ctx, REGISTER_PURPOSE, &email, &email, password)?, code).await?;
    let pending: PendingRegistration =
        serde_json::from_value(payload).map_err(|e| ApiError::Internal(format!("pending registration: {e}")))?;
    let now = ctx.now_secs();
    let admin = User {
        id: uuid_like(ctx)?,
        tenant_id: pending.tenant_id.clone(),
        email: pending.email.clone(),
        name: pending.name.clone(),
        kind: UserKind::Admin,
        status: crate::store::accounts::UserStatus::Active,
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
        project_id: uuid_like(ctx)?,
        client_id: uuid_like(ctx)?,
        client_row_id: uuid_like(ctx)?,
        admin_role_id: uuid_like(ctx)?,
        binding_id: uuid_like(ctx)?,
        admin: admin.clone(),
    };
    ctx.platform.store().register_tenant(&new).await?;
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
    let Some(admin) = store.admin_by_email(&email).await? else {
        return Ok(HttpResponse::json(
            200,
            &json!({"exists": false, "next_step": "bootstrap", "requires_password": true, "available_providers": ["password"]}),
        ));
    };
    let domain = store.tenant_by_id(&admin.tenant_id).await?.map(|t| t.domain).unwrap_or_default();
    Ok(HttpResponse::json(
        200,
        &json!({"exists": true, "display_name": admin.name, "tenant_domain": domain, "tenant_id": admin.tenant_id,
                "next_step": "login", "requires_password": true, "available_providers": ["password"]}),
    ))
}

/// `GET auth/admin/challenge`: a single-use nonce a login may present.
pub async fn challenge<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("admin-challenge:ip:{}", client_ip(req)), 30, 60).await?;
    let nonce = random_token(ctx)?;
    let now = ctx.now_secs();
    ctx.platform.challenges().put_ticket(&challenge_key(ctx, &nonce)?, &json!({}), now + CHALLENGE_TTL_SECS).await?;
    Ok(HttpResponse::json(200, &json!({"challenge": nonce, "created_at": now, "expires_at": now + CHALLENGE_TTL_SECS})))
}

/// `POST auth/admin/login`.
pub async fn login<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let password = required_string(&body, "password")?;
    limit_ip_and_email(ctx, req, &email).await?;
    if let Some(challenge) = body.get("challenge").filter(|v| !v.is_null()) {
        let nonce = challenge.as_str().ok_or_else(|| ApiError::bad_field("challenge", "challenge must be a string"))?;
        let fresh = ctx.platform.challenges().take_ticket(&challenge_key(ctx, nonce)?, ctx.now_secs()).await?;
        if fresh.is_none() {
            return Err(ApiError::InvalidGrant("the challenge is unknown, used or expired".into()));
        }
    }
    let wanted_domain = match body.get("tenant_domain") {
        Some(Value::String(d)) if !d.trim().is_empty() => Some(d.trim().to_lowercase()),
        _ => None,
    };
    let store = ctx.platform.store();
    let mut user = store.admin_by_email(&email).await?;
    let mut tenant = None;
    if let Some(u) = &user {
        tenant = store.tenant_by_id(&u.tenant_id).await?;
        if wanted_domain.is_some() && tenant.as_ref().map(|t| &t.domain) != wanted_domain.as_ref() {
            user = None;
        }
    }
    let checked = check_password(ctx, user, &format!("admin:{email}"), password).await?;
    let domain = tenant.map(|t| t.domain).unwrap_or_default();
    finish_password_login(ctx, req, checked, async { Ok(domain) }).await
}
