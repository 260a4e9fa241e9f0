//! The relational backend chosen by `STORE`: D1 (default) or Postgres via Hyperdrive.
//! Logic above never asks which; both run the same SQL through `SqlStore`.

use super::d1::D1Executor;
#[cfg(feature = "postgres")]
use super::postgres::HyperdriveExecutor;
use crate::store::sql::{Dialect, SqlExecutor, SqlValue};
use crate::store::StoreError;
use serde_json::{Map, Value};

pub enum EdgeExecutor {
    D1(D1Executor),
    #[cfg(feature = "postgres")]
    Postgres(HyperdriveExecutor),
}

impl EdgeExecutor {
    /// Releases per-request connections (a no-op for D1).
    pub async fn close(&self) {
        #[cfg(feature = "postgres")]
        if let EdgeExecutor::Postgres(pg) = self {
            pg.close().await;
        }
    }
}

impl SqlExecutor for EdgeExecutor {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError> {
        match self {
            EdgeExecutor::D1(d1) => d1.query(sql, params).await,
            #[cfg(feature = "postgres")]
            EdgeExecutor::Postgres(pg) => pg.query(sql, params).await,
        }
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        match self {
            EdgeExecutor::D1(d1) => d1.execute(sql, params).await,
            #[cfg(feature = "postgres")]
            EdgeExecutor::Postgres(pg) => pg.execute(sql, params).await,
        }
    }

    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError> {
        match self {
            EdgeExecutor::D1(d1) => d1.batch(statements).await,
            #[cfg(feature = "postgres")]
            EdgeExecutor::Postgres(pg) => pg.batch(statements).await,
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            EdgeExecutor::D1(d1) => d1.dialect(),
            #[cfg(feature = "postgres")]
            EdgeExecutor::Postgres(pg) => pg.dialect(),
        }
    }
}
