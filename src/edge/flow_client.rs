//! Worker-side client of the `FlowStore` Durable Object: device codes in one of 256
//! objects chosen by their hashed key, CIBA requests in one object per user.

use super::durable_client::DurableClient;
use crate::durable::flow_store::FlowRequest;
use crate::flows::{CibaEvent, CibaOutcome, CibaState, DeviceEvent, DeviceOutcome, DeviceState};
use crate::store::flows::FlowStore;
use crate::store::{Ping, StoreError};

pub struct FlowClient(pub DurableClient);

fn device_object(key: &str) -> String {
    format!("device:{}", key.get(..2).unwrap_or(key))
}

fn ciba_object(group: &str) -> String {
    format!("ciba:{group}")
}

fn request<S, E>(key: &str, state: Option<&S>, event: Option<&E>, now: i64) -> FlowRequest<S, E>
where
    S: Clone,
    E: Clone,
{
    FlowRequest { key: key.to_string(), state: state.cloned(), event: event.cloned(), now }
}

impl Ping for FlowClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.call::<_, String>("health", "/ping", &()).await.map(|_| ())
    }
}

impl FlowStore for FlowClient {
    async fn start_device(&self, key: &str, state: &DeviceState) -> Result<(), StoreError> {
        let body = request::<_, DeviceEvent>(key, Some(state), None, 0);
        self.0.call::<_, bool>(&device_object(key), "/start-device", &body).await.map(|_| ())
    }

    async fn device(&self, key: &str) -> Result<Option<DeviceState>, StoreError> {
        let body = request::<DeviceState, DeviceEvent>(key, None, None, 0);
        self.0.call(&device_object(key), "/device", &body).await
    }

    async fn advance_device(
        &self,
        key: &str,
        event: &DeviceEvent,
        now: i64,
    ) -> Result<Option<(DeviceOutcome, DeviceState)>, StoreError> {
        let body = request::<DeviceState, _>(key, None, Some(event), now);
        self.0.call(&device_object(key), "/advance-device", &body).await
    }

    async fn start_ciba(&self, group: &str, key: &str, state: &CibaState) -> Result<(), StoreError> {
        let body = request::<_, CibaEvent>(key, Some(state), None, 0);
        self.0.call::<_, bool>(&ciba_object(group), "/start-ciba", &body).await.map(|_| ())
    }

    async fn advance_ciba(
        &self,
        group: &str,
        key: &str,
        event: &CibaEvent,
        now: i64,
    ) -> Result<Option<(CibaOutcome, CibaState)>, StoreError> {
        let body = request::<CibaState, _>(key, None, Some(event), now);
        self.0.call(&ciba_object(group), "/advance-ciba", &body).await
    }

    async fn pending_ciba(&self, group: &str, now: i64) -> Result<Vec<(String, CibaState)>, StoreError> {
        let body = request::<CibaState, CibaEvent>("", None, None, now);
        self.0.call(&ciba_object(group), "/pending-ciba", &body).await
    }
}
