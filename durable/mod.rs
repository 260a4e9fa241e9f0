//! Durable Object classes (wasm32 only). Each is a thin shell: decode the request, load
//! state with synchronous SQLite calls, apply a pure transition from the core, persist,
//! encode. No `await` sits between a read and the write that depends on it.

pub mod challenge_store;
pub mod flow_store;
pub mod rate_limiter;
pub mod session_store;
