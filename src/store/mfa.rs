//! Second factors at rest (api.md "MFA"): TOTP devices (seed sealed with AES-256-GCM),
//! hashed single-use backup codes, and passkey credentials (public keys only).

use super::StoreError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpDevice {
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub name: String,
    pub device_type: String,
    /// `accounts::sealed` output, bound to tenant, user and device.
    pub secret_sealed: String,
    /// A device counts only once a code from it was confirmed.
    #[serde(with = "super::sql_bool")]
    pub confirmed: bool,
    #[serde(with = "super::sql_bool")]
    pub is_primary: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passkey {
    /// The credential id, base64url; unique across the deployment.
    pub id: String,
    pub tenant_id: String,
    pub user_id: String,
    pub name: String,
    /// The COSE_Key bytes as registered, base64url.
    pub public_key_cose: String,
    pub alg: i64,
    pub sign_count: i64,
    /// Set when the authenticator reported a sign count that went backwards (a possible
    /// clone); such a credential no longer signs anyone in.
    #[serde(with = "super::sql_bool")]
    pub flagged: bool,
    pub aaguid: String,
    pub attestation: String,
    #[serde(with = "super::sql_bool")]
    pub backup_eligible: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceRemoval {
    Removed,
    /// Refused: the user's last confirmed device.
    LastDevice,
    Missing,
}

#[allow(async_fn_in_trait)]
pub trait MfaStore {
    async fn add_totp_device(&self, device: &TotpDevice) -> Result<(), StoreError>;
    /// The user's devices, oldest first.
    async fn totp_devices(&self, tenant_id: &str, user_id: &str) -> Result<Vec<TotpDevice>, StoreError>;
    /// Marks an unconfirmed device confirmed; it becomes primary if the user has none.
    /// False if there is no such unconfirmed device.
    async fn confirm_totp_device(&self, tenant_id: &str, user_id: &str, device_id: &str) -> Result<bool, StoreError>;
    /// Removes a device unless it is the last confirmed one; a removed primary hands
    /// the role to the oldest remaining confirmed device.
    async fn remove_totp_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
    ) -> Result<DeviceRemoval, StoreError>;
    /// Makes a confirmed device the only primary one; false if there is none such.
    async fn set_primary_totp_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
    ) -> Result<bool, StoreError>;
    async fn touch_totp_device(
        &self,
        tenant_id: &str,
        user_id: &str,
        device_id: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Replaces all of the user's backup codes in one atomic write.
    async fn replace_backup_codes(
        &self,
        tenant_id: &str,
        user_id: &str,
        code_hashes: &[String],
        now: i64,
    ) -> Result<(), StoreError>;
    /// Spends an unused backup code: true exactly once per code.
    async fn consume_backup_code(
        &self,
        tenant_id: &str,
        user_id: &str,
        code_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn unused_backup_codes(&self, tenant_id: &str, user_id: &str) -> Result<u32, StoreError>;

    /// `Conflict` if the credential id is already registered.
    async fn add_passkey(&self, passkey: &Passkey) -> Result<(), StoreError>;
    /// The user's passkeys, oldest first.
    async fn passkeys(&self, tenant_id: &str, user_id: &str) -> Result<Vec<Passkey>, StoreError>;
    async fn passkey_by_id(&self, credential_id: &str) -> Result<Option<Passkey>, StoreError>;
    /// Records a verified use: the new sign count, and the flag if it regressed.
    async fn record_passkey_use(
        &self,
        tenant_id: &str,
        credential_id: &str,
        sign_count: i64,
        flagged: bool,
        now: i64,
    ) -> Result<(), StoreError>;
}
