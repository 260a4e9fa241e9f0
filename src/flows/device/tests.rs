//! The device grant's rule, checked state by event by timing against a written-out table.

use super::*;
use serde_json::json;

const T0: i64 = 1_700_000_000;
const EXPIRES_AT: i64 = T0 + DEVICE_CODE_TTL_SECS;
/// The last second of the code's life, and the first after it.
const BEFORE: i64 = EXPIRES_AT - 1;
const AFTER: i64 = EXPIRES_AT;

#[derive(Debug, Clone, Copy, PartialEq)]
enum S {
    Pending,
    Approved,
    Denied,
    Redeemed,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum E {
    Poll,
    PollByOtherClient,
    Approve,
    ApproveFromOtherTenant,
    Deny,
    DenyFromOtherTenant,
}

#[derive(Debug, Clone, Copy)]
enum O {
    Pending,
    SlowDown,
    Expired,
    Denied,
    Issue,
    AlreadyRedeemed,
    WrongClient,
    Approved,
    DeniedOk,
    WrongTenant,
    NotPending,
    ExpiredOnDecision,
}

/// What happens to the poll clock: untouched, the poll recorded, or recorded and slowed.
#[derive(Debug, Clone, Copy)]
enum C {
    Kept,
    Tick,
    Slow,
}
use C::{Kept, Slow, Tick};

type Expect = (O, S, C);

/// Per state and event: the outcome, next status and clock change for a first poll, an
/// on-time poll (1 s early) and a too-fast poll (2 s early) before expiry, and then the
/// same for all three timings at or after expiry.
#[rustfmt::skip]
const TABLE: &[(S, E, [Expect; 3], Expect)] = &[
    (S::Pending, E::Poll,
        [(O::Pending, S::Pending, Tick), (O::Pending, S::Pending, Tick), (O::SlowDown, S::Pending, Slow)],
        (O::Expired, S::Pending, Kept)),
    (S::Pending, E::PollByOtherClient, [(O::WrongClient, S::Pending, Kept); 3], (O::WrongClient, S::Pending, Kept)),
    (S::Pending, E::Approve, [(O::Approved, S::Approved, Kept); 3], (O::ExpiredOnDecision, S::Pending, Kept)),
    (S::Pending, E::ApproveFromOtherTenant, [(O::WrongTenant, S::Pending, Kept); 3], (O::WrongTenant, S::Pending, Kept)),
    (S::Pending, E::Deny, [(O::DeniedOk, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Pending, Kept)),
    (S::Pending, E::DenyFromOtherTenant, [(O::WrongTenant, S::Pending, Kept); 3], (O::WrongTenant, S::Pending, Kept)),

    (S::Approved, E::Poll, [(O::Issue, S::Redeemed, Kept); 3], (O::Expired, S::Approved, Kept)),
    (S::Approved, E::PollByOtherClient, [(O::WrongClient, S::Approved, Kept); 3], (O::WrongClient, S::Approved, Kept)),
    (S::Approved, E::Approve, [(O::NotPending, S::Approved, Kept); 3], (O::ExpiredOnDecision, S::Approved, Kept)),
    (S::Approved, E::ApproveFromOtherTenant, [(O::WrongTenant, S::Approved, Kept); 3], (O::WrongTenant, S::Approved, Kept)),
    (S::Approved, E::Deny, [(O::NotPending, S::Approved, Kept); 3], (O::ExpiredOnDecision, S::Approved, Kept)),
    (S::Approved, E::DenyFromOtherTenant, [(O::WrongTenant, S::Approved, Kept); 3], (O::WrongTenant, S::Approved, Kept)),

    (S::Denied, E::Poll, [(O::Denied, S::Denied, Kept); 3], (O::Expired, S::Denied, Kept)),
    (S::Denied, E::PollByOtherClient, [(O::WrongClient, S::Denied, Kept); 3], (O::WrongClient, S::Denied, Kept)),
    (S::Denied, E::Approve, [(O::NotPending, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Denied, Kept)),
    (S::Denied, E::ApproveFromOtherTenant, [(O::WrongTenant, S::Denied, Kept); 3], (O::WrongTenant, S::Denied, Kept)),
    (S::Denied, E::Deny, [(O::NotPending, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Denied, Kept)),
    (S::Denied, E::DenyFromOtherTenant, [(O::WrongTenant, S::Denied, Kept); 3], (O::WrongTenant, S::Denied, Kept)),

    (S::Redeemed, E::Poll, [(O::AlreadyRedeemed, S::Redeemed, Kept); 3], (O::Expired, S::Redeemed, Kept)),
    (S::Redeemed, E::PollByOtherClient, [(O::WrongClient, S::Redeemed, Kept); 3], (O::WrongClient, S::Redeemed, Kept)),
    (S::Redeemed, E::Approve, [(O::NotPending, S::Redeemed, Kept); 3], (O::ExpiredOnDecision, S::Redeemed, Kept)),
    (S::Redeemed, E::ApproveFromOtherTenant, [(O::WrongTenant, S::Redeemed, Kept); 3], (O::WrongTenant, S::Redeemed, Kept)),
    (S::Redeemed, E::Deny, [(O::NotPending, S::Redeemed, Kept); 3], (O::ExpiredOnDecision, S::Redeemed, Kept)),
    (S::Redeemed, E::DenyFromOtherTenant, [(O::WrongTenant, S::Redeemed, Kept); 3], (O::WrongTenant, S::Redeemed, Kept)),
];

fn scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into()]
}

fn fresh() -> DeviceState {
    DeviceState::new("c1".into(), "t1".into(), scopes(), json!({"name": "TV"}), "BCDFGHJK".into(), T0)
}

fn status(s: S) -> DeviceStatus {
    match s {
        S::Pending => DeviceStatus::Pending,
        // Approvals in the table happen at BEFORE, so a stored one is dated the same.
        S::Approved => DeviceStatus::Approved { user_id: "u1".into(), tenant_id: "t1".into(), approved_at: BEFORE },
        S::Denied => DeviceStatus::Denied,
        S::Redeemed => DeviceStatus::Redeemed,
    }
}

fn event(e: E) -> DeviceEvent {
    match e {
        E::Poll => DeviceEvent::Poll { client_id: "c1".into() },
        E::PollByOtherClient => DeviceEvent::Poll { client_id: "c2".into() },
        E::Approve => DeviceEvent::Approve { user_id: "u1".into(), tenant_id: "t1".into() },
        E::ApproveFromOtherTenant => DeviceEvent::Approve { user_id: "u2".into(), tenant_id: "t2".into() },
        E::Deny => DeviceEvent::Deny { tenant_id: "t1".into() },
        E::DenyFromOtherTenant => DeviceEvent::Deny { tenant_id: "t2".into() },
    }
}

fn outcome(o: O) -> DeviceOutcome {
    match o {
        O::Pending => DeviceOutcome::Pending,
        O::SlowDown => DeviceOutcome::SlowDown { interval: 10 },
        O::Expired => DeviceOutcome::Expired,
        O::Denied => DeviceOutcome::Denied,
        O::Issue => DeviceOutcome::Issue {
            user_id: "u1".into(),
            tenant_id: "t1".into(),
            scopes: scopes(),
            client_id: "c1".into(),
        },
        O::AlreadyRedeemed => DeviceOutcome::AlreadyRedeemed,
        O::WrongClient => DeviceOutcome::WrongClient,
        O::Approved => DeviceOutcome::Approved,
        O::DeniedOk => DeviceOutcome::DeniedOk,
        O::WrongTenant => DeviceOutcome::WrongTenant,
        O::NotPending => DeviceOutcome::NotPending,
        O::ExpiredOnDecision => DeviceOutcome::ExpiredOnDecision,
    }
}

/// The clocks of a first, an on-time and a too-fast poll arriving at `now`.
fn timings(now: i64) -> [PollClock; 3] {
    [
        PollClock::new(),
        PollClock { interval_secs: 5, last_poll_at: Some(now - 5 + 1) },
        PollClock { interval_secs: 5, last_poll_at: Some(now - 5 + 2) },
    ]
}

fn clock(c: C, before: PollClock, now: i64) -> PollClock {
    match c {
        C::Kept => before,
        C::Tick => PollClock { interval_secs: before.interval_secs, last_poll_at: Some(now) },
        C::Slow => PollClock { interval_secs: before.interval_secs + 5, last_poll_at: Some(now) },
    }
}

#[test]
fn every_state_event_timing_and_expiry_matches_the_table() {
    for s in [S::Pending, S::Approved, S::Denied, S::Redeemed] {
        for e in [E::Poll, E::PollByOtherClient, E::Approve, E::ApproveFromOtherTenant, E::Deny, E::DenyFromOtherTenant]
        {
            let rows = TABLE.iter().filter(|row| row.0 == s && row.1 == e).count();
            assert_eq!(rows, 1, "{s:?} × {e:?} must be in the table once");
        }
    }
    let mut checked = 0;
    for &(s, e, before_expiry, after_expiry) in TABLE {
        for (now, expects) in [(BEFORE, before_expiry), (AFTER, [after_expiry; 3])] {
            for (timing, (start_clock, (o, next, c))) in timings(now).into_iter().zip(expects).enumerate() {
                let start = DeviceState { status: status(s), clock: start_clock, ..fresh() };
                let (state, got) = transition(start.clone(), event(e), now);
                let why = format!("{s:?} × {e:?} at {} with timing {timing}", now - T0);
                assert_eq!(got, outcome(o), "{why}");
                let expected = DeviceState { status: status(next), clock: clock(c, start_clock, now), ..start };
                assert_eq!(state, expected, "{why}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 6 * 2 * 3);
}

#[test]
fn tokens_come_out_exactly_once_however_many_polls_race() {
    for n in [1, 2, 7, 50] {
        let mut state = DeviceState { status: status(S::Approved), ..fresh() };
        let mut issued = 0;
        let mut redeemed = 0;
        for i in 0..n {
            let (next, got) = transition(state, event(E::Poll), BEFORE - 100 + i % 3);
            match got {
                DeviceOutcome::Issue { .. } => issued += 1,
                DeviceOutcome::AlreadyRedeemed => redeemed += 1,
                other => panic!("unexpected {other:?}"),
            }
            state = next;
        }
        assert_eq!((issued, redeemed), (1, n - 1));
        assert_eq!(state.status, DeviceStatus::Redeemed);
    }
}

#[test]
fn a_whole_flow_from_code_to_tokens() {
    let poll = DeviceEvent::Poll { client_id: "c1".into() };
    let (state, got) = transition(fresh(), poll.clone(), T0);
    assert_eq!(got, DeviceOutcome::Pending, "the first poll right away is fine");
    let (state, got) = transition(state, poll.clone(), T0 + 4);
    assert_eq!(got, DeviceOutcome::Pending, "one second early is fine");
    let (state, got) = transition(state, poll.clone(), T0 + 6);
    assert_eq!(got, DeviceOutcome::SlowDown { interval: 10 });
    let (state, got) = transition(state, poll.clone(), T0 + 15);
    assert_eq!(got, DeviceOutcome::Pending, "the grown interval is honoured");
    let (state, got) = transition(state, event(E::Approve), T0 + 20);
    assert_eq!(got, DeviceOutcome::Approved);
    assert_eq!(
        state.status,
        DeviceStatus::Approved { user_id: "u1".into(), tenant_id: "t1".into(), approved_at: T0 + 20 }
    );
    let (state, got) = transition(state, poll.clone(), T0 + 21);
    assert_eq!(got, outcome(O::Issue), "no slow_down once approved");
    assert_eq!(transition(state, poll, T0 + 26).1, DeviceOutcome::AlreadyRedeemed);
}

#[test]
fn oauth_errors_are_the_rfc_strings() {
    let cases = [
        (O::Pending, Some("authorization_pending")),
        (O::SlowDown, Some("slow_down")),
        (O::Expired, Some("expired_token")),
        (O::Denied, Some("access_denied")),
        (O::AlreadyRedeemed, Some("invalid_grant")),
        (O::WrongClient, Some("invalid_grant")),
        (O::Issue, None),
        (O::Approved, None),
        (O::DeniedOk, None),
        (O::WrongTenant, None),
        (O::NotPending, None),
        (O::ExpiredOnDecision, None),
    ];
    for (o, error) in cases {
        assert_eq!(outcome(o).oauth_error(), error, "{o:?}");
    }
}

#[test]
fn states_events_and_outcomes_round_trip_through_json() {
    for s in [S::Pending, S::Approved, S::Denied, S::Redeemed] {
        let state = DeviceState { status: status(s), clock: timings(T0)[2], ..fresh() };
        let json = serde_json::to_string(&state).unwrap_or_default();
        assert_eq!(serde_json::from_str::<DeviceState>(&json).ok(), Some(state), "{json}");
    }
    let approved = serde_json::to_value(status(S::Approved)).unwrap_or_default();
    assert_eq!(approved, json!({"kind": "approved", "user_id": "u1", "tenant_id": "t1", "approved_at": BEFORE}));
    for e in [E::Poll, E::Approve, E::Deny] {
        let json = serde_json::to_string(&event(e)).unwrap_or_default();
        assert_eq!(serde_json::from_str::<DeviceEvent>(&json).ok(), Some(event(e)), "{json}");
    }
    let issue = serde_json::to_value(outcome(O::Issue)).unwrap_or_default();
    assert_eq!(issue["outcome"], "issue");
}

#[test]
fn corrupt_or_extreme_states_do_not_panic() {
    for expires_at in [i64::MIN, 0, i64::MAX] {
        for now in [i64::MIN, 0, i64::MAX] {
            for e in [E::Poll, E::Approve, E::Deny] {
                let clock = PollClock { interval_secs: i64::MAX, last_poll_at: Some(i64::MIN) };
                let _ = transition(DeviceState { expires_at, clock, ..fresh() }, event(e), now);
            }
        }
    }
    assert_eq!(
        DeviceState::new(String::new(), String::new(), vec![], json!(null), String::new(), i64::MAX).expires_at,
        i64::MAX
    );
}

#[test]
fn the_authorization_response_advertises_interval_five_and_a_complete_uri() {
    let response = DeviceAuthorization::new("dc".into(), "BCDFGHJK", "https://id.example/activate");
    assert_eq!(
        serde_json::to_value(&response).unwrap_or_default(),
        json!({
            "device_code": "dc",
            "user_code": "BCDF-GHJK",
            "verification_uri": "https://id.example/activate",
            "verification_uri_complete": "https://id.example/activate?user_code=BCDF-GHJK",
            "expires_in": 600,
            "interval": 5,
        })
    );
    let with_query = DeviceAuthorization::new("dc".into(), "a b&c", "https://id.example/activate?lang=en");
    assert_eq!(with_query.verification_uri_complete, "https://id.example/activate?lang=en&user_code=a%20b%26c");
}
