//! `MfaStore` and `CibaDeviceStore` in SQL (D1 dialect, rewritten for Postgres by the executor). Each method
//! is one statement or one batch; single use of backup codes rests on the `used_at IS
//! NULL` condition of one UPDATE.

use super::{SqlExecutor, SqlStore, SqlValue};
use crate::ids::{DeviceId, TenantId, UserId};
use crate::store::flows::{CibaDevice, CibaDeviceStore};
use crate::store::mfa::{DeviceRemoval, MfaStore, Passkey, PasskeyRemoval, TotpDevice};
use crate::store::StoreError;

const DEVICE_COLUMNS: &str =
    "id, tenant_id, user_id, name, device_type, secret_sealed, confirmed, is_primary, created_at, last_used_at";
const PASSKEY_COLUMNS: &str = "id, tenant_id, user_id, name, public_key_cose, alg, sign_count, flagged, aaguid, \
                               attestation, backup_eligible, created_at, last_used_at";

fn flag(value: bool) -> SqlValue {
    SqlValue::Integer(i64::from(value))
}

/// Takes the user's row lock for the rest of a batch (a no-op write): factor removals that
/// check "is another factor left?" then run one after another on every backend.
const LOCK_USER: &str = "UPDATE users SET id = id WHERE tenant_id = ?1 AND id = ?2";

