//! Versioned SQLite schemas for the Durable Object classes.
//!
//! Each class lists its migrations in order; migration `n` (1-based) takes the schema
//! from version `n - 1` to `n`. On construction an object applies the migrations after
//! its stored version, in order, recording each one as it completes. A failing step
//! stops there and is kept: every later event of that object answers with the error
//! instead of running against a half-built schema.
//!
//! The version lives in a table, `schema_version`, not in `PRAGMA user_version`:
//! workerd refuses that pragma (`not authorized: SQLITE_AUTH`, workerd 1.20260426), while
//! the `pragma_table_info` table function is allowed. Objects created before versioning
//! have no such table and count as version 0, with their tables already in place, so
//! every class's first migration is written to be a no-op on them (`IF NOT EXISTS`, and
//! [`Step::AddColumn`] for columns that earlier code added by ignoring the error).
//!
//! A schema newer than this code knows (a Worker rolled back after a migration) is left
//! alone: migrations are additive, so older code keeps working against it.

use serde::Deserialize;
use worker::{Result, SqlStorage};

/// One schema change.
pub enum Step {
    /// A single SQL statement, run as it is.
    Sql(&'static str),
    /// `ALTER TABLE table ADD COLUMN column definition`, skipped when the column exists.
    AddColumn { table: &'static str, column: &'static str, definition: &'static str },
}

/// The steps from one schema version to the next.
pub type Migration = &'static [Step];

/// The outcome of bringing an object's schema up to date, kept because a Durable
/// Object's constructor cannot fail.
pub struct Schema(std::result::Result<(), String>);

impl Schema {
    /// Applies the `migrations` this object's storage has not had yet.
    pub fn migrate(sql: &SqlStorage, class: &str, migrations: &[Migration]) -> Self {
        let outcome = apply(sql, migrations).map_err(|e| format!("{class} schema migration failed: {e}"));
        if let Err(e) = &outcome {
            worker::console_error!("{e}");
        }
        Schema(outcome)
    }

    /// `Ok` if the schema is up to date; otherwise the migration's error, for the event
    /// to return.
    pub fn ready(&self) -> Result<()> {
        self.0.clone().map_err(worker::Error::RustError)
    }
}

fn apply(sql: &SqlStorage, migrations: &[Migration]) -> Result<()> {
    sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)", None)?;
    let current = stored_version(sql)?;
    for (index, migration) in migrations.iter().enumerate().skip(current) {
        let version = index + 1;
        for step in migration.iter() {
            run(sql, step).map_err(|e| worker::Error::RustError(format!("migration {version}: {e}")))?;
        }
        let recorded =
            i64::try_from(version).map_err(|e| worker::Error::RustError(format!("migration {version}: {e}")))?;
        sql.exec("INSERT INTO schema_version (version) VALUES (?)", vec![recorded.into()])?;
    }
    Ok(())
}

fn stored_version(sql: &SqlStorage) -> Result<usize> {
    #[derive(Deserialize)]
    struct Row {
        version: i64,
    }
    let row: Row = sql.exec("SELECT COALESCE(MAX(version), 0) AS version FROM schema_version", None)?.one()?;
    // A version beyond usize (impossible in practice) counts as "everything applied".
    Ok(usize::try_from(row.version.max(0)).unwrap_or(usize::MAX))
}

fn run(sql: &SqlStorage, step: &Step) -> Result<()> {
    match step {
        Step::Sql(statement) => {
            sql.exec(statement, None)?;
        }
        Step::AddColumn { table, column, definition } => {
            #[derive(Deserialize)]
            struct Count {
                n: i64,
            }
            let existing: Count = sql
                .exec(
                    "SELECT COUNT(*) AS n FROM pragma_table_info(?) WHERE name = ?",
                    vec![(*table).into(), (*column).into()],
                )?
                .one()?;
            if existing.n == 0 {
                sql.exec(&format!("ALTER TABLE {table} ADD COLUMN {column} {definition}"), None)?;
            }
        }
    }
    Ok(())
}
