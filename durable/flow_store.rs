//! `FlowStore`: device codes (objects named by a shard of the code's hash) and CIBA
//! requests (one object per user). Each request to an object is one synchronous SQLite
//! read-modify-write through `flows::device::transition` or `flows::ciba::transition`,
//! so of racing polls after approval exactly one receives the tokens. An alarm deletes
//! records a while after they expire (until then a poll still hears `expired_token`).

use super::schema::{Migration, Schema, Step};
use super::{bad_request, decode, not_found, serve};
use crate::durable_protocol::flow::*;
use crate::durable_protocol::{DoCall, Ping, Stored};
use crate::flows::{self, CibaState, CibaStatus, DeviceState};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

/// How long an expired record is kept so that late polls get `expired_token`.
pub const KEEP_AFTER_EXPIRY_SECS: i64 = 600;

/// Version 1 is the schema as it stood before versioning.
const MIGRATIONS: &[Migration] = &[&[Step::Sql(
    "CREATE TABLE IF NOT EXISTS flows (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)",
)]];

#[derive(Deserialize)]
struct Row {
    key: String,
    value: String,
}

fn corrupt(e: serde_json::Error) -> worker::Error {
    worker::Error::RustError(format!("stored flow state: {e}"))
}

#[durable_object]
pub struct FlowStore {
    state: State,
    schema: Schema,
}

impl FlowStore {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn load<S: DeserializeOwned>(&self, key: &str) -> Result<Option<S>> {
        let rows: Vec<Row> =
            self.sql().exec("SELECT key, value FROM flows WHERE key = ?", vec![key.into()])?.to_array()?;
        rows.into_iter().next().map(|row| serde_json::from_str(&row.value).map_err(corrupt)).transpose()
    }

    fn save<S: Serialize>(&self, key: &str, state: &S, expires_at: i64, insert_only: bool) -> Result<bool> {
        let value = serde_json::to_string(state).map_err(corrupt)?;
        let verb = if insert_only { "INSERT OR IGNORE" } else { "INSERT OR REPLACE" };
        let query = format!("{verb} INTO flows (key, value, expires_at) VALUES (?, ?, ?)");
        let cursor = self.sql().exec(&query, vec![key.into(), value.into(), expires_at.into()])?;
        Ok(cursor.rows_written() > 0)
    }

    /// Loads the record, applies `transition` and stores the result, with no await in
    /// between; `None` if there is no such record.
    fn advance<S, E, O>(
        &self,
        key: &str,
        event: E,
        now: i64,
        transition: fn(S, E, i64) -> (S, O),
        expires_at: fn(&S) -> i64,
    ) -> Result<Option<Advanced<O, S>>>
    where
        S: Serialize + DeserializeOwned,
    {
        let Some(state) = self.load::<S>(key)? else {
            return Ok(None);
        };
        let (next, outcome) = transition(state, event, now);
        self.save(key, &next, expires_at(&next), false)?;
        Ok(Some(Advanced { outcome, state: next }))
    }

    /// Stores a new record for the start call `R`; a taken key answers 409.
    async fn start<R, S>(&self, key: &str, state: &S, expires_at: i64) -> Result<Response>
    where
        R: DoCall<Reply = Stored>,
        S: Serialize,
    {
        if !self.save(key, state, expires_at, true)? {
            return Response::error("conflict", 409);
        }
        super::ensure_alarm(&self.state, (expires_at + KEEP_AFTER_EXPIRY_SECS) * 1000).await?;
        super::reply::<R>(&Stored)
    }

    fn pending_ciba(&self, now: i64) -> Result<PendingRequests> {
        let rows: Vec<Row> = self
            .sql()
            .exec("SELECT key, value FROM flows WHERE expires_at > ? ORDER BY expires_at, key", vec![now.into()])?
            .to_array()?;
        let mut requests = Vec::new();
        for row in rows {
            let state: CibaState = serde_json::from_str(&row.value).map_err(corrupt)?;
            if state.status == CibaStatus::Pending {
                requests.push(PendingRequest { key: row.key, state });
            }
        }
        Ok(PendingRequests { requests })
    }
}

impl DurableObject for FlowStore {
    fn new(state: State, _env: Env) -> Self {
        let schema = Schema::migrate(&state.storage().sql(), "FlowStore", MIGRATIONS);
        FlowStore { state, schema }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.schema.ready()?;
        let req = &mut req;
        match req.path().as_str() {
            Ping::PATH => serve(req, async |Ping| super::ping(&self.sql())).await,
            StartDevice::PATH => match decode::<StartDevice>(req).await {
                Some(r) => self.start::<StartDevice, _>(&r.key, &r.state, r.state.expires_at).await,
                None => bad_request(),
            },
            GetDevice::PATH => serve(req, async |r: GetDevice| self.load::<DeviceState>(&r.key)).await,
            AdvanceDevice::PATH => {
                serve(req, async |r: AdvanceDevice| {
                    self.advance(&r.key, r.event, r.now, flows::device::transition, |s: &DeviceState| s.expires_at)
                })
                .await
            }
            StartCiba::PATH => match decode::<StartCiba>(req).await {
                Some(r) => self.start::<StartCiba, _>(&r.key, &r.state, r.state.expires_at).await,
                None => bad_request(),
            },
            AdvanceCiba::PATH => {
                serve(req, async |r: AdvanceCiba| {
                    self.advance(&r.key, r.event, r.now, flows::ciba::transition, |s: &CibaState| s.expires_at)
                })
                .await
            }
            PendingCiba::PATH => serve(req, async |r: PendingCiba| self.pending_ciba(r.now)).await,
            _ => not_found(),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.schema.ready()?;
        let now = i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(i64::MAX);
        let sql = self.sql();
        sql.exec("DELETE FROM flows WHERE expires_at + ? <= ?", vec![KEEP_AFTER_EXPIRY_SECS.into(), now.into()])?;
        let query = format!("SELECT (MIN(expires_at) + {KEEP_AFTER_EXPIRY_SECS}) * 1000 AS next FROM flows");
        super::reschedule(&self.state, &query, (now + 1) * 1000).await?;
        Response::ok("ok")
    }
}
