//! TOTP (api.md "MFA"): enrol a device (sealed seed, backup codes), confirm it with a
//! first code, step up a session, finish a login, and manage devices. The tenant
//! variants (`auth/tenant/totp/*`, `auth/workspace/totp/*`) reach the same handlers;
//! a `client_id` they send must belong to the caller's tenant.

use super::mfa::{self, check_code, encryption_key, finished_body, seal_context};
use super::notices::{self, Change};
use super::step_up::{self, Inline};
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::{backup_codes, sealed, totp};
use crate::api::auth::{authenticated_user, client_ip, rate_limit, require_named_client_of, Caller};
use crate::api::body::{json_object, optional_text, present_text, required_string};
use crate::api::issue::{mint_access_token, random_bytes, start_session, uuid_like};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{ClientId, DeviceId, TenantId, UserId};
use crate::store::accounts::{AccountStore, Client, User, UserKind};
use crate::store::mfa::{DeviceRemoval, MfaStore, TotpDevice};
use crate::store::state::ChallengeStore;
use crate::store::TenantStore;
use serde_json::{json, Map, Value};

/// Enrolled plus pending devices a user may hold.
const MAX_DEVICES: usize = 10;
/// Code attempts per client IP per minute on the public login route.
const LOGIN_PER_MINUTE: u32 = 20;

/// The signed-in caller, as a live user; a `client_id` in the body must be of its tenant.
async fn caller<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(Caller, User, Map<String, Value>), ApiError> {
    let (claims, user) = authenticated_user(ctx, req).await?;
    let body = if req.body.is_empty() { Map::new() } else { json_object(req)? };
    require_named_client_of(ctx, &body, &claims.tenant_id).await?;
    Ok((claims, user, body))
}

async fn devices<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Vec<TotpDevice>, ApiError> {
    ctx.platform
        .store()
        .totp_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id))
        .await
        .map_err(ApiError::from)
}

/// Replaces the user's backup codes; returns them in clear, the only time they exist so.
async fn new_backup_codes<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<Vec<String>, ApiError> {
    let codes = backup_codes::generate(&random_bytes(ctx, backup_codes::COUNT * 10)?);
    let pepper = ctx.config()?.pepper.expose();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| backup_codes::normalize(c))
        .map(|c| backup_codes::hash(pepper, &user.tenant_id, &user.id, &c))
        .collect();
    let store = ctx.platform.store();
    store.replace_backup_codes(TenantId::new(&user.tenant_id), UserId::new(&user.id), &hashes, ctx.now_secs()).await?;
    Ok(codes)
}

/// `POST auth/totp/register` (J) `{device_name, device_type?}`.
pub async fn register<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (claims, user, body) = caller(ctx, req).await?;
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
    // Ours: adding a factor needs fresh proof (an enrolled factor, or the password when
    // there is none), so a stolen access token alone cannot add an authenticator.
    let step_up_token = step_up::require(ctx, req, &claims, &user, &body, Inline::CodeOrPassword).await?;
    let enrolled = confirmed(existing);
    let seal_key = encryption_key(ctx)?;
    let secret = random_bytes(ctx, totp::SECRET_BYTES)?;
    let mut device = TotpDevice {
        id: uuid_like(ctx)?,
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
    // A nonce that is not exactly 12 fresh random bytes would be reused: refuse.
    let nonce: [u8; 12] =
        random_bytes(ctx, 12)?.try_into().map_err(|_| ApiError::Internal("a 12-byte nonce was not 12 bytes".into()))?;
    device.secret_sealed = sealed::seal(&seal_key, nonce, &seal_context(&device), &secret)
        .map_err(|_| ApiError::Internal("sealing a TOTP secret failed".into()))?;
    ctx.platform.store().add_totp_device(&device).await?;
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
            "step_up_token": step_up_token,
            "message": "scan the QR code, then confirm with a code from the app (and the step_up_token)",
        }),
    ))
}

