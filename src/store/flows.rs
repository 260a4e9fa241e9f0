//! State of the device authorization grant and CIBA (api.md "Device grant and CIBA"):
//! one record per device code or `auth_req_id`, advanced only through the pure
//! transitions of `flows`, so single use and the polling rules hold under concurrency.
//! In the Worker the records live in the `FlowStore` Durable Object: device codes
//! sharded by their hash (a tenant's codes spread over objects), CIBA requests grouped
//! per user (so a user's pending requests can be listed).

use super::{Ping, StoreError};
use crate::flows::{CibaEvent, CibaOutcome, CibaState, DeviceEvent, DeviceOutcome, DeviceState};
use crate::ids::{DeviceId, TenantId, UserId};
use serde::{Deserialize, Serialize};

#[allow(async_fn_in_trait)]
pub trait FlowStore: Ping {
    async fn start_device(&self, key: &str, state: &DeviceState) -> Result<(), StoreError>;
    /// A device code's state while it is kept (expired ones too, until cleaned up; the
    /// caller judges expiry).
    async fn device(&self, key: &str) -> Result<Option<DeviceState>, StoreError>;
    /// Applies `event`; `None` if there is no such code (or it was cleaned up).
    async fn advance_device(
        &self,
        key: &str,
        event: &DeviceEvent,
        now: i64,
    ) -> Result<Option<(DeviceOutcome, DeviceState)>, StoreError>;
    /// `group` names the user the request is for (`tenant:user`).
    async fn start_ciba(&self, group: &str, key: &str, state: &CibaState) -> Result<(), StoreError>;
    async fn advance_ciba(
        &self,
        group: &str,
        key: &str,
        event: &CibaEvent,
        now: i64,
    ) -> Result<Option<(CibaOutcome, CibaState)>, StoreError>;
    /// The group's requests still pending, with their keys.
    async fn pending_ciba(&self, group: &str, now: i64) -> Result<Vec<(String, CibaState)>, StoreError>;
}

/// A device registered for CIBA push (relational: listed and deleted by its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaDevice {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub device_token: String,
    pub platform: String,
    pub device_name: String,
    pub created_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait CibaDeviceStore {
    /// `Conflict` if the user already registered this token.
    async fn add_ciba_device(&self, device: &CibaDevice) -> Result<(), StoreError>;
    /// The user's devices, oldest first.
    async fn ciba_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<CibaDevice>, StoreError>;
    async fn remove_ciba_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError>;
}
