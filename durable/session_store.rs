//! `SessionStore`: one object per user holding that user's sessions and refresh-token
//! hashes, and one per tenant holding the tenant state (RBAC version, session epoch) and
//! the sessions started before sharding (`store::state::SessionShard` names both).
//! Every operation is a synchronous SQLite read-modify-write with no `await` inside it,
//! so concurrent refreshes of one token resolve to exactly one rotation. Decisions come
//! from `accounts::sessions`; an alarm purges sessions past their absolute lifetime.

use super::schema::{Migration, Schema, Step};
use super::{not_found, serve};
use crate::accounts::sessions::{decide_refresh, RefreshOutcome, RefreshRecord, Session, SessionState, TenantState};
use crate::durable_protocol::session::*;
use crate::durable_protocol::{DoCall, Ping, Stored};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

const SESSION_COLUMNS: &str =
    "id, user_id, created_at, expires_at, last_used_at, revoked_at, revoke_reason, user_agent, delegation";

/// Version 1 is the schema as it stood before versioning, so objects created then
/// pass through it unchanged.
const MIGRATIONS: &[Migration] = &[&[
    Step::Sql(
        "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, \
         expires_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL, revoked_at INTEGER, revoke_reason TEXT, \
         user_agent TEXT NOT NULL DEFAULT '', delegation TEXT NOT NULL DEFAULT '')",
    ),
    // Objects created before sessions kept their delegation gain the column.
    Step::AddColumn { table: "sessions", column: "delegation", definition: "TEXT NOT NULL DEFAULT ''" },
    Step::Sql("CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id)"),
    Step::Sql("CREATE TABLE IF NOT EXISTS refresh (hash TEXT PRIMARY KEY, session_id TEXT NOT NULL, used_at INTEGER)"),
    Step::Sql("CREATE INDEX IF NOT EXISTS refresh_session ON refresh (session_id)"),
    Step::Sql("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"),
]];

#[durable_object]
pub struct SessionStore {
    state: State,
    schema: Schema,
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

    fn create(&self, request: CreateSession) -> Result<Stored> {
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
        Ok(Stored)
    }

    fn rotate(&self, request: RotateRefresh) -> Result<Rotation> {
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
                Ok(Rotation { outcome, session: Some(session) })
            }
            (RefreshOutcome::Reused, _, Some(session)) => {
                sql.exec(
                    "UPDATE sessions SET revoked_at = ?, revoke_reason = 'refresh_token_reuse' WHERE id = ? AND revoked_at IS NULL",
                    vec![request.now.into(), session.id.as_str().into()],
                )?;
                Ok(Rotation { outcome, session: Some(session) })
            }
            (outcome, _, _) => Ok(Rotation { outcome, session: None }),
        }
    }

    fn revoke(&self, request: RevokeSessions) -> Result<Revoked> {
        let mut query = String::from(
            "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
        );
        let mut bindings = vec![
            request.now.into(),
            request.reason.as_str().into(),
            request.user_id.as_str().into(),
            request.now.into(),
        ];
        if let Some(id) = &request.session_id {
            query.push_str(" AND id = ?");
            bindings.push(id.as_str().into());
        }
        query.push_str(" RETURNING id");
        #[derive(serde::Deserialize)]
        struct Id {
            id: String,
        }
        let ids: Vec<String> = rows::<Id>(&self.sql(), &query, bindings)?.into_iter().map(|row| row.id).collect();
        Ok(Revoked { count: u32::try_from(ids.len()).unwrap_or(u32::MAX), ids })
    }

    fn list(&self, request: ListSessions) -> Result<SessionList> {
        let query = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? \
             ORDER BY created_at DESC, id DESC"
        );
        let sessions = rows(&self.sql(), &query, vec![request.user_id.as_str().into(), request.now.into()])?;
        Ok(SessionList { sessions })
    }

    fn meta(&self, key: &str) -> Result<i64> {
        #[derive(Deserialize)]
        struct Row {
            value: i64,
        }
        let rows: Vec<Row> = rows(&self.sql(), "SELECT value FROM meta WHERE key = ?", vec![key.into()])?;
        Ok(rows.first().map_or(0, |r| r.value))
    }

    /// The tenant's state (only a tenant's object has one; elsewhere it reads as zero):
    /// the RBAC version every RBAC mutation bumps, and the session epoch.
    fn tenant_state(&self) -> Result<TenantState> {
        Ok(TenantState {
            rbac_version: u64::try_from(self.meta("rbac_version")?).unwrap_or(0),
            sessions_revoked_through: self.meta("sessions_revoked_through")?,
        })
    }

    fn bump_rbac_version(&self) -> Result<TenantState> {
        self.sql().exec(
            "INSERT INTO meta (key, value) VALUES ('rbac_version', 1) \
             ON CONFLICT (key) DO UPDATE SET value = value + 1",
            None,
        )?;
        self.tenant_state()
    }

    /// The epoch only moves forward, so a late or repeated call never revives sessions.
    fn end_tenant_sessions(&self, now: i64) -> Result<TenantState> {
        self.sql().exec(
            "INSERT INTO meta (key, value) VALUES ('sessions_revoked_through', ?) \
             ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)",
            vec![now.into()],
        )?;
        self.tenant_state()
    }

    fn session_state(&self, request: &GetSessionState) -> Result<SessionState> {
        Ok(self.session(&request.session_id)?.map_or(SessionState::Unknown, |s| s.state(request.now)))
    }
}

impl DurableObject for SessionStore {
    fn new(state: State, _env: Env) -> Self {
        // Runs before any event is delivered; a failure here fails every call loudly.
        let schema = Schema::migrate(&state.storage().sql(), "SessionStore", MIGRATIONS);
        SessionStore { state, schema }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.schema.ready()?;
        let req = &mut req;
        match req.path().as_str() {
            Ping::PATH => serve(req, async |Ping| super::ping(&self.sql())).await,
            CreateSession::PATH => {
                serve(req, async |request: CreateSession| {
                    let expires_at = request.session.expires_at;
                    let created = self.create(request)?;
                    super::ensure_alarm(&self.state, expires_at * 1000).await?;
                    Ok(created)
                })
                .await
            }
            GetTenantState::PATH => serve(req, async |GetTenantState| self.tenant_state()).await,
            BumpRbacVersion::PATH => serve(req, async |BumpRbacVersion| self.bump_rbac_version()).await,
            EndTenantSessions::PATH => serve(req, async |r: EndTenantSessions| self.end_tenant_sessions(r.now)).await,
            GetSessionState::PATH => serve(req, async |r: GetSessionState| self.session_state(&r)).await,
            RotateRefresh::PATH => serve(req, async |r: RotateRefresh| self.rotate(r)).await,
            RevokeSessions::PATH => serve(req, async |r: RevokeSessions| self.revoke(r)).await,
            ListSessions::PATH => serve(req, async |r: ListSessions| self.list(r)).await,
            _ => not_found(),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.schema.ready()?;
        let now = i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(i64::MAX);
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
