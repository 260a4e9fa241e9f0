//! Durable Object classes (wasm32 only). Each is a thin shell: decode the request, load
//! state with synchronous SQLite calls, apply a pure transition from the core, persist,
//! encode. No `await` sits between a read and the write that depends on it.
//!
//! Requests and replies are the types of `crate::durable_protocol`: an object's `fetch`
//! matches the request path against their `DoCall::PATH` constants and hands each to
//! [`serve`]. Schemas are versioned by [`schema`].

pub mod challenge_store;
pub mod flow_store;
pub mod rate_limiter;
pub mod schema;
pub mod session_store;

use crate::durable_protocol::{DoCall, Pong};
use serde::Deserialize;
use worker::{Request, Response, Result, SqlStorage, State};

/// The answer to `Ping`: the object runs and its storage answers a query.
pub fn ping(sql: &SqlStorage) -> Result<Pong> {
    sql.exec("SELECT 1", None)?;
    Ok(Pong)
}

/// Decodes the body as `R`; `None` if it is not one.
pub async fn decode<R: DoCall>(req: &mut Request) -> Option<R> {
    req.json::<R>().await.ok()
}

/// The 200 answer to an `R`.
pub fn reply<R: DoCall>(reply: &R::Reply) -> Result<Response> {
    Response::from_json(reply)
}

/// The answer to a body that is not the request its path names.
pub fn bad_request() -> Result<Response> {
    Response::error("bad request", 400)
}

/// The answer to a path no call of this class has.
pub fn not_found() -> Result<Response> {
    Response::error("not found", 404)
}

/// Decodes the body as `R`, runs `handle` on it and encodes its reply; a body that is
/// not an `R` answers 400.
pub async fn serve<R: DoCall>(req: &mut Request, handle: impl AsyncFnOnce(R) -> Result<R::Reply>) -> Result<Response> {
    match decode::<R>(req).await {
        Some(request) => reply::<R>(&handle(request).await?),
        None => bad_request(),
    }
}

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
