//! One contract suite for every store backend: the in-memory store, and the D1 SQL run
//! on SQLite with `migrations/d1/` applied (D1 is SQLite; the Worker's D1 executor
//! differs only in transport). Also keeps the D1 and Postgres schemas in step.

use crate::support::block_on;
use authsec_edge::ids::{TenantId, UserId};
use authsec_edge::store::memory::MemoryStore;
use authsec_edge::store::sql::{is_unique_violation, Dialect, SqlExecutor, SqlStore, SqlValue};
use authsec_edge::store::{Ping, SigningKeyStore, StoreError, Tenant, TenantStore};
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub struct Sqlite(rusqlite::Connection);

fn bind(params: &[SqlValue]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|p| match p {
            SqlValue::Null => rusqlite::types::Value::Null,
            SqlValue::Integer(i) => rusqlite::types::Value::Integer(*i),
            SqlValue::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

fn map_error(e: rusqlite::Error) -> StoreError {
    let message = e.to_string();
    if is_unique_violation(&message) {
        StoreError::Conflict(message)
    } else {
        StoreError::Unavailable(message)
    }
}

impl SqlExecutor for Sqlite {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError> {
        let mut statement = self.0.prepare(sql).map_err(map_error)?;
        let names: Vec<String> = statement.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = statement.query(rusqlite::params_from_iter(bind(params))).map_err(map_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            let mut map = Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match row.get_ref(i).map_err(map_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(f) => Value::from(f),
                    ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => return Err(StoreError::Corrupt("blob column".into())),
                };
                map.insert(name.clone(), value);
            }
            out.push(map);
        }
        Ok(out)
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.0
            .execute(sql, rusqlite::params_from_iter(bind(params)))
            .map(authsec_edge::cast::usize_to_u64)
            .map_err(map_error)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError> {
        // D1 runs a batch as one transaction; so does this stand-in.
        self.0.execute_batch("BEGIN").map_err(map_error)?;
        for (sql, params) in statements {
            if let Err(e) = self.0.execute(sql, rusqlite::params_from_iter(bind(params))) {
                self.0.execute_batch("ROLLBACK").map_err(map_error)?;
                return Err(map_error(e));
            }
        }
        self.0.execute_batch("COMMIT").map_err(map_error)
    }
}

pub fn migrations(dialect: &str) -> Vec<(String, String)> {
    let dir = format!("{}/migrations/{dialect}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

pub fn sqlite_store() -> SqlStore<Sqlite> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    // D1 enforces foreign keys; make the stand-in do the same.
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    for (_, sql) in migrations("d1") {
        conn.execute_batch(&sql).unwrap();
    }
    SqlStore::new(Sqlite(conn))
}

fn tenant(id: &str, domain: &str) -> Tenant {
    Tenant {
        id: id.into(),
        domain: domain.into(),
        name: format!("Tenant {id}"),
        status: "active".into(),
        created_at: 1_795_910_400,
    }
}

pub async fn tenant_contract<S: TenantStore + Ping>(store: &S) {
    store.ping().await.unwrap();
    assert_eq!(store.tenant_by_id("t1").await.unwrap(), None);
    store.create_tenant(&tenant("t1", "acme.test")).await.unwrap();
    assert_eq!(store.tenant_by_id("t1").await.unwrap(), Some(tenant("t1", "acme.test")));
    assert_eq!(store.tenant_by_domain("acme.test").await.unwrap(), Some(tenant("t1", "acme.test")));
    assert!(matches!(store.create_tenant(&tenant("t1", "other.test")).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.create_tenant(&tenant("t2", "acme.test")).await, Err(StoreError::Conflict(_))));
    let before = store.list_tenants(0, 1000).await.unwrap().total;
    assert!(before >= 1);
    assert_eq!(store.list_tenants(0, 1).await.unwrap().items.len(), 1);
    assert!(store.rename_tenant("t1", "Acme Corp").await.unwrap());
    assert!(!store.rename_tenant("nope", "x").await.unwrap());
    assert!(!store.totp_only_login("t1").await.unwrap(), "off by default");
    assert!(store.set_totp_only_login("t1", true).await.unwrap());
    assert!(store.totp_only_login("t1").await.unwrap());
    assert!(store.set_totp_only_login("t1", false).await.unwrap());
    assert!(!store.totp_only_login("t1").await.unwrap());
    assert!(!store.set_totp_only_login("nope", true).await.unwrap());
    assert!(!store.totp_only_login("nope").await.unwrap());
    assert_eq!(store.tenant_by_id("t1").await.unwrap().unwrap().name, "Acme Corp");
    store.rename_tenant("t1", "Tenant t1").await.unwrap();
    // A refused create wrote nothing.
    assert_eq!(store.tenant_by_id("t2").await.unwrap(), None);
    assert_eq!(store.tenant_by_domain("other.test").await.unwrap(), None);
}

pub async fn signing_key_contract<S: SigningKeyStore>(store: &S) {
    assert!(store.signing_keys().await.unwrap().is_empty());
    store.record_published("k2", "ES256", "{\"kid\":\"k2\"}", 100).await.unwrap();
    store.record_published("k1", "ES256", "{\"kid\":\"k1\"}", 200).await.unwrap();
    store.record_published("k1", "ES256", "{\"kid\":\"k1\"}", 300).await.unwrap();
    store.record_signer("k1", 400).await.unwrap();
    store.record_signer("k1", 500).await.unwrap();
    store.record_signer("unknown", 500).await.unwrap();
    let keys = store.signing_keys().await.unwrap();
    let summary: Vec<(&str, i64, Option<i64>)> =
        keys.iter().map(|k| (k.kid.as_str(), k.first_published_at, k.activated_at)).collect();
    assert_eq!(summary, [("k1", 200, Some(400)), ("k2", 100, None)]);
}

#[test]
fn memory_store_meets_the_contract() {
    let store = MemoryStore::default();
    block_on(tenant_contract(&store));
    block_on(signing_key_contract(&store));
    block_on(crate::store::accounts::all(&store));
    block_on(crate::store::mfa::all(&store));
    block_on(crate::store::rbac::all(&store));
    block_on(crate::store::consents::all(&store));
    block_on(crate::store::consents::provider(&store));
    block_on(crate::store::branding::all(&store));
}

#[test]
fn d1_sql_on_sqlite_meets_the_contract() {
    let store = sqlite_store();
    block_on(tenant_contract(&store));
    block_on(signing_key_contract(&store));
    block_on(crate::store::accounts::all(&store));
    block_on(crate::store::mfa::all(&store));
    block_on(crate::store::rbac::all(&store));
    block_on(crate::store::consents::all(&store));
    block_on(crate::store::consents::provider(&store));
    block_on(crate::store::branding::all(&store));
}

/// Table -> column names, from `CREATE TABLE` statements (good enough for our DDL style).
fn schema(dialect: &str) -> BTreeMap<String, Vec<String>> {
    let mut tables = BTreeMap::new();
    for (_, sql) in migrations(dialect) {
        let lower = sql.to_lowercase();
        for chunk in lower.split("create table if not exists ").skip(1) {
            let name = chunk.split_whitespace().next().unwrap().to_string();
            let body = &chunk[chunk.find('(').unwrap() + 1..chunk.find(");").unwrap()];
            let columns = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("--"))
                .filter(|l| !["primary", "unique", "foreign", "check", "constraint"].iter().any(|k| l.starts_with(k)))
                .map(|l| l.split_whitespace().next().unwrap().to_string())
                .collect();
            tables.insert(name, columns);
        }
    }
    tables
}

#[test]
fn d1_and_postgres_migrations_have_the_same_files_tables_and_columns() {
    let names = |d: &str| migrations(d).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    assert_eq!(names("d1"), names("postgres"));
    let d1 = schema("d1");
    assert!(d1.contains_key("tenants") && d1.contains_key("signing_keys"), "{d1:?}");
    assert_eq!(d1, schema("postgres"));
}

#[test]
fn the_migration_runner_builds_the_d1_schema_on_an_empty_database() {
    use authsec_edge::store::migrations::{MigrationStore, MIGRATIONS};
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let store = SqlStore::new(Sqlite(conn));
    block_on(async {
        assert!(store.applied_migrations().await.unwrap().is_empty());
        store.apply_migration(&MIGRATIONS[0]).await.unwrap();
        assert_eq!(store.applied_migrations().await.unwrap(), vec!["0001_foundation.sql".to_string()]);
        // Applying the same migration twice is refused (it is recorded once), atomically.
        assert!(store.apply_migration(&MIGRATIONS[0]).await.is_err());
        for migration in &MIGRATIONS[1..] {
            store.apply_migration(migration).await.unwrap();
        }
        assert_eq!(store.applied_migrations().await.unwrap().len(), MIGRATIONS.len());
        tenant_contract(&store).await;
        crate::store::accounts::all(&store).await;
        crate::store::mfa::all(&store).await;
        crate::store::rbac::all(&store).await;
        crate::store::consents::all(&store).await;
        crate::store::consents::provider(&store).await;
        crate::store::branding::all(&store).await;
    });
}

#[test]
fn the_rbac_migration_gives_existing_admin_roles_everything() {
    use authsec_edge::store::migrations::{MigrationStore, MIGRATIONS};
    use authsec_edge::store::rbac::RbacStore;
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let store = SqlStore::new(Sqlite(conn));
    block_on(async {
        let (before, rbac) = MIGRATIONS.split_at(5);
        assert_eq!(rbac[0].name, "0006_rbac.sql");
        for migration in before {
            store.apply_migration(migration).await.unwrap();
        }
        store
            .executor()
            .batch(&[
                ("INSERT INTO tenants (id, domain, name, created_at) VALUES ('t-old', 'old.test', 'Old', 1)", vec![]),
                ("INSERT INTO roles (id, tenant_id, name, created_at) VALUES ('r-admin', 't-old', 'admin', 1)", vec![]),
                (
                    "INSERT INTO roles (id, tenant_id, name, created_at) VALUES ('r-viewer', 't-old', 'viewer', 1)",
                    vec![],
                ),
                (
                    "INSERT INTO role_bindings (id, tenant_id, user_id, role_id, created_at) \
                     VALUES ('b-old', 't-old', 'u-old', 'r-admin', 1)",
                    vec![],
                ),
            ])
            .await
            .unwrap();
        for migration in rbac {
            store.apply_migration(migration).await.unwrap();
        }
        let roles = store.roles(TenantId::new("t-old")).await.unwrap();
        let held: Vec<(&str, Vec<&str>)> =
            roles.iter().map(|r| (r.role.id.as_str(), r.permissions.iter().map(|p| p.id.as_str()).collect())).collect();
        assert_eq!(held, [("r-admin", vec!["perm-all-t-old"]), ("r-viewer", vec![])]);
        let binding = &store.bindings(TenantId::new("t-old")).await.unwrap()[0];
        assert_eq!((binding.group_id.as_str(), binding.conditions.as_str()), ("", "{}"));
        assert_eq!(
            store.principal_authz(TenantId::new("t-old"), UserId::new("u-old")).await.unwrap().bindings.len(),
            1
        );
    });
}
