//! Tenants' branding over SQL (the `brand_*` columns of `tenants`, migration 0009): the
//! bodies of `TenantStore`'s branding methods. Each is one statement.

use super::{SqlExecutor, SqlStore, SqlValue};
use crate::branding::{Branding, BrandingChange, Change};
use crate::ids::ClientId;
use crate::store::StoreError;

#[derive(serde::Deserialize)]
struct Row {
    brand_display_name: Option<String>,
    brand_logo_url: Option<String>,
    brand_accent_color: Option<String>,
}

impl Row {
    fn branding(self) -> Branding {
        Branding::from_stored(
            self.brand_display_name.as_deref(),
            self.brand_logo_url.as_deref(),
            self.brand_accent_color.as_deref(),
        )
    }
}

/// A change as the text to store.
fn stored<T: Clone + Into<String>>(change: &Change<T>) -> Change<String> {
    match change {
        Change::Keep => Change::Keep,
        Change::Set(value) => Change::Set(value.clone().into()),
        Change::Clear => Change::Clear,
    }
}

impl<E: SqlExecutor> SqlStore<E> {
    pub(super) async fn tenant_branding(&self, id: &str) -> Result<Branding, StoreError> {
        let row: Option<Row> = self
            .optional(
                "SELECT brand_display_name, brand_logo_url, brand_accent_color FROM tenants WHERE id = ?1",
                &[id.into()],
            )
            .await?;
        Ok(row.map(Row::branding).unwrap_or_default())
    }

    pub(super) async fn client_branding(&self, client_id: ClientId<'_>) -> Result<Branding, StoreError> {
        let row: Option<Row> = self
            .optional(
                "SELECT t.brand_display_name, t.brand_logo_url, t.brand_accent_color \
                 FROM clients c JOIN tenants t ON t.id = c.tenant_id WHERE c.client_id = ?1",
                &[client_id.into()],
            )
            .await?;
        Ok(row.map(Row::branding).unwrap_or_default())
    }

    /// One `UPDATE` naming only the columns that change (the column names are constants).
    pub(super) async fn change_branding(&self, id: &str, change: &BrandingChange) -> Result<bool, StoreError> {
        let mut params: Vec<SqlValue> = vec![id.into()];
        let mut sets: Vec<String> = Vec::new();
        for (column, change) in [
            ("brand_display_name", stored(&change.display_name)),
            ("brand_logo_url", stored(&change.logo_url)),
            ("brand_accent_color", stored(&change.accent_color)),
        ] {
            match change {
                Change::Keep => {}
                Change::Set(value) => {
                    params.push(value.as_str().into());
                    sets.push(format!("{column} = ?{}", params.len()));
                }
                Change::Clear => sets.push(format!("{column} = NULL")),
            }
        }
        if sets.is_empty() {
            let found: Option<serde_json::Value> =
                self.optional("SELECT id FROM tenants WHERE id = ?1", &params).await?;
            return Ok(found.is_some());
        }
        let sql = format!("UPDATE tenants SET {} WHERE id = ?1", sets.join(", "));
        Ok(self.executor.execute(&sql, &params).await? > 0)
    }
}
