use super::challenge::*;
use super::flow::*;
use super::rate_limit::Admit;
use super::session::*;
use super::{challenge, flow, rate_limit, session, DoCall, Ping, Pong, Stored};
use crate::accounts::mfa_guard::{GuardEvent, GuardOutcome};
use crate::accounts::otp::{OtpOutcome, OtpRecord, Placement};
use crate::accounts::sessions::{RefreshOutcome, Session, SessionState, TenantState};
use crate::flows::{CibaEvent, CibaOutcome, CibaState, DeviceEvent, DeviceOutcome, DeviceState};
use crate::rate_limit::{Decision, Limit};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::collections::HashSet;

fn round_trips<T: Serialize + DeserializeOwned>(value: &T) {
    let encoded = serde_json::to_value(value).expect("encodes");
    let decoded: T = serde_json::from_value(encoded.clone()).expect("decodes what it encoded");
    assert_eq!(serde_json::to_value(&decoded).expect("encodes again"), encoded);
}

/// Both halves of one call survive the trip between Worker and object.
fn call_round_trips<R: DoCall>(request: R, reply: R::Reply) {
    round_trips(&request);
    round_trips(&reply);
}

fn session() -> Session {
    Session {
        id: "s1".into(),
        user_id: "u1".into(),
        created_at: 1,
        expires_at: 2,
        last_used_at: 1,
        revoked_at: None,
        revoke_reason: None,
        user_agent: "agent".into(),
        delegation: String::new(),
    }
}

fn device() -> DeviceState {
    DeviceState::new("c1".into(), "t1".into(), vec!["openid".into()], json!({"name": "TV"}), "BCDFGHJK".into(), 1)
}

fn ciba() -> CibaState {
    CibaState::new("c1".into(), "t1".into(), "u1".into(), vec!["openid".into()], Some("pump 4".into()), 1)
}

#[test]
fn no_two_calls_to_one_object_class_share_a_path() {
    for (class, paths) in [
        ("session", session::PATHS),
        ("challenge", challenge::PATHS),
        ("flow", flow::PATHS),
        ("rate", rate_limit::PATHS),
    ] {
        let mut seen = HashSet::new();
        for path in paths {
            assert!(path.starts_with('/'), "{class}: {path} is not a path");
            assert!(seen.insert(path), "{class}: {path} is used twice");
        }
        assert!(paths.contains(&Ping::PATH), "{class} answers the health check");
    }
}

#[test]
fn session_calls_round_trip() {
    call_round_trips(Ping, Pong);
    call_round_trips(CreateSession { session: session(), refresh_hash: "h".into() }, Stored);
    call_round_trips(
        RotateRefresh { presented_hash: "a".into(), new_hash: "b".into(), now: 3 },
        Rotation { outcome: RefreshOutcome::Rotated, session: Some(session()) },
    );
    call_round_trips(
        RevokeSessions { user_id: "u1".into(), session_id: Some("s1".into()), reason: "logout".into(), now: 3 },
        Revoked { count: 1, ids: vec!["s1".into()] },
    );
    call_round_trips(ListSessions { user_id: "u1".into(), now: 3 }, SessionList { sessions: vec![session()] });
    call_round_trips(GetSessionState { session_id: "s1".into(), now: 3 }, SessionState::Live { created_at: 1 });
    call_round_trips(GetSessionState { session_id: "s2".into(), now: 3 }, SessionState::Ended);
    call_round_trips(GetSessionState { session_id: "s3".into(), now: 3 }, SessionState::Unknown);
    let tenant = TenantState { rbac_version: 7, sessions_revoked_through: 9 };
    call_round_trips(GetTenantState, tenant);
    call_round_trips(BumpRbacVersion, tenant);
    call_round_trips(EndTenantSessions { now: 9 }, tenant);
}

#[test]
fn challenge_calls_round_trip() {
    let record = OtpRecord::new("hash".into(), 1, json!({"email": "a@example.com"})).bound_to("holder".into());
    call_round_trips(PlaceOtp { key: "k".into(), record, now: 1 }, Placement::Reissued);
    call_round_trips(
        CheckOtp { key: "k".into(), presented_hash: "h".into(), holder: "holder".into(), now: 2 },
        OtpOutcome::Accepted(json!({"email": "a@example.com"})),
    );
    call_round_trips(
        Guard { key: "k".into(), event: GuardEvent::TotpStep { step: 9 }, now: 2 },
        GuardOutcome::Accepted,
    );
    call_round_trips(PutTicket { key: "k".into(), payload: json!({"n": 1}), expires_at: 5 }, Stored);
    call_round_trips(PeekTicket { key: "k".into(), now: 2 }, TicketPayload { payload: Some(json!({"n": 1})) });
    call_round_trips(TakeTicket { key: "k".into(), now: 2 }, TicketPayload { payload: None });
}

#[test]
fn flow_calls_round_trip() {
    call_round_trips(StartDevice { key: "k".into(), state: device() }, Stored);
    call_round_trips(GetDevice { key: "k".into() }, Some(device()));
    call_round_trips(GetDevice { key: "k".into() }, None);
    call_round_trips(
        AdvanceDevice { key: "k".into(), event: DeviceEvent::Poll { client_id: "c1".into() }, now: 2 },
        Some(Advanced { outcome: DeviceOutcome::Pending, state: device() }),
    );
    call_round_trips(StartCiba { key: "k".into(), state: ciba() }, Stored);
    call_round_trips(
        AdvanceCiba { key: "k".into(), event: CibaEvent::Poll { client_id: "c1".into() }, now: 2 },
        Some(Advanced { outcome: CibaOutcome::Pending, state: ciba() }),
    );
    call_round_trips(
        PendingCiba { now: 2 },
        PendingRequests { requests: vec![PendingRequest { key: "k".into(), state: ciba() }] },
    );
}

#[test]
fn rate_limiter_calls_round_trip() {
    call_round_trips(
        Admit { key: "ip:1".into(), limit: Limit { max: 5, window_ms: 60_000 }, now_ms: 1 },
        Decision::Allowed { remaining: 4 },
    );
}
