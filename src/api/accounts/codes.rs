//! Emailed one-time codes for the account flows: issue (hash stored in the
//! `ChallengeStore`, code mailed) and redeem (single use, attempts counted there).
//!
//! Two budgets bound guessing: 5 wrong attempts burn one code, and every wrong code on a
//! subject counts against `CODE_ATTEMPTS_PER_DAY`, which survives re-issue (asking for
//! a new code no longer buys 5 fresh guesses). When it is spent, the subject is locked
//! for a day and its owner is mailed once.

use super::mailbox::deliver;
use crate::accounts::otp::{self, OtpOutcome, OtpRecord, Placement};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::rate_limit::{Decision, Limit};
use crate::secret::keyed_hash;
use crate::store::state::ChallengeStore;
use crate::store::RateLimiter;
use serde_json::{json, Map, Value};

/// Wrong codes per subject per day, across every code issued to it.
pub const CODE_ATTEMPTS_PER_DAY: u32 = 20;
const DAY_SECS: i64 = 86_400;

/// What a code is for and whom it is for. `holder` binds a code to its requester (a
/// keyed hash of what only they know, see `holder`); empty for unbound codes.
pub struct CodeFor<'a> {
    pub purpose: &'a str,
    pub subject: &'a str,
    /// The mailbox that receives the code and hears of a lock.
    pub email: &'a str,
    pub holder: String,
}

impl<'a> CodeFor<'a> {
    pub fn unbound(purpose: &'a str, subject: &'a str, email: &'a str) -> Self {
        CodeFor { purpose, subject, email, holder: String::new() }
    }

    /// Bound to whoever knows `secret` (a registration's chosen password).
    pub fn bound<P: Platform>(
        ctx: &Ctx<'_, P>,
        purpose: &'a str,
        subject: &'a str,
        email: &'a str,
        secret: &str,
    ) -> Result<Self, ApiError> {
        let holder = keyed_hash(ctx.config()?.pepper.expose(), &["otp-holder", purpose, subject, secret]);
        Ok(CodeFor { purpose, subject, email, holder })
    }

    fn key(&self) -> String {
        format!("{}:{}", self.purpose, self.subject)
    }
}

/// A 6-digit code from the platform's CSPRNG.
pub fn new_code<P: Platform>(ctx: &Ctx<'_, P>) -> Result<String, ApiError> {
    loop {
        let bytes = ctx.random_id()?;
        let draws: Vec<u32> = bytes.chunks(4).map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])).collect();
        if let Some(code) = otp::code_from_draws(&draws) {
            return Ok(code);
        }
    }
}

/// The `otp` field: exactly six digits.
pub fn code_field(body: &Map<String, Value>) -> Result<&str, ApiError> {
    let code = crate::api::body::required_string(body, "otp")?.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ApiError::bad_field("otp", "otp must be 6 digits"))
    }
}

/// Offers a pending code (see `otp::place`): a live code of another holder stays.
pub async fn store_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    code_for: &CodeFor<'_>,
    code: &str,
    payload: Value,
) -> Result<Placement, ApiError> {
    let pepper = ctx.config()?.pepper.expose().clone();
    let hash = otp::hash_code(&pepper, code_for.purpose, code_for.subject, code);
    let record = OtpRecord::new(hash, ctx.now_secs(), payload).bound_to(code_for.holder.clone());
    Ok(ctx.platform.challenges().place_otp(&code_for.key(), &record, ctx.now_secs()).await?)
}

/// Stores a new code and mails it, unless another requester's code is pending (then
/// nothing is mailed: that code, and its attempt count, stand).
pub async fn send_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    code_for: &CodeFor<'_>,
    payload: Value,
    why: &str,
) -> Result<Placement, ApiError> {
    send_code_noting(ctx, code_for, payload, why, "").await
}

/// `send_code`, with `note` (say, the account's second factors) after the code.
pub async fn send_code_noting<P: Platform>(
    ctx: &Ctx<'_, P>,
    code_for: &CodeFor<'_>,
    payload: Value,
    why: &str,
    note: &str,
) -> Result<Placement, ApiError> {
    let code = new_code(ctx)?;
    let placement = store_code(ctx, code_for, &code, payload).await?;
    if placement != Placement::Refused {
        let text = format!(
            "Your AuthSec verification code is {code}.\n\nIt expires in 10 minutes and works once. It was requested to {why}; if that was not you, ignore this mail.{note}"
        );
        deliver(ctx, code_for.email, "Your AuthSec verification code", text).await?;
    }
    Ok(placement)
}

/// Redeems a code: its payload on success, otherwise the contract's `invalid_otp`.
pub async fn redeem_code<P: Platform>(ctx: &Ctx<'_, P>, code_for: &CodeFor<'_>, code: &str) -> Result<Value, ApiError> {
    match check(ctx, code_for, code).await? {
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

/// The raw outcome, for flows that fall back from one purpose to another. A subject
/// locked for the day is refused before any code is looked at; a wrong code counts
/// against its daily budget.
pub async fn check<P: Platform>(ctx: &Ctx<'_, P>, code_for: &CodeFor<'_>, code: &str) -> Result<OtpOutcome, ApiError> {
    refuse_if_locked(ctx, code_for).await?;
    let presented = otp::hash_code(ctx.config()?.pepper.expose(), code_for.purpose, code_for.subject, code);
    let challenges = ctx.platform.challenges();
    let outcome = challenges.check_otp(&code_for.key(), &presented, &code_for.holder, ctx.now_secs()).await?;
    if matches!(outcome, OtpOutcome::Wrong { .. } | OtpOutcome::Burned) {
        count_wrong_code(ctx, code_for).await?;
    }
    Ok(outcome)
}

fn lock_key<P: Platform>(ctx: &Ctx<'_, P>, code_for: &CodeFor<'_>) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["code-lock", code_for.subject]))
}

async fn refuse_if_locked<P: Platform>(ctx: &Ctx<'_, P>, code_for: &CodeFor<'_>) -> Result<(), ApiError> {
    let now = ctx.now_secs();
    let Some(lock) = ctx.platform.challenges().peek_ticket(&lock_key(ctx, code_for)?, now).await? else {
        return Ok(());
    };
    let until = lock["until"].as_i64().unwrap_or(now + DAY_SECS);
    Err(ApiError::Locked { retry_after_secs: u64::try_from((until - now).max(1)).unwrap_or(1) })
}

/// Counts a wrong code against the subject's daily budget. Only wrong codes count, so
/// nobody can lock an address by guessing where no code was ever issued. The one that
/// spends the budget locks the subject for a day and mails its owner once.
async fn count_wrong_code<P: Platform>(ctx: &Ctx<'_, P>, code_for: &CodeFor<'_>) -> Result<(), ApiError> {
    let limit = Limit { max: CODE_ATTEMPTS_PER_DAY, window_ms: DAY_SECS * 1000 };
    let key = format!("wrong-codes:{}", code_for.subject);
    match ctx.platform.limiter().admit(&key, limit, ctx.now_ms).await? {
        Decision::Allowed { remaining } if remaining > 0 => return Ok(()),
        _ => {}
    }
    let until = ctx.now_secs() + DAY_SECS;
    ctx.platform.challenges().put_ticket(&lock_key(ctx, code_for)?, &json!({"until": until}), until).await?;
    let text = format!(
        "There were {CODE_ATTEMPTS_PER_DAY} wrong verification codes today for this email. Codes for it \
         are locked until tomorrow. If that was not you, somebody may be trying to take over the \
         address's account; nothing has been changed."
    );
    deliver(ctx, code_for.email, "Verification codes locked for today", text).await
}
