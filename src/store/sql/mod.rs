//! The relational store in D1's SQLite dialect, over a minimal executor so the same SQL
//! runs in the Worker (D1) and in native tests (SQLite), against `migrations/d1/`.
//! Every method is a single statement, hence atomic on D1 without transactions.

mod accounts;
mod branding;
mod consents;
mod mfa;
#[cfg(feature = "postgres")]
pub mod postgres;
mod provider;
mod rbac;

use crate::store::{Ping, SigningKeyRecord, SigningKeyStore, StoreError, Tenant, TenantStore};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A bound parameter. D1 and SQLite both take `?1`-style numbered placeholders.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Text(String),
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_string())
    }
}

/// Ids bind as their text.
macro_rules! id_binds_as_text {
    ($($id:ident),*) => {$(
        impl From<crate::ids::$id<'_>> for SqlValue {
            fn from(id: crate::ids::$id<'_>) -> Self {
                SqlValue::Text(id.as_str().to_string())
            }
        }
    )*};
}
id_binds_as_text!(TenantId, UserId, ClientId, SessionId, DeviceId);

impl From<Option<i64>> for SqlValue {
    fn from(value: Option<i64>) -> Self {
        value.map_or(SqlValue::Null, SqlValue::Integer)
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

/// A `LIMIT` or `OFFSET` as SQL's signed integer, saturating at `i64::MAX`: a wrapped,
/// negative `LIMIT` would mean "no limit" to SQLite.
pub(crate) fn sql_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The SQL dialect an executor speaks, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// D1, and SQLite in native tests.
    Sqlite,
    Postgres,
}

/// Runs one statement. Implementations map unique-constraint failures to
/// `StoreError::Conflict` and everything else to `StoreError::Unavailable`.
#[allow(async_fn_in_trait)]
pub trait SqlExecutor {
    /// Rows as JSON objects keyed by column name (the shape D1 returns).
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError>;
    /// Returns the number of rows changed.
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError>;
    /// Runs the statements as one atomic unit (a D1 batch; a transaction elsewhere):
    /// all of them take effect or none does.
    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError>;
    fn dialect(&self) -> Dialect;
}

/// Recognizes SQLite's unique-constraint message, as D1 and rusqlite both report it.
pub fn is_unique_violation(message: &str) -> bool {
    message.contains("UNIQUE constraint failed") || message.contains("PRIMARY KEY")
}

pub struct SqlStore<E> {
    executor: E,
}

impl<E: SqlExecutor> SqlStore<E> {
    pub fn new(executor: E) -> Self {
        SqlStore { executor }
    }

    pub fn executor(&self) -> &E {
        &self.executor
    }

