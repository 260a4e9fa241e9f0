//! `SessionStore`: one object per tenant holding its sessions and refresh-token hashes.
//! Every operation is a synchronous SQLite read-modify-write with no `await` inside it,
//! so concurrent refreshes of one token resolve to exactly one rotation. Decisions come
//! from `accounts::sessions`; an alarm purges sessions past their absolute lifetime.

use crate::accounts::sessions::{decide_refresh, RefreshOutcome, RefreshRecord, Session};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

#[derive(Serialize, Deserialize)]
pub struct CreateRequest {
    pub session: Session,
    pub refresh_hash: String,
}

#[derive(Serialize, Deserialize)]
pub struct RotateRequest {
    pub presented_hash: String,
    pub new_hash: String,
    pub now: i64,
}

#[derive(Serialize, Deserialize)]
pub struct RotateResponse {
    pub outcome: RefreshOutcome,
    pub session: Option<Session>,
}

#[derive(Serialize, Deserialize)]
pub struct UserRequest {
    pub user_id: String,
    pub session_id: Option<String>,
    pub reason: Option<String>,
    pub now: i64,
}

const SESSION_COLUMNS: &str =
    "id, user_id, created_at, expires_at, last_used_at, revoked_at, revoke_reason, user_agent, delegation";

#[durable_object]
pub struct SessionStore {
    state: State,
}

fn rows<T: DeserializeOwned>(sql: &SqlStorage, query: &str, bindings: Vec<worker::SqlStorageValue>) -> Result<Vec<T>> {
    sql.exec(query, bindings)?.to_array()
}

impl SessionStore {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn session(&self, id: &str) -> Result<Option<Session>> {
        let query = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?");
        Ok(rows(&self.sql(), &query, vec![id.into()])?.into_iter().next())
    }

    fn create(&self, request: CreateRequest) -> Result<bool> {
        let s = &request.session;
        let sql = self.sql();
        sql.exec(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, last_used_at, revoked_at, revoke_reason, user_agent, \
             delegation) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
            vec![
                s.id.as_str().into(),
                s.user_id.as_str().into(),
                s.created_at.into(),
                s.expires_at.into(),
                s.last_used_at.into(),
                s.user_agent.as_str().into(),
                s.delegation.as_str().into(),
            ],
        )?;
        sql.exec(
            "INSERT INTO refresh (hash, session_id, used_at) VALUES (?, ?, NULL)",
            vec![request.refresh_hash.as_str().into(), s.id.as_str().into()],
        )?;
        Ok(true)
    }

    fn rotate(&self, request: RotateRequest) -> Result<RotateResponse> {
        let sql = self.sql();
        let record: Option<RefreshRecord> = rows(
            &sql,
            "SELECT hash, session_id, used_at FROM refresh WHERE hash = ?",
            vec![request.presented_hash.as_str().into()],
        )?
        .into_iter()
        .next();
        let session = match &record {
            Some(r) => self.session(&r.session_id)?,
            None => None,
        };
        let outcome = decide_refresh(record.as_ref(), session.as_ref(), request.now);
        match (outcome, record, session) {
            (RefreshOutcome::Rotated, Some(record), Some(mut session)) => {
                sql.exec(
                    "UPDATE refresh SET used_at = ? WHERE hash = ?",
                    vec![request.now.into(), record.hash.as_str().into()],
                )?;
                sql.exec(
                    "INSERT INTO refresh (hash, session_id, used_at) VALUES (?, ?, NULL)",
                    vec![request.new_hash.as_str().into(), session.id.as_str().into()],
                )?;
                sql.exec(
                    "UPDATE sessions SET last_used_at = ? WHERE id = ?",
                    vec![request.now.into(), session.id.as_str().into()],
                )?;
                session.last_used_at = request.now;
                Ok(RotateResponse { outcome, session: Some(session) })
            }
            (RefreshOutcome::Reused, _, Some(session)) => {
                sql.exec(
                    "UPDATE sessions SET revoked_at = ?, revoke_reason = 'refresh_token_reuse' WHERE id = ? AND revoked_at IS NULL",
                    vec![request.now.into(), session.id.as_str().into()],
                )?;
                Ok(RotateResponse { outcome, session: Some(session) })
            }
            (outcome, _, _) => Ok(RotateResponse { outcome, session: None }),
        }
    }

    fn revoke(&self, request: UserRequest) -> Result<u32> {
        let reason = request.reason.unwrap_or_else(|| "revoked".into());
        let mut query = String::from(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
        );
        let mut bindings =
            vec![request.now.into(), reason.as_str().into(), request.user_id.as_str().into(), request.now.into()];
        if let Some(id) = &request.session_id {
            query.push_str(" AND id = ?");
            bindings.push(id.as_str().into());
        }
        let cursor = self.sql().exec(&query, bindings)?;
        Ok(cursor.rows_written() as u32)
    }

    fn list(&self, request: UserRequest) -> Result<Vec<Session>> {
        let query = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? \
             ORDER BY created_at DESC, id DESC"
        );
        rows(&self.sql(), &query, vec![request.user_id.as_str().into(), request.now.into()])
    }

    /// The tenant's RBAC version: every RBAC mutation bumps it, so an isolate's cached
    /// permission sets are known fresh from the same call that checks the session.
    fn rbac_version(&self) -> Result<u64> {
        #[derive(Deserialize)]
        struct Row {
            value: i64,
        }
        let rows: Vec<Row> = rows(&self.sql(), "SELECT value FROM meta WHERE key = 'rbac_version'", vec![])?;
        Ok(rows.first().map_or(0, |r| r.value.max(0) as u64))
    }

    fn bump_rbac_version(&self) -> Result<u64> {
        self.sql().exec(
            "INSERT INTO meta (key, value) VALUES ('rbac_version', 1) \
             ON CONFLICT (key) DO UPDATE SET value = value + 1",
            None,
        )?;
        self.rbac_version()
    }

    fn active(&self, request: UserRequest) -> Result<bool> {
        let Some(id) = request.session_id else {
            return Ok(false);
        };
        Ok(self.session(&id)?.is_some_and(|s| s.is_active(request.now)))
    }
}

