//! Emailed one-time codes for the account flows: issue (hash stored in the
//! `ChallengeStore`, code mailed) and redeem (single use, attempts counted there).

use super::mailbox::deliver;
use super::{Ctx, Platform};
use crate::accounts::otp::{self, OtpOutcome, OtpRecord};
use crate::error::ApiError;
use crate::store::state::ChallengeStore;
use serde_json::{Map, Value};

/// A 6-digit code from the platform's CSPRNG.
pub fn new_code<P: Platform>(ctx: &Ctx<'_, P>) -> String {
    loop {
        let bytes = ctx.platform.random_id();
        let draws: Vec<u32> = bytes.chunks(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        if let Some(code) = otp::code_from_draws(&draws) {
            return code;
        }
    }
}

/// The `otp` field: exactly six digits.
pub fn code_field(body: &Map<String, Value>) -> Result<&str, ApiError> {
    let code = super::body::required_string(body, "otp")?.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ApiError::bad_field("otp", "otp must be 6 digits"))
    }
}

/// Stores a pending code for `purpose` and `subject` (replacing any earlier one).
pub async fn store_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    purpose: &str,
    subject: &str,
    code: &str,
    payload: Value,
) -> Result<(), ApiError> {
    let pepper = ctx.config()?.pepper.expose().clone();
    let record = OtpRecord::new(otp::hash_code(&pepper, purpose, subject, code), ctx.now_secs(), payload);
    ctx.platform
        .challenges()
        .put_otp(&format!("{purpose}:{subject}"), &record)
        .await
        .map_err(super::unavailable::challenge_store)
}

/// Stores a new code and mails it to `email`.
pub async fn send_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    purpose: &str,
    subject: &str,
    email: &str,
    payload: Value,
    why: &str,
) -> Result<(), ApiError> {
    let code = new_code(ctx);
    store_code(ctx, purpose, subject, &code, payload).await?;
    let text = format!(
        "Your AuthSec verification code is {code}.\n\nIt expires in 10 minutes and works once. It was requested to {why}; if that was not you, ignore this mail."
    );
    deliver(ctx, email, "Your AuthSec verification code", text).await
}

/// Redeems a code: its payload on success, otherwise the contract's `invalid_otp`.
pub async fn redeem_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    purpose: &str,
    subject: &str,
    code: &str,
) -> Result<Value, ApiError> {
    match check(ctx, purpose, subject, code).await? {
        OtpOutcome::Accepted(payload) => Ok(payload),
        other => Err(outcome_error(other)),
    }
}

/// The contract's `invalid_otp` for every outcome but acceptance.
pub fn outcome_error(outcome: OtpOutcome) -> ApiError {
    match outcome {
        OtpOutcome::Accepted(_) => ApiError::Internal("an accepted code is not an error".into()),
        OtpOutcome::Wrong { remaining } => {
            ApiError::InvalidOtp { message: "the code is wrong".into(), remaining_attempts: Some(remaining) }
        }
        OtpOutcome::Burned => ApiError::InvalidOtp {
            message: "too many wrong codes; request a new one".into(),
            remaining_attempts: Some(0),
        },
        OtpOutcome::Expired | OtpOutcome::Missing => ApiError::InvalidOtp {
            message: "no pending code for this email, or it expired; request a new one".into(),
            remaining_attempts: None,
        },
    }
}

/// The raw outcome, for flows that fall back from one purpose to another.
pub async fn check<P: Platform>(
    ctx: &Ctx<'_, P>,
    purpose: &str,
    subject: &str,
    code: &str,
) -> Result<OtpOutcome, ApiError> {
    let presented = otp::hash_code(ctx.config()?.pepper.expose(), purpose, subject, code);
    ctx.platform
        .challenges()
        .check_otp(&format!("{purpose}:{subject}"), &presented, ctx.now_secs())
        .await
        .map_err(super::unavailable::challenge_store)
}
