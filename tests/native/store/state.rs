//! The Durable-Object state contract on the in-memory store (the Durable Objects
//! themselves are exercised by the e2e suite through the same trait).

use crate::support::block_on;
use authsec_edge::accounts::otp::{OtpOutcome, OtpRecord, Placement};
use authsec_edge::accounts::sessions::{RefreshOutcome, Session, SessionState, TenantState};
use authsec_edge::ids::{SessionId, TenantId, UserId};
use authsec_edge::store::memory::MemoryStore;
use authsec_edge::store::state::{ChallengeStore, SessionShard, SessionStore};

const T1: TenantId<'static> = TenantId::new("t1");
const U1: UserId<'static> = UserId::new("u1");
const U2: UserId<'static> = UserId::new("u2");

fn shard(user: UserId<'static>) -> SessionShard<'static> {
    SessionShard::User(T1, user)
}

#[test]
fn refresh_rotates_and_a_reused_token_revokes_the_session() {
    let store = MemoryStore::default();
    block_on(async {
        let s = Session::new("s1".into(), "u1".into(), 100, "ua".into());
        store.create_session(shard(U1), &s, "h1").await.unwrap();
        let state = |shard, now| store.session_state(shard, SessionId::new("s1"), now);
        assert_eq!(state(shard(U1), 101).await.unwrap(), SessionState::Live { created_at: 100 });
        assert_eq!(
            state(SessionShard::User(TenantId::new("t2"), U1), 101).await.unwrap(),
            SessionState::Unknown,
            "shards are per tenant"
        );
        assert_eq!(state(shard(U2), 101).await.unwrap(), SessionState::Unknown, "and per user");
        assert_eq!(state(SessionShard::Tenant(T1), 101).await.unwrap(), SessionState::Unknown);
        let (outcome, session) = store.rotate_refresh(shard(U1), "h1", "h2", 110).await.unwrap();
        assert_eq!(outcome, RefreshOutcome::Rotated);
        assert_eq!(session.unwrap().last_used_at, 110);
        // h1 again: theft suspected, the whole session goes.
        let (outcome, _) = store.rotate_refresh(shard(U1), "h1", "h3", 120).await.unwrap();
        assert_eq!(outcome, RefreshOutcome::Reused);
        assert_eq!(state(shard(U1), 121).await.unwrap(), SessionState::Ended);
        // Even the current token h2 is now useless.
        let (outcome, _) = store.rotate_refresh(shard(U1), "h2", "h4", 130).await.unwrap();
        assert_eq!(outcome, RefreshOutcome::Revoked);
        let (outcome, _) = store.rotate_refresh(shard(U1), "nope", "h5", 130).await.unwrap();
        assert_eq!(outcome, RefreshOutcome::Unknown);
    });
}

#[test]
fn a_refresh_token_rotates_only_in_the_shard_that_holds_it() {
    let store = MemoryStore::default();
    block_on(async {
        let s = Session::new("s1".into(), "u1".into(), 100, "ua".into());
        store.create_session(shard(U1), &s, "h1").await.unwrap();
        for elsewhere in [shard(U2), SessionShard::Tenant(T1)] {
            let (outcome, _) = store.rotate_refresh(elsewhere, "h1", "h2", 110).await.unwrap();
            assert_eq!(outcome, RefreshOutcome::Unknown, "{elsewhere:?}");
        }
        let (outcome, _) = store.rotate_refresh(shard(U1), "h1", "h2", 110).await.unwrap();
        assert_eq!(outcome, RefreshOutcome::Rotated, "the misrouted attempts spent nothing");
    });
}

#[test]
fn sessions_are_listed_and_revoked_per_user() {
    let store = MemoryStore::default();
    block_on(async {
        for (id, user, at) in [("a", U1, 100), ("b", U1, 200), ("c", U2, 150)] {
            let s = Session::new(id.into(), user.to_string(), at, "ua".into());
            store.create_session(shard(user), &s, &format!("h-{id}")).await.unwrap();
        }
        let ids = |v: Vec<Session>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(store.user_sessions(shard(U1), U1, 300).await.unwrap()), ["b", "a"]);
        assert!(
            !store.revoke_session(shard(U1), U2, SessionId::new("a"), "logout", 300).await.unwrap(),
            "not u2's session"
        );
        assert!(store.revoke_session(shard(U1), U1, SessionId::new("a"), "logout", 300).await.unwrap());
        assert!(
            !store.revoke_session(shard(U1), U1, SessionId::new("a"), "logout", 301).await.unwrap(),
            "already revoked"
        );
        assert_eq!(ids(store.user_sessions(shard(U1), U1, 300).await.unwrap()), ["b"]);
        assert_eq!(
            store.revoke_user_sessions(shard(U1), U1, "disabled", 302).await.unwrap(),
            ["b"],
            "the ids of the sessions it revoked, for the edge"
        );
        assert!(store.user_sessions(shard(U1), U1, 303).await.unwrap().is_empty());
        assert_eq!(
            store.session_state(shard(U2), SessionId::new("c"), 303).await.unwrap(),
            SessionState::Live { created_at: 150 },
            "other users keep theirs"
        );
    });
}

