//! `ProviderStore` over SQL: a column of the tenant.

use super::{SqlExecutor, SqlStore};
use crate::ids::TenantId;
use crate::store::provider::ProviderStore;
use crate::store::StoreError;

impl<E: SqlExecutor> ProviderStore for SqlStore<E> {
    async fn open_registration(&self, tenant_id: TenantId<'_>) -> Result<bool, StoreError> {
        #[derive(serde::Deserialize)]
        struct Flag {
            #[serde(with = "crate::store::sql_bool")]
            open_registration: bool,
        }
        let flag: Option<Flag> =
            self.optional("SELECT open_registration FROM tenants WHERE id = ?1", &[tenant_id.into()]).await?;
        Ok(flag.is_some_and(|f| f.open_registration))
    }

    async fn set_open_registration(&self, tenant_id: TenantId<'_>, open: bool) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE tenants SET open_registration = ?2 WHERE id = ?1",
                &[tenant_id.into(), i64::from(open).into()],
            )
            .await?;
        Ok(changed > 0)
    }
}
