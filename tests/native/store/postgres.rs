//! The same store contract on a real PostgreSQL (127.0.0.1:5432 on these machines), in a
//! throwaway database created for the run and dropped after it, with
//! `migrations/postgres/` applied. Set AUTHSEC_TEST_POSTGRES to point elsewhere.

use crate::store::contract::{migrations, signing_key_contract, tenant_contract};
use authsec_edge::store::migrations::{MigrationStore, MIGRATIONS};
use authsec_edge::store::sql::postgres::PgExecutor;
use authsec_edge::store::sql::SqlStore;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio_postgres::NoTls;

fn server() -> String {
    std::env::var("AUTHSEC_TEST_POSTGRES").unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres".to_string())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// Drops the database when the test ends, whether it passed or panicked.
struct Throwaway {
    name: String,
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let name = self.name.clone();
        // A fresh thread and runtime: Drop may run while another runtime is unwinding.
        let _ = std::thread::spawn(move || {
            runtime().block_on(async {
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&format!("{} dbname=postgres", server()), NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            })
        })
        .join();
    }
}

#[test]
fn postgres_meets_the_contract() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let db = Throwaway { name: format!("authsec_test_{}_{nanos}", std::process::id()) };
    runtime().block_on(async {
        let (admin, connection) = tokio_postgres::connect(&format!("{} dbname=postgres", server()), NoTls)
            .await
            .expect("PostgreSQL must be reachable for this test (AUTHSEC_TEST_POSTGRES)");
        tokio::spawn(connection);
        admin.batch_execute(&format!("CREATE DATABASE {}", db.name)).await.unwrap();
        let (client, connection) =
            tokio_postgres::connect(&format!("{} dbname={}", server(), db.name), NoTls).await.unwrap();
        tokio::spawn(connection);
        // The schema comes from the Worker's own runner (migrations/postgres, embedded).
        let store = SqlStore::new(PgExecutor::new(client));
        assert!(store.applied_migrations().await.unwrap().is_empty());
        for migration in MIGRATIONS {
            store.apply_migration(migration).await.unwrap_or_else(|e| panic!("{}: {e}", migration.name));
        }
        let names: Vec<String> = migrations("postgres").into_iter().map(|(name, _)| name).collect();
        assert_eq!(store.applied_migrations().await.unwrap(), names);
        assert_eq!(store.backend(), "postgres");
        tenant_contract(&store).await;
        signing_key_contract(&store).await;
        crate::store::accounts::all(&store).await;
        crate::store::mfa::all(&store).await;
        crate::store::rbac::all(&store).await;
        crate::store::consents::all(&store).await;
        crate::store::consents::provider(&store).await;
        crate::store::branding::all(&store).await;
    });
}
