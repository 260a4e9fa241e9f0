//! Client-Initiated Backchannel Authentication in poll mode (OpenID CIBA Core 1.0): one
//! `auth_req_id`'s state and the rule that answers the client's polls and the user's
//! response on their authentication device.
//!
//! Same shape and guarantees as `device`: `transition` is the whole rule, run in one
//! synchronous step by the request's Durable Object, so after approval exactly one of any
//! number of racing polls gets [`CibaOutcome::Issue`] and the others `invalid_grant`.
//!
//! Order of checks on a poll (first match wins):
//! 1. a poll by another client → `WrongClient` (`invalid_grant`, RFC 6749 §5.2, as CIBA
//!    Core §11 directs), state untouched;
//! 2. `now >= expires_at` → `Expired` (`expired_token`), whatever the status;
//! 3. `Redeemed` → `AlreadyRedeemed` (`invalid_grant`);
//! 4. `Denied` → `Denied` (`access_denied`), whatever the rate;
//! 5. `Approved` → `Issue`, whatever the rate (the tokens are ready);
//! 6. `Pending` → the poll clock decides `SlowDown` or `Pending` (see `polling`).
//!
//! On a response: anyone but the user the `login_hint` named → `WrongUser`, then expiry →
//! `ExpiredOnDecision`, then anything but `Pending` → `NotPending` (a response is final).
//! Refusals leave the state untouched.

use super::polling::{poll, PollClock, DEFAULT_INTERVAL_SECS};
use super::CIBA_TTL_SECS;
use serde::{Deserialize, Serialize};

/// Where an authentication request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CibaStatus {
    /// Waiting for the user (CIBA Core §8).
    Pending,
    /// The user approved; the next poll receives the tokens.
    Approved { user_id: String, tenant_id: String },
    /// The user denied (CIBA Core §11 `access_denied`).
    Denied,
    /// Tokens were issued; the `auth_req_id` is spent.
    Redeemed,
}

/// One `auth_req_id`'s state, stored as JSON by its Durable Object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaState {
    pub status: CibaStatus,
    pub expires_at: i64,
    pub clock: PollClock,
    /// The client that made the authentication request (CIBA Core §7.1).
    pub client_id: String,
    pub tenant_id: String,
    /// The user the `login_hint` resolved to: the only one who may respond.
    pub user_id: String,
    pub scopes: Vec<String>,
    /// Shown on both devices so the user can tell this request apart (CIBA Core §7.1).
    pub binding_message: Option<String>,
    /// The client's name, shown on the approval prompt (requests stored before it: empty).
    #[serde(default)]
    pub client_name: String,
}

