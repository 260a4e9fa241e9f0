//! `ConsentStore` over SQL: one row per (tenant, user, client), scopes as a JSON array.

use super::{SqlExecutor, SqlStore};
use crate::ids::{ClientId, TenantId, UserId};
use crate::store::consents::ConsentStore;
use crate::store::StoreError;

#[derive(serde::Deserialize)]
struct Row {
    scopes: String,
}

impl<E: SqlExecutor> ConsentStore for SqlStore<E> {
    async fn consent(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        client_id: ClientId<'_>,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let row: Option<Row> = self
            .optional(
                "SELECT scopes FROM oauth_consents WHERE tenant_id = ?1 AND user_id = ?2 AND client_id = ?3",
                &[tenant_id.into(), user_id.into(), client_id.into()],
            )
            .await?;
        row.map(|r| serde_json::from_str(&r.scopes).map_err(|e| StoreError::Corrupt(format!("consent scopes: {e}"))))
            .transpose()
    }

    async fn record_consent(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        client_id: ClientId<'_>,
        scopes: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        let scopes = serde_json::to_string(scopes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.executor
            .execute(
                "INSERT INTO oauth_consents (tenant_id, user_id, client_id, scopes, granted_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (tenant_id, user_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at",
                &[tenant_id.into(), user_id.into(), client_id.into(), scopes.as_str().into(), now.into()],
            )
            .await
            .map(|_| ())
    }
}
