//! The Worker-side client of the `RateLimiter` Durable Object: one object per key.

use super::durable_client::DurableClient;
use crate::durable_protocol::rate_limit::Admit;
use crate::rate_limit::{Decision, Limit};
use crate::store::{Ping, RateLimiter, StoreError};

pub struct RateLimiterClient(pub DurableClient);

impl Ping for RateLimiterClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.ping().await
    }
}

impl RateLimiter for RateLimiterClient {
    async fn admit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<Decision, StoreError> {
        self.0.call(key, &Admit { key: key.to_string(), limit, now_ms }).await
    }
}
