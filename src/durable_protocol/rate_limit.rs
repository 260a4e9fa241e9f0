//! Calls to `RateLimiter`: one object per limited key.

use super::do_calls;
use crate::rate_limit::{Decision, Limit};
use serde::{Deserialize, Serialize};

/// Counts one attempt at `now_ms` against `limit` (`rate_limit::admit`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Admit {
    pub key: String,
    pub limit: Limit,
    pub now_ms: i64,
}

do_calls! {
    Admit => "/admit", Decision;
}
