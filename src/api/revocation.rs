//! Revocations, decided by the Durable Objects and carried to the edge (design.md "Two
//! tiers"; issue 13).
//!
//! The strict tier asks the tenant's `SessionStore` whether a session is live. The edge
//! tier (`token/verify` without `strict`, the authmgr checks) answers from the colo:
//! session liveness and the tenant's RBAC version come from this isolate's memory,
//! refreshed from KV at most every `REVOCATION_MAX_STALENESS_SECS`.
//!
//! KV never decides anything. Every route that revokes asks the object first, then writes
//! one KV record per revoked session (and puts it in this isolate's memory) before it
//! answers, so the colo that revoked refuses the token at once and every other colo
//! within the bound. A record lives as long as the longest token it can cover. A KV miss
//! means "nothing revoked" and stays cheap; a KV failure falls back to the object.

use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::ids::{SessionId, TenantId, UserId};
use crate::store::state::SessionStore;
use crate::store::{DocumentCache, KV_MIN_TTL_SECS};
use crate::tokens::verify::LEEWAY_SECS;
use futures_util::future::join_all;
use std::cell::RefCell;
use std::collections::HashMap;

/// The RBAC version record outlives any cache; a miss just asks the object again.
const RBAC_VERSION_TTL_SECS: u64 = 86_400;
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

fn rbac_key(tenant: TenantId<'_>) -> String {
    format!("rbac-version:{tenant}")
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

/// Edge tier: whether a session is still live, as far as this colo knows within the
/// bound. Falls back to the object when KV fails.
pub async fn session_live_at_edge<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    session: SessionId<'_>,
) -> Result<bool, ApiError> {
    match read(ctx, session_key(tenant, session)).await {
        Ok(record) => Ok(record.is_none()),
        Err(e) => {
            ctx.warn(format!("revocation record unreadable, asking the session store: {e:?}"));
            Ok(ctx.platform.sessions().session_active(tenant, session, ctx.now_secs()).await?)
        }
    }
}

/// Edge tier: the tenant's RBAC version as this colo knows it within the bound. A KV
/// miss (never published, or expired) asks the object and publishes its answer.
pub async fn rbac_version_at_edge<P: Platform>(ctx: &Ctx<'_, P>, tenant: TenantId<'_>) -> Result<u64, ApiError> {
    let known = match read(ctx, rbac_key(tenant)).await {
        Ok(value) => value.and_then(|v| v.parse::<u64>().ok()),
        Err(e) => {
            ctx.warn(format!("RBAC version record unreadable, asking the session store: {e:?}"));
            None
        }
    };
    if let Some(version) = known {
        return Ok(version);
    }
    let version = ctx.platform.sessions().rbac_version(tenant).await?;
    publish_rbac_version(ctx, tenant, version).await;
    Ok(version)
}

/// After an RBAC change: the new version, in KV and in this isolate. A failed KV write
/// is logged: other colos then see the change when their remembered version expires
/// from memory and KV misses, which asks the object.
pub async fn publish_rbac_version<P: Platform>(ctx: &Ctx<'_, P>, tenant: TenantId<'_>, version: u64) {
    let key = rbac_key(tenant);
    let value = version.to_string();
    if let Err(e) = ctx.platform.cache().put_document(&key, &value, RBAC_VERSION_TTL_SECS).await {
        ctx.warn(format!("publishing RBAC version {version} of {tenant}: {e}"));
    }
    ctx.isolate.edge.remember(key, Some(value), ctx.now_ms);
}

/// Tells the edge that these sessions are revoked: a KV record each, written before the
/// caller answers, and this isolate's memory. 503 when KV refuses, so the client retries
/// (the object has already revoked; a retry writes the records again).
pub async fn publish_revoked<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    sessions: &[String],
) -> Result<(), ApiError> {
    let config = ctx.config()?;
    // The longest a token of a revoked session can still verify.
    let covers = u64::try_from(config.access_token_ttl_secs.saturating_add(LEEWAY_SECS)).unwrap_or(u64::MAX);
    let ttl = covers.max(KV_MIN_TTL_SECS);
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

/// Revokes one of `user`'s sessions (strict, in the object) and tells the edge if it
/// was revoked now: an id that is not the user's writes nothing anywhere.
pub async fn revoke_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
    reason: &str,
) -> Result<bool, ApiError> {
    let revoked = ctx.platform.sessions().revoke_session(tenant, user, session, reason, ctx.now_secs()).await?;
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
    ctx.platform.sessions().revoke_session(tenant, user, session, "logout", ctx.now_secs()).await?;
    publish_revoked(ctx, tenant, &[session.as_str().to_string()]).await
}

/// Revokes every live session of a user and tells the edge of each; returns how many.
pub async fn revoke_user_sessions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    reason: &str,
) -> Result<usize, ApiError> {
    let ids = ctx.platform.sessions().revoke_user_sessions(tenant, user, reason, ctx.now_secs()).await?;
    publish_revoked(ctx, tenant, &ids).await?;
    Ok(ids.len())
}
