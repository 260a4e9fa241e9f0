//! The Worker-side client of the `RateLimiter` Durable Object.

use crate::durable::rate_limiter::AdmitRequest;
use crate::rate_limit::{Decision, Limit};
use crate::store::{Ping, RateLimiter, StoreError};
use worker::{Method, ObjectNamespace, Request, RequestInit};

pub struct RateLimiterClient {
    namespace: Result<ObjectNamespace, String>,
}

impl RateLimiterClient {
    pub fn new(namespace: worker::Result<ObjectNamespace>) -> Self {
        RateLimiterClient {
            namespace: namespace.map_err(|e| format!("Durable Object binding RATE_LIMITER: {e}")),
        }
    }

    async fn call(
        &self,
        object_name: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<worker::Response, StoreError> {
        let unavailable = |e: worker::Error| StoreError::Unavailable(e.to_string());
        let namespace = self
            .namespace
            .as_ref()
            .map_err(|e| StoreError::Unavailable(e.clone()))?;
        let stub = namespace.get_by_name(object_name).map_err(unavailable)?;
        let mut init = RequestInit::new();
        init.with_method(if body.is_some() {
            Method::Post
        } else {
            Method::Get
        });
        if let Some(body) = body {
            init.with_body(Some(body.into()));
        }
        let request = Request::new_with_init(&format!("https://rate-limiter{path}"), &init)
            .map_err(unavailable)?;
        let response = stub
            .fetch_with_request(request)
            .await
            .map_err(unavailable)?;
        if response.status_code() != 200 {
            return Err(StoreError::Unavailable(format!(
                "rate limiter answered {}",
                response.status_code()
            )));
        }
        Ok(response)
    }
}

impl Ping for RateLimiterClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.call("health", "/ping", None).await.map(|_| ())
    }
}

impl RateLimiter for RateLimiterClient {
    async fn admit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<Decision, StoreError> {
        let body = serde_json::to_string(&AdmitRequest {
            key: key.to_string(),
            limit,
            now_ms,
        })
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut response = self.call(key, "/admit", Some(body)).await?;
        response
            .json::<Decision>()
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}
