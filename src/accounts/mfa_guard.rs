//! The per-user guard in front of second factors (api.md "MFA", ours): a TOTP time step
//! is accepted once and only if it is newer than the last accepted one (RFC 6238 §5.2),
//! and five failed codes lock the factor for a window, whatever code comes next.
//!
//! The state lives in a Durable Object per user; `transition` is the whole rule, so the
//! object only loads, calls it and stores the result in one synchronous step. That is
//! what makes two parallel requests with the same code yield exactly one success.

use serde::{Deserialize, Serialize};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_SECS: i64 = 900;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardState {
    /// The newest TOTP step accepted for this user.
    pub last_step: Option<u64>,
    /// Failed codes since the last success or lock.
    pub failures: u32,
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GuardEvent {
    /// Only asks whether the factor is locked (before spending a backup code).
    Peek,
    /// A TOTP code matched this step; accepted only if newer than the last one.
    TotpStep { step: u64 },
    /// A backup code was consumed.
    BackupCode,
    /// A code did not match.
    Failure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GuardOutcome {
    /// `Peek` on an unlocked factor.
    Open,
    Accepted,
    /// The step was already used (or an older one): counts as a failure.
    Replayed {
        remaining: u32,
    },
    Wrong {
        remaining: u32,
    },
    Locked {
        retry_after_secs: i64,
    },
}

/// Applies `event` at `now`; returns the state to keep and the answer.
pub fn transition(state: GuardState, event: GuardEvent, now: i64) -> (GuardState, GuardOutcome) {
    if let Some(until) = state.locked_until.filter(|&until| until > now) {
        return (state, GuardOutcome::Locked { retry_after_secs: until - now });
    }
    let state = GuardState { locked_until: None, ..state };
    match event {
        GuardEvent::Peek => (state, GuardOutcome::Open),
        GuardEvent::TotpStep { step } if state.last_step.is_none_or(|last| step > last) => {
            (GuardState { last_step: Some(step), failures: 0, locked_until: None }, GuardOutcome::Accepted)
        }
        GuardEvent::TotpStep { .. } => fail(state, now, |remaining| GuardOutcome::Replayed { remaining }),
        GuardEvent::BackupCode => (GuardState { failures: 0, ..state }, GuardOutcome::Accepted),
        GuardEvent::Failure => fail(state, now, |remaining| GuardOutcome::Wrong { remaining }),
    }
}

fn fail(state: GuardState, now: i64, outcome: impl Fn(u32) -> GuardOutcome) -> (GuardState, GuardOutcome) {
    let failures = state.failures + 1;
    if failures >= MAX_FAILURES {
        let locked = GuardState { failures: 0, locked_until: Some(now + LOCK_SECS), ..state };
        return (locked, GuardOutcome::Locked { retry_after_secs: LOCK_SECS });
    }
    (GuardState { failures, ..state }, outcome(MAX_FAILURES - failures))
}

/// When the state may be forgotten: after the lock ends, and long after the drift window
/// in which the last step could be replayed.
pub fn expires_at(state: &GuardState, now: i64) -> i64 {
    state.locked_until.unwrap_or(0).max(now + LOCK_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn run(events: &[GuardEvent]) -> Vec<GuardOutcome> {
        let mut state = GuardState::default();
        events
            .iter()
            .map(|&event| {
                let (next, outcome) = transition(state.clone(), event, NOW);
                state = next;
                outcome
            })
            .collect()
    }

    #[test]
    fn a_step_is_accepted_once_and_never_an_older_one() {
        let step = |step| GuardEvent::TotpStep { step };
        assert_eq!(
            run(&[step(10), step(10), step(9), step(11)]),
            [
                GuardOutcome::Accepted,
                GuardOutcome::Replayed { remaining: 4 },
                GuardOutcome::Replayed { remaining: 3 },
                GuardOutcome::Accepted
            ]
        );
    }

    #[test]
    fn five_failures_lock_even_the_right_code_out_until_the_window_ends() {
        let mut state = GuardState::default();
        for remaining in (1..MAX_FAILURES).rev() {
            let (next, outcome) = transition(state, GuardEvent::Failure, NOW);
            assert_eq!(outcome, GuardOutcome::Wrong { remaining });
            state = next;
        }
        let (state, outcome) = transition(state, GuardEvent::Failure, NOW);
        assert_eq!(outcome, GuardOutcome::Locked { retry_after_secs: LOCK_SECS });
        for event in [GuardEvent::TotpStep { step: 99 }, GuardEvent::BackupCode, GuardEvent::Peek] {
            let (_, outcome) = transition(state.clone(), event, NOW + 10);
            assert_eq!(outcome, GuardOutcome::Locked { retry_after_secs: LOCK_SECS - 10 });
        }
        let (state, outcome) = transition(state, GuardEvent::Peek, NOW + LOCK_SECS);
        assert_eq!(outcome, GuardOutcome::Open);
        assert_eq!((state.failures, state.locked_until), (0, None));
    }

    #[test]
    fn a_success_clears_failures_and_keeps_the_last_step() {
        let (state, _) = transition(GuardState::default(), GuardEvent::Failure, NOW);
        let (state, _) = transition(state, GuardEvent::TotpStep { step: 5 }, NOW);
        assert_eq!(state, GuardState { last_step: Some(5), failures: 0, locked_until: None });
        let (state, _) = transition(state, GuardEvent::Failure, NOW);
        let (state, outcome) = transition(state, GuardEvent::BackupCode, NOW);
        assert_eq!(outcome, GuardOutcome::Accepted);
        assert_eq!(state, GuardState { last_step: Some(5), failures: 0, locked_until: None });
    }

    #[test]
    fn replays_count_towards_the_lock() {
        let mut events = vec![GuardEvent::TotpStep { step: 1 }];
        events.extend([GuardEvent::TotpStep { step: 1 }; 5]);
        assert_eq!(run(&events).last(), Some(&GuardOutcome::Locked { retry_after_secs: LOCK_SECS }));
    }

    #[test]
    fn state_outlives_the_lock() {
        let locked = GuardState { locked_until: Some(NOW + 5_000), ..Default::default() };
        assert_eq!(expires_at(&locked, NOW), NOW + 5_000);
        assert_eq!(expires_at(&GuardState::default(), NOW), NOW + LOCK_SECS);
    }
}
