//! The poll-rate rule shared by the device grant and CIBA poll mode.
//!
//! RFC 8628 §3.5 and CIBA Core §11 let the server answer `slow_down` to a client polling
//! faster than `interval`, after which the client adds 5 s to its interval for good. The
//! rule here is tuned so unmodified clients never see it by accident:
//!
//! - the first poll of a request is never `slow_down` (there is no previous poll to be
//!   too close to, and many clients poll once right away);
//! - a poll up to [`GRACE_SECS`] early is on time: clients sleep a fixed `interval` and
//!   the requests reach us with network jitter;
//! - on `slow_down` the interval for that request grows by [`SLOW_DOWN_STEP_SECS`], up
//!   to [`MAX_INTERVAL_SECS`], and is remembered, as the client remembers it.
//!
//! Every poll, early or not, becomes the new reference point, so a client that keeps
//! polling fast keeps being told to slow down.
//!
//! The clock is stored as JSON and may come back hand-edited or corrupted: all arithmetic
//! saturates, so no input panics.

use serde::{Deserialize, Serialize};

/// The `interval` we advertise (RFC 8628 §3.2; CIBA Core §7.3): also both specs' default.
pub const DEFAULT_INTERVAL_SECS: i64 = 5;
/// How much one `slow_down` adds to the interval (RFC 8628 §3.5; CIBA Core §11).
pub const SLOW_DOWN_STEP_SECS: i64 = 5;
/// How early a poll may arrive and still count as on time.
pub const GRACE_SECS: i64 = 1;
/// The interval never grows past this, however fast a client polls.
pub const MAX_INTERVAL_SECS: i64 = 60;

/// The polling state of one device code or `auth_req_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollClock {
    /// The interval the client is expected to keep between polls.
    pub interval_secs: i64,
    /// When the previous poll arrived; `None` before the first.
    pub last_poll_at: Option<i64>,
}

impl PollClock {
    /// A fresh clock: the default interval and no poll yet.
    pub const fn new() -> Self {
        PollClock { interval_secs: DEFAULT_INTERVAL_SECS, last_poll_at: None }
    }
}

impl Default for PollClock {
    fn default() -> Self {
        PollClock::new()
    }
}

/// Records a poll at `now`; returns the clock to keep and whether the poll came too early
/// and must be answered `slow_down` (RFC 8628 §3.5). Too early means
/// `now < last_poll_at + interval_secs - GRACE_SECS`; it then grows the interval by
/// [`SLOW_DOWN_STEP_SECS`], capped at [`MAX_INTERVAL_SECS`].
pub fn poll(clock: PollClock, now: i64) -> (PollClock, bool) {
    let too_early = clock.last_poll_at.is_some_and(|last| {
        let on_time_from = last.saturating_add(clock.interval_secs).saturating_sub(GRACE_SECS);
        now < on_time_from
    });
    let interval_secs = if too_early {
        clock.interval_secs.saturating_add(SLOW_DOWN_STEP_SECS).min(MAX_INTERVAL_SECS)
    } else {
        clock.interval_secs
    };
    (PollClock { interval_secs, last_poll_at: Some(now) }, too_early)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_700_000_000;

    fn at(last: i64, interval_secs: i64) -> PollClock {
        PollClock { interval_secs, last_poll_at: Some(last) }
    }

    #[test]
    fn the_first_poll_is_never_slow_down() {
        for now in [T, i64::MIN, i64::MAX, 0] {
            assert_eq!(poll(PollClock::new(), now), (at(now, DEFAULT_INTERVAL_SECS), false));
        }
    }

    #[test]
    fn one_second_early_is_on_time_and_two_is_slow_down() {
        assert_eq!(poll(at(T, 5), T + 5), (at(T + 5, 5), false));
        assert_eq!(poll(at(T, 5), T + 4), (at(T + 4, 5), false), "within the grace second");
        assert_eq!(poll(at(T, 5), T + 3), (at(T + 3, 10), true));
        assert_eq!(poll(at(T, 5), T), (at(T, 10), true), "same second");
        assert_eq!(poll(at(T, 5), T - 30), (at(T - 30, 10), true), "clock went backwards");
        assert_eq!(poll(at(T, 5), T + 3600), (at(T + 3600, 5), false), "late is fine");
    }

    #[test]
    fn slow_down_grows_the_interval_by_five_remembers_it_and_caps_it() {
        let mut clock = PollClock::new();
        let mut now = T;
        (clock, _) = poll(clock, now);
        for expected in [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 60, 60] {
            now += 1;
            let slow;
            (clock, slow) = poll(clock, now);
            assert!(slow);
            assert_eq!(clock, at(now, expected));
        }
        assert_eq!(clock.interval_secs, MAX_INTERVAL_SECS);
        let (next, slow) = poll(clock, now + MAX_INTERVAL_SECS - 2);
        assert_eq!((next, slow), (at(now + MAX_INTERVAL_SECS - 2, MAX_INTERVAL_SECS), true));
        let (next, slow) = poll(next, now + 2 * MAX_INTERVAL_SECS - 3);
        assert_eq!((next, slow), (at(now + 2 * MAX_INTERVAL_SECS - 3, MAX_INTERVAL_SECS), false));
    }

    #[test]
    fn a_grown_interval_applies_to_the_next_polls() {
        let (clock, slow) = poll(at(T, 5), T + 1);
        assert_eq!((clock, slow), (at(T + 1, 10), true));
        assert_eq!(poll(clock, T + 1 + 8), (at(T + 9, 15), true), "the old 5 s is no longer enough");
        assert_eq!(poll(at(T, 10), T + 9), (at(T + 9, 10), false));
    }

    #[test]
    fn corrupt_clocks_do_not_panic() {
        for interval in [i64::MIN, -5, 0, i64::MAX] {
            for last in [i64::MIN, 0, i64::MAX] {
                for now in [i64::MIN, 0, i64::MAX] {
                    let (clock, _) = poll(at(last, interval), now);
                    assert!(clock.interval_secs <= MAX_INTERVAL_SECS || clock.interval_secs == interval);
                    assert_eq!(clock.last_poll_at, Some(now));
                }
            }
        }
        assert_eq!(poll(at(T, i64::MAX), T + 1), (at(T + 1, MAX_INTERVAL_SECS), true));
    }

    #[test]
    fn the_clock_round_trips_through_json() {
        for clock in [PollClock::new(), at(T, 15)] {
            let json = serde_json::to_string(&clock).unwrap_or_default();
            assert_eq!(serde_json::from_str::<PollClock>(&json).ok(), Some(clock));
        }
    }
}
