//! `FlowStore` in memory, through the same transitions as the Durable Object.

use super::MemoryStore;
use crate::flows::{self, CibaEvent, CibaOutcome, CibaState, CibaStatus, DeviceEvent, DeviceOutcome, DeviceState};
use crate::ids::{DeviceId, TenantId, UserId};
use crate::store::flows::{CibaDevice, CibaDeviceStore, FlowStore};
use crate::store::StoreError;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct FlowData {
    devices: HashMap<String, DeviceState>,
    /// group -> key -> state
    ciba: HashMap<String, HashMap<String, CibaState>>,
    devices_for_push: Vec<CibaDevice>,
}

impl FlowData {
    /// Drops a deleted user's push devices, as the SQL schema's cascade does.
    pub fn forget_user(&mut self, user_id: &str) {
        self.devices_for_push.retain(|d| d.user_id != user_id);
    }
}

impl CibaDeviceStore for MemoryStore {
    async fn add_ciba_device(&self, device: &CibaDevice) -> Result<(), StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        let taken = data.devices_for_push.iter().any(|d| {
            d.id == device.id
                || (d.tenant_id == device.tenant_id
                    && d.user_id == device.user_id
                    && d.device_token == device.device_token)
        });
        if taken {
            return Err(StoreError::Conflict("ciba device".into()));
        }
        data.devices_for_push.push(device.clone());
        Ok(())
    }

    async fn ciba_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<CibaDevice>, StoreError> {
        self.check_up()?;
        let data = self.flows.borrow();
        let mut devices: Vec<CibaDevice> = data
            .devices_for_push
            .iter()
            .filter(|d| d.tenant_id == tenant_id && d.user_id == user_id)
            .cloned()
            .collect();
        devices.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(devices)
    }

    async fn remove_ciba_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        let before = data.devices_for_push.len();
        data.devices_for_push.retain(|d| !(d.tenant_id == tenant_id && d.user_id == user_id && d.id == device_id));
        Ok(data.devices_for_push.len() != before)
    }
}

impl FlowStore for MemoryStore {
    async fn start_device(&self, key: &str, state: &DeviceState) -> Result<(), StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        if data.devices.contains_key(key) {
            return Err(StoreError::Conflict("device code".into()));
        }
        data.devices.insert(key.into(), state.clone());
        Ok(())
    }

    async fn device(&self, key: &str) -> Result<Option<DeviceState>, StoreError> {
        self.check_up()?;
        Ok(self.flows.borrow().devices.get(key).cloned())
    }

    async fn advance_device(
        &self,
        key: &str,
        event: &DeviceEvent,
        now: i64,
    ) -> Result<Option<(DeviceOutcome, DeviceState)>, StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        let Some(state) = data.devices.remove(key) else {
            return Ok(None);
        };
        let (next, outcome) = flows::device::transition(state, event.clone(), now);
        data.devices.insert(key.into(), next.clone());
        Ok(Some((outcome, next)))
    }

    async fn start_ciba(&self, group: &str, key: &str, state: &CibaState) -> Result<(), StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        let requests = data.ciba.entry(group.into()).or_default();
        if requests.contains_key(key) {
            return Err(StoreError::Conflict("auth_req_id".into()));
        }
        requests.insert(key.into(), state.clone());
        Ok(())
    }

    async fn advance_ciba(
        &self,
        group: &str,
        key: &str,
        event: &CibaEvent,
        now: i64,
    ) -> Result<Option<(CibaOutcome, CibaState)>, StoreError> {
        self.check_up()?;
        let mut data = self.flows.borrow_mut();
        let Some(state) = data.ciba.get_mut(group).and_then(|r| r.remove(key)) else {
            return Ok(None);
        };
        let (next, outcome) = flows::ciba::transition(state, event.clone(), now);
        data.ciba.entry(group.into()).or_default().insert(key.into(), next.clone());
        Ok(Some((outcome, next)))
    }

    async fn pending_ciba(&self, group: &str, now: i64) -> Result<Vec<(String, CibaState)>, StoreError> {
        self.check_up()?;
        let data = self.flows.borrow();
        let mut pending: Vec<(String, CibaState)> = data
            .ciba
            .get(group)
            .map(|r| {
                r.iter()
                    .filter(|(_, s)| s.status == CibaStatus::Pending && now < s.expires_at)
                    .map(|(k, s)| (k.clone(), s.clone()))
                    .collect()
            })
            .unwrap_or_default();
        pending.sort_by(|a, b| a.1.expires_at.cmp(&b.1.expires_at).then(a.0.cmp(&b.0)));
        Ok(pending)
    }
}
