//! The D1 executor behind `store::sql::SqlStore`.

use crate::metrics::{Backend, CallLog};
use crate::store::sql::{is_unique_violation, Dialect, SqlExecutor, SqlValue};
use crate::store::StoreError;
use serde_json::{Map, Value};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use worker::D1Database;

pub struct D1Executor {
    db: Result<D1Database, String>,
    log: Rc<CallLog>,
}

impl D1Executor {
    pub fn new(db: worker::Result<D1Database>, log: Rc<CallLog>) -> Self {
        D1Executor { db: db.map_err(|e| format!("D1 binding DB: {e}")), log }
    }

    fn statement(&self, sql: &str, params: &[SqlValue]) -> Result<worker::D1PreparedStatement, StoreError> {
        let db = self.db.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))?;
        let values: Vec<JsValue> = params
            .iter()
            .map(|p| match p {
                SqlValue::Null => JsValue::NULL,
                SqlValue::Integer(i) => JsValue::from_f64(crate::cast::i64_to_f64(*i)),
                SqlValue::Text(s) => JsValue::from_str(s),
            })
            .collect();
        db.prepare(sql).bind(&values).map_err(map_error)
    }
}

fn map_error(error: worker::Error) -> StoreError {
    let message = error.to_string();
    if is_unique_violation(&message) {
        StoreError::Conflict(message)
    } else {
        StoreError::Unavailable(message)
    }
}

/// D1 hands back JavaScript numbers; whole ones become integers again so rows decode
/// into `i64` fields exactly as they do from SQLite natively.
fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) if n.as_i64().is_none() && n.as_u64().is_none() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(crate::cast::f64_to_i64_saturating(f)),
            _ => Value::Number(n),
        },
        other => other,
    }
}

impl SqlExecutor for D1Executor {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError> {
        let statement = self.statement(sql, params)?;
        let _call = self.log.start(Backend::D1);
        let result = statement.all().await.map_err(map_error)?;
        let rows: Vec<Map<String, Value>> = result.results().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(rows.into_iter().map(|row| row.into_iter().map(|(k, v)| (k, normalize(v))).collect()).collect())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError> {
        let db = self.db.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))?;
        let prepared =
            statements.iter().map(|(sql, params)| self.statement(sql, params)).collect::<Result<Vec<_>, _>>()?;
        // D1 runs a batch as one SQL transaction: a failing statement rolls back the rest.
        let _call = self.log.start(Backend::D1);
        db.batch(prepared).await.map_err(map_error)?;
        Ok(())
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        let statement = self.statement(sql, params)?;
        let _call = self.log.start(Backend::D1);
        let result = statement.run().await.map_err(map_error)?;
        let changes = result.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0);
        Ok(crate::cast::usize_to_u64(changes))
    }
}
