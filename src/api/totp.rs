//! TOTP (api.md "MFA"): enrol a device (sealed seed, backup codes), confirm it with a
//! first code, step up a session, finish a login, and manage devices. The tenant
//! variants (`auth/tenant/totp/*`, `auth/workspace/totp/*`) reach the same handlers;
//! a `client_id` they send must belong to the caller's tenant.

use super::auth::{authenticated_user, client_ip, rate_limit, require_named_client_of};
use super::body::{json_object, optional_text, present_text, required_string};
use super::issue::{mint_access_token, random_bytes, start_session, uuid_like};
use super::mfa::{self, check_code, encryption_key, finished_body, seal_context};
use super::password_login::store_error;
use super::{Ctx, Platform};
use crate::accounts::{backup_codes, sealed, totp};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::{AccountStore, Client, User, UserKind};
use crate::store::mfa::{DeviceRemoval, MfaStore, TotpDevice};
use crate::store::TenantStore;
use crate::tokens::claims::AccessClaims;
use serde_json::{json, Map, Value};

/// Enrolled plus pending devices a user may hold.
const MAX_DEVICES: usize = 10;
/// Code attempts per client IP per minute on the public login route.
const LOGIN_PER_MINUTE: u32 = 20;

/// The signed-in caller, as a live user; a `client_id` in the body must be of its tenant.
async fn caller<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(AccessClaims, User, Map<String, Value>), ApiError> {
    let (claims, user) = authenticated_user(ctx, req).await?;
    let body = if req.body.is_empty() { Map::new() } else { json_object(req)? };
    require_named_client_of(ctx, &body, &claims.tenant_id).await?;
    Ok((claims, user, body))
}

async fn devices<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Vec<TotpDevice>, ApiError> {
    ctx.platform.store().totp_devices(&user.tenant_id, &user.id).await.map_err(store_error)
}

/// Replaces the user's backup codes; returns them in clear, the only time they exist so.
async fn new_backup_codes<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Vec<String>, ApiError> {
    let codes = backup_codes::generate(&random_bytes(ctx, backup_codes::COUNT * 10));
    let pepper = ctx.config()?.pepper.expose();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| backup_codes::normalize(c))
        .map(|c| backup_codes::hash(pepper, &user.tenant_id, &user.id, &c))
        .collect();
    let store = ctx.platform.store();
    store.replace_backup_codes(&user.tenant_id, &user.id, &hashes, ctx.now_secs()).await.map_err(store_error)?;
    Ok(codes)
}

/// `POST auth/totp/register` (J) `{device_name, device_type?}`.
pub async fn register<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let name = required_string(&body, "device_name")?.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_field("device_name", "device_name must be 1 to 100 characters"));
    }
    let device_type = match optional_text(&body, "device_type", 50)? {
        t if t.is_empty() => "authenticator_app".to_string(),
        t => t,
    };
    let existing = devices(ctx, &user).await?;
    if existing.len() >= MAX_DEVICES {
        return Err(ApiError::Conflict(format!("at most {MAX_DEVICES} TOTP devices per account")));
    }
    // Ours: once a factor is enrolled, changing factors needs that factor, so a stolen
    // access token alone cannot add an authenticator or mint backup codes.
    let enrolled = confirmed(existing);
    if !enrolled.is_empty() {
        step_up(ctx, &user, &enrolled, &body).await?;
    }
    let seal_key = encryption_key(ctx)?;
    let secret = random_bytes(ctx, totp::SECRET_BYTES);
    let mut device = TotpDevice {
        id: uuid_like(ctx),
        tenant_id: user.tenant_id.clone(),
        user_id: user.id.clone(),
        name,
        device_type,
        secret_sealed: String::new(),
        confirmed: false,
        is_primary: false,
        created_at: ctx.now_secs(),
        last_used_at: None,
    };
    let nonce: [u8; 12] = random_bytes(ctx, 12).try_into().unwrap_or([0; 12]);
    device.secret_sealed = sealed::seal(&seal_key, nonce, &seal_context(&device), &secret);
    ctx.platform.store().add_totp_device(&device).await.map_err(store_error)?;
    // The first enrolment issues backup codes; another device keeps the ones the user saved.
    let codes = if enrolled.is_empty() { new_backup_codes(ctx, &user).await? } else { Vec::new() };
    let label = &ctx.config()?.relying_party.name;
    Ok(HttpResponse::json(
        200,
        &json!({
            "success": true,
            "secret": totp::base32(&secret),
            "qr_code_url": totp::otpauth_url(label, &user.email, &secret),
            "device_id": device.id,
            "backup_codes": codes,
            "message": "scan the QR code, then confirm with a code from the app",
        }),
    ))
}

