//! Durable Object classes (wasm32 only). Each is a thin shell: decode the request, load
//! state with synchronous SQLite calls, apply a pure transition from the core, persist,
//! encode. No `await` sits between a read and the write that depends on it.

pub mod challenge_store;
pub mod flow_store;
pub mod rate_limiter;
pub mod session_store;

use serde::Deserialize;
use worker::{Result, State};

/// Sets an alarm at `at_ms` unless one is pending: the pending one fires first and its
/// handler reschedules for whatever is left (`reschedule`).
pub async fn ensure_alarm(state: &State, at_ms: i64) -> Result<()> {
    let storage = state.storage();
    if storage.get_alarm().await?.is_none() {
        storage.set_alarm(at_ms).await?;
    }
    Ok(())
}

/// After an alarm's clean-up: schedules the next one at what `next_ms_query` returns (a
/// single column `next`, Unix milliseconds, NULL when nothing is left), never sooner
/// than `earliest_ms`.
pub async fn reschedule(state: &State, next_ms_query: &str, earliest_ms: i64) -> Result<()> {
    #[derive(Deserialize)]
    struct Next {
        next: Option<i64>,
    }
    let next: Vec<Next> = state.storage().sql().exec(next_ms_query, None)?.to_array()?;
    if let Some(at) = next.into_iter().next().and_then(|n| n.next) {
        state.storage().set_alarm(at.max(earliest_ms)).await?;
    }
    Ok(())
}
