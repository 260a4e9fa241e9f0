//! The CIBA poll-mode rule, checked state by event by timing against a written-out table.

use super::*;

const T0: i64 = 1_700_000_000;
const EXPIRES_AT: i64 = T0 + CIBA_TTL_SECS;
/// The last second of the request's life, and the first after it.
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
    ApproveByOtherUser,
    Deny,
    DenyByOtherUser,
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
    WrongUser,
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
    (S::Pending, E::ApproveByOtherUser, [(O::WrongUser, S::Pending, Kept); 3], (O::WrongUser, S::Pending, Kept)),
    (S::Pending, E::Deny, [(O::DeniedOk, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Pending, Kept)),
    (S::Pending, E::DenyByOtherUser, [(O::WrongUser, S::Pending, Kept); 3], (O::WrongUser, S::Pending, Kept)),

    (S::Approved, E::Poll, [(O::Issue, S::Redeemed, Kept); 3], (O::Expired, S::Approved, Kept)),
    (S::Approved, E::PollByOtherClient, [(O::WrongClient, S::Approved, Kept); 3], (O::WrongClient, S::Approved, Kept)),
    (S::Approved, E::Approve, [(O::NotPending, S::Approved, Kept); 3], (O::ExpiredOnDecision, S::Approved, Kept)),
    (S::Approved, E::ApproveByOtherUser, [(O::WrongUser, S::Approved, Kept); 3], (O::WrongUser, S::Approved, Kept)),
    (S::Approved, E::Deny, [(O::NotPending, S::Approved, Kept); 3], (O::ExpiredOnDecision, S::Approved, Kept)),
    (S::Approved, E::DenyByOtherUser, [(O::WrongUser, S::Approved, Kept); 3], (O::WrongUser, S::Approved, Kept)),

    (S::Denied, E::Poll, [(O::Denied, S::Denied, Kept); 3], (O::Expired, S::Denied, Kept)),
    (S::Denied, E::PollByOtherClient, [(O::WrongClient, S::Denied, Kept); 3], (O::WrongClient, S::Denied, Kept)),
    (S::Denied, E::Approve, [(O::NotPending, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Denied, Kept)),
    (S::Denied, E::ApproveByOtherUser, [(O::WrongUser, S::Denied, Kept); 3], (O::WrongUser, S::Denied, Kept)),
    (S::Denied, E::Deny, [(O::NotPending, S::Denied, Kept); 3], (O::ExpiredOnDecision, S::Denied, Kept)),
    (S::Denied, E::DenyByOtherUser, [(O::WrongUser, S::Denied, Kept); 3], (O::WrongUser, S::Denied, Kept)),

    (S::Redeemed, E::Poll, [(O::AlreadyRedeemed, S::Redeemed, Kept); 3], (O::Expired, S::Redeemed, Kept)),
    (S::Redeemed, E::PollByOtherClient, [(O::WrongClient, S::Redeemed, Kept); 3], (O::WrongClient, S::Redeemed, Kept)),
    (S::Redeemed, E::Approve, [(O::NotPending, S::Redeemed, Kept); 3], (O::ExpiredOnDecision, S::Redeemed, Kept)),
    (S::Redeemed, E::ApproveByOtherUser, [(O::WrongUser, S::Redeemed, Kept); 3], (O::WrongUser, S::Redeemed, Kept)),
    (S::Redeemed, E::Deny, [(O::NotPending, S::Redeemed, Kept); 3], (O::ExpiredOnDecision, S::Redeemed, Kept)),
    (S::Redeemed, E::DenyByOtherUser, [(O::WrongUser, S::Redeemed, Kept); 3], (O::WrongUser, S::Redeemed, Kept)),
];

fn scopes() -> Vec<String> {
    vec!["openid".into(), "payments".into()]
}

fn fresh() -> CibaState {
    CibaState::new("c1".into(), "t1".into(), "u1".into(), scopes(), Some("Pay 50 EUR at pump 4".into()), T0)
}

fn status(s: S) -> CibaStatus {
    match s {
        S::Pending => CibaStatus::Pending,
        S::Approved => CibaStatus::Approved { user_id: "u1".into(), tenant_id: "t1".into() },
        S::Denied => CibaStatus::Denied,
        S::Redeemed => CibaStatus::Redeemed,
    }
}

fn event(e: E) -> CibaEvent {
    match e {
        E::Poll => CibaEvent::Poll { client_id: "c1".into() },
        E::PollByOtherClient => CibaEvent::Poll { client_id: "c2".into() },
        E::Approve => CibaEvent::Respond { approved: true, by_user_id: "u1".into() },
        E::ApproveByOtherUser => CibaEvent::Respond { approved: true, by_user_id: "u2".into() },
        E::Deny => CibaEvent::Respond { approved: false, by_user_id: "u1".into() },
        E::DenyByOtherUser => CibaEvent::Respond { approved: false, by_user_id: "u2".into() },
    }
}

fn outcome(o: O) -> CibaOutcome {
    match o {
        O::Pending => CibaOutcome::Pending,
        O::SlowDown => CibaOutcome::SlowDown { interval: 10 },
        O::Expired => CibaOutcome::Expired,
        O::Denied => CibaOutcome::Denied,
        O::Issue => CibaOutcome::Issue {
            user_id: "u1".into(),
            tenant_id: "t1".into(),
            scopes: scopes(),
            client_id: "c1".into(),
        },
        O::AlreadyRedeemed => CibaOutcome::AlreadyRedeemed,
        O::WrongClient => CibaOutcome::WrongClient,
        O::Approved => CibaOutcome::Approved,
        O::DeniedOk => CibaOutcome::DeniedOk,
        O::WrongUser => CibaOutcome::WrongUser,
        O::NotPending => CibaOutcome::NotPending,
        O::ExpiredOnDecision => CibaOutcome::ExpiredOnDecision,
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
        for e in [E::Poll, E::PollByOtherClient, E::Approve, E::ApproveByOtherUser, E::Deny, E::DenyByOtherUser] {
            let rows = TABLE.iter().filter(|row| row.0 == s && row.1 == e).count();
            assert_eq!(rows, 1, "{s:?} × {e:?} must be in the table once");
        }
    }
    let mut checked = 0;
    for &(s, e, before_expiry, after_expiry) in TABLE {
        for (now, expects) in [(BEFORE, before_expiry), (AFTER, [after_expiry; 3])] {
            for (timing, (start_clock, (o, next, c))) in timings(now).into_iter().zip(expects).enumerate() {
                let start = CibaState { status: status(s), clock: start_clock, ..fresh() };
                let (state, got) = transition(start.clone(), event(e), now);
                let why = format!("{s:?} × {e:?} at {} with timing {timing}", now - T0);
                assert_eq!(got, outcome(o), "{why}");
                let expected = CibaState { status: status(next), clock: clock(c, start_clock, now), ..start };
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
        let mut state = CibaState { status: status(S::Approved), ..fresh() };
        let mut issued = 0;
        let mut redeemed = 0;
        for i in 0..n {
            let (next, got) = transition(state, event(E::Poll), BEFORE - 100 + i % 3);
            match got {
                CibaOutcome::Issue { .. } => issued += 1,
                CibaOutcome::AlreadyRedeemed => redeemed += 1,
                other => panic!("unexpected {other:?}"),
            }
            state = next;
        }
        assert_eq!((issued, redeemed), (1, n - 1));
        assert_eq!(state.status, CibaStatus::Redeemed);
    }
}

#[test]
fn a_whole_flow_from_request_to_denial() {
    let poll = event(E::Poll);
    let (state, got) = transition(fresh(), poll.clone(), T0);
    assert_eq!(got, CibaOutcome::Pending);
    let (state, got) = transition(state, poll.clone(), T0 + 2);
    assert_eq!(got, CibaOutcome::SlowDown { interval: 10 });
    let (state, got) = transition(state, poll.clone(), T0 + 4);
    assert_eq!(got, CibaOutcome::SlowDown { interval: 15 }, "still too fast for the grown interval");
    let (state, got) = transition(state, poll.clone(), T0 + 18);
    assert_eq!(got, CibaOutcome::Pending);
    let (state, got) = transition(state, event(E::Deny), T0 + 20);
    assert_eq!(got, CibaOutcome::DeniedOk);
    let (state, got) = transition(state, poll.clone(), T0 + 21);
    assert_eq!((got.oauth_error(), state.status.clone()), (Some("access_denied"), CibaStatus::Denied));
    assert_eq!(transition(state, poll, AFTER).1.oauth_error(), Some("expired_token"));
}

#[test]
fn oauth_errors_are_the_spec_strings() {
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
        (O::WrongUser, None),
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
        for binding_message in [None, Some("Pay 50 EUR".to_string())] {
            let state = CibaState { status: status(s), clock: timings(T0)[1], binding_message, ..fresh() };
            let json = serde_json::to_string(&state).unwrap_or_default();
            assert_eq!(serde_json::from_str::<CibaState>(&json).ok(), Some(state), "{json}");
        }
    }
    let approved = serde_json::to_value(status(S::Approved)).unwrap_or_default();
    assert_eq!(approved, serde_json::json!({"kind": "approved", "user_id": "u1", "tenant_id": "t1"}));
    for e in [E::Poll, E::Approve, E::Deny] {
        let json = serde_json::to_string(&event(e)).unwrap_or_default();
        assert_eq!(serde_json::from_str::<CibaEvent>(&json).ok(), Some(event(e)), "{json}");
    }
}

#[test]
fn corrupt_or_extreme_states_do_not_panic() {
    for expires_at in [i64::MIN, 0, i64::MAX] {
        for now in [i64::MIN, 0, i64::MAX] {
            for e in [E::Poll, E::Approve, E::Deny] {
                let clock = PollClock { interval_secs: i64::MIN, last_poll_at: Some(i64::MAX) };
                let _ = transition(CibaState { expires_at, clock, ..fresh() }, event(e), now);
            }
        }
    }
}

#[test]
fn the_acknowledgement_advertises_interval_five() {
    assert_eq!(
        serde_json::to_value(CibaAuthorization::new("req".into())).unwrap_or_default(),
        serde_json::json!({"auth_req_id": "req", "expires_in": 300, "interval": 5})
    );
}
