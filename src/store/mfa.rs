//! Second factors at rest (api.md "MFA"): TOTP devices (seed sealed with AES-256-GCM),
//! hashed single-use backup codes, and passkey credentials (public keys only).

use super::StoreError;
use crate::ids::{DeviceId, TenantId, UserId};
use crate::webauthn::CoseAlg;
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
    /// Stored as the COSE integer (ES256 = -7, EdDSA = -8, RS256 = -257).
    pub alg: CoseAlg,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyRemoval {
    Removed,
    /// Refused: the user's last usable factor (no other unflagged passkey and no
    /// confirmed TOTP device); once enrolled, a user keeps a second factor.
    LastFactor,
    Missing,
}

#[allow(async_fn_in_trait)]
pub trait MfaStore {
    async fn add_totp_device(&self, device: &TotpDevice) -> Result<(), StoreError>;
    /// The user's devices, oldest first.
    async fn totp_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<TotpDevice>, StoreError>;
    /// Marks an unconfirmed device confirmed; it becomes primary if the user has none.
    /// False if there is no such unconfirmed device.
    async fn confirm_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError>;
    /// Removes a device unless it is the last confirmed one; a removed primary hands
    /// the role to the oldest remaining confirmed device.
    async fn remove_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<DeviceRemoval, StoreError>;
    /// Makes a confirmed device the only primary one; false if there is none such.
    async fn set_primary_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError>;
    async fn touch_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
        now: i64,
    ) -> Result<(), StoreError>;
    /// Replaces all of the user's backup codes in one atomic write.
    async fn replace_backup_codes(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hashes: &[String],
        now: i64,
    ) -> Result<(), StoreError>;
    /// Spends an unused backup code: true exactly once per code.
    async fn consume_backup_code(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    async fn unused_backup_codes(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<u32, StoreError>;

    /// `Conflict` if the credential id is already registered.
    async fn add_passkey(&self, passkey: &Passkey) -> Result<(), StoreError>;
    /// The user's passkeys, oldest first.
    async fn passkeys(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<Passkey>, StoreError>;
    async fn passkey_by_id(&self, credential_id: &str) -> Result<Option<Passkey>, StoreError>;
    /// Renames one of the user's passkeys; false if the user has no such passkey.
    async fn rename_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
        name: &str,
    ) -> Result<bool, StoreError>;
    /// Removes one of the user's passkeys in one atomic step, unless it is usable and
    /// the user's last usable factor. A flagged passkey always goes.
    async fn remove_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
    ) -> Result<PasskeyRemoval, StoreError>;
    /// Records a verified use: the new sign count, and the flag if it regressed.
    async fn record_passkey_use(
        &self,
        tenant_id: TenantId<'_>,
        credential_id: &str,
        sign_count: i64,
        flagged: bool,
        now: i64,
    ) -> Result<(), StoreError>;
}
