//! `ChallengeStore`: pending one-time codes (one object per purpose and email), the
//! second-factor guard (one object per user), single-use tickets (sharded by
//! value). Checks are synchronous SQLite read-modify-writes through the pure rules of
//! `accounts::otp` and `accounts::mfa_guard`, so nothing is accepted twice even under
//! concurrency.

use crate::accounts::mfa_guard::{self, GuardEvent, GuardState};
use crate::accounts::otp::{self, OtpRecord};
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

#[derive(Serialize, Deserialize)]
pub struct PutOtp {
    pub key: String,
    pub record: OtpRecord,
}

#[derive(Serialize, Deserialize)]
pub struct CheckOtp {
    pub key: String,
    pub presented_hash: String,
    pub now: i64,
}

#[derive(Serialize, Deserialize)]
pub struct Guard {
    pub key: String,
    pub event: GuardEvent,
    pub now: i64,
}

#[derive(Serialize, Deserialize)]
pub struct Ticket {
    pub key: String,
    pub payload: Option<serde_json::Value>,
    pub expires_at: Option<i64>,
    pub now: Option<i64>,
}

#[derive(Deserialize)]
struct Row {
    value: String,
    expires_at: i64,
}

#[durable_object]
pub struct ChallengeStore {
    state: State,
}

impl ChallengeStore {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn load(&self, key: &str) -> Result<Option<Row>> {
        let rows: Vec<Row> =
            self.sql().exec("SELECT value, expires_at FROM items WHERE key = ?", vec![key.into()])?.to_array()?;
        Ok(rows.into_iter().next())
    }

    fn store(&self, key: &str, value: &str, expires_at: i64) -> Result<()> {
        self.sql().exec(
            "INSERT INTO items (key, value, expires_at) VALUES (?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            vec![key.into(), value.into(), expires_at.into()],
        )?;
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.sql().exec("DELETE FROM items WHERE key = ?", vec![key.into()])?;
        Ok(())
    }

    fn check_otp(&self, request: CheckOtp) -> Result<otp::OtpOutcome> {
        let record = self.load(&request.key)?.and_then(|row| serde_json::from_str::<OtpRecord>(&row.value).ok());
        let (outcome, next) = otp::check(record, &request.presented_hash, request.now);
        match next {
            Some(next) => {
                let value = serde_json::to_string(&next).map_err(|e| worker::Error::RustError(e.to_string()))?;
                self.store(&request.key, &value, next.expires_at)?;
            }
            None => self.delete(&request.key)?,
        }
        Ok(outcome)
    }

    fn guard(&self, request: Guard) -> Result<mfa_guard::GuardOutcome> {
        let state = self.load(&request.key)?.and_then(|row| serde_json::from_str::<GuardState>(&row.value).ok());
        let (next, outcome) = mfa_guard::transition(state.unwrap_or_default(), request.event, request.now);
        let value = serde_json::to_string(&next).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.store(&request.key, &value, mfa_guard::expires_at(&next, request.now))?;
        Ok(outcome)
    }

    /// A live ticket's payload; `take` also deletes it, in the same synchronous step.
    fn ticket(&self, key: &str, now: i64, take: bool) -> Result<Option<serde_json::Value>> {
        let Some(row) = self.load(key)? else {
            return Ok(None);
        };
        if take || now >= row.expires_at {
            self.delete(key)?;
        }
        Ok((now < row.expires_at).then(|| serde_json::from_str(&row.value).ok()).flatten())
    }

    async fn ensure_alarm(&self, at_secs: i64) -> Result<()> {
        super::ensure_alarm(&self.state, at_secs * 1000).await
    }
}

impl DurableObject for ChallengeStore {
    fn new(state: State, _env: Env) -> Self {
        let _ = state.storage().sql().exec(
            "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)",
            None,
        );
        ChallengeStore { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let bad = || Response::error("bad request", 400);
        match req.path().as_str() {
            "/ping" => {
                self.sql().exec("SELECT 1", None)?;
                Response::from_json(&"ok")
            }
            "/put-otp" => match req.json::<PutOtp>().await {
                Ok(request) => {
                    let value =
                        serde_json::to_string(&request.record).map_err(|e| worker::Error::RustError(e.to_string()))?;
                    self.store(&request.key, &value, request.record.expires_at)?;
                    self.ensure_alarm(request.record.expires_at).await?;
                    Response::from_json(&true)
                }
                Err(_) => bad(),
            },
            "/check-otp" => match req.json::<CheckOtp>().await {
                Ok(request) => Response::from_json(&self.check_otp(request)?),
                Err(_) => bad(),
            },
            "/guard" => match req.json::<Guard>().await {
                Ok(request) => {
                    let now = request.now;
                    let outcome = self.guard(request)?;
                    self.ensure_alarm(now + mfa_guard::LOCK_SECS).await?;
                    Response::from_json(&outcome)
                }
                Err(_) => bad(),
            },
            "/put-ticket" => match req.json::<Ticket>().await {
                Ok(Ticket { key, payload: Some(payload), expires_at: Some(expires_at), .. }) => {
                    self.store(&key, &payload.to_string(), expires_at)?;
                    self.ensure_alarm(expires_at).await?;
                    Response::from_json(&true)
                }
                _ => bad(),
            },
            "/peek-ticket" | "/take-ticket" => match req.json::<Ticket>().await {
                Ok(Ticket { key, now: Some(now), .. }) => {
                    Response::from_json(&self.ticket(&key, now, req.path() == "/take-ticket")?)
                }
                _ => bad(),
            },
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let now = (worker::Date::now().as_millis() / 1000) as i64;
        let sql = self.sql();
        sql.exec("DELETE FROM items WHERE expires_at <= ?", vec![now.into()])?;
        super::reschedule(&self.state, "SELECT MIN(expires_at) * 1000 AS next FROM items", (now + 1) * 1000).await?;
        Response::ok("ok")
    }
}
