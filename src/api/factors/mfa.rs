//! What second factors share (api.md "MFA"): which factors a user has, the `mfa_token`
//! a password login hands out while a second factor is pending, and checking a TOTP or
//! backup code through the per-user guard (single use, lockout).

use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::{backup_codes, sealed, totp};
use crate::api::issue::{random_token, Issued};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::ids::{DeviceId, TenantId, UserId};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, User};
use crate::store::mfa::{MfaStore, TotpDevice};
use crate::store::state::ChallengeStore;
use serde_json::{json, Value};

/// How long a password login may wait for its second factor.
pub const MFA_TOKEN_TTL_SECS: i64 = 300;
const MFA_TOKEN_PREFIX: &str = "mfa1.";

/// The second factors a user has enrolled (confirmed TOTP devices; usable passkeys).
#[derive(Debug, Clone, Copy, Default)]
pub struct Factors {
    pub totp: bool,
    pub passkey: bool,
}

impl Factors {
    pub fn any(self) -> bool {
        self.totp || self.passkey
    }

    /// `mfa_method` of the login answers: the factor a client should offer first.
    pub fn primary_method(self) -> Value {
        match (self.passkey, self.totp) {
            (true, _) => json!("webauthn"),
            (false, true) => json!("totp"),
            _ => Value::Null,
        }
    }

    pub fn methods(self) -> Vec<&'static str> {
        let mut methods = vec!["password"];
        if self.totp {
            methods.push("totp");
        }
        if self.passkey {
            methods.push("webauthn");
        }
        methods
    }
}

pub async fn factors<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, user_id: &str) -> Result<Factors, ApiError> {
    let store = ctx.platform.store();
    let (tenant, user) = (TenantId::new(tenant_id), UserId::new(user_id));
    let (totp, passkeys) =
        futures_util::future::join(store.totp_devices(tenant, user), store.passkeys(tenant, user)).await;
    Ok(Factors { totp: totp?.iter().any(|d| d.confirmed), passkey: passkeys?.iter().any(|p| !p.flagged) })
}

fn ticket_key<P: Platform>(ctx: &Ctx<'_, P>, mfa_token: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["mfa-token", mfa_token]))
}

/// Starts the wait for a second factor; the token is the only handle on it.
pub async fn issue_mfa_token<P: Platform>(ctx: &Ctx<'_, P>, user: &User) -> Result<String, ApiError> {
    let token = format!("{MFA_TOKEN_PREFIX}{}", random_token(ctx)?);
    let payload = json!({"tenant_id": user.tenant_id, "user_id": user.id});
    ctx.platform
        .challenges()
        .put_ticket(&ticket_key(ctx, &token)?, &payload, ctx.now_secs() + MFA_TOKEN_TTL_SECS)
        .await?;
    Ok(token)
}

/// The user a live `mfa_token` stands for. `consume` spends it (after the factor was
/// verified), so one password login yields at most one session.
pub async fn mfa_token_user<P: Platform>(ctx: &Ctx<'_, P>, token: &str, consume: bool) -> Result<User, ApiError> {
    let invalid = || ApiError::InvalidGrant("the mfa_token is unknown, used or expired; sign in again".into());
    if !token.starts_with(MFA_TOKEN_PREFIX) || token.len() > 128 {
        return Err(invalid());
    }
    let key = ticket_key(ctx, token)?;
    let challenges = ctx.platform.challenges();
    let now = ctx.now_secs();
    let payload =
        if consume { challenges.take_ticket(&key, now).await } else { challenges.peek_ticket(&key, now).await }?
            .ok_or_else(invalid)?;
    let (Some(tenant_id), Some(user_id)) = (payload["tenant_id"].as_str(), payload["user_id"].as_str()) else {
        return Err(invalid());
    };
    let user = ctx.platform.store().user_by_id(TenantId::new(tenant_id), UserId::new(user_id)).await?;
    user.filter(|u| u.is_active()).ok_or_else(invalid)
}

/// The answer of a password login that still needs a second factor: no token yet.
pub fn pending_body(user: &User, tenant_domain: &str, factors: Factors, mfa_token: &str) -> Value {
    json!({
        "tenant_id": user.tenant_id,
        "tenant_domain": tenant_domain,
        "email": user.email,
        "user_id": user.id,
        "first_login": user.last_login_at.is_none(),
        "otp_required": factors.totp,
        "webauthn_required": factors.passkey,
        "mfa_required": true,
        "mfa_method": factors.primary_method(),
        "methods": factors.methods(),
        "mfa_token": mfa_token,
        "mfa_token_expires_in": MFA_TOKEN_TTL_SECS,
    })
}

