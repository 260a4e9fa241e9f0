//! `MfaStore` in memory: the reference the SQL backends are held to.

use super::MemoryStore;
use crate::ids::{DeviceId, TenantId, UserId};
use crate::store::mfa::{DeviceRemoval, MfaStore, Passkey, PasskeyRemoval, TotpDevice};
use crate::store::StoreError;

#[derive(Debug, Default)]
pub struct MfaData {
    devices: Vec<TotpDevice>,
    /// (tenant, user, hash, used_at)
    backup_codes: Vec<(String, String, String, Option<i64>)>,
    passkeys: Vec<Passkey>,
}

impl MfaData {
    /// Drops everything of a deleted user, as the SQL schema's cascade does.
    pub fn forget_user(&mut self, user_id: &str) {
        self.devices.retain(|d| d.user_id != user_id);
        self.backup_codes.retain(|(_, u, _, _)| u != user_id);
        self.passkeys.retain(|p| p.user_id != user_id);
    }
}

fn owned_by<'a>(tenant_id: &'a str, user_id: &'a str) -> impl Fn(&&mut TotpDevice) -> bool + 'a {
    move |d| d.tenant_id == tenant_id && d.user_id == user_id
}

impl MfaStore for MemoryStore {
    async fn add_totp_device(&self, device: &TotpDevice) -> Result<(), StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        if mfa.devices.iter().any(|d| d.id == device.id) {
            return Err(StoreError::Conflict("totp device id".into()));
        }
        mfa.devices.push(device.clone());
        Ok(())
    }

    async fn totp_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<TotpDevice>, StoreError> {
        self.check_up()?;
        let mfa = self.mfa.borrow();
        let mut devices: Vec<TotpDevice> =
            mfa.devices.iter().filter(|d| d.tenant_id == tenant_id && d.user_id == user_id).cloned().collect();
        devices.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(devices)
    }

    async fn confirm_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let has_primary = mfa.devices.iter().any(|d| d.tenant_id == tenant_id && d.user_id == user_id && d.is_primary);
        match mfa.devices.iter_mut().filter(owned_by(&tenant_id, &user_id)).find(|d| d.id == device_id && !d.confirmed)
        {
            Some(device) => {
                device.confirmed = true;
                device.is_primary = !has_primary;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn remove_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<DeviceRemoval, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let mine = |d: &TotpDevice| d.tenant_id == tenant_id && d.user_id == user_id;
        let Some(target) = mfa.devices.iter().find(|d| mine(d) && d.id == device_id).cloned() else {
            return Ok(DeviceRemoval::Missing);
        };
        let confirmed = mfa.devices.iter().filter(|d| mine(d) && d.confirmed).count();
        if target.confirmed && confirmed <= 1 {
            return Ok(DeviceRemoval::LastDevice);
        }
        mfa.devices.retain(|d| d.id != device_id);
        if target.is_primary {
            let mut remaining: Vec<&mut TotpDevice> =
                mfa.devices.iter_mut().filter(owned_by(&tenant_id, &user_id)).filter(|d| d.confirmed).collect();
            remaining.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            if let Some(next) = remaining.into_iter().next() {
                next.is_primary = true;
            }
        }
        Ok(DeviceRemoval::Removed)
    }

    async fn set_primary_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let exists = mfa
            .devices
            .iter()
            .any(|d| d.tenant_id == tenant_id && d.user_id == user_id && d.id == device_id && d.confirmed);
        if exists {
            for device in mfa.devices.iter_mut().filter(owned_by(&tenant_id, &user_id)) {
                device.is_primary = device.id == device_id;
            }
        }
        Ok(exists)
    }

    async fn touch_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        if let Some(device) = mfa.devices.iter_mut().filter(owned_by(&tenant_id, &user_id)).find(|d| d.id == device_id)
        {
            device.last_used_at = Some(now);
        }
        Ok(())
    }

    async fn replace_backup_codes(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hashes: &[String],
        _now: i64,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        mfa.backup_codes.retain(|(t, u, _, _)| !(t == tenant_id && u == user_id));
        for hash in code_hashes {
            mfa.backup_codes.push((tenant_id.into(), user_id.into(), hash.clone(), None));
        }
        Ok(())
    }

    async fn consume_backup_code(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let unused = mfa
            .backup_codes
            .iter_mut()
            .find(|(t, u, h, used)| t == tenant_id && u == user_id && h == code_hash && used.is_none());
        Ok(unused.map(|code| code.3 = Some(now)).is_some())
    }

    async fn unused_backup_codes(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<u32, StoreError> {
        self.check_up()?;
        let mfa = self.mfa.borrow();
        let unused =
            mfa.backup_codes.iter().filter(|(t, u, _, used)| t == tenant_id && u == user_id && used.is_none()).count();
        Ok(u32::try_from(unused).unwrap_or(u32::MAX))
    }

    async fn add_passkey(&self, passkey: &Passkey) -> Result<(), StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        if mfa.passkeys.iter().any(|p| p.id == passkey.id) {
            return Err(StoreError::Conflict("credential id".into()));
        }
        mfa.passkeys.push(passkey.clone());
        Ok(())
    }

    async fn passkeys(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<Passkey>, StoreError> {
        self.check_up()?;
        let mfa = self.mfa.borrow();
        let mut keys: Vec<Passkey> =
            mfa.passkeys.iter().filter(|p| p.tenant_id == tenant_id && p.user_id == user_id).cloned().collect();
        keys.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(keys)
    }

    async fn passkey_by_id(&self, credential_id: &str) -> Result<Option<Passkey>, StoreError> {
        self.check_up()?;
        Ok(self.mfa.borrow().passkeys.iter().find(|p| p.id == credential_id).cloned())
    }

    async fn rename_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let found =
            mfa.passkeys.iter_mut().find(|p| p.tenant_id == tenant_id && p.user_id == user_id && p.id == credential_id);
        Ok(found.map(|p| p.name = name.to_string()).is_some())
    }

    async fn remove_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
    ) -> Result<PasskeyRemoval, StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        let mine = |t: &str, u: &str| t == tenant_id && u == user_id;
        let Some(target) = mfa.passkeys.iter().find(|p| mine(&p.tenant_id, &p.user_id) && p.id == credential_id) else {
            return Ok(PasskeyRemoval::Missing);
        };
        let other_passkey =
            mfa.passkeys.iter().any(|p| mine(&p.tenant_id, &p.user_id) && p.id != credential_id && !p.flagged);
        let totp = mfa.devices.iter().any(|d| mine(&d.tenant_id, &d.user_id) && d.confirmed);
        if !target.flagged && !other_passkey && !totp {
            return Ok(PasskeyRemoval::LastFactor);
        }
        mfa.passkeys.retain(|p| p.id != credential_id);
        Ok(PasskeyRemoval::Removed)
    }

    async fn record_passkey_use(
        &self,
        tenant_id: TenantId<'_>,
        credential_id: &str,
        sign_count: i64,
        flagged: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut mfa = self.mfa.borrow_mut();
        if let Some(p) = mfa.passkeys.iter_mut().find(|p| p.tenant_id == tenant_id && p.id == credential_id) {
            // Never backwards: two racing assertions must not lower the stored counter.
            p.sign_count = p.sign_count.max(sign_count);
            p.flagged |= flagged;
            p.last_used_at = Some(now);
        }
        Ok(())
    }
}
