//! Emailed one-time codes: 6 digits from a CSPRNG, 10-minute life, single use, and 5
//! wrong attempts burn the code. Only a keyed hash of the code is stored, so a leaked
//! store reveals nothing without the deployment's pepper.

use crate::secret::{constant_time_eq, keyed_hash};
use serde::{Deserialize, Serialize};

pub const TTL_SECS: i64 = 600;
pub const MAX_ATTEMPTS: u32 = 5;

/// The largest multiple of 1,000,000 that fits in a u32: draws at or above it are
/// rejected so every code is equally likely.
const UNBIASED_LIMIT: u32 = 4_294_000_000;

/// A 6-digit code from random draws, or `None` if all draws fell in the rejected tail
/// (probability 0.0002 per draw); the caller then draws again.
pub fn code_from_draws(draws: &[u32]) -> Option<String> {
    draws.iter().find(|&&d| d < UNBIASED_LIMIT).map(|d| format!("{:06}", d % 1_000_000))
}

/// The keyed hash of a code, bound to its purpose and subject.
pub fn hash_code(pepper: &[u8], purpose: &str, subject: &str, code: &str) -> String {
    keyed_hash(pepper, &["otp", purpose, subject, code])
}

/// A pending code and what it unlocks (e.g. a registration awaiting verification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtpRecord {
    pub code_hash: String,
    pub expires_at: i64,
    pub attempts: u32,
    pub payload: serde_json::Value,
}

impl OtpRecord {
    pub fn new(code_hash: String, now: i64, payload: serde_json::Value) -> Self {
        OtpRecord { code_hash, expires_at: now + TTL_SECS, attempts: 0, payload }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OtpOutcome {
    Accepted(serde_json::Value),
    Wrong {
        remaining: u32,
    },
    /// Too many wrong attempts: the code is gone.
    Burned,
    Expired,
    Missing,
}

/// Checks a presented code. Returns the outcome and the state to keep (`None`: delete).
pub fn check(record: Option<OtpRecord>, presented_hash: &str, now: i64) -> (OtpOutcome, Option<OtpRecord>) {
    let Some(mut record) = record else {
        return (OtpOutcome::Missing, None);
    };
    if now >= record.expires_at {
        return (OtpOutcome::Expired, None);
    }
    if constant_time_eq(record.code_hash.as_bytes(), presented_hash.as_bytes()) {
        let payload = std::mem::take(&mut record.payload);
        return (OtpOutcome::Accepted(payload), None);
    }
    record.attempts += 1;
    if record.attempts >= MAX_ATTEMPTS {
        return (OtpOutcome::Burned, None);
    }
    let remaining = MAX_ATTEMPTS - record.attempts;
    (OtpOutcome::Wrong { remaining }, Some(record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> OtpRecord {
        OtpRecord::new(hash_code(b"pepper", "p", "a@b.test", "123456"), 1000, json!({"k": 1}))
    }

    #[test]
    fn codes_are_six_digits_and_unbiased() {
        assert_eq!(code_from_draws(&[7]).unwrap(), "000007");
        assert_eq!(code_from_draws(&[4_293_999_999]).unwrap(), "999999");
        assert_eq!(code_from_draws(&[UNBIASED_LIMIT, 42]).unwrap(), "000042");
        assert_eq!(code_from_draws(&[u32::MAX]), None);
    }

    #[test]
    fn a_right_code_is_accepted_once() {
        let hash = hash_code(b"pepper", "p", "a@b.test", "123456");
        let (outcome, state) = check(Some(record()), &hash, 1001);
        assert_eq!(outcome, OtpOutcome::Accepted(json!({"k": 1})));
        assert_eq!(state, None, "single use");
        assert_eq!(check(state, &hash, 1002).0, OtpOutcome::Missing);
    }

    #[test]
    fn five_wrong_attempts_burn_the_code() {
        let wrong = hash_code(b"pepper", "p", "a@b.test", "000000");
        let right = hash_code(b"pepper", "p", "a@b.test", "123456");
        let mut state = Some(record());
        for remaining in (1..MAX_ATTEMPTS).rev() {
            let (outcome, next) = check(state, &wrong, 1001);
            assert_eq!(outcome, OtpOutcome::Wrong { remaining });
            state = next;
        }
        let (outcome, next) = check(state, &wrong, 1001);
        assert_eq!(outcome, OtpOutcome::Burned);
        assert_eq!(check(next, &right, 1001).0, OtpOutcome::Missing);
    }

    #[test]
    fn codes_expire_after_ten_minutes() {
        let right = hash_code(b"pepper", "p", "a@b.test", "123456");
        assert!(matches!(check(Some(record()), &right, 1000 + TTL_SECS - 1).0, OtpOutcome::Accepted(_)));
        assert_eq!(check(Some(record()), &right, 1000 + TTL_SECS).0, OtpOutcome::Expired);
    }

    #[test]
    fn the_hash_binds_purpose_subject_and_pepper() {
        let base = hash_code(b"pepper", "register", "a@b.test", "123456");
        assert_ne!(base, hash_code(b"pepper", "reset", "a@b.test", "123456"));
        assert_ne!(base, hash_code(b"pepper", "register", "c@b.test", "123456"));
        assert_ne!(base, hash_code(b"other", "register", "a@b.test", "123456"));
        assert!(!base.contains("123456"));
    }
}
