//! Rate limiting as a pure transition over a sliding-window counter.
//!
//! The state for one key (an IP, an email, a subject) lives in the `RateLimiter`
//! Durable Object so that every isolate in every region sees the same count; this module
//! only decides. The sliding window weighs the previous fixed window by how much of it
//! still overlaps, which avoids the double burst a plain fixed window allows at its edge.

use crate::cast::{f64_to_i64_saturating, i64_to_f64};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WindowState {
    /// Start of the current fixed window, in milliseconds since the epoch.
    pub window_start_ms: i64,
    pub current: u32,
    pub previous: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    pub max: u32,
    pub window_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Allowed { remaining: u32 },
    Limited { retry_after_secs: u64 },
}

/// Counts one attempt at `now_ms` against `limit`. A refused attempt is not counted, so
/// a client that backs off as told gets through when `retry_after_secs` has passed.
pub fn admit(state: WindowState, limit: Limit, now_ms: i64) -> (Decision, WindowState) {
    let window = limit.window_ms.max(1);
    let start = now_ms - now_ms.rem_euclid(window);
    let mut state = if state.window_start_ms == start {
        state
    } else if state.window_start_ms == start - window {
        WindowState { window_start_ms: start, current: 0, previous: state.current }
    } else {
        WindowState { window_start_ms: start, current: 0, previous: 0 }
    };
    let elapsed = i64_to_f64(now_ms - start);
    let overlap = 1.0 - elapsed / i64_to_f64(window);
    let weighted = f64::from(state.previous) * overlap + f64::from(state.current);
    if weighted + 1.0 > f64::from(limit.max) {
        let retry_ms = retry_after_ms(&state, limit, elapsed);
        let retry_after_secs = ((retry_ms + 999) / 1000).max(1).unsigned_abs();
        return (Decision::Limited { retry_after_secs }, state);
    }
    state.current += 1;
    // Between 0 and `limit.max`, so the conversion cannot fail.
    let remaining = u32::try_from(f64_to_i64_saturating((f64::from(limit.max) - weighted - 1.0).floor().max(0.0)))
        .unwrap_or(limit.max);
    (Decision::Allowed { remaining }, state)
}

/// How long until one more attempt fits: the previous window's weight decays linearly,
/// and the current window's count clears when the next window begins.
fn retry_after_ms(state: &WindowState, limit: Limit, elapsed: f64) -> i64 {
    let window = i64_to_f64(limit.window_ms);
    let room_needed = f64::from(state.current) + 1.0 - f64::from(limit.max);
    if state.previous > 0 && room_needed <= 0.0 {
        // previous * (1 - t/window) + current + 1 <= max  =>  t >= window * (1 - (max-current-1)/previous)
        let t = window * (1.0 - (f64::from(limit.max) - f64::from(state.current) - 1.0) / f64::from(state.previous));
        return f64_to_i64_saturating((t - elapsed).ceil().max(1.0));
    }
    // The current window alone is full: wait for the next one, where it becomes
    // `previous` and must decay enough for one more attempt.
    let next_start = window - elapsed;
    let decay =
        if state.current == 0 { 0.0 } else { window * (1.0 - (f64::from(limit.max) - 1.0) / f64::from(state.current)) };
    f64_to_i64_saturating((next_start + decay.max(0.0)).ceil().max(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Limit = Limit { max: 5, window_ms: 60_000 };

    #[test]
    fn allows_up_to_max_then_limits() {
        let mut state = WindowState::default();
        let now = 1_000_000 * 60_000;
        for i in 0..5 {
            let (decision, next) = admit(state, MINUTE, now + i);
            assert!(matches!(decision, Decision::Allowed { .. }), "attempt {i}");
            state = next;
        }
        let (decision, _) = admit(state, MINUTE, now + 10);
        let Decision::Limited { retry_after_secs } = decision else { panic!("sixth attempt must be limited") };
        assert!((1..=120).contains(&retry_after_secs));
    }

    #[test]
    fn retry_after_is_honest() {
        let mut state = WindowState::default();
        let now = 7 * 60_000 + 30_000;
        for _ in 0..5 {
            state = admit(state, MINUTE, now).1;
        }
        let Decision::Limited { retry_after_secs } = admit(state, MINUTE, now).0 else { panic!("must be limited") };
        let later = now + i64::try_from(retry_after_secs).unwrap() * 1000;
        assert!(matches!(admit(state, MINUTE, later).0, Decision::Allowed { .. }));
        let just_before = later - 1500;
        assert!(matches!(admit(state, MINUTE, just_before).0, Decision::Limited { .. }));
    }

    #[test]
    fn old_windows_are_forgotten() {
        let state = WindowState { window_start_ms: 0, current: 100, previous: 100 };
        assert!(matches!(admit(state, MINUTE, 10 * 60_000).0, Decision::Allowed { remaining: 4 }));
    }
}
