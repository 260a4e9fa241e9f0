//! Prometheus metrics for one isolate: request counts by route template, method and
//! status; a latency histogram by route template; token verifications by result.
//!
//! Workers run many isolates, each with its own counters; scrape `/metrics` per isolate
//! or ship the same counters to Workers Analytics. Note that workerd only advances the
//! clock across I/O, so latencies measure time spent waiting, not CPU.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Upper bounds of the latency buckets, in milliseconds.
const BUCKETS_MS: &[f64] = &[1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0];

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
}
