//! Revocations, decided by the Durable Objects and carried to the edge (design.md "Two
//! tiers"; issue 13).
//!
//! The strict tier asks the session's shard whether it is live, and the tenant's object
//! for the tenant state (`session_shards`). The edge tier (`token/verify` without
//! `strict`, the authmgr checks) answers from the colo: revocation records and the
//! tenant state (RBAC version, session epoch) come from this isolate's memory, refreshed
//! from KV at most every `REVOCATION_MAX_STALENESS_SECS`.
//!
//! KV never decides anything. Every route that revokes asks the object first, then writes
//! one KV record per revoked session (and puts it in this isolate's memory) before it
//! answers, so the colo that revoked refuses the token at once and every other colo
//! within the bound. A record lives as long as the longest token it can cover. A KV miss
//! means "nothing revoked" and stays cheap; a KV failure falls back to the object.

use super::{session_shards, Ctx, Platform};
use crate::accounts::sessions::TenantState;
use crate::error::ApiError;
use crate::ids::{SessionId, TenantId, UserId};
use crate::store::state::SessionStore;
use crate::store::{DocumentCache, KV_MIN_TTL_SECS};
use crate::tokens::verify::LEEWAY_SECS;
use futures_util::future::{join, join_all};
use std::cell::RefCell;
use std::collections::HashMap;

/// The tenant state record outlives any cache; a miss just asks the object again.
const TENANT_STATE_TTL_SECS: u64 = 86_400;
/// Entries an isolate keeps before it starts afresh (each is a short string).
const MAX_ENTRIES: usize = 20_000;

/// What this isolate last read from KV (or wrote there itself), and when.
#[derive(Debug, Default)]
pub struct EdgeView {
    entries: RefCell<HashMap<String, (Option<String>, i64)>>,
}

impl EdgeView {
    /// The remembered value of `key` if it was read within `max_age_ms`.
    fn fresh(&self, key: &str, now_ms: i64, max_age_ms: i64) -> Option<Option<String>> {
        let entries = self.entries.borrow();
        let (value, read_at) = entries.get(key)?;
        (now_ms.saturating_sub(*read_at) < max_age_ms).then(|| value.clone())
    }

    fn remember(&self, key: String, value: Option<String>, now_ms: i64) {
        let mut entries = self.entries.borrow_mut();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (value, now_ms));
    }
}

fn session_key(tenant: TenantId<'_>, session: SessionId<'_>) -> String {
    format!("revoked:session:{tenant}:{session}")
}

fn tenant_key(tenant: TenantId<'_>) -> String {
    format!("tenant-state:{tenant}")
}

fn staleness_ms<P: Platform>(ctx: &Ctx<'_, P>) -> Result<i64, ApiError> {
    Ok(ctx.config()?.revocation_max_staleness_secs.saturating_mul(1000))
}

/// `key` from this isolate's memory if fresh, else from KV (then remembered).
async fn read<P: Platform>(ctx: &Ctx<'_, P>, key: String) -> Result<Option<String>, ApiError> {
    if let Some(value) = ctx.isolate.edge.fresh(&key, ctx.now_ms, staleness_ms(ctx)?) {
        return Ok(value);
    }
    let value = ctx.platform.cache().get_document(&key).await?;
    ctx.isolate.edge.remember(key, value.clone(), ctx.now_ms);
    Ok(value)
}

/// The session a token names, as far as the edge needs it.
#[derive(Debug, Clone, Copy)]
pub struct SessionRef<'a> {
    pub tenant: TenantId<'a>,
    pub user: UserId<'a>,
    pub session: SessionId<'a>,
    /// When the session began (the token's `auth_time`), for the tenant's epoch.
    pub auth_time: i64,
}

/// Edge tier: whether a session is still live, and the tenant's state, as far as this
/// colo knows within the bound: no revocation record, and begun after the tenant's
/// epoch. Both reads run concurrently; when KV fails, the objects answer instead.
pub async fn session_live_at_edge<P: Platform>(
    ctx: &Ctx<'_, P>,
    at: SessionRef<'_>,
) -> Result<(bool, TenantState), ApiError> {
    let (record, tenant_state) =
        join(read(ctx, session_key(at.tenant, at.session)), tenant_state_at_edge(ctx, at.tenant)).await;
    let tenant_state = tenant_state?;
    match record {
        Ok(record) => Ok((record.is_none() && tenant_state.admits(at.auth_time), tenant_state)),
        Err(e) => {
            ctx.warn(format!("revocation record unreadable, asking the session store: {e:?}"));
            session_shards::session_live(ctx, at.tenant, at.user, at.session).await
        }
    }
}

