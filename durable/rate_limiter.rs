//! `RateLimiter`: one object per limited key (an IP, an email, a subject), so counts
//! are linearizable without a global hotspot. The decision is `rate_limit::admit`.
//! An alarm deletes windows that can no longer influence a decision.

use super::schema::{Migration, Schema, Step};
use super::{not_found, serve};
use crate::durable_protocol::rate_limit::Admit;
use crate::durable_protocol::{DoCall, Ping};
use crate::rate_limit::{admit, Decision, WindowState};
use serde::Deserialize;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

/// Version 1 is the schema as it stood before versioning.
const MIGRATIONS: &[Migration] = &[&[Step::Sql(
    "CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, window_start_ms INTEGER NOT NULL, \
     current INTEGER NOT NULL, previous INTEGER NOT NULL, window_ms INTEGER NOT NULL)",
)]];

#[derive(Deserialize)]
struct Row {
    window_start_ms: i64,
    current: i64,
    previous: i64,
}

#[durable_object]
pub struct RateLimiter {
    state: State,
    schema: Schema,
}

impl RateLimiter {
    fn load(&self, key: &str) -> Result<Option<Row>> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT window_start_ms, current, previous FROM windows WHERE key = ?", vec![key.into()])?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    async fn admit(&self, request: Admit) -> Result<Decision> {
        let state = self
            .load(&request.key)?
            .map(|row| WindowState {
                window_start_ms: row.window_start_ms,
                current: u32::try_from(row.current.max(0)).unwrap_or(u32::MAX),
                previous: u32::try_from(row.previous.max(0)).unwrap_or(u32::MAX),
            })
            .unwrap_or_default();
        let (decision, next) = admit(state, request.limit, request.now_ms);
        self.state.storage().sql().exec(
            "INSERT INTO windows (key, window_start_ms, current, previous, window_ms) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET window_start_ms = excluded.window_start_ms, \
             current = excluded.current, previous = excluded.previous, window_ms = excluded.window_ms",
            vec![
                request.key.as_str().into(),
                next.window_start_ms.into(),
                i64::from(next.current).into(),
                i64::from(next.previous).into(),
                request.limit.window_ms.into(),
            ],
        )?;
        super::ensure_alarm(&self.state, next.window_start_ms + 2 * request.limit.window_ms.max(1)).await?;
        Ok(decision)
    }
}

impl DurableObject for RateLimiter {
    fn new(state: State, _env: Env) -> Self {
        // Runs before any event is delivered; failing here fails every request loudly.
        let schema = Schema::migrate(&state.storage().sql(), "RateLimiter", MIGRATIONS);
        RateLimiter { state, schema }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.schema.ready()?;
        let req = &mut req;
        match req.path().as_str() {
            Ping::PATH => serve(req, async |Ping| super::ping(&self.state.storage().sql())).await,
            Admit::PATH => serve(req, async |r: Admit| self.admit(r).await).await,
            _ => not_found(),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.schema.ready()?;
        let now = i64::try_from(worker::Date::now().as_millis()).unwrap_or(i64::MAX);
        let sql = self.state.storage().sql();
        // A window older than two lengths no longer weighs on any decision.
        sql.exec("DELETE FROM windows WHERE window_start_ms + 2 * window_ms <= ?", vec![now.into()])?;
        super::reschedule(&self.state, "SELECT MIN(window_start_ms + 2 * window_ms) AS next FROM windows", now + 1000)
            .await?;
        Response::ok("ok")
    }
}
