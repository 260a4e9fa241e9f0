//! `RateLimiter`: one object per limited key (an IP, an email, a subject), so counts
//! are linearizable without a global hotspot. The decision is `rate_limit::admit`.
//! An alarm deletes windows that can no longer influence a decision.

use crate::rate_limit::{admit, Limit, WindowState};
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

#[derive(Debug, Serialize, Deserialize)]
pub struct AdmitRequest {
    pub key: String,
    pub limit: Limit,
    pub now_ms: i64,
}

#[derive(Deserialize)]
struct Row {
    window_start_ms: i64,
    current: i64,
    previous: i64,
}

#[durable_object]
pub struct RateLimiter {
    state: State,
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

    async fn admit(&self, request: AdmitRequest) -> Result<Response> {
        let state = self
            .load(&request.key)?
            .map(|row| WindowState {
                window_start_ms: row.window_start_ms,
                current: row.current.clamp(0, u32::MAX as i64) as u32,
                previous: row.previous.clamp(0, u32::MAX as i64) as u32,
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
                (next.current as i64).into(),
                (next.previous as i64).into(),
                request.limit.window_ms.into(),
            ],
        )?;
        super::ensure_alarm(&self.state, next.window_start_ms + 2 * request.limit.window_ms.max(1)).await?;
        Response::from_json(&decision)
    }
}

impl DurableObject for RateLimiter {
    fn new(state: State, _env: Env) -> Self {
        // Runs before any event is delivered; failing here fails every request loudly.
        let _ = state.storage().sql().exec(
            "CREATE TABLE IF NOT EXISTS windows (key TEXT PRIMARY KEY, window_start_ms INTEGER NOT NULL, \
             current INTEGER NOT NULL, previous INTEGER NOT NULL, window_ms INTEGER NOT NULL)",
            None,
        );
        RateLimiter { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        match req.path().as_str() {
            "/ping" => {
                self.state.storage().sql().exec("SELECT 1", None)?;
                Response::from_json(&"ok")
            }
            "/admit" => match req.json::<AdmitRequest>().await {
                Ok(request) => self.admit(request).await,
                Err(_) => Response::error("bad admit request", 400),
            },
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let now = worker::Date::now().as_millis() as i64;
        let sql = self.state.storage().sql();
        // A window older than two lengths no longer weighs on any decision.
        sql.exec("DELETE FROM windows WHERE window_start_ms + 2 * window_ms <= ?", vec![now.into()])?;
        super::reschedule(&self.state, "SELECT MIN(window_start_ms + 2 * window_ms) AS next FROM windows", now + 1000)
            .await?;
        Response::ok("ok")
    }
}
