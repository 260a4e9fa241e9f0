//! JSON-over-fetch calls from the Worker to a named Durable Object, typed by
//! `durable_protocol`: the request type fixes the path and the reply type.

use crate::durable_protocol::{DoCall, Ping, Pong};
use crate::metrics::{Backend, CallLog};
use crate::store::StoreError;
use std::rc::Rc;
use worker::{Method, ObjectNamespace, Request, RequestInit};

pub struct DurableClient {
    binding: &'static str,
    namespace: Result<ObjectNamespace, String>,
    log: Rc<CallLog>,
}

impl DurableClient {
    pub fn new(binding: &'static str, namespace: worker::Result<ObjectNamespace>, log: Rc<CallLog>) -> Self {
        DurableClient {
            binding,
            namespace: namespace.map_err(|e| format!("Durable Object binding {binding}: {e}")),
            log,
        }
    }

    /// POSTs `request` as JSON to `R::PATH` on the object named `object_name` and decodes
    /// the JSON answer as `R::Reply`. Anything but a 200 is `Unavailable`.
    pub async fn call<R: DoCall>(&self, object_name: &str, request: &R) -> Result<R::Reply, StoreError> {
        let path = R::PATH;
        let unavailable = |e: worker::Error| StoreError::Unavailable(format!("{}: {e}", self.binding));
        let namespace = self.namespace.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))?;
        let stub = namespace.get_by_name(object_name).map_err(unavailable)?;
        let body = serde_json::to_string(request).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        let request = Request::new_with_init(&format!("https://durable-object{path}"), &init).map_err(unavailable)?;
        // The call lasts until the reply is read (the guard drops on return).
        let _call = self.log.start(Backend::DurableObject);
        let mut response = stub.fetch_with_request(request).await.map_err(unavailable)?;
        if response.status_code() != 200 {
            let text = response.text().await.unwrap_or_default();
            return Err(StoreError::Unavailable(format!(
                "{} {path} answered {}: {text}",
                self.binding,
                response.status_code()
            )));
        }
        response.json::<R::Reply>().await.map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The health check: an object named `health` answers `Ping`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call("health", &Ping).await.map(|Pong| ())
    }
}
