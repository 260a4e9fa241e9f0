//! The device authorization grant (RFC 8628): one device code's state and the rule that
//! answers the device's polls and the signed-in user's decision.
//!
//! `transition` is the whole rule; the Durable Object holding a code loads the state,
//! calls it and stores the result in one synchronous step, so of any number of racing
//! polls after approval exactly one gets [`DeviceOutcome::Issue`] (the state turns
//! `Redeemed` in that same step) and the others get `invalid_grant`.
//!
//! Order of checks on a poll (first match wins):
//! 1. a poll by another client than the code's → `WrongClient` (`invalid_grant`,
//!    RFC 6749 §5.2), state untouched: an outsider learns nothing and cannot push the
//!    real client into `slow_down`;
//! 2. `now >= expires_at` → `Expired` (`expired_token`), whatever the status, even
//!    `Redeemed`: after its life a code is simply gone;
//! 3. `Redeemed` → `AlreadyRedeemed` (`invalid_grant`);
//! 4. `Denied` → `Denied` (`access_denied`), whatever the rate;
//! 5. `Approved` → `Issue`, whatever the rate: the tokens are ready and making the device
//!    wait another interval gains nothing;
//! 6. `Pending` → the poll clock decides `SlowDown` or `Pending` (see `polling`).
//!
//! The poll clock therefore only runs while the answer would be `authorization_pending`.
//!
//! On a decision: another tenant's user → `WrongTenant` (a code only admits users of the
//! client's tenant), then expiry → `ExpiredOnDecision`, then anything but `Pending` →
//! `NotPending` (a decision is final). Refusals leave the state untouched.

use super::polling::{poll, PollClock, DEFAULT_INTERVAL_SECS};
use super::{user_code, DEVICE_CODE_TTL_SECS};
use serde::{Deserialize, Serialize};

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Waiting for a user to enter the code (RFC 8628 §3.3).
    Pending,
    /// A user approved; the next poll receives the tokens.
    Approved { user_id: String, tenant_id: String, approved_at: i64 },
    /// A user denied (RFC 8628 §3.5 `access_denied`).
    Denied,
    /// Tokens were issued; the code is spent.
    Redeemed,
}

/// One device code's state, stored as JSON by its Durable Object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceState {
    pub status: DeviceStatus,
    pub expires_at: i64,
    pub clock: PollClock,
    /// The client the code was issued to (RFC 8628 §3.1).
    pub client_id: String,
    /// The client's tenant: only its users may decide.
    pub tenant_id: String,
    pub scopes: Vec<String>,
    /// What the device said about itself, shown to the user on the approval page.
    pub device_info: serde_json::Value,
    /// The canonical (dashless) user code.
    pub user_code: String,
}

