//! JSON-over-fetch calls from the Worker to a named Durable Object.

use crate::store::StoreError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Method, ObjectNamespace, Request, RequestInit};

pub struct DurableClient {
    binding: &'static str,
    namespace: Result<ObjectNamespace, String>,
}

impl DurableClient {
    pub fn new(binding: &'static str, namespace: worker::Result<ObjectNamespace>) -> Self {
        DurableClient { binding, namespace: namespace.map_err(|e| format!("Durable Object binding {binding}: {e}")) }
    }

    /// POSTs `body` as JSON to `path` on the object named `object_name` and decodes the
    /// JSON answer. Anything but a 200 is `Unavailable`.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        object_name: &str,
        path: &str,
        body: &B,
    ) -> Result<T, StoreError> {
        let unavailable = |e: worker::Error| StoreError::Unavailable(format!("{}: {e}", self.binding));
        let namespace = self.namespace.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))?;
        let stub = namespace.get_by_name(object_name).map_err(unavailable)?;
        let body = serde_json::to_string(body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        let request = Request::new_with_init(&format!("https://durable-object{path}"), &init).map_err(unavailable)?;
        let mut response = stub.fetch_with_request(request).await.map_err(unavailable)?;
        if response.status_code() != 200 {
            let text = response.text().await.unwrap_or_default();
            return Err(StoreError::Unavailable(format!(
                "{} {path} answered {}: {text}",
                self.binding,
                response.status_code()
            )));
        }
        response.json::<T>().await.map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}
