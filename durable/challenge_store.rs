//! `ChallengeStore`: pending one-time codes (one object per purpose and email), the
//! second-factor guard (one object per user), single-use tickets (sharded by
//! value). Checks are synchronous SQLite read-modify-writes through the pure rules of
//! `accounts::otp` and `accounts::mfa_guard`, so nothing is accepted twice even under
//! concurrency.

use super::schema::{Migration, Schema, Step};
use super::{not_found, serve};
use crate::accounts::mfa_guard::{self, GuardState};
use crate::accounts::otp::{self, OtpRecord};
use crate::durable_protocol::challenge::*;
use crate::durable_protocol::{DoCall, Ping, Stored};
use serde::Deserialize;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

/// Version 1 is the schema as it stood before versioning.
const MIGRATIONS: &[Migration] = &[&[Step::Sql(
    "CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL)",
)]];

#[derive(Deserialize)]
struct Row {
    value: String,
    expires_at: i64,
}

#[durable_object]
pub struct ChallengeStore {
    state: State,
    schema: Schema,
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

    /// Read, decide and write with no `await` in between: two concurrent requests for one
    /// key resolve in order, so exactly one of two rival registrations is pending.
    fn place_otp(&self, request: PlaceOtp) -> Result<(otp::Placement, OtpRecord)> {
        let existing = self.load(&request.key)?.and_then(|row| serde_json::from_str::<OtpRecord>(&row.value).ok());
        let (placement, kept) = otp::place(existing, request.record, request.now);
        let value = serde_json::to_string(&kept).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.store(&request.key, &value, kept.expires_at)?;
        Ok((placement, kept))
    }

    fn check_otp(&self, request: CheckOtp) -> Result<otp::OtpOutcome> {
        let record = self.load(&request.key)?.and_then(|row| serde_json::from_str::<OtpRecord>(&row.value).ok());
        let (outcome, next) = otp::check(record, &request.presented_hash, &request.holder, request.now);
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
        let schema = Schema::migrate(&state.storage().sql(), "ChallengeStore", MIGRATIONS);
        ChallengeStore { state, schema }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.schema.ready()?;
        let req = &mut req;
        match req.path().as_str() {
            Ping::PATH => serve(req, async |Ping| super::ping(&self.sql())).await,
            PlaceOtp::PATH => {
                serve(req, async |request: PlaceOtp| {
                    let (placement, kept) = self.place_otp(request)?;
                    self.ensure_alarm(kept.expires_at).await?;
                    Ok(placement)
                })
                .await
            }
            CheckOtp::PATH => serve(req, async |r: CheckOtp| self.check_otp(r)).await,
            Guard::PATH => {
                serve(req, async |request: Guard| {
                    let now = request.now;
                    let outcome = self.guard(request)?;
                    self.ensure_alarm(now + mfa_guard::LOCK_SECS).await?;
                    Ok(outcome)
                })
                .await
            }
            PutTicket::PATH => {
                serve(req, async |request: PutTicket| {
                    self.store(&request.key, &request.payload.to_string(), request.expires_at)?;
                    self.ensure_alarm(request.expires_at).await?;
                    Ok(Stored)
                })
                .await
            }
            PeekTicket::PATH => {
                serve(req, async |r: PeekTicket| Ok(TicketPayload { payload: self.ticket(&r.key, r.now, false)? }))
                    .await
            }
            TakeTicket::PATH => {
                serve(req, async |r: TakeTicket| Ok(TicketPayload { payload: self.ticket(&r.key, r.now, true)? })).await
            }
            _ => not_found(),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.schema.ready()?;
        let now = i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(i64::MAX);
        let sql = self.sql();
        sql.exec("DELETE FROM items WHERE expires_at <= ?", vec![now.into()])?;
        super::reschedule(&self.state, "SELECT MIN(expires_at) * 1000 AS next FROM items", (now + 1) * 1000).await?;
        Response::ok("ok")
    }
}
