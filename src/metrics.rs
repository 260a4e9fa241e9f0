//! Prometheus metrics for one isolate: request counts by route template, method and
//! status; a latency histogram by route template; token verifications by result; remote
//! backend calls by route template and backend, and a histogram of each route's
//! critical-path depth (see `CallLog`).
//!
//! Workers run many isolates, each with its own counters; scrape `/metrics` per isolate
//! or ship the same counters to Workers Analytics. Note that workerd only advances the
//! clock across I/O, so latencies measure time spent waiting, not CPU.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Upper bounds of the latency buckets, in milliseconds.
const BUCKETS_MS: &[f64] = &[1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0];

/// Upper bounds of the critical-path depth buckets.
const DEPTH_BUCKETS: &[u32] = &[0, 1, 2, 3, 4, 6, 8];

/// A remote backend the Worker waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Backend {
    DurableObject,
    D1,
    Kv,
    Hyperdrive,
    Fetch,
}

impl Backend {
    pub const ALL: [Backend; 5] =
        [Backend::DurableObject, Backend::D1, Backend::Kv, Backend::Hyperdrive, Backend::Fetch];

    /// The `backend` label value.
    pub fn label(self) -> &'static str {
        match self {
            Backend::DurableObject => "durable_object",
            Backend::D1 => "d1",
            Backend::Kv => "kv",
            Backend::Hyperdrive => "hyperdrive",
            Backend::Fetch => "fetch",
        }
    }

    fn index(self) -> usize {
        match self {
            Backend::DurableObject => 0,
            Backend::D1 => 1,
            Backend::Kv => 2,
            Backend::Hyperdrive => 3,
            Backend::Fetch => 4,
        }
    }
}

/// The remote calls one request made: how many per backend, and the critical-path
/// depth, the number of calls it waited for one after another.
///
/// Each call gets a level when it starts: one more than the highest level among the
/// calls that had already finished. Calls started together (a `join`) share a level, a
/// call started after another finished sits above it, and the depth is the highest
/// level. Sequential calls give depth 2; two concurrent calls give depth 1; in
/// `join(a.then(b), c)` b starts after a ends, so the depth is 2 whether or not c is
/// still in flight. Single-threaded (one request in one isolate), hence `Cell`.
#[derive(Debug, Default)]
pub struct CallLog {
    counts: [Cell<u32>; 5],
    /// The highest level among finished calls.
    finished_level: Cell<u32>,
    depth: Cell<u32>,
}

/// Ends a call when dropped (also when the awaiting future is cancelled).
#[must_use = "the call ends when the guard drops; bind it for the duration of the call"]
pub struct CallGuard<'a> {
    log: &'a CallLog,
    level: u32,
}

impl CallLog {
    /// Starts one call to `backend`; hold the guard across the awaited call.
    pub fn start(&self, backend: Backend) -> CallGuard<'_> {
        let count = &self.counts[backend.index()];
        count.set(count.get().saturating_add(1));
        let level = self.finished_level.get().saturating_add(1);
        self.depth.set(self.depth.get().max(level));
        CallGuard { log: self, level }
    }

    pub fn calls(&self, backend: Backend) -> u32 {
        self.counts[backend.index()].get()
    }

    pub fn depth(&self) -> u32 {
        self.depth.get()
    }
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        let finished = &self.log.finished_level;
        finished.set(finished.get().max(self.level));
    }
}

#[derive(Debug, Default, Clone)]
struct DepthHistogram {
    /// One count per bucket in `DEPTH_BUCKETS` (not cumulative), then +Inf.
    counts: Vec<u64>,
    sum: u64,
    total: u64,
}

impl DepthHistogram {
    fn observe(&mut self, depth: u32) {
        if self.counts.is_empty() {
            self.counts = vec![0; DEPTH_BUCKETS.len() + 1];
        }
        let index = DEPTH_BUCKETS.iter().position(|&bound| depth <= bound).unwrap_or(DEPTH_BUCKETS.len());
        self.counts[index] += 1;
        self.sum += u64::from(depth);
        self.total += 1;
    }
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// One count per bucket in `BUCKETS_MS` (not cumulative), then +Inf.
    counts: Vec<u64>,
    sum_ms: f64,
    total: u64,
}

impl Histogram {
    fn observe(&mut self, ms: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS_MS.len() + 1];
        }
        let index = BUCKETS_MS.iter().position(|&bound| ms <= bound).unwrap_or(BUCKETS_MS.len());
        self.counts[index] += 1;
        self.sum_ms += ms;
        self.total += 1;
    }
}