/// The answer of a login finished by a second factor.
pub fn finished_body(user: &User, issued: &Issued, message: &str) -> Value {
    json!({
        "success": true,
        "message": message,
        "tenant_id": user.tenant_id,
        "user_id": user.id,
        "email": user.email,
        "token": issued.access_token,
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in,
        "session_id": issued.session_id,
    })
}

pub fn seal_context(device: &TotpDevice) -> String {
    format!("totp:{}:{}:{}", device.tenant_id, device.user_id, device.id)
}

pub fn encryption_key<P: Platform>(ctx: &Ctx<'_, P>) -> Result<[u8; 32], ApiError> {
    let config = ctx.config()?;
    config.encryption_key.as_ref().map(|k| *k.expose()).ok_or_else(|| {
        ApiError::Config(crate::config::ConfigError {
            variable: crate::config::names::ENCRYPTION_KEY,
            problem: "missing (set it as a secret to enrol second factors)".into(),
        })
    })
}

/// The guard of a user's second factors.
pub fn guard_key(user: &User) -> String {
    format!("{}:{}", user.tenant_id, user.id)
}

async fn guard<P: Platform>(ctx: &Ctx<'_, P>, key: &str, event: GuardEvent) -> Result<GuardOutcome, ApiError> {
    ctx.platform.challenges().guard(key, event, ctx.now_secs()).await.map_err(ApiError::from)
}

/// A code presented for an account that has no TOTP: counted and answered exactly as a
/// wrong code for a real one, so the answer does not tell which emails are enrolled.
pub async fn refuse_unenrolled<P: Platform>(ctx: &Ctx<'_, P>, key: &str) -> ApiError {
    match guard(ctx, &format!("unenrolled:{key}"), GuardEvent::Failure).await {
        Ok(outcome) => refused(outcome),
        Err(e) => e,
    }
}

pub fn refused(outcome: GuardOutcome) -> ApiError {
    match outcome {
        GuardOutcome::Locked { retry_after_secs } => {
            ApiError::Locked { retry_after_secs: retry_after_secs.max(1).unsigned_abs() }
        }
        GuardOutcome::Replayed { remaining } => ApiError::InvalidOtp {
            message: "this code was already used; wait for the next one".into(),
            remaining_attempts: Some(remaining),
        },
        GuardOutcome::Wrong { remaining } => {
            ApiError::InvalidOtp { message: "invalid code".into(), remaining_attempts: Some(remaining) }
        }
        GuardOutcome::Open | GuardOutcome::Accepted => ApiError::Internal("guard refused nothing".into()),
    }
}

/// Checks a code against `devices` (TOTP, single use) or, if `allow_backup`, the user's
/// backup codes. Every failure counts towards the user's lockout.
pub async fn check_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    devices: &[TotpDevice],
    code: &str,
    allow_backup: bool,
) -> Result<(), ApiError> {
    let code = code.trim();
    let now = ctx.now_secs();
    let key = guard_key(user);
    if totp::is_code_shaped(code) {
        let seal_key = encryption_key(ctx)?;
        for device in devices {
            let secret = sealed::open(&seal_key, &seal_context(device), &device.secret_sealed)
                .map_err(|_| ApiError::Internal(format!("TOTP device {} does not open", device.id)))?;
            if let Some(step) = totp::matching_step(&secret, code, u64::try_from(now).unwrap_or(0), None) {
                return match guard(ctx, &key, GuardEvent::TotpStep { step }).await? {
                    GuardOutcome::Accepted => {
                        let store = ctx.platform.store();
                        let touched = store
                            .touch_totp_device(
                                TenantId::new(&user.tenant_id),
                                UserId::new(&user.id),
                                DeviceId::new(&device.id),
                                now,
                            )
                            .await;
                        if let Err(e) = touched {
                            ctx.warn(format!("recording TOTP device use: {e}"));
                        }
                        Ok(())
                    }
                    other => Err(refused(other)),
                };
            }
        }
        return Err(refused(guard(ctx, &key, GuardEvent::Failure).await?));
    }
    let normalized = backup_codes::normalize(code).filter(|_| allow_backup).ok_or_else(|| {
        ApiError::bad_field(
            "totp_code",
            if allow_backup { "a 6-digit code or a backup code" } else { "a 6-digit code" },
        )
    })?;
    if let outcome @ GuardOutcome::Locked { .. } = guard(ctx, &key, GuardEvent::Peek).await? {
        return Err(refused(outcome));
    }
    let hash = backup_codes::hash(ctx.config()?.pepper.expose(), &user.tenant_id, &user.id, &normalized);
    let spent = ctx
        .platform
        .store()
        .consume_backup_code(TenantId::new(&user.tenant_id), UserId::new(&user.id), &hash, now)
        .await?;
    let event = if spent { GuardEvent::BackupCode } else { GuardEvent::Failure };
    match guard(ctx, &key, event).await? {
        GuardOutcome::Accepted => Ok(()),
        other => Err(refused(other)),
    }
}