impl CibaState {
    /// A pending request made at `now`, living [`CIBA_TTL_SECS`].
    pub fn new(
        client_id: String,
        tenant_id: String,
        user_id: String,
        scopes: Vec<String>,
        binding_message: Option<String>,
        now: i64,
    ) -> Self {
        CibaState {
            status: CibaStatus::Pending,
            expires_at: now.saturating_add(CIBA_TTL_SECS),
            clock: PollClock::new(),
            client_id,
            tenant_id,
            user_id,
            scopes,
            binding_message,
            client_name: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CibaEvent {
    /// A token request with the CIBA grant type (CIBA Core §10.1) by this client.
    Poll { client_id: String },
    /// A signed-in user answered the request on their authentication device.
    Respond { approved: bool, by_user_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CibaOutcome {
    /// `authorization_pending` (CIBA Core §11).
    Pending,
    /// `slow_down` (CIBA Core §11); `interval` is the new one, in seconds.
    SlowDown { interval: i64 },
    /// `expired_token` (CIBA Core §11).
    Expired,
    /// `access_denied` (CIBA Core §11).
    Denied,
    /// Issue tokens for this grant; happens once per request.
    Issue { user_id: String, tenant_id: String, scopes: Vec<String>, client_id: String },
    /// The tokens were already issued: `invalid_grant` (RFC 6749 §5.2).
    AlreadyRedeemed,
    /// The request belongs to another client: `invalid_grant` (RFC 6749 §5.2).
    WrongClient,
    /// The approval was recorded.
    Approved,
    /// The denial was recorded.
    DeniedOk,
    /// The responder is not the user the request was addressed to.
    WrongUser,
    /// The request was already answered or redeemed.
    NotPending,
    /// The request expired before the response.
    ExpiredOnDecision,
}

impl CibaOutcome {
    /// The token endpoint's `error` for a poll outcome (CIBA Core §11, RFC 6749 §5.2);
    /// `None` for `Issue` and for response outcomes.
    pub fn oauth_error(&self) -> Option<&'static str> {
        match self {
            CibaOutcome::Pending => Some("authorization_pending"),
            CibaOutcome::SlowDown { .. } => Some("slow_down"),
            CibaOutcome::Expired => Some("expired_token"),
            CibaOutcome::Denied => Some("access_denied"),
            CibaOutcome::AlreadyRedeemed | CibaOutcome::WrongClient => Some("invalid_grant"),
            CibaOutcome::Issue { .. }
            | CibaOutcome::Approved
            | CibaOutcome::DeniedOk
            | CibaOutcome::WrongUser
            | CibaOutcome::NotPending
            | CibaOutcome::ExpiredOnDecision => None,
        }
    }
}

/// Applies `event` at `now` (Unix seconds); returns the state to keep and the answer.
/// The order of checks is in the module docs.
pub fn transition(state: CibaState, event: CibaEvent, now: i64) -> (CibaState, CibaOutcome) {
    match event {
        CibaEvent::Poll { client_id } => on_poll(state, &client_id, now),
        CibaEvent::Respond { approved, by_user_id } => respond(state, approved, &by_user_id, now),
    }
}

fn on_poll(mut state: CibaState, client_id: &str, now: i64) -> (CibaState, CibaOutcome) {
    if client_id != state.client_id {
        return (state, CibaOutcome::WrongClient);
    }
    if now >= state.expires_at {
        return (state, CibaOutcome::Expired);
    }
    let outcome = match std::mem::replace(&mut state.status, CibaStatus::Redeemed) {
        CibaStatus::Approved { user_id, tenant_id } => {
            CibaOutcome::Issue { user_id, tenant_id, scopes: state.scopes.clone(), client_id: state.client_id.clone() }
        }
        CibaStatus::Redeemed => CibaOutcome::AlreadyRedeemed,
        CibaStatus::Denied => {
            state.status = CibaStatus::Denied;
            CibaOutcome::Denied
        }
        CibaStatus::Pending => {
            state.status = CibaStatus::Pending;
            let (clock, slow_down) = poll(state.clock, now);
            state.clock = clock;
            if slow_down {
                CibaOutcome::SlowDown { interval: clock.interval_secs }
            } else {
                CibaOutcome::Pending
            }
        }
    };
    (state, outcome)
}

fn respond(mut state: CibaState, approved: bool, by_user_id: &str, now: i64) -> (CibaState, CibaOutcome) {
    if by_user_id != state.user_id {
        return (state, CibaOutcome::WrongUser);
    }
    if now >= state.expires_at {
        return (state, CibaOutcome::ExpiredOnDecision);
    }
    if state.status != CibaStatus::Pending {
        return (state, CibaOutcome::NotPending);
    }
    if approved {
        state.status = CibaStatus::Approved { user_id: state.user_id.clone(), tenant_id: state.tenant_id.clone() };
        (state, CibaOutcome::Approved)
    } else {
        state.status = CibaStatus::Denied;
        (state, CibaOutcome::DeniedOk)
    }
}

/// The successful authentication request acknowledgement (CIBA Core §7.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaAuthorization {
    pub auth_req_id: String,
    pub expires_in: i64,
    /// Always sent, though optional in poll mode, so clients need not rely on the default.
    pub interval: i64,
}

impl CibaAuthorization {
    /// The acknowledgement for a fresh request.
    pub fn new(auth_req_id: String) -> Self {
        CibaAuthorization { auth_req_id, expires_in: CIBA_TTL_SECS, interval: DEFAULT_INTERVAL_SECS }
    }
}

#[cfg(test)]
mod tests;