/// `POST auth/totp/confirm` (J) `{device_id, totp_code}`: a first code activates it.
pub async fn confirm<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let code = required_string(&body, "totp_code")?;
    let device = devices(ctx, &user).await?.into_iter().find(|d| d.id == device_id).ok_or(ApiError::NotFound)?;
    if device.confirmed {
        return Err(ApiError::Conflict("this device is already confirmed".into()));
    }
    check_code(ctx, &user, std::slice::from_ref(&device), code, false).await?;
    let store = ctx.platform.store();
    if !store.confirm_totp_device(&user.tenant_id, &user.id, &device.id).await.map_err(store_error)? {
        return Err(ApiError::Conflict("this device is already confirmed".into()));
    }
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "message": "TOTP device confirmed", "device_id": device.id,
                "device_name": device.name}),
    ))
}

/// Requires a current code (TOTP or backup) from the caller's enrolled factor in
/// `totp_code`, for changes to the factor itself.
async fn step_up<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    enrolled: &[TotpDevice],
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let code = body.get("totp_code").and_then(Value::as_str).filter(|c| !c.trim().is_empty()).ok_or_else(|| {
        ApiError::bad_field("totp_code", "a current code from an enrolled device (or a backup code) is required")
    })?;
    check_code(ctx, user, enrolled, code, true).await
}

fn confirmed(devices: Vec<TotpDevice>) -> Vec<TotpDevice> {
    devices.into_iter().filter(|d| d.confirmed).collect()
}

/// `POST auth/totp/verify` (J) `{totp_code}`: a fresh token for the caller's session.
pub async fn verify<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (claims, user, body) = caller(ctx, req).await?;
    let code = required_string(&body, "totp_code")?;
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(ApiError::bad_request("no confirmed TOTP device on this account"));
    }
    check_code(ctx, &user, &enrolled, code, true).await?;
    let (token, expires_in) = mint_access_token(ctx, &user, &claims.sid).await?;
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "token": token, "expires_in": expires_in, "message": "code verified"}),
    ))
}

/// The user a TOTP login by email addresses: by `client_id`, `tenant_id` or
/// `tenant_domain`, else the admin with that email.
async fn login_user<P: Platform>(
    ctx: &Ctx<'_, P>,
    body: &Map<String, Value>,
    email: &str,
) -> Result<(String, Option<User>), ApiError> {
    let store = ctx.platform.store();
    let field = |name: &str| present_text(body, name);
    let tenant_id = if let Some(client_id) = field("client_id") {
        let client = store.client_by_client_id(client_id).await.map_err(store_error)?;
        Some(
            client
                .filter(Client::is_usable)
                .ok_or_else(|| ApiError::bad_field("client_id", "unknown client"))?
                .tenant_id,
        )
    } else if let Some(tenant_id) = field("tenant_id") {
        Some(tenant_id.to_string())
    } else if let Some(domain) = field("tenant_domain") {
        let tenant = store.tenant_by_domain(&domain.to_lowercase()).await.map_err(store_error)?;
        Some(tenant.map(|t| t.id).unwrap_or_default())
    } else {
        None
    };
    let user = match &tenant_id {
        Some(tenant_id) => store.user_by_email(tenant_id, email).await.map_err(store_error)?,
        None => store.admin_by_email(email).await.map_err(store_error)?.filter(|u| u.kind == UserKind::Admin),
    };
    Ok((format!("{}:{email}", tenant_id.unwrap_or_default()), user.filter(User::is_active)))
}