impl<E: SqlExecutor> MfaStore for SqlStore<E> {
    async fn add_totp_device(&self, d: &TotpDevice) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO totp_devices ({DEVICE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        let params = [
            d.id.as_str().into(),
            d.tenant_id.as_str().into(),
            d.user_id.as_str().into(),
            d.name.as_str().into(),
            d.device_type.as_str().into(),
            d.secret_sealed.as_str().into(),
            flag(d.confirmed),
            flag(d.is_primary),
            d.created_at.into(),
            d.last_used_at.into(),
        ];
        self.executor.execute(&sql, &params).await.map(|_| ())
    }

    async fn totp_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<TotpDevice>, StoreError> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM totp_devices WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created_at, id"
        );
        self.rows(&sql, &[tenant_id.into(), user_id.into()]).await
    }

    async fn confirm_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE totp_devices SET confirmed = 1, is_primary = CASE WHEN EXISTS (SELECT 1 FROM totp_devices \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND is_primary = 1) THEN 0 ELSE 1 END \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3 AND confirmed = 0",
                &[tenant_id.into(), user_id.into(), device_id.into()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn remove_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<DeviceRemoval, StoreError> {
        let held = |devices: Vec<TotpDevice>| devices.into_iter().find(|d| d.id == device_id);
        if held(self.totp_devices(tenant_id, user_id).await?).is_none() {
            return Ok(DeviceRemoval::Missing);
        }
        let owner = vec![tenant_id.into(), user_id.into(), device_id.into()];
        self.executor
            .batch(&[
                (LOCK_USER, vec![tenant_id.into(), user_id.into()]),
                (
                    "DELETE FROM totp_devices WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3 AND (confirmed = 0 OR \
                     (SELECT COUNT(*) FROM totp_devices WHERE tenant_id = ?1 AND user_id = ?2 AND confirmed = 1) > 1)",
                    owner,
                ),
            ])
            .await?;
        if held(self.totp_devices(tenant_id, user_id).await?).is_some() {
            return Ok(DeviceRemoval::LastDevice);
        }
        // Hand the primary role on if it just left; a no-op when another device has it.
        self.executor
            .execute(
                "UPDATE totp_devices SET is_primary = 1 WHERE id = (SELECT id FROM totp_devices \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND confirmed = 1 ORDER BY created_at, id LIMIT 1) \
                 AND NOT EXISTS (SELECT 1 FROM totp_devices WHERE tenant_id = ?1 AND user_id = ?2 AND is_primary = 1)",
                &[tenant_id.into(), user_id.into()],
            )
            .await?;
        Ok(DeviceRemoval::Removed)
    }

    async fn set_primary_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE totp_devices SET is_primary = CASE WHEN id = ?3 THEN 1 ELSE 0 END \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND EXISTS (SELECT 1 FROM totp_devices \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3 AND confirmed = 1)",
                &[tenant_id.into(), user_id.into(), device_id.into()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn touch_totp_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.executor
            .execute(
                "UPDATE totp_devices SET last_used_at = ?4 WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3",
                &[tenant_id.into(), user_id.into(), device_id.into(), now.into()],
            )
            .await
            .map(|_| ())
    }

    async fn replace_backup_codes(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hashes: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut statements: Vec<(&str, Vec<SqlValue>)> = vec![(
            "DELETE FROM backup_codes WHERE tenant_id = ?1 AND user_id = ?2",
            vec![tenant_id.into(), user_id.into()],
        )];
        for hash in code_hashes {
            statements.push((
                "INSERT INTO backup_codes (tenant_id, user_id, code_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                vec![tenant_id.into(), user_id.into(), hash.as_str().into(), now.into()],
            ));
        }
        self.executor.batch(&statements).await
    }

    async fn consume_backup_code(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        code_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE backup_codes SET used_at = ?4 \
                 WHERE tenant_id = ?1 AND user_id = ?2 AND code_hash = ?3 AND used_at IS NULL",
                &[tenant_id.into(), user_id.into(), code_hash.into(), now.into()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn unused_backup_codes(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<u32, StoreError> {
        #[derive(serde::Deserialize)]
        struct Count {
            unused: i64,
        }
        let count: Option<Count> = self
            .optional(
                "SELECT COUNT(*) AS unused FROM backup_codes WHERE tenant_id = ?1 AND user_id = ?2 AND used_at IS NULL",
                &[tenant_id.into(), user_id.into()],
            )
            .await?;
        Ok(count.map_or(0, |c| u32::try_from(c.unused.max(0)).unwrap_or(u32::MAX)))
    }

    async fn add_passkey(&self, p: &Passkey) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO passkeys ({PASSKEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        );
        let params = [
            p.id.as_str().into(),
            p.tenant_id.as_str().into(),
            p.user_id.as_str().into(),
            p.name.as_str().into(),
            p.public_key_cose.as_str().into(),
            p.alg.id().into(),
            p.sign_count.into(),
            flag(p.flagged),
            p.aaguid.as_str().into(),
            p.attestation.as_str().into(),
            flag(p.backup_eligible),
            p.created_at.into(),
            p.last_used_at.into(),
        ];
        self.executor.execute(&sql, &params).await.map(|_| ())
    }

    async fn passkeys(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<Passkey>, StoreError> {
        let sql = format!(
            "SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created_at, id"
        );
        self.rows(&sql, &[tenant_id.into(), user_id.into()]).await
    }

    async fn passkey_by_id(&self, credential_id: &str) -> Result<Option<Passkey>, StoreError> {
        let sql = format!("SELECT {PASSKEY_COLUMNS} FROM passkeys WHERE id = ?1");
        self.optional(&sql, &[credential_id.into()]).await
    }

    async fn rename_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE passkeys SET name = ?4 WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3",
                &[tenant_id.into(), user_id.into(), credential_id.into(), name.into()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn remove_passkey(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        credential_id: &str,
    ) -> Result<PasskeyRemoval, StoreError> {
        let held = |passkeys: Vec<Passkey>| passkeys.iter().any(|p| p.id == credential_id);
        if !held(self.passkeys(tenant_id, user_id).await?) {
            return Ok(PasskeyRemoval::Missing);
        }
        // The DELETE checks the last-factor rule itself. On PostgreSQL (read committed) two
        // racing deletions could each still see the other's row, so the user's row is
        // locked first: the second waits, then sees the first's deletion.
        self.executor
            .batch(&[
                (LOCK_USER, vec![tenant_id.into(), user_id.into()]),
                (
                    "DELETE FROM passkeys WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3 AND (flagged = 1 \
                     OR EXISTS (SELECT 1 FROM passkeys o WHERE o.tenant_id = ?1 AND o.user_id = ?2 AND o.id <> ?3 AND o.flagged = 0) \
                     OR EXISTS (SELECT 1 FROM totp_devices d WHERE d.tenant_id = ?1 AND d.user_id = ?2 AND d.confirmed = 1))",
                    vec![tenant_id.into(), user_id.into(), credential_id.into()],
                ),
            ])
            .await?;
        Ok(if held(self.passkeys(tenant_id, user_id).await?) {
            PasskeyRemoval::LastFactor
        } else {
            PasskeyRemoval::Removed
        })
    }

    async fn record_passkey_use(
        &self,
        tenant_id: TenantId<'_>,
        credential_id: &str,
        sign_count: i64,
        flagged: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.executor
            .execute(
                "UPDATE passkeys SET sign_count = CASE WHEN sign_count > CAST(?3 AS BIGINT) THEN sign_count ELSE ?3 END, flagged = CASE WHEN CAST(?4 AS BIGINT) = 1 THEN 1 ELSE flagged END, \
                 last_used_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
                &[tenant_id.into(), credential_id.into(), sign_count.into(), flag(flagged), now.into()],
            )
            .await
            .map(|_| ())
    }
}

impl<E: SqlExecutor> CibaDeviceStore for SqlStore<E> {
    async fn add_ciba_device(&self, d: &CibaDevice) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO ciba_devices (id, tenant_id, user_id, device_token, platform, device_name, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    d.id.as_str().into(),
                    d.tenant_id.as_str().into(),
                    d.user_id.as_str().into(),
                    d.device_token.as_str().into(),
                    d.platform.as_str().into(),
                    d.device_name.as_str().into(),
                    d.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn ciba_devices(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Vec<CibaDevice>, StoreError> {
        self.rows(
            "SELECT id, tenant_id, user_id, device_token, platform, device_name, created_at FROM ciba_devices \
             WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created_at, id",
            &[tenant_id.into(), user_id.into()],
        )
        .await
    }

    async fn remove_ciba_device(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        device_id: DeviceId<'_>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "DELETE FROM ciba_devices WHERE tenant_id = ?1 AND user_id = ?2 AND id = ?3",
                &[tenant_id.into(), user_id.into(), device_id.into()],
            )
            .await?;
        Ok(changed > 0)
    }
}
