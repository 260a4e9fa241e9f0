//! Sessions across their shards (issue 13 §3).
//!
//! A session lives in its user's shard (`SessionShard::User`), so one object holds one
//! user's sessions, refresh families and "revoke all", and no object carries a tenant.
//! Sessions started before sharding stay in the tenant's object until they expire: their
//! refresh tokens (`rt1`) route there, and a lookup the user's shard has never heard of
//! asks the tenant's object next. Tenant-wide facts (RBAC version, session epoch) live in
//! the tenant's object and are never looped over shards.

use super::{Ctx, Platform};
use crate::accounts::sessions::{RefreshToken, Session, SessionState, TenantState};
use crate::error::ApiError;
use crate::ids::{SessionId, TenantId, UserId};
use crate::store::state::{SessionShard, SessionStore};
use futures_util::future::{join, join3};

/// The shard a refresh token routes to.
pub fn refresh_shard<'a>(token: &RefreshToken<'a>) -> SessionShard<'a> {
    let tenant = TenantId::new(token.tenant_id);
    match token.user_id {
        Some(user) => SessionShard::User(tenant, UserId::new(user)),
        None => SessionShard::Tenant(tenant),
    }
}

/// What the shards know of a session: the user's shard, then (only if it never held the
/// session) the tenant's object, where sessions from before sharding stay.
pub async fn session_state<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
) -> Result<SessionState, ApiError> {
    let sessions = ctx.platform.sessions();
    let now = ctx.now_secs();
    match sessions.session_state(SessionShard::User(tenant, user), session, now).await? {
        SessionState::Unknown => Ok(sessions.session_state(SessionShard::Tenant(tenant), session, now).await?),
        known => Ok(known),
    }
}

/// Strict tier: whether a session is live by its shard and its tenant's epoch, with the
/// tenant state read concurrently (one round trip deep for a sharded session).
pub async fn session_live<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
) -> Result<(bool, TenantState), ApiError> {
    let (state, tenant_state) =
        join(session_state(ctx, tenant, user, session), ctx.platform.sessions().tenant_state(tenant)).await;
    let tenant_state = tenant_state?;
    let live = matches!(state?, SessionState::Live { created_at } if tenant_state.admits(created_at));
    Ok((live, tenant_state))
}

/// Revokes one of `user`'s sessions wherever it lives; false if it was not live.
pub async fn revoke_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    session: SessionId<'_>,
    reason: &str,
) -> Result<bool, ApiError> {
    let sessions = ctx.platform.sessions();
    let now = ctx.now_secs();
    if sessions.revoke_session(SessionShard::User(tenant, user), user, session, reason, now).await? {
        return Ok(true);
    }
    Ok(sessions.revoke_session(SessionShard::Tenant(tenant), user, session, reason, now).await?)
}

/// Revokes every live session of `user` in both places it may have them; their ids.
pub async fn revoke_user_sessions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
    reason: &str,
) -> Result<Vec<String>, ApiError> {
    let sessions = ctx.platform.sessions();
    let now = ctx.now_secs();
    let (sharded, legacy) = join(
        sessions.revoke_user_sessions(SessionShard::User(tenant, user), user, reason, now),
        sessions.revoke_user_sessions(SessionShard::Tenant(tenant), user, reason, now),
    )
    .await;
    let mut ids = sharded?;
    ids.extend(legacy?);
    Ok(ids)
}

/// The user's live sessions from both places, newest first, without those the tenant's
/// epoch has ended.
pub async fn user_sessions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
) -> Result<Vec<Session>, ApiError> {
    let sessions = ctx.platform.sessions();
    let now = ctx.now_secs();
    let (sharded, legacy, tenant_state) = join3(
        sessions.user_sessions(SessionShard::User(tenant, user), user, now),
        sessions.user_sessions(SessionShard::Tenant(tenant), user, now),
        sessions.tenant_state(tenant),
    )
    .await;
    let tenant_state = tenant_state?;
    let mut live: Vec<Session> =
        sharded?.into_iter().chain(legacy?).filter(|s| tenant_state.admits(s.created_at)).collect();
    live.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(live)
}
