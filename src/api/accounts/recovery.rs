//! Forgotten passwords, for admins and end users: forgot-password → verify-otp → reset.
//! `forgot-password` answers the same whether or not the account exists; a code is
//! stored either way (only an owner receives it), so later steps behave alike too.
//! A reset ends every session of the account.

use super::admin_auth::{self, new_password_field};
use super::codes::{self, code_field, redeem_code, send_code_noting, store_code, CodeFor};
use super::enduser_auth::{self, find_enduser};
use crate::accounts::otp::OtpOutcome;
use crate::accounts::password::hash_password;
use crate::api::body::{json_object, required_string};
use crate::api::clients::resolve_client;
use crate::api::validate;
use crate::api::Who;
use crate::api::{revocation, Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::store::accounts::{AccountStore, User};
use serde_json::{json, Map, Value};

const REQUESTED: &str = "reset";
const VERIFIED: &str = "reset-verified";

/// The rate-limited email, its account (if any) and the code subject.
async fn account<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    who: Who,
) -> Result<(String, Option<User>, String), ApiError> {
    let email = validate::email("email", required_string(body, "email")?)?;
    match who {
        Who::Admin => {
            admin_auth::limit_ip_and_email(ctx, req, &email).await?;
            let user = ctx.platform.store().admin_by_email(&email).await?;
            Ok((email.clone(), user, format!("admin:{email}")))
        }
        Who::Enduser => {
            enduser_auth::limit_ip_and_email(ctx, req, &email).await?;
            let client = resolve_client(ctx, body).await?;
            let user = find_enduser(ctx, &client.tenant_id, &email).await?;
            Ok((email.clone(), user, format!("enduser:{}:{email}", client.tenant_id)))
        }
    }
}

/// `POST …/forgot-password` `{email[, client_id]}`: always 200.
pub async fn forgot<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, who: Who) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let (email, user, subject) = account(ctx, req, &body, who).await?;
    match user.filter(User::is_active) {
        Some(user) => {
            let payload = json!({"tenant_id": user.tenant_id, "user_id": user.id});
            let note = crate::api::factors::reset_mail_note(ctx, &user).await?;
            let code_for = CodeFor::unbound(REQUESTED, &subject, &email);
            send_code_noting(ctx, &code_for, payload, "reset your password", &note).await?;
        }
        // A code nobody receives, so that verify and reset answer as for a real account.
        None => {
            let code_for = CodeFor::unbound(REQUESTED, &subject, &email);
            store_code(ctx, &code_for, &codes::new_code(ctx)?, Value::Null).await?;
        }
    }
    Ok(HttpResponse::json(200, &json!({"message": "if an account exists for this email, a code has been sent to it"})))
}

/// `POST …/forgot-password/verify-otp` `{email, otp[, client_id]}`.
pub async fn verify<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, who: Who) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let code = code_field(&body)?;
    let (email, _, subject) = account(ctx, req, &body, who).await?;
    let payload = redeem_code(ctx, &CodeFor::unbound(REQUESTED, &subject, &email), code).await?;
    // The same code, now marked verified, is what reset takes.
    store_code(ctx, &CodeFor::unbound(VERIFIED, &subject, &email), code, payload).await?;
    Ok(HttpResponse::json(200, &json!({"message": "code verified; choose a new password", "verified": true})))
}

/// `POST …/forgot-password/reset` `{email, otp, new_password[, client_id]}`.
pub async fn reset<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, who: Who) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let code = code_field(&body)?;
    let password = new_password_field(&body, "new_password")?;
    let (email, _, subject) = account(ctx, req, &body, who).await?;
    // A verified code first; clients that skip verify-otp present the requested one.
    let payload = match codes::check(ctx, &CodeFor::unbound(VERIFIED, &subject, &email), code).await? {
        OtpOutcome::Accepted(payload) => payload,
        OtpOutcome::Missing | OtpOutcome::Expired => {
            redeem_code(ctx, &CodeFor::unbound(REQUESTED, &subject, &email), code).await?
        }
        other => return Err(codes::outcome_error(other)),
    };
    let (Some(tenant_id), Some(user_id)) = (payload["tenant_id"].as_str(), payload["user_id"].as_str()) else {
        return Err(ApiError::InvalidOtp { message: "the code is wrong".into(), remaining_attempts: None });
    };
    let hash = hash_password(password, ctx.random_id()?, ctx.config()?.password_hashing)
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?;
    ctx.platform.store().set_password(TenantId::new(tenant_id), UserId::new(user_id), &hash).await?;
    revocation::revoke_user_sessions(ctx, TenantId::new(tenant_id), UserId::new(user_id), "password_reset").await?;
    Ok(HttpResponse::json(200, &json!({"message": "password changed; sign in again"})))
}
