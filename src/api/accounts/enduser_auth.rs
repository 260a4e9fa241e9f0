//! End-user registration and sign-in (api.md "Accounts", End user): the tenant is the
//! one of the `client_id` presented. Rate limited per IP and email
//! (`ENDUSER_AUTH_PER_MINUTE`). Registration answers the same whether or not the email
//! already has an account; the mail tells the owner which.

use super::admin_auth::new_password_field;
use super::codes::{code_field, redeem_code, send_code, CodeFor};
use super::mailbox::deliver;
use super::password_login::{check_password, finish_password_login};
use crate::accounts::password::hash_password;
use crate::api::body::{json_object, optional_text, required_string};
use crate::api::clients::resolve_client;
use crate::api::factors::{factors, Factors};
use crate::api::issue::uuid_like;
use crate::api::validate;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::accounts::{AccountStore, User, UserKind};
use crate::store::TenantStore;
use serde::{Deserialize, Serialize};
use serde_json::json;

const REGISTER_PURPOSE: &str = "enduser-register";

#[derive(Serialize, Deserialize)]
struct PendingUser {
    tenant_id: String,
    email: String,
    name: String,
    password_hash: String,
}

pub async fn limit_ip_and_email<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, email: &str) -> Result<(), ApiError> {
    crate::api::auth::limit_ip_and_email(ctx, req, "enduser-auth", ctx.config()?.enduser_auth_per_minute, email).await
}

/// The end user `email` of the tenant, if there is one.
pub async fn find_enduser<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    email: &str,
) -> Result<Option<User>, ApiError> {
    let user = ctx.platform.store().user_by_email(TenantId::new(tenant_id), email).await?;
    Ok(user.filter(|u| u.kind == UserKind::Enduser))
}

/// `POST user/register/initiate` and `POST auth/enduser/initiate-registration`.
pub async fn begin_registration<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    limit_ip_and_email(ctx, req, &email).await?;
    let password = new_password_field(&body, "password")?;
    let name = optional_text(&body, "name", 128)?;
    let client = resolve_client(ctx, &body).await?;
    let subject = format!("{}:{email}", client.tenant_id);
    let known = ctx.platform.store().user_by_email(TenantId::new(&client.tenant_id), &email).await?.is_some();
    if known {
        let text = "Someone asked to register this email, which already has an account. Sign in, or reset your password if you forgot it.";
        deliver(ctx, &email, "You already have an account", text.to_string()).await?;
    } else {
        let password_hash = hash_password(password, ctx.random_id()?, ctx.config()?.password_hashing)
            .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?;
        let pending = PendingUser { tenant_id: client.tenant_id.clone(), email: email.clone(), name, password_hash };
        let payload = serde_json::to_value(&pending).map_err(|e| ApiError::Internal(e.to_string()))?;
        let code_for = CodeFor::bound(ctx, REGISTER_PURPOSE, &subject, &email, password)?;
        send_code(ctx, &code_for, payload, "create your account").await?;
    }
    Ok(HttpResponse::json(200, &json!({"message": "a verification code was sent to your email", "email": email})))
}

/// `POST user/register/complete` and `POST auth/enduser/verify-otp`.
pub async fn complete_registration<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let code = code_field(&body)?;
    let password = required_string(&body, "password")?;
    limit_ip_and_email(ctx, req, &email).await?;
    let client = resolve_client(ctx, &body).await?;
    let subject = format!("{}:{email}", client.tenant_id);
    let payload = redeem_code(ctx, &CodeFor::bound(ctx, REGISTER_PURPOSE, &subject, &email, password)?, code).await?;
    let pending: PendingUser =
        serde_json::from_value(payload).map_err(|e| ApiError::Internal(format!("pending user: {e}")))?;
    let user = User {
        id: uuid_like(ctx)?,
        tenant_id: pending.tenant_id,
        email: pending.email,
        name: pending.name,
        kind: UserKind::Enduser,
        status: crate::store::accounts::UserStatus::Active,
        password_hash: pending.password_hash,
        email_verified: 1,
        failed_logins: 0,
        locked_until: None,
        created_at: ctx.now_secs(),
        last_login_at: None,
    };
    ctx.platform.store().create_user(&user).await?;
    Ok(HttpResponse::json(
        201,
        &json!({"message": "registration complete", "email": user.email, "user_id": user.id, "tenant_id": user.tenant_id}),
    ))
}

/// `POST user/login` and `POST auth/enduser/login`.
pub async fn login<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let password = required_string(&body, "password")?;
    limit_ip_and_email(ctx, req, &email).await?;
    let client = resolve_client(ctx, &body).await?;
    let user = find_enduser(ctx, &client.tenant_id, &email).await?;
    let checked = check_password(ctx, user, &format!("enduser:{}:{email}", client.tenant_id), password).await?;
    let tenant_id = checked.user.tenant_id.clone();
    finish_password_login(ctx, req, checked, async move { tenant_domain(ctx, &tenant_id).await }).await
}

/// `POST auth/enduser/login/precheck`.
pub async fn precheck<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    limit_ip_and_email(ctx, req, &email).await?;
    let client = resolve_client(ctx, &body).await?;
    let user = find_enduser(ctx, &client.tenant_id, &email).await?;
    let enrolled = match &user {
        Some(user) => factors(ctx, &user.tenant_id, &user.id).await?,
        None => Factors::default(),
    };
    let domain = tenant_domain(ctx, &client.tenant_id).await?;
    Ok(HttpResponse::json(
        200,
        &json!({"email": email, "exists": user.is_some(), "mfa_enabled": enrolled.any(),
                "mfa_method": enrolled.primary_method(), "methods": enrolled.methods(),
                "tenant_domain": domain, "tenant_id": client.tenant_id}),
    ))
}

async fn tenant_domain<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str) -> Result<String, ApiError> {
    Ok(ctx.platform.store().tenant_by_id(tenant_id).await?.map(|t| t.domain).unwrap_or_default())
}
