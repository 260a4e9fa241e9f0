//! `FlowStore`: device codes (objects named by a shard of the code's hash) and CIBA
//! requests (one object per user). Each request to an object is one synchronous SQLite
//! read-modify-write through `flows::device::transition` or `flows::ciba::transition`,
//! so of racing polls after approval exactly one receives the tokens. An alarm deletes
//! records a while after they expire (until then a poll still hears `expired_token`).

use crate::flows::{self, CibaEvent, CibaState, CibaStatus, DeviceEvent, DeviceState};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

/// How long an expired record is kept so that late polls get `expired_token`.
pub const KEEP_AFTER_EXPIRY_SECS: i64 = 600;

#[derive(Serialize, Deserialize)]
pub struct FlowRequest<S, E> {
    pub key: String,
    pub state: Option<S>,
    pub event: Option<E>,
    pub now: i64,
}

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
    ) -> Result<Option<(O, S)>>
    where
        S: Serialize + DeserializeOwned,
    {
        let Some(state) = self.load::<S>(key)? else {
            return Ok(None);
        };
        let (next, outcome) = transition(state, event, now);
        self.save(key, &next, expires_at(&next), false)?;
        Ok(Some((outcome, next)))
    }

    async fn start<S: Serialize>(&self, key: &str, state: &S, expires_at: i64) -> Result<Response> {
        if !self.save(key, state, expires_at, true)? {
            return Response::error("conflict", 409);
        }
        super::ensure_alarm(&self.state, (expires_at + KEEP_AFTER_EXPIRY_SECS) * 1000).await?;
        Response::from_json(&true)
    }
}

impl DurableObject for FlowStore {
    fn new(state: State, _env: Env) -> Self {
        let _ = state.storage().sql().exec(
            "CREATE TABLE IF NOT EXISTS flows (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)",
            None,
        );
        FlowStore { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let bad = || Response::error("bad request", 400);
        match req.path().as_str() {
            "/ping" => {
                self.sql().exec("SELECT 1", None)?;
                Response::from_json(&"ok")
            }
            "/start-device" => match req.json::<FlowRequest<DeviceState, DeviceEvent>>().await {
                Ok(FlowRequest { key, state: Some(state), .. }) => self.start(&key, &state, state.expires_at).await,
                _ => bad(),
            },
            "/device" => match req.json::<FlowRequest<DeviceState, DeviceEvent>>().await {
                Ok(r) => Response::from_json(&self.load::<DeviceState>(&r.key)?),
                _ => bad(),
            },
            "/advance-device" => match req.json::<FlowRequest<DeviceState, DeviceEvent>>().await {
                Ok(FlowRequest { key, event: Some(event), now, .. }) => {
                    let advanced =
                        self.advance(&key, event, now, flows::device::transition, |s: &DeviceState| s.expires_at)?;
                    Response::from_json(&advanced)
                }
                _ => bad(),
            },
            "/start-ciba" => match req.json::<FlowRequest<CibaState, CibaEvent>>().await {
                Ok(FlowRequest { key, state: Some(state), .. }) => self.start(&key, &state, state.expires_at).await,
                _ => bad(),
            },
            "/advance-ciba" => match req.json::<FlowRequest<CibaState, CibaEvent>>().await {
                Ok(FlowRequest { key, event: Some(event), now, .. }) => {
                    let advanced =
                        self.advance(&key, event, now, flows::ciba::transition, |s: &CibaState| s.expires_at)?;
                    Response::from_json(&advanced)
                }
                _ => bad(),
            },
            "/pending-ciba" => match req.json::<FlowRequest<CibaState, CibaEvent>>().await {
                Ok(FlowRequest { now, .. }) => {
                    let rows: Vec<Row> = self
                        .sql()
                        .exec(
                            "SELECT key, value FROM flows WHERE expires_at > ? ORDER BY expires_at, key",
                            vec![now.into()],
                        )?
                        .to_array()?;
                    let mut pending = Vec::new();
                    for row in rows {
                        let state: CibaState = serde_json::from_str(&row.value).map_err(corrupt)?;
                        if state.status == CibaStatus::Pending {
                            pending.push((row.key, state));
                        }
                    }
                    Response::from_json(&pending)
                }
                _ => bad(),
            },
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let now = (worker::Date::now().as_millis() / 1000) as i64;
        let sql = self.sql();
        sql.exec("DELETE FROM flows WHERE expires_at + ? <= ?", vec![KEEP_AFTER_EXPIRY_SECS.into(), now.into()])?;
        let query = format!("SELECT (MIN(expires_at) + {KEEP_AFTER_EXPIRY_SECS}) * 1000 AS next FROM flows");
        super::reschedule(&self.state, &query, (now + 1) * 1000).await?;
        Response::ok("ok")
    }
}
