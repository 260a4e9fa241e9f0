//! Emailed one-time codes: 6 digits from a CSPRNG, 10-minute life, single use, and 5
//! wrong attempts burn the code. Only a keyed hash of the code is stored, so a leaked
//! store reveals nothing without the deployment's pepper.
//!
//! A pending code may be bound to its requester (`holder`, a keyed hash of what only
//! the requester knows, such as the password a registration chose). A bound code is
//! accepted only with the same holder, and a request by anybody else neither replaces
//! it nor resets its attempts (`place`). Re-issuing to the same holder keeps the count.

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
    /// Who may redeem and re-issue it; empty for a code anybody with the code may use.
    #[serde(default)]
    pub holder: String,
}

impl OtpRecord {
    pub fn new(code_hash: String, now: i64, payload: serde_json::Value) -> Self {
        OtpRecord { code_hash, expires_at: now + TTL_SECS, attempts: 0, payload, holder: String::new() }
    }

    /// A code that only `holder` may redeem or re-issue.
    pub fn bound_to(mut self, holder: String) -> Self {
        self.holder = holder;
        self
    }
}

/// What became of a new code offered for a key (`place`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Nothing live was pending: the new code is stored.
    Stored,
    /// The same holder asked again: the new code replaces the old, attempts carry over.
    Reissued,
    /// A live code of another holder is pending: it stays, the new one is dropped.
    Refused,
}

/// Offers `new` for a key holding `existing`; returns the outcome and the record to keep.
pub fn place(existing: Option<OtpRecord>, new: OtpRecord, now: i64) -> (Placement, OtpRecord) {
    match existing.filter(|e| now < e.expires_at) {
        None => (Placement::Stored, new),
        // A bound code keeps its expiry too: asking again every few minutes must not keep a
        // squatted registration pending forever.
        Some(old) if constant_time_eq(old.holder.as_bytes(), new.holder.as_bytes()) => {
            let expires_at = if old.holder.is_empty() { new.expires_at } else { old.expires_at };
            (Placement::Reissued, OtpRecord { attempts: old.attempts, expires_at, ..new })
        }
        Some(old) => (Placement::Refused, old),
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

/// Checks a presented code from `presented_holder` (empty for unbound codes). Returns
/// the outcome and the state to keep (`None`: delete). The right code from the wrong
/// holder is a wrong attempt.
pub fn check(
    record: Option<OtpRecord>,
    presented_hash: &str,
    presented_holder: &str,
    now: i64,
) -> (OtpOutcome, Option<OtpRecord>) {
    let Some(mut record) = record else {
        return (OtpOutcome::Missing, None);
    };
    if now >= record.expires_at {
        return (OtpOutcome::Expired, None);
    }
    let holder_ok = record.holder.is_empty() || constant_time_eq(record.holder.as_bytes(), presented_holder.as_bytes());
    if constant_time_eq(record.code_hash.as_bytes(), presented_hash.as_bytes()) && holder_ok {
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
        let (outcome, state) = check(Some(record()), &hash, "", 1001);
        assert_eq!(outcome, OtpOutcome::Accepted(json!({"k": 1})));
        assert_eq!(state, None, "single use");
        assert_eq!(check(state, &hash, "", 1002).0, OtpOutcome::Missing);
    }

    #[test]
    fn five_wrong_attempts_burn_the_code() {
        let wrong = hash_code(b"pepper", "p", "a@b.test", "000000");
        let right = hash_code(b"pepper", "p", "a@b.test", "123456");
        let mut state = Some(record());
        for remaining in (1..MAX_ATTEMPTS).rev() {
            let (outcome, next) = check(state, &wrong, "", 1001);
            assert_eq!(outcome, OtpOutcome::Wrong { remaining });
            state = next;
        }
        let (outcome, next) = check(state, &wrong, "", 1001);
        assert_eq!(outcome, OtpOutcome::Burned);
        assert_eq!(check(next, &right, "", 1001).0, OtpOutcome::Missing);
    }

    #[test]
    fn codes_expire_after_ten_minutes() {
        let right = hash_code(b"pepper", "p", "a@b.test", "123456");
        assert!(matches!(check(Some(record()), &right, "", 1000 + TTL_SECS - 1).0, OtpOutcome::Accepted(_)));
        assert_eq!(check(Some(record()), &right, "", 1000 + TTL_SECS).0, OtpOutcome::Expired);
    }

    #[test]
    fn the_hash_binds_purpose_subject_and_pepper() {
        let base = hash_code(b"pepper", "register", "a@b.test", "123456");
        assert_ne!(base, hash_code(b"pepper", "reset", "a@b.test", "123456"));
        assert_ne!(base, hash_code(b"pepper", "register", "c@b.test", "123456"));
        assert_ne!(base, hash_code(b"other", "register", "a@b.test", "123456"));
        assert!(!base.contains("123456"));
    }

    #[test]
    fn a_bound_code_needs_its_holder_and_the_wrong_holder_costs_an_attempt() {
        let right = hash_code(b"pepper", "p", "a@b.test", "123456");
        let bound = record().bound_to("first".into());
        let (outcome, state) = check(Some(bound), &right, "second", 1001);
        assert_eq!(outcome, OtpOutcome::Wrong { remaining: MAX_ATTEMPTS - 1 });
        let (outcome, state) = check(state, &right, "first", 1002);
        assert_eq!(outcome, OtpOutcome::Accepted(json!({"k": 1})));
        assert_eq!(state, None);
    }

    #[test]
    fn another_holder_can_neither_replace_a_pending_code_nor_reset_its_attempts() {
        let first = OtpRecord { attempts: 3, ..record().bound_to("first".into()) };
        let other = OtpRecord::new("h2".into(), 1010, json!({"k": 2})).bound_to("second".into());
        let (placement, kept) = place(Some(first.clone()), other, 1010);
        assert_eq!((placement, &kept), (Placement::Refused, &first));
        let again = OtpRecord::new("h3".into(), 1020, json!({"k": 3})).bound_to("first".into());
        let (placement, kept) = place(Some(first.clone()), again, 1020);
        assert_eq!(placement, Placement::Reissued);
        assert_eq!((kept.code_hash.as_str(), kept.attempts), ("h3", 3), "the new code, the old count");
        assert_eq!(kept.expires_at, first.expires_at, "and the old expiry: no squatting by re-asking");
        let late = OtpRecord::new("h4".into(), 1000 + TTL_SECS, json!({})).bound_to("second".into());
        assert_eq!(place(Some(first), late, 1000 + TTL_SECS).0, Placement::Stored, "an expired code holds nothing");
        assert_eq!(place(None, record(), 1001).0, Placement::Stored);
    }
}