/// `POST auth/totp/confirm` (J, step-up) `{device_id, totp_code, step_up_token}`: a
/// first code activates it.
pub async fn confirm<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (claims, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let code = required_string(&body, "totp_code")?;
    let device = devices(ctx, &user).await?.into_iter().find(|d| d.id == device_id).ok_or(ApiError::NotFound)?;
    if device.confirmed {
        return Err(ApiError::Conflict("this device is already confirmed".into()));
    }
    // `totp_code` is the new device's: the fresh proof is the step-up (or the password).
    step_up::require(ctx, req, &claims, &user, &body, Inline::Password).await?;
    check_code(ctx, &user, std::slice::from_ref(&device), code, false).await?;
    let store = ctx.platform.store();
    if !store
        .confirm_totp_device(TenantId::new(&user.tenant_id), UserId::new(&user.id), DeviceId::new(&device.id))
        .await?
    {
        return Err(ApiError::Conflict("this device is already confirmed".into()));
    }
    notices::factor_changed(ctx, &user, Change::Added, &format!("the authenticator app \"{}\"", device.name)).await;
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "message": "TOTP device confirmed", "device_id": device.id,
                "device_name": device.name}),
    ))
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
    let (token, expires_in) = mint_access_token(ctx, &user, &claims).await?;
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
) -> Result<(String, Option<String>, Option<User>), ApiError> {
    let store = ctx.platform.store();
    let field = |name: &str| present_text(body, name);
    let tenant_id = if let Some(client_id) = field("client_id") {
        let client = store.client_by_client_id(ClientId::new(client_id)).await?;
        Some(
            client
                .filter(Client::is_usable)
                .ok_or_else(|| ApiError::bad_field("client_id", "unknown client"))?
                .tenant_id,
        )
    } else if let Some(tenant_id) = field("tenant_id") {
        Some(tenant_id.to_string())
    } else if let Some(domain) = field("tenant_domain") {
        let tenant = store.tenant_by_domain(&domain.to_lowercase()).await?;
        Some(tenant.map(|t| t.id).unwrap_or_default())
    } else {
        None
    };
    let user = match &tenant_id {
        Some(tenant_id) => store.user_by_email(TenantId::new(tenant_id), email).await?,
        None => store.admin_by_email(email).await?.filter(|u| u.kind == UserKind::Admin),
    };
    // An admin found by email addresses their tenant; an unknown one addresses none.
    let tenant_id = tenant_id.or_else(|| user.as_ref().map(|u| u.tenant_id.clone()));
    let key = format!("{}:{email}", tenant_id.clone().unwrap_or_default());
    Ok((key, tenant_id, user.filter(User::is_active)))
}

/// Ours (issue 12): email plus a TOTP code signs in only where the tenant's admin set
/// `totp_only_login`; an unknown tenant (or admin email) has it off.
async fn require_totp_only_login<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: Option<&str>) -> Result<(), ApiError> {
    let enabled = match tenant_id.filter(|t| !t.is_empty()) {
        Some(tenant_id) => ctx.platform.store().totp_only_login(tenant_id).await?,
        None => false,
    };
    if enabled {
        Ok(())
    } else {
        Err(ApiError::bad_field(
            "mfa_token",
            "email plus a TOTP code is not a sign-in here (the tenant setting totp_only_login is off): \
             sign in with the password, then send its mfa_token with the code",
        ))
    }
}

/// Guard key of the per-IP budget of failed codes on sign-in by email and code.
fn ip_guard_key(req: &HttpRequest) -> String {
    format!("totp-ip:{}", client_ip(req))
}

/// Refuses (429) a client IP that spent its budget of failed codes: as many as one
/// account's lock allows per lock window, whichever accounts they named.
async fn ip_budget_open<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<(), ApiError> {
    let key = ip_guard_key(req);
    match ctx.platform.challenges().guard(&key, GuardEvent::Peek, ctx.now_secs()).await? {
        GuardOutcome::Locked { retry_after_secs } => {
            Err(ApiError::RateLimited { retry_after_secs: u64::try_from(retry_after_secs.max(1)).unwrap_or(1) })
        }
        _ => Ok(()),
    }
}