impl DurableObject for SessionStore {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        // Runs before any event is delivered; a failure here fails every call loudly.
        let _ = sql.exec(
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, \
             expires_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL, revoked_at INTEGER, revoke_reason TEXT, \
             user_agent TEXT NOT NULL DEFAULT '', delegation TEXT NOT NULL DEFAULT '')",
            None,
        );
        // Objects created before sessions kept their delegation gain the column; where it
        // exists already this fails harmlessly.
        let _ = sql.exec("ALTER TABLE sessions ADD COLUMN delegation TEXT NOT NULL DEFAULT ''", None);
        let _ = sql.exec("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id)", None);
        let _ = sql.exec(
            "CREATE TABLE IF NOT EXISTS refresh (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, used_at INTEGER)",
            None,
        );
        let _ = sql.exec("CREATE INDEX IF NOT EXISTS refresh_session ON refresh (session_id)", None);
        let _ = sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)", None);
        SessionStore { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.path();
        let bad = || Response::error("bad request", 400);
        match path.as_str() {
            "/ping" => {
                self.sql().exec("SELECT 1", None)?;
                Response::from_json(&"ok")
            }
            "/create" => match req.json::<CreateRequest>().await {
                Ok(request) => {
                    let expires_at = request.session.expires_at;
                    let created = self.create(request)?;
                    super::ensure_alarm(&self.state, expires_at * 1000).await?;
                    Response::from_json(&created)
                }
                Err(_) => bad(),
            },
            "/rbac-version" => Response::from_json(&self.rbac_version()?),
            "/bump-rbac" => Response::from_json(&self.bump_rbac_version()?),
            "/status" => match req.json::<UserRequest>().await {
                Ok(request) => {
                    let active = request.session_id.is_some() && self.active(request)?;
                    Response::from_json(&(active, self.rbac_version()?))
                }
                Err(_) => bad(),
            },
            "/rotate" => match req.json::<RotateRequest>().await {
                Ok(request) => Response::from_json(&self.rotate(request)?),
                Err(_) => bad(),
            },
            "/revoke" => match req.json::<UserRequest>().await {
                Ok(request) => Response::from_json(&self.revoke(request)?),
                Err(_) => bad(),
            },
            "/list" => match req.json::<UserRequest>().await {
                Ok(request) => Response::from_json(&self.list(request)?),
                Err(_) => bad(),
            },
            "/active" => match req.json::<UserRequest>().await {
                Ok(request) => Response::from_json(&self.active(request)?),
                Err(_) => bad(),
            },
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let now = (worker::Date::now().as_millis() / 1000) as i64;
        let sql = self.sql();
        sql.exec(
            "DELETE FROM refresh WHERE session_id IN (SELECT id FROM sessions WHERE expires_at <= ?)",
            vec![now.into()],
        )?;
        sql.exec("DELETE FROM sessions WHERE expires_at <= ?", vec![now.into()])?;
        super::reschedule(&self.state, "SELECT MIN(expires_at) * 1000 AS next FROM sessions", (now + 60) * 1000)
            .await?;
        Response::ok("ok")
    }
}