#[derive(Debug, Default, Clone)]
pub struct Metrics {
    requests: BTreeMap<(&'static str, &'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    verifications: BTreeMap<&'static str, u64>,
    backend_calls: BTreeMap<(&'static str, &'static str), u64>,
    depth: BTreeMap<&'static str, DepthHistogram>,
}

impl Metrics {
    /// Counts one request under its route template (never the raw path, so ids and
    /// tokens in paths never become label values).
    pub fn record_request(&mut self, route: &'static str, method: &'static str, status: u16, ms: f64) {
        *self.requests.entry((route, method, status)).or_default() += 1;
        self.latency.entry(route).or_default().observe(ms.max(0.0));
    }

    /// Counts one token verification by result (`valid` or the refusal kind).
    pub fn record_verification(&mut self, result: &'static str) {
        *self.verifications.entry(result).or_default() += 1;
    }

    /// Records the remote calls one request made under its route template: a counter per
    /// backend it called, and its critical-path depth (0 when it made none).
    pub fn record_calls(&mut self, route: &'static str, calls: &CallLog) {
        for backend in Backend::ALL {
            let n = calls.calls(backend);
            if n > 0 {
                *self.backend_calls.entry((route, backend.label())).or_default() += u64::from(n);
            }
        }
        self.depth.entry(route).or_default().observe(calls.depth());
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP authsec_http_requests_total HTTP requests by route template, method and status.\n");
        out.push_str("# TYPE authsec_http_requests_total counter\n");
        for ((route, method, status), count) in &self.requests {
            let _ = writeln!(
                out,
                "authsec_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\",class=\"{}xx\"}} {count}",
                status / 100
            );
        }
        out.push_str(
            "# HELP authsec_http_request_duration_ms Request latency (wall time across I/O) by route template.\n",
        );
        out.push_str("# TYPE authsec_http_request_duration_ms histogram\n");
        for (route, histogram) in &self.latency {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS_MS.iter().enumerate() {
                cumulative += histogram.counts[i];
                let _ = writeln!(
                    out,
                    "authsec_http_request_duration_ms_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "authsec_http_request_duration_ms_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.total
            );
            let _ = writeln!(out, "authsec_http_request_duration_ms_sum{{route=\"{route}\"}} {}", histogram.sum_ms);
            let _ = writeln!(out, "authsec_http_request_duration_ms_count{{route=\"{route}\"}} {}", histogram.total);
        }
        out.push_str("# HELP authsec_token_verifications_total Token verifications by result.\n");
        out.push_str("# TYPE authsec_token_verifications_total counter\n");
        for (result, count) in &self.verifications {
            let _ = writeln!(out, "authsec_token_verifications_total{{result=\"{result}\"}} {count}");
        }
        out.push_str(
            "# HELP authsec_backend_calls_total Remote calls the Worker waited for, by route template and backend.\n",
        );
        out.push_str("# TYPE authsec_backend_calls_total counter\n");
        for ((route, backend), count) in &self.backend_calls {
            let _ = writeln!(out, "authsec_backend_calls_total{{route=\"{route}\",backend=\"{backend}\"}} {count}");
        }
        out.push_str(
            "# HELP authsec_critical_path_depth Remote calls a request waited for one after another, by route template.\n",
        );
        out.push_str("# TYPE authsec_critical_path_depth histogram\n");
        for (route, histogram) in &self.depth {
            let mut cumulative = 0;
            for (i, bound) in DEPTH_BUCKETS.iter().enumerate() {
                cumulative += histogram.counts[i];
                let _ = writeln!(
                    out,
                    "authsec_critical_path_depth_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "authsec_critical_path_depth_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.total
            );
            let _ = writeln!(out, "authsec_critical_path_depth_sum{{route=\"{route}\"}} {}", histogram.sum);
            let _ = writeln!(out, "authsec_critical_path_depth_count{{route=\"{route}\"}} {}", histogram.total);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let mut m = Metrics::default();
        m.record_request("/a", "GET", 200, 3.0);
        m.record_request("/a", "GET", 200, 30.0);
        m.record_request("/a", "GET", 404, 3000.0);
        m.record_verification("valid");
        let text = m.render();
        assert!(
            text.contains("authsec_http_requests_total{route=\"/a\",method=\"GET\",status=\"200\",class=\"2xx\"} 2")
        );
        assert!(text.contains("authsec_http_request_duration_ms_bucket{route=\"/a\",le=\"5\"} 1"));
        assert!(text.contains("authsec_http_request_duration_ms_bucket{route=\"/a\",le=\"50\"} 2"));
        assert!(text.contains("authsec_http_request_duration_ms_bucket{route=\"/a\",le=\"+Inf\"} 3"));
        assert!(text.contains("authsec_http_request_duration_ms_count{route=\"/a\"} 3"));
        assert!(text.contains("authsec_token_verifications_total{result=\"valid\"} 1"));
    }

    #[test]
    fn sequential_calls_are_two_levels_deep() {
        let log = CallLog::default();
        drop(log.start(Backend::DurableObject));
        drop(log.start(Backend::D1));
        assert_eq!(log.depth(), 2);
        assert_eq!(log.calls(Backend::DurableObject), 1);
        assert_eq!(log.calls(Backend::D1), 1);
        assert_eq!(log.calls(Backend::Kv), 0);
    }

    #[test]
    fn concurrent_calls_count_once() {
        let log = CallLog::default();
        let a = log.start(Backend::DurableObject);
        let b = log.start(Backend::DurableObject);
        drop(b);
        drop(a);
        assert_eq!(log.depth(), 1);
        assert_eq!(log.calls(Backend::DurableObject), 2);
        // A call after the join waited for it.
        drop(log.start(Backend::Kv));
        assert_eq!(log.depth(), 2);
    }

    #[test]
    fn no_calls_is_depth_zero() {
        assert_eq!(CallLog::default().depth(), 0);
    }

    #[test]
    fn a_chain_beside_a_long_call_is_as_deep_as_the_chain() {
        // join(a.then(b), c): c is in flight throughout, b starts after a has ended.
        let log = CallLog::default();
        let a = log.start(Backend::D1);
        let c = log.start(Backend::Fetch);
        drop(a);
        let b = log.start(Backend::D1);
        drop(c);
        drop(b);
        assert_eq!(log.depth(), 2);
    }

    #[test]
    fn a_call_started_inside_another_is_concurrent_with_it() {
        // Overlap without either finishing first: both on one level, then one more.
        let log = CallLog::default();
        let outer = log.start(Backend::DurableObject);
        let inner = log.start(Backend::Hyperdrive);
        drop(inner);
        let after_inner = log.start(Backend::Hyperdrive);
        drop(after_inner);
        drop(outer);
        assert_eq!(log.depth(), 2);
        drop(log.start(Backend::Kv));
        assert_eq!(log.depth(), 3);
        assert_eq!(log.calls(Backend::Hyperdrive), 2);
    }

    #[test]
    fn renders_backend_calls_and_depth_buckets() {
        let mut m = Metrics::default();
        let sequential = CallLog::default();
        drop(sequential.start(Backend::DurableObject));
        drop(sequential.start(Backend::D1));
        drop(sequential.start(Backend::D1));
        m.record_calls("/login", &sequential);
        m.record_calls("/jwks", &CallLog::default());
        let deep = CallLog::default();
        for _ in 0..9 {
            drop(deep.start(Backend::Kv));
        }
        m.record_calls("/login", &deep);
        let text = m.render();
        assert!(text.contains("# TYPE authsec_backend_calls_total counter\n"));
        assert!(text.contains("authsec_backend_calls_total{route=\"/login\",backend=\"durable_object\"} 1\n"));
        assert!(text.contains("authsec_backend_calls_total{route=\"/login\",backend=\"d1\"} 2\n"));
        assert!(text.contains("authsec_backend_calls_total{route=\"/login\",backend=\"kv\"} 9\n"));
        assert!(!text.contains("authsec_backend_calls_total{route=\"/jwks\""));
        assert!(text.contains("# TYPE authsec_critical_path_depth histogram\n"));
        assert!(text.contains("authsec_critical_path_depth_bucket{route=\"/jwks\",le=\"0\"} 1\n"));
        assert!(text.contains("authsec_critical_path_depth_count{route=\"/jwks\"} 1\n"));
        assert!(text.contains("authsec_critical_path_depth_bucket{route=\"/login\",le=\"1\"} 0\n"));
        assert!(text.contains("authsec_critical_path_depth_bucket{route=\"/login\",le=\"3\"} 1\n"));
        assert!(text.contains("authsec_critical_path_depth_bucket{route=\"/login\",le=\"8\"} 1\n"));
        assert!(text.contains("authsec_critical_path_depth_bucket{route=\"/login\",le=\"+Inf\"} 2\n"));
        assert!(text.contains("authsec_critical_path_depth_sum{route=\"/login\"} 12\n"));
        assert!(text.contains("authsec_critical_path_depth_count{route=\"/login\"} 2\n"));
    }
}
