//! Calls to `ChallengeStore`: pending one-time codes (objects `otp:{key}`), the
//! second-factor guard (`mfa:{key}`) and single-use tickets (`ticket:{shard}`).

use super::{do_calls, Stored};
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::otp::{OtpOutcome, OtpRecord, Placement};
use serde::{Deserialize, Serialize};

/// Stores (or replaces) a pending one-time code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlaceOtp {
    pub key: String,
    pub record: OtpRecord,
    pub now: i64,
}

/// Checks a presented code against the pending one, counting a wrong attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckOtp {
    pub key: String,
    pub presented_hash: String,
    /// Empty for codes not bound to a requester.
    #[serde(default)]
    pub holder: String,
    pub now: i64,
}

/// Applies one event to the user's second-factor guard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Guard {
    pub key: String,
    pub event: GuardEvent,
    pub now: i64,
}

/// Stores a single-use ticket until `expires_at`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PutTicket {
    pub key: String,
    pub payload: serde_json::Value,
    pub expires_at: i64,
}

/// A live ticket's payload, leaving the ticket in place.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeekTicket {
    pub key: String,
    pub now: i64,
}

/// A live ticket's payload, deleting the ticket in the same step.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TakeTicket {
    pub key: String,
    pub now: i64,
}

/// `None` when there is no live ticket under the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketPayload {
    pub payload: Option<serde_json::Value>,
}

do_calls! {
    PlaceOtp => "/place-otp", Placement;
    CheckOtp => "/check-otp", OtpOutcome;
    Guard => "/guard", GuardOutcome;
    PutTicket => "/put-ticket", Stored;
    PeekTicket => "/peek-ticket", TicketPayload;
    TakeTicket => "/take-ticket", TicketPayload;
}
