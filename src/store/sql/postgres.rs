//! The Postgres executor behind `store::sql::SqlStore`: the same intent-level SQL as D1,
//! written portably (numbered `?N` placeholders become `$N`; arithmetic on parameters is
//! cast explicitly so both dialects infer the same types). In the Worker the client
//! talks over a Hyperdrive socket; natively, over TCP to a test database.

use super::{is_unique_violation, Dialect, SqlExecutor, SqlValue};
use crate::store::StoreError;
use serde_json::{Map, Value};
use tokio_postgres::types::private::BytesMut;
use tokio_postgres::types::{IsNull, ToSql, Type};
use tokio_postgres::{Client, Row};

pub struct PgExecutor {
    client: Client,
}

impl PgExecutor {
    pub fn new(client: Client) -> Self {
        PgExecutor { client }
    }
}

/// `?1`, `?2`… become `$1`, `$2`…; quoted literals are left alone.
pub fn to_postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_literal = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_literal = !in_literal;
                out.push(c);
            }
            '?' if !in_literal && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// A NULL of whatever type the statement expects.
#[derive(Debug)]
struct AnyNull;

impl ToSql for AnyNull {
    fn to_sql(&self, _: &Type, _: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

fn map_error(error: tokio_postgres::Error) -> StoreError {
    let unique = error.code().is_some_and(|c| *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION);
    let message = error.as_db_error().map_or_else(|| error.to_string(), |db| db.message().to_string());
    if unique || is_unique_violation(&message) {
        StoreError::Conflict(message)
    } else {
        StoreError::Unavailable(message)
    }
}

fn params(values: &[SqlValue]) -> Vec<Box<dyn ToSql + Sync + Send>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync + Send> {
            match v {
                SqlValue::Null => Box::new(AnyNull),
                SqlValue::Integer(i) => Box::new(*i),
                SqlValue::Text(s) => Box::new(s.clone()),
            }
        })
        .collect()
}

fn row_to_json(row: &Row) -> Result<Map<String, Value>, StoreError> {
    let mut map = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let corrupt = |e: tokio_postgres::Error| StoreError::Corrupt(format!("{}: {e}", column.name()));
        let value = match *column.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i).map_err(corrupt)?.map(Value::from),
            Type::INT4 => row.try_get::<_, Option<i32>>(i).map_err(corrupt)?.map(Value::from),
            Type::INT2 => row.try_get::<_, Option<i16>>(i).map_err(corrupt)?.map(Value::from),
            Type::BOOL => row.try_get::<_, Option<bool>>(i).map_err(corrupt)?.map(Value::from),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                row.try_get::<_, Option<String>>(i).map_err(corrupt)?.map(Value::from)
            }
            ref other => {
                return Err(StoreError::Corrupt(format!("column {} has unsupported type {other}", column.name())))
            }
        };
        map.insert(column.name().to_string(), value.unwrap_or(Value::Null));
    }
    Ok(map)
}

impl SqlExecutor for PgExecutor {
    async fn query(&self, sql: &str, values: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError> {
        let owned = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|p| -> &(dyn ToSql + Sync) { p.as_ref() }).collect();
        let rows = self.client.query(&to_postgres_placeholders(sql), &refs).await.map_err(map_error)?;
        rows.iter().map(row_to_json).collect()
    }

    async fn execute(&self, sql: &str, values: &[SqlValue]) -> Result<u64, StoreError> {
        let owned = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|p| -> &(dyn ToSql + Sync) { p.as_ref() }).collect();
        self.client.execute(&to_postgres_placeholders(sql), &refs).await.map_err(map_error)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError> {
        // One connection per executor, so a plain BEGIN/COMMIT brackets exactly these.
        self.client.batch_execute("BEGIN").await.map_err(map_error)?;
        for (sql, values) in statements {
            if let Err(e) = self.execute(sql, values).await {
                self.client.batch_execute("ROLLBACK").await.map_err(map_error)?;
                return Err(e);
            }
        }
        self.client.batch_execute("COMMIT").await.map_err(map_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_outside_literals() {
        assert_eq!(
            to_postgres_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12"
        );
        assert_eq!(to_postgres_placeholders("x = ?"), "x = ?");
    }
}