#[test]
fn the_tenant_state_counts_rbac_changes_and_its_epoch_only_moves_forward() {
    let store = MemoryStore::default();
    block_on(async {
        assert_eq!(store.tenant_state(T1).await.unwrap(), TenantState::default());
        assert_eq!(store.bump_rbac_version(T1).await.unwrap().rbac_version, 1);
        let ended = store.end_tenant_sessions(T1, 500).await.unwrap();
        assert_eq!(ended, TenantState { rbac_version: 1, sessions_revoked_through: 500 });
        assert!(!ended.admits(500) && !ended.admits(499) && ended.admits(501), "at or before the epoch ends");
        assert_eq!(store.end_tenant_sessions(T1, 400).await.unwrap().sessions_revoked_through, 500, "never back");
        assert_eq!(store.tenant_state(TenantId::new("t2")).await.unwrap(), TenantState::default(), "per tenant");
    });
}

#[test]
fn codes_and_nonces_are_single_use() {
    let store = MemoryStore::default();
    block_on(async {
        let record = OtpRecord::new("right".into(), 100, serde_json::json!({"x": 1}));
        assert_eq!(store.place_otp("k", &record, 100).await.unwrap(), Placement::Stored);
        assert_eq!(store.check_otp("k", "wrong", "", 101).await.unwrap(), OtpOutcome::Wrong { remaining: 4 });
        assert_eq!(
            store.check_otp("k", "right", "", 102).await.unwrap(),
            OtpOutcome::Accepted(serde_json::json!({"x": 1}))
        );
        assert_eq!(store.check_otp("k", "right", "", 103).await.unwrap(), OtpOutcome::Missing);
        // A bound code: a rival holder neither replaces it nor redeems it.
        let mine = OtpRecord::new("mine".into(), 100, serde_json::json!({"who": "first"})).bound_to("h1".into());
        let theirs = OtpRecord::new("theirs".into(), 100, serde_json::json!({"who": "second"})).bound_to("h2".into());
        assert_eq!(store.place_otp("b", &mine, 100).await.unwrap(), Placement::Stored);
        assert_eq!(store.place_otp("b", &theirs, 101).await.unwrap(), Placement::Refused);
        assert_eq!(store.check_otp("b", "theirs", "h2", 102).await.unwrap(), OtpOutcome::Wrong { remaining: 4 });
        assert_eq!(
            store.check_otp("b", "mine", "h1", 103).await.unwrap(),
            OtpOutcome::Accepted(serde_json::json!({"who": "first"}))
        );
        let payload = serde_json::json!({"user": "u1"});
        store.put_ticket("n", &payload, 200).await.unwrap();
        assert_eq!(store.peek_ticket("n", 150).await.unwrap(), Some(payload.clone()), "a peek leaves it");
        assert_eq!(store.take_ticket("n", 150).await.unwrap(), Some(payload));
        assert_eq!(store.take_ticket("n", 151).await.unwrap(), None);
        store.put_ticket("late", &serde_json::json!({}), 200).await.unwrap();
        assert_eq!(store.peek_ticket("late", 200).await.unwrap(), None, "expired");
        assert_eq!(store.take_ticket("late", 200).await.unwrap(), None, "expired");
    });
}