/// Counts a failed code against the client IP, alike for unknown, unenrolled and
/// enrolled accounts; passes the answer through.
async fn count_ip_failure<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, error: ApiError) -> ApiError {
    if !matches!(error, ApiError::InvalidOtp { .. } | ApiError::Locked { .. }) {
        return error;
    }
    let key = ip_guard_key(req);
    match ctx.platform.challenges().guard(&key, GuardEvent::Failure, ctx.now_secs()).await {
        Ok(_) => error,
        Err(e) => e.into(),
    }
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
            let email = crate::api::validate::email("email", required_string(&body, "email")?)?;
            let (unknown_key, tenant_id, user) = login_user(ctx, &body, &email).await?;
            require_totp_only_login(ctx, tenant_id.as_deref()).await?;
            ip_budget_open(ctx, req).await?;
            let checked = code_of(ctx, user, &unknown_key, code).await;
            return match checked {
                Ok(user) => {
                    let issued = start_session(ctx, &user, req.header("user-agent").unwrap_or("")).await?;
                    Ok(HttpResponse::json(200, &finished_body(&user, &issued, "signed in with TOTP")))
                }
                Err(e) => Err(count_ip_failure(ctx, req, e).await),
            };
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

/// A TOTP or backup code as the second step of a sign-in whose password step happened
/// elsewhere (the OAuth provider's sign-in page): the same checks and lockout as
/// `totp/login` with an `mfa_token`.
pub async fn check_second_step<P: Platform>(ctx: &Ctx<'_, P>, user: &User, code: &str) -> Result<(), ApiError> {
    if !plausible_code(code, true) {
        return Err(ApiError::bad_field("totp_code", "a 6-digit code or a backup code"));
    }
    let enrolled = confirmed(devices(ctx, user).await?);
    if enrolled.is_empty() {
        return Err(mfa::refuse_unenrolled(ctx, &mfa::guard_key(user)).await);
    }
    check_code(ctx, user, &enrolled, code, true).await
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
    let backup_codes_left =
        ctx.platform.store().unused_backup_codes(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await;
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "devices": devices, "backup_codes_remaining": backup_codes_left?}),
    ))
}

/// `POST auth/totp/device/delete` (J) `{device_id}`: never the last confirmed device.
pub async fn delete<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (claims, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let device = devices(ctx, &user).await?.into_iter().find(|d| d.id == device_id).ok_or(ApiError::NotFound)?;
    // A pending device is not a factor yet: it goes freely.
    if device.confirmed {
        step_up::require(ctx, req, &claims, &user, &body, Inline::CodeOrPassword).await?;
    }
    let store = ctx.platform.store();
    match store
        .remove_totp_device(TenantId::new(&user.tenant_id), UserId::new(&user.id), DeviceId::new(device_id))
        .await?
    {
        DeviceRemoval::Removed => {
            if device.confirmed {
                let what = format!("the authenticator app \"{}\"", device.name);
                notices::factor_changed(ctx, &user, Change::Removed, &what).await;
            }
            Ok(HttpResponse::json(200, &json!({"success": true, "message": "device removed"})))
        }
        DeviceRemoval::LastDevice => Err(ApiError::Conflict("the last TOTP device cannot be removed".into())),
        DeviceRemoval::Missing => Err(ApiError::NotFound),
    }
}

/// `POST auth/totp/device/primary` (J) `{device_id}`.
pub async fn primary<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = caller(ctx, req).await?;
    let device_id = required_string(&body, "device_id")?;
    let store = ctx.platform.store();
    if !store
        .set_primary_totp_device(TenantId::new(&user.tenant_id), UserId::new(&user.id), DeviceId::new(device_id))
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "primary device set", "device_id": device_id})))
}