impl DeviceState {
    /// A pending code issued at `now`, living [`DEVICE_CODE_TTL_SECS`].
    pub fn new(
        client_id: String,
        tenant_id: String,
        scopes: Vec<String>,
        device_info: serde_json::Value,
        user_code: String,
        now: i64,
    ) -> Self {
        DeviceState {
            status: DeviceStatus::Pending,
            expires_at: now.saturating_add(DEVICE_CODE_TTL_SECS),
            clock: PollClock::new(),
            client_id,
            tenant_id,
            scopes,
            device_info,
            user_code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeviceEvent {
    /// A device access token request (RFC 8628 §3.4) by this (authenticated or public)
    /// client.
    Poll { client_id: String },
    /// A signed-in user approved the code (RFC 8628 §3.3).
    Approve { user_id: String, tenant_id: String },
    /// A signed-in user of this tenant denied the code.
    Deny { tenant_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeviceOutcome {
    /// `authorization_pending` (RFC 8628 §3.5).
    Pending,
    /// `slow_down` (RFC 8628 §3.5); `interval` is the new one, in seconds.
    SlowDown { interval: i64 },
    /// `expired_token` (RFC 8628 §3.5).
    Expired,
    /// `access_denied` (RFC 8628 §3.5).
    Denied,
    /// Issue tokens for this grant; happens once per code.
    Issue { user_id: String, tenant_id: String, scopes: Vec<String>, client_id: String },
    /// The tokens were already issued: `invalid_grant` (RFC 6749 §5.2).
    AlreadyRedeemed,
    /// The code was issued to another client: `invalid_grant` (RFC 6749 §5.2).
    WrongClient,
    /// The approval was recorded.
    Approved,
    /// The denial was recorded.
    DeniedOk,
    /// The deciding user belongs to another tenant than the code's client.
    WrongTenant,
    /// The code was already approved, denied or redeemed.
    NotPending,
    /// The code expired before the decision.
    ExpiredOnDecision,
}

impl DeviceOutcome {
    /// The token endpoint's `error` for a poll outcome (RFC 8628 §3.5, RFC 6749 §5.2);
    /// `None` for `Issue` and for decision outcomes.
    pub fn oauth_error(&self) -> Option<&'static str> {
        match self {
            DeviceOutcome::Pending => Some("authorization_pending"),
            DeviceOutcome::SlowDown { .. } => Some("slow_down"),
            DeviceOutcome::Expired => Some("expired_token"),
            DeviceOutcome::Denied => Some("access_denied"),
            DeviceOutcome::AlreadyRedeemed | DeviceOutcome::WrongClient => Some("invalid_grant"),
            DeviceOutcome::Issue { .. }
            | DeviceOutcome::Approved
            | DeviceOutcome::DeniedOk
            | DeviceOutcome::WrongTenant
            | DeviceOutcome::NotPending
            | DeviceOutcome::ExpiredOnDecision => None,
        }
    }
}

/// Applies `event` at `now` (Unix seconds); returns the state to keep and the answer.
/// The order of checks is in the module docs.
pub fn transition(state: DeviceState, event: DeviceEvent, now: i64) -> (DeviceState, DeviceOutcome) {
    match event {
        DeviceEvent::Poll { client_id } => on_poll(state, &client_id, now),
        DeviceEvent::Approve { user_id, tenant_id } => {
            let approved = DeviceStatus::Approved { user_id, tenant_id: tenant_id.clone(), approved_at: now };
            decide(state, &tenant_id, now, approved, DeviceOutcome::Approved)
        }
        DeviceEvent::Deny { tenant_id } => {
            decide(state, &tenant_id, now, DeviceStatus::Denied, DeviceOutcome::DeniedOk)
        }
    }
}

fn on_poll(mut state: DeviceState, client_id: &str, now: i64) -> (DeviceState, DeviceOutcome) {
    if client_id != state.client_id {
        return (state, DeviceOutcome::WrongClient);
    }
    if now >= state.expires_at {
        return (state, DeviceOutcome::Expired);
    }
    let outcome = match std::mem::replace(&mut state.status, DeviceStatus::Redeemed) {
        DeviceStatus::Approved { user_id, tenant_id, .. } => DeviceOutcome::Issue {
            user_id,
            tenant_id,
            scopes: state.scopes.clone(),
            client_id: state.client_id.clone(),
        },
        DeviceStatus::Redeemed => DeviceOutcome::AlreadyRedeemed,
        DeviceStatus::Denied => {
            state.status = DeviceStatus::Denied;
            DeviceOutcome::Denied
        }
        DeviceStatus::Pending => {
            state.status = DeviceStatus::Pending;
            let (clock, slow_down) = poll(state.clock, now);
            state.clock = clock;
            if slow_down {
                DeviceOutcome::SlowDown { interval: clock.interval_secs }
            } else {
                DeviceOutcome::Pending
            }
        }
    };
    (state, outcome)
}

fn decide(
    mut state: DeviceState,
    tenant_id: &str,
    now: i64,
    decision: DeviceStatus,
    recorded: DeviceOutcome,
) -> (DeviceState, DeviceOutcome) {
    if tenant_id != state.tenant_id {
        return (state, DeviceOutcome::WrongTenant);
    }
    if now >= state.expires_at {
        return (state, DeviceOutcome::ExpiredOnDecision);
    }
    if state.status != DeviceStatus::Pending {
        return (state, DeviceOutcome::NotPending);
    }
    state.status = decision;
    (state, recorded)
}

/// The device authorization response (RFC 8628 §3.2), as sent to the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAuthorization {
    pub device_code: String,
    /// The user code in its display form, `XXXX-XXXX`.
    pub user_code: String,
    pub verification_uri: String,
    /// `verification_uri` with the user code filled in (RFC 8628 §3.3.1).
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

impl DeviceAuthorization {
    /// The response for a fresh code: `user_code` canonical, `verification_uri` the
    /// activation page; the complete URI adds `user_code` as a query parameter.
    pub fn new(device_code: String, user_code: &str, verification_uri: &str) -> Self {
        let shown = user_code::display(user_code);
        let separator = if verification_uri.contains('?') { '&' } else { '?' };
        let verification_uri_complete = format!("{verification_uri}{separator}user_code={}", query_escape(&shown));
        DeviceAuthorization {
            device_code,
            user_code: shown,
            verification_uri: verification_uri.to_string(),
            verification_uri_complete,
            expires_in: DEVICE_CODE_TTL_SECS,
            interval: DEFAULT_INTERVAL_SECS,
        }
    }
}

/// Percent-encodes all but RFC 3986 §2.3 unreserved characters. Canonical user codes
/// never need it; it only keeps a malformed one from breaking the URI.
fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests;
