//! Step-up (ours, api.md "Factors, delegated tokens, step-up"): adding or removing a
//! second factor needs fresh proof, so that a stolen access token alone cannot plant a
//! passkey or an authenticator that would outlive a password reset.
//!
//! The proof is an existing factor (a TOTP or backup code, or a passkey assertion), or
//! the password when the user has no factor yet. `POST /authsec/uflow/auth/step-up`
//! turns it into a `step_up_token`: a ticket in the ChallengeStore Durable Object, held
//! as a keyed hash, bound to the tenant, the user and the session of the bearer token,
//! and valid for 5 minutes (reusable within them, so a two-step enrolment needs one
//! proof). Factor routes take that token (body `step_up_token` or header
//! `X-Step-Up-Token`) or the proof inline (`totp_code`, `password`); an inline proof
//! mints a token, which the route returns for the next step.

use super::mfa::{check_code, factors};
use super::webauthn;
use crate::api::auth::{authenticated_user, Caller};
use crate::api::body::json_object;
use crate::api::issue::random_token;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::secret::keyed_hash;
use crate::store::accounts::User;
use crate::store::mfa::MfaStore;
use crate::store::state::ChallengeStore;
use serde_json::{json, Map, Value};

/// How long a proof stays fresh.
pub const STEP_UP_TTL_SECS: i64 = 300;
const PREFIX: &str = "su1.";
pub const HEADER: &str = "x-step-up-token";

/// Which inline proofs a route takes besides a `step_up_token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inline {
    /// `totp_code` (an enrolled device's code or a backup code) or `password`.
    CodeOrPassword,
    /// Only `password`: the route's `totp_code` is something else (a new device's code).
    Password,
}

fn ticket_key<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["step-up", token]))
}

/// Records fresh proof for the caller's session; the token is the only handle on it.
async fn mint<P: Platform>(ctx: &Ctx<'_, P>, caller: &Caller, user: &User) -> Result<String, ApiError> {
    let token = format!("{PREFIX}{}", random_token(ctx)?);
    let payload = json!({"tenant_id": user.tenant_id, "user_id": user.id, "sid": caller.sid});
    let expires_at = ctx.now_secs() + STEP_UP_TTL_SECS;
    ctx.platform.challenges().put_ticket(&ticket_key(ctx, &token)?, &payload, expires_at).await?;
    Ok(token)
}

/// The `step_up_token` a request presents, from the body or the header.
fn presented<'a>(req: &'a HttpRequest, body: &'a Map<String, Value>) -> Result<Option<&'a str>, ApiError> {
    match body.get("step_up_token") {
        Some(Value::String(token)) if !token.trim().is_empty() => Ok(Some(token.trim())),
        None | Some(Value::Null) => Ok(req.header(HEADER).map(str::trim).filter(|t| !t.is_empty())),
        Some(Value::String(_)) => Ok(None),
        Some(_) => Err(ApiError::bad_field("step_up_token", "step_up_token must be a string")),
    }
}

/// A live step-up of this caller's user and session.
async fn check<P: Platform>(ctx: &Ctx<'_, P>, caller: &Caller, user: &User, token: &str) -> Result<(), ApiError> {
    let refused = || {
        ApiError::StepUpRequired(
            "the step_up_token is unknown, expired or of another session; prove a factor again \
             (POST /authsec/uflow/auth/step-up)"
                .into(),
        )
    };
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Err(refused());
    }
    let ticket = ctx.platform.challenges().peek_ticket(&ticket_key(ctx, token)?, ctx.now_secs()).await?;
    let ticket = ticket.ok_or_else(refused)?;
    let bound = ticket["tenant_id"] == user.tenant_id.as_str()
        && ticket["user_id"] == user.id.as_str()
        && ticket["sid"] == caller.sid.as_str();
    if bound {
        Ok(())
    } else {
        Err(refused())
    }
}

fn string_field<'a>(body: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a string"))),
    }
}

/// Requires fresh proof for a change to the caller's factors; returns the step-up token
/// that covers the next 5 minutes (the presented one, or one minted from the inline
/// proof). Nothing is written before this passes.
pub async fn require<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    caller: &Caller,
    user: &User,
    body: &Map<String, Value>,
    inline: Inline,
) -> Result<String, ApiError> {
    if let Some(token) = presented(req, body)? {
        check(ctx, caller, user, token).await?;
        return Ok(token.to_string());
    }
    prove(ctx, caller, user, body, inline).await
}

/// Checks an inline proof and mints a step-up token from it.
async fn prove<P: Platform>(
    ctx: &Ctx<'_, P>,
    caller: &Caller,
    user: &User,
    body: &Map<String, Value>,
    inline: Inline,
) -> Result<String, ApiError> {
    let enrolled = factors(ctx, &user.tenant_id, &user.id).await?;
    let code = if inline == Inline::CodeOrPassword { string_field(body, "totp_code")? } else { None };
    if let (Some(code), true) = (code, enrolled.totp) {
        let devices = ctx.platform.store().totp_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
        let confirmed: Vec<_> = devices.into_iter().filter(|d| d.confirmed).collect();
        check_code(ctx, user, &confirmed, code, true).await?;
        return mint(ctx, caller, user).await;
    }
    if let Some(password) = string_field(body, "password")? {
        if enrolled.any() {
            return Err(ApiError::StepUpRequired(
                "this account has a second factor: prove it (a TOTP or backup code, or a passkey), not the password"
                    .into(),
            ));
        }
        crate::api::accounts::check_own_password(ctx, user, password).await?;
        return mint(ctx, caller, user).await;
    }
    Err(ApiError::StepUpRequired(if enrolled.any() {
        "changing second factors needs fresh proof: a step_up_token, or a current totp_code (or backup code); \
         with passkeys only, POST /authsec/uflow/auth/step-up with a passkey assertion"
            .into()
    } else {
        "changing second factors needs fresh proof: a step_up_token, or your password".into()
    }))
}

fn answer(token: &str) -> HttpResponse {
    HttpResponse::json(
        200,
        &json!({"success": true, "step_up_token": token, "expires_in": STEP_UP_TTL_SECS,
                "message": "proof accepted; changes to second factors are open for 5 minutes"}),
    )
}

/// `POST /authsec/uflow/auth/step-up` (J) `{password}` | `{totp_code}` | `{credential}`
/// (a passkey assertion for the challenge of `step-up/passkey`) → `{step_up_token}`.
pub async fn step_up<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (caller, user) = authenticated_user(ctx, req).await?;
    let body = json_object(req)?;
    if let Some(credential) = body.get("credential").filter(|c| !c.is_null()) {
        webauthn::verify_step_up_assertion(ctx, credential, &user).await?;
        return Ok(answer(&mint(ctx, &caller, &user).await?));
    }
    Ok(answer(&prove(ctx, &caller, &user, &body, Inline::CodeOrPassword).await?))
}

/// `POST /authsec/uflow/auth/step-up/passkey` (J): a challenge for one of the caller's
/// own passkeys, to finish at `step-up` with `{credential}`.
pub async fn begin_passkey<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user) = authenticated_user(ctx, req).await?;
    json_object(req)?;
    let options = webauthn::step_up_options(ctx, &user).await?;
    Ok(HttpResponse::json(200, &json!({"publicKey": options})))
}