/// Edge tier: the tenant's state (RBAC version, session epoch) as this colo knows it
/// within the bound. A KV miss (never published, or expired) asks the tenant's object
/// and publishes its answer.
pub async fn tenant_state_at_edge<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
) -> Result<TenantState, ApiError> {
    let known = match read(ctx, tenant_key(tenant)).await {
        Ok(value) => value.and_then(|v| serde_json::from_str::<TenantState>(&v).ok()),
        Err(e) => {
            ctx.warn(format!("tenant state record unreadable, asking the session store: {e:?}"));
            None
        }
    };
    if let Some(state) = known {
        return Ok(state);
    }
    let state = ctx.platform.sessions().tenant_state(tenant).await?;
    if let Err(e) = publish_tenant_state(ctx, tenant, state).await {
        ctx.warn(format!("publishing the state of {tenant}: {e:?}"));
    }
    Ok(state)
}

/// After a change of the tenant's state: the new state, in this isolate and in KV.
pub async fn publish_tenant_state<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    state: TenantState,
) -> Result<(), ApiError> {
    let key = tenant_key(tenant);
    let value = serde_json::to_string(&state).map_err(|e| ApiError::Internal(e.to_string()))?;
    ctx.isolate.edge.remember(key.clone(), Some(value.clone()), ctx.now_ms);
    ctx.platform.cache().put_document(&key, &value, TENANT_STATE_TTL_SECS).await?;
    Ok(())
}

/// After an RBAC change: the new version reaches the edge. A failed KV write is logged:
/// other colos then see the change when their remembered state expires from memory and
/// KV misses, which asks the object.
pub async fn publish_rbac_change<P: Platform>(ctx: &Ctx<'_, P>, tenant: TenantId<'_>, state: TenantState) {
    if let Err(e) = publish_tenant_state(ctx, tenant, state).await {
        ctx.warn(format!("publishing RBAC version {} of {tenant}: {e:?}", state.rbac_version));
    }
}

/// Tells the edge that these sessions are revoked: a KV record each, written before the
/// caller answers, and this isolate's memory. 503 when KV refuses, so the client retries
/// (the object has already revoked; a retry writes the records again).
pub async fn publish_revoked<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    sessions: &[String],
) -> Result<(), ApiError> {
    let ttl = record_ttl_secs(ctx)?;
    let revoked_at = ctx.now_secs().to_string();
    let keys: Vec<String> = sessions.iter().map(|id| session_key(tenant, SessionId::new(id))).collect();
    for key in &keys {
        ctx.isolate.edge.remember(key.clone(), Some(revoked_at.clone()), ctx.now_ms);
    }
    let writes = keys.iter().map(|key| ctx.platform.cache().put_document(key, &revoked_at, ttl));
    for result in join_all(writes).await {
        result?;
    }
    Ok(())
}

/// The longest a token of a revoked session can still verify, at least KV's minimum.
fn record_ttl_secs<P: Platform>(ctx: &Ctx<'_, P>) -> Result<u64, ApiError> {
    let covers = ctx.config()?.access_token_ttl_secs.saturating_add(LEEWAY_SECS);
    Ok(u64::try_from(covers).unwrap_or(u64::MAX).max(KV_MIN_TTL_SECS))
}

/// Revokes one of `user`'s sessions (strict, in its shard) and tells the edge if it was
/// revoked now: an id that is not the user's writes nothing anywhere.
pub async fn revoke_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
    reason: &str,
) -> Result<bool, ApiError> {
    let revoked = session_shards::revoke_session(ctx, tenant, user, session, reason).await?;
    if revoked {
        publish_revoked(ctx, tenant, &[session.as_str().to_string()]).await?;
    }
    Ok(revoked)
}

/// Ends the session a verified token names (logout). The record is written even when the
/// object had already revoked it, so a retry after a KV failure heals: the id comes from
/// the caller's own token, never from input.
pub async fn end_own_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
) -> Result<(), ApiError> {
    session_shards::revoke_session(ctx, tenant, user, session, "logout").await?;
    publish_revoked(ctx, tenant, &[session.as_str().to_string()]).await
}

/// Revokes every live session of a user and tells the edge of each; returns how many.
pub async fn revoke_user_sessions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    reason: &str,
) -> Result<usize, ApiError> {
    let ids = session_shards::revoke_user_sessions(ctx, tenant, user, reason).await?;
    publish_revoked(ctx, tenant, &ids).await?;
    Ok(ids.len())
}

/// Ends every session of the tenant at once: the tenant's object moves the epoch (no
/// shard is visited), and the edge hears of it before the caller is answered. 503 when
/// KV refuses, so the caller retries; the epoch only moves forward.
pub async fn end_tenant_sessions<P: Platform>(ctx: &Ctx<'_, P>, tenant: TenantId<'_>) -> Result<TenantState, ApiError> {
    let state = ctx.platform.sessions().end_tenant_sessions(tenant, ctx.now_secs()).await?;
    publish_tenant_state(ctx, tenant, state).await?;
    Ok(state)
}
