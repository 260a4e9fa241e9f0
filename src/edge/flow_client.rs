//! Worker-side client of the `FlowStore` Durable Object: device codes in one of 256
//! objects chosen by their hashed key, CIBA requests in one object per user.

use super::durable_client::DurableClient;
use crate::durable_protocol::flow::{AdvanceCiba, AdvanceDevice, GetDevice, PendingCiba, StartCiba, StartDevice};
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

impl Ping for FlowClient {
    async fn ping(&self) -> Result<(), StoreError> {
        self.0.ping().await
    }
}

impl FlowStore for FlowClient {
    async fn start_device(&self, key: &str, state: &DeviceState) -> Result<(), StoreError> {
        let request = StartDevice { key: key.to_string(), state: state.clone() };
        self.0.call(&device_object(key), &request).await.map(|_| ())
    }

    async fn device(&self, key: &str) -> Result<Option<DeviceState>, StoreError> {
        self.0.call(&device_object(key), &GetDevice { key: key.to_string() }).await
    }

    async fn advance_device(
        &self,
        key: &str,
        event: &DeviceEvent,
        now: i64,
    ) -> Result<Option<(DeviceOutcome, DeviceState)>, StoreError> {
        let request = AdvanceDevice { key: key.to_string(), event: event.clone(), now };
        let advanced = self.0.call(&device_object(key), &request).await?;
        Ok(advanced.map(|a| (a.outcome, a.state)))
    }

    async fn start_ciba(&self, group: &str, key: &str, state: &CibaState) -> Result<(), StoreError> {
        let request = StartCiba { key: key.to_string(), state: state.clone() };
        self.0.call(&ciba_object(group), &request).await.map(|_| ())
    }

    async fn advance_ciba(
        &self,
        group: &str,
        key: &str,
        event: &CibaEvent,
        now: i64,
    ) -> Result<Option<(CibaOutcome, CibaState)>, StoreError> {
        let request = AdvanceCiba { key: key.to_string(), event: event.clone(), now };
        let advanced = self.0.call(&ciba_object(group), &request).await?;
        Ok(advanced.map(|a| (a.outcome, a.state)))
    }

    async fn pending_ciba(&self, group: &str, now: i64) -> Result<Vec<(String, CibaState)>, StoreError> {
        let pending = self.0.call(&ciba_object(group), &PendingCiba { now }).await?;
        Ok(pending.requests.into_iter().map(|r| (r.key, r.state)).collect())
    }
}