    async fn rows<T: DeserializeOwned>(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<T>, StoreError> {
        self.executor
            .query(sql, params)
            .await?
            .into_iter()
            .map(|row| serde_json::from_value(Value::Object(row)).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    async fn optional<T: DeserializeOwned>(&self, sql: &str, params: &[SqlValue]) -> Result<Option<T>, StoreError> {
        Ok(self.rows(sql, params).await?.into_iter().next())
    }
}

impl<E: SqlExecutor> Ping for SqlStore<E> {
    async fn ping(&self) -> Result<(), StoreError> {
        self.executor.query("SELECT 1 AS ok", &[]).await.map(|_| ())
    }
}

impl<E: SqlExecutor> TenantStore for SqlStore<E> {
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO tenants (id, domain, name, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    tenant.id.as_str().into(),
                    tenant.domain.as_str().into(),
                    tenant.name.as_str().into(),
                    tenant.status.as_str().into(),
                    tenant.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        self.optional("SELECT id, domain, name, status, created_at FROM tenants WHERE id = ?1", &[id.into()]).await
    }

    async fn tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError> {
        self.optional("SELECT id, domain, name, status, created_at FROM tenants WHERE domain = ?1", &[domain.into()])
            .await
    }

    async fn list_tenants(&self, offset: u64, limit: u64) -> Result<crate::store::clients::Page<Tenant>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Count {
            total: i64,
        }
        let items = self
            .rows(
                "SELECT id, domain, name, status, created_at FROM tenants ORDER BY created_at, id LIMIT ?1 OFFSET ?2",
                &[sql_count(limit).into(), sql_count(offset).into()],
            )
            .await?;
        let count: Option<Count> = self.optional("SELECT COUNT(*) AS total FROM tenants", &[]).await?;
        Ok(crate::store::clients::Page { items, total: count.map_or(0, |c| u64::try_from(c.total).unwrap_or(0)) })
    }

    async fn rename_tenant(&self, id: &str, name: &str) -> Result<bool, StoreError> {
        let changed =
            self.executor.execute("UPDATE tenants SET name = ?2 WHERE id = ?1", &[id.into(), name.into()]).await?;
        Ok(changed > 0)
    }

    async fn totp_only_login(&self, id: &str) -> Result<bool, StoreError> {
        #[derive(serde::Deserialize)]
        struct Flag {
            #[serde(with = "crate::store::sql_bool")]
            totp_only_login: bool,
        }
        let flag: Option<Flag> =
            self.optional("SELECT totp_only_login FROM tenants WHERE id = ?1", &[id.into()]).await?;
        Ok(flag.is_some_and(|f| f.totp_only_login))
    }

    async fn set_totp_only_login(&self, id: &str, enabled: bool) -> Result<bool, StoreError> {
        let flag = i64::from(enabled);
        let changed = self
            .executor
            .execute("UPDATE tenants SET totp_only_login = ?2 WHERE id = ?1", &[id.into(), flag.into()])
            .await?;
        Ok(changed > 0)
    }

    async fn branding(&self, id: &str) -> Result<crate::branding::Branding, StoreError> {
        self.tenant_branding(id).await
    }

    async fn branding_of_client(
        &self,
        client_id: crate::ids::ClientId<'_>,
    ) -> Result<crate::branding::Branding, StoreError> {
        self.client_branding(client_id).await
    }

    async fn set_branding(&self, id: &str, change: &crate::branding::BrandingChange) -> Result<bool, StoreError> {
        self.change_branding(id, change).await
    }
}

impl<E: SqlExecutor> SigningKeyStore for SqlStore<E> {
    async fn record_published(&self, kid: &str, alg: &str, public_jwk: &str, now: i64) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO signing_keys (kid, alg, public_jwk, first_published_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (kid) DO NOTHING",
                &[kid.into(), alg.into(), public_jwk.into(), now.into()],
            )
            .await
            .map(|_| ())
    }

    async fn record_signer(&self, kid: &str, now: i64) -> Result<(), StoreError> {
        self.executor
            .execute(
                "UPDATE signing_keys SET activated_at = ?2 WHERE kid = ?1 AND activated_at IS NULL",
                &[kid.into(), now.into()],
            )
            .await
            .map(|_| ())
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        self.rows("SELECT kid, alg, public_jwk, first_published_at, activated_at FROM signing_keys ORDER BY kid", &[])
            .await
    }
}

impl<E: SqlExecutor> crate::store::migrations::MigrationStore for SqlStore<E> {
    async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Row {
            name: String,
        }
        let (create, select) = tracking(self.executor.dialect());
        self.executor.execute(create, &[]).await?;
        let rows: Vec<Row> = self.rows(select, &[]).await?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    async fn apply_migration(&self, migration: &crate::store::migrations::Migration) -> Result<(), StoreError> {
        let dialect = self.executor.dialect();
        let sql = match dialect {
            Dialect::Sqlite => migration.d1,
            Dialect::Postgres => migration.postgres,
        };
        let (create, _) = tracking(dialect);
        self.executor.execute(create, &[]).await?;
        let statements = crate::store::migrations::statements(sql);
        let record = match dialect {
            Dialect::Sqlite => "INSERT INTO d1_migrations (name) VALUES (?1)",
            Dialect::Postgres => "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))",
        };
        let mut batch: Vec<(&str, Vec<SqlValue>)> = statements.iter().map(|s| (s.as_str(), Vec::new())).collect();
        batch.push((record, vec![migration.name.into()]));
        self.executor.batch(&batch).await
    }

    fn backend(&self) -> &'static str {
        match self.executor.dialect() {
            Dialect::Sqlite => "d1",
            Dialect::Postgres => "postgres",
        }
    }
}

/// The tracking table of each dialect: D1's is the one wrangler maintains.
fn tracking(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Sqlite => (
            "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, \
             applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
            "SELECT name FROM d1_migrations ORDER BY id",
        ),
        Dialect::Postgres => (
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            "SELECT name FROM schema_migrations ORDER BY name",
        ),
    }
}