/// `POST auth/totp/backup/regenerate` (J): ten new codes; the old ones stop working.
pub async fn regenerate_backup<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (claims, user, body) = caller(ctx, req).await?;
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(ApiError::bad_request("no confirmed TOTP device on this account"));
    }
    step_up::require(ctx, req, &claims, &user, &body, Inline::CodeOrPassword).await?;
    let codes = new_backup_codes(ctx, &user).await?;
    notices::factor_changed(ctx, &user, Change::Replaced, "the set of backup codes").await;
    Ok(HttpResponse::json(200, &json!({"success": true, "backup_codes": codes})))
}

/// Counts a sign-in-by-code attempt against the caller's IP and checks the code's shape,
/// before anything is looked up (device approval by TOTP, in `grants`).
pub async fn admit_code_attempt<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, code: &str) -> Result<(), ApiError> {
    rate_limit(ctx, &format!("totp-login:ip:{}", client_ip(req)), LOGIN_PER_MINUTE, 60).await?;
    if !plausible_code(code, false) {
        return Err(ApiError::bad_field("totp_code", "a 6-digit code"));
    }
    Ok(())
}

/// The active user `email` of `tenant_id` whose current TOTP code `code` is, checked
/// through the per-user guard (single use, lockout). Unknown and unenrolled emails are
/// refused alike, and count against the same guard budget.
async fn user_by_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    email: &str,
    code: &str,
) -> Result<User, ApiError> {
    let user = ctx.platform.store().user_by_email(TenantId::new(tenant_id), email).await?;
    code_of(ctx, user.filter(User::is_active), &format!("{tenant_id}:{email}"), code).await
}

/// `user` if `code` is their current TOTP code (never a backup code); an unknown
/// account (`None`, guarded under `unknown_key`) and an unenrolled one are refused
/// exactly as a wrong code.
async fn code_of<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: Option<User>,
    unknown_key: &str,
    code: &str,
) -> Result<User, ApiError> {
    let Some(user) = user else {
        return Err(mfa::refuse_unenrolled(ctx, unknown_key).await);
    };
    let enrolled = confirmed(devices(ctx, &user).await?);
    if enrolled.is_empty() {
        return Err(mfa::refuse_unenrolled(ctx, &mfa::guard_key(&user)).await);
    }
    check_code(ctx, &user, &enrolled, code, false).await?;
    Ok(user)
}

/// Who approves a device code by TOTP (`auth/totp/device-approve`, in `grants`): the
/// signed-in user, whose current code is then the step-up; or, only in a tenant that set
/// `totp_only_login`, the user the body's `email` names, as a sign-in by code (with the
/// per-IP budget of failed codes).
pub async fn device_approver<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    tenant_id: &str,
    code: &str,
) -> Result<User, ApiError> {
    let signed_in = req.header("authorization").is_some();
    if !signed_in && !ctx.platform.store().totp_only_login(tenant_id).await? {
        return Err(ApiError::MissingToken);
    }
    if signed_in {
        let (_, user) = authenticated_user(ctx, req).await?;
        let named = present_text(body, "email");
        if named.is_some_and(|email| !email.eq_ignore_ascii_case(&user.email)) {
            return Err(ApiError::Forbidden("only the signed-in user can approve, with their own code".into()));
        }
        if user.tenant_id != tenant_id {
            return Err(ApiError::NotFound);
        }
        let key = mfa::guard_key(&user);
        return code_of(ctx, Some(user), &key, code).await;
    }
    let email = crate::api::validate::email("email", required_string(body, "email")?)?;
    ip_budget_open(ctx, req).await?;
    match user_by_code(ctx, tenant_id, &email, code).await {
        Ok(user) => Ok(user),
        Err(e) => Err(count_ip_failure(ctx, req, e).await),
    }
}

/// Whether `code` has the shape of a TOTP code (or of a backup code, if allowed).
fn plausible_code(code: &str, allow_backup: bool) -> bool {
    let code = code.trim();
    totp::is_code_shaped(code) || (allow_backup && backup_codes::normalize(code).is_some())
}
