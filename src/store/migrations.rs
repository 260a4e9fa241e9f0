//! Schema migrations, embedded in the Worker so that `/authsec/migration/*` can report
//! and apply them on the active backend. D1 records them where `wrangler d1 migrations
//! apply` does (`d1_migrations`), so both tools agree; Postgres in `schema_migrations`.

use super::StoreError;

pub struct Migration {
    pub name: &'static str,
    pub d1: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            d1: include_str!(concat!("../../migrations/d1/", $name)),
            postgres: include_str!(concat!("../../migrations/postgres/", $name)),
        }
    };
}

/// Every migration, in order. A test checks this list against `migrations/`.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_foundation.sql"),
    migration!("0002_accounts.sql"),
    migration!("0003_invitations.sql"),
    migration!("0004_mfa.sql"),
    migration!("0005_ciba_devices.sql"),
    migration!("0006_rbac.sql"),
    migration!("0007_totp_only_login.sql"),
    migration!("0008_oauth_provider.sql"),
    migration!("0009_tenant_branding.sql"),
    migration!("0010_client_metadata.sql"),
];

/// The statements of a migration file: comments dropped, split on `;`.
pub fn statements(sql: &str) -> Vec<String> {
    let without_comments: String =
        sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    without_comments.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[allow(async_fn_in_trait)]
pub trait MigrationStore {
    /// Names of the applied migrations.
    async fn applied_migrations(&self) -> Result<Vec<String>, StoreError>;
    /// Applies one migration and records it, atomically.
    async fn apply_migration(&self, migration: &Migration) -> Result<(), StoreError>;
    /// `d1`, `postgres` or `memory`.
    fn backend(&self) -> &'static str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_semicolons_and_drop_comments() {
        let sql = "-- a comment; with a semicolon\nCREATE TABLE a (x INTEGER);\n\nCREATE INDEX i ON a (x);\n";
        assert_eq!(statements(sql), vec!["CREATE TABLE a (x INTEGER)", "CREATE INDEX i ON a (x)"]);
    }

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/d1");
        let mut files: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        files.sort();
        let embedded: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, embedded);
    }
}
