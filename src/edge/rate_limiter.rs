//! The Worker-side client of the `RateLimiter` Durable Object: one object per key.

use super::durable_client::DurableClient;
use crate::durable::rate_limiter::AdmitRequest;
use crate::rate_limit::{Decision, Limit};
use crate::store::{Ping, RateLimiter, StoreError};

pub struct RateLimiterClient(pub DurableClient);

impl Ping for RateLimiterClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.call::<_, String>("health", "/ping", &()).await.map(|_| ())
    }
}

impl RateLimiter for RateLimiterClient {
    async fn admit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<Decision, StoreError> {
        let request = AdmitRequest { key: key.to_string(), limit, now_ms };
        self.0.call(key, "/admit", &request).await
    }
}