/// `POST auth/totp/login` (P): `{mfa_token, totp_code}` finishes a password login;
/// `{email, totp_code, client_id?|tenant_id?|tenant_domain?}` signs in with the code.
pub async fn login<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let code = required_string(&body, "totp_code")?;
    rate_limit(ctx, &format!("totp-login:ip:{}", client_ip(req)), LOGIN_PER_MINUTE, 60).await?;
    let by_token = body.get("mfa_token").and_then(Value::as_str);
    // Ours: a backup code is a second factor only, never a sign-in by email alone. The
    // format is judged before any account is looked up, so it tells nothing about one.
    let allow_backup = by_token.is_some();
    if !plausible_code(code, allow_backup) {
        return Err(ApiError::bad_field("totp_code", "a 6-digit code (or, after a password, a backup code)"));
    }
    let user = match by_token {
        Some(token) => mfa::mfa_token_user(ctx, token, false).await?,
        None => {
            let email = super::validate::email("email", required_string(&body, "email")?)?;
            match login_user(ctx, &body, &email).await? {
                (_, Some(user)) => user,
                (unknown_key, None) => return Err(mfa::refuse_unenrolled(ctx, &unknown_key).await),
            }
        }
    };
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(mfa::refuse_unenrolled(ctx, &mfa::guard_key(&user)).await);
    }
    check_code(ctx, &user, &enrolled, code, allow_backup).await?;
    if let Some(token) = by_token {
        // Spent only now, so a mistyped code can be retried; a second finish loses here.
        mfa::mfa_token_user(ctx, token, true).await?;
    }
    let issued = start_session(ctx, &user, req.header("user-agent").unwrap_or("")).await?;
    Ok(HttpResponse::json(200, &finished_body(&user, &issued, "signed in with TOTP")))
}

fn device_json(d: &TotpDevice) -> Value {
    json!({"id": d.id, "device_id": d.id, "device_name": d.name, "device_type": d.device_type,
           "confirmed": d.confirmed, "is_primary": d.is_primary, "created_at": d.created_at,
           "last_used_at": d.last_used_at})
}

/// `GET|POST auth/totp/devices` (J).
pub async fn list<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, _) = caller(ctx, req).await?;
    let devices: Vec<Value> = devices(ctx, &user).await?.iter().map(device_json).collect();
    let backup_codes_left = ctx.platform.store().unused_backup_codes(&user.tenant_id, &user.id).await;
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "devices": devices, "backup_codes_remaining": backup_codes_left.map_err(store_error)?}),
    ))
}

/// `POST auth/totp/device/delete` (J) `{device_id}`: never the last confirmed device.
pub async fn delete<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.iter().any(|d| d.id == device_id) {
        step_up(ctx, &user, &enrolled, &body).await?;
    }
    let store = ctx.platform.store();
    match store.remove_totp_device(&user.tenant_id, &user.id, device_id).await.map_err(store_error)? {
        DeviceRemoval::Removed => Ok(HttpResponse::json(200, &json!({"success": true, "message": "device removed"}))),
        DeviceRemoval::LastDevice => Err(ApiError::Conflict("the last TOTP device cannot be removed".into())),
        DeviceRemoval::Missing => Err(ApiError::NotFound),
    }
}

/// `POST auth/totp/device/primary` (J) `{device_id}`.
pub async fn primary<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let store = ctx.platform.store();
    if !store.set_primary_totp_device(&user.tenant_id, &user.id, device_id).await.map_err(store_error)? {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "primary device set", "device_id": device_id})))
}

/// `POST auth/totp/backup/regenerate` (J): ten new codes; the old ones stop working.
pub async fn regenerate_backup<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(ApiError::bad_request("no confirmed TOTP device on this account"));
    }
    step_up(ctx, &user, &enrolled, &body).await?;
    let codes = new_backup_codes(ctx, &user).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "backup_codes": codes})))
}

/// `POST auth/totp/device-approve` (P) `{user_code, email, totp_code}`: approves a device
/// code as the user of the code's tenant whose TOTP code this is.
pub async fn device_approve<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let raw = required_string(&body, "user_code")?;
    let code = required_string(&body, "totp_code")?;
    let email = super::validate::email("email", required_string(&body, "email")?)?;
    rate_limit(ctx, &format!("totp-login:ip:{}", client_ip(req)), LOGIN_PER_MINUTE, 60).await?;
    if !plausible_code(code, false) {
        return Err(ApiError::bad_field("totp_code", "a 6-digit code"));
    }
    let tenant_id = super::device::code_tenant(ctx, raw).await?;
    let user = ctx.platform.store().user_by_email(&tenant_id, &email).await.map_err(store_error)?;
    let Some(user) = user.filter(User::is_active) else {
        return Err(mfa::refuse_unenrolled(ctx, &format!("{tenant_id}:{email}")).await);
    };
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(mfa::refuse_unenrolled(ctx, &mfa::guard_key(&user)).await);
    }
    check_code(ctx, &user, &enrolled, code, false).await?;
    Ok(HttpResponse::json(200, &super::device::decide(ctx, raw, &user, true).await?))
}

/// Whether `code` has the shape of a TOTP code (or of a backup code, if allowed).
fn plausible_code(code: &str, allow_backup: bool) -> bool {
    let code = code.trim();
    totp::is_code_shaped(code) || (allow_backup && backup_codes::normalize(code).is_some())
}
