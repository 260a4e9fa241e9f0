//! Sessions (ours, api.md "Sessions"): refresh with rotation and reuse detection,
//! logout, listing and revoking one's own sessions, and an admin's revoke-all.

use crate::accounts::sessions::Session;
use crate::accounts::sessions::{parse_refresh_token, RefreshOutcome, RefreshToken};
use crate::api::auth::{authenticate, authenticate_admin, authenticate_allowing_delegated};
use crate::api::body::{json_object, required_string};
use crate::api::issue::{random_token, read_claim_sources, refresh_hash, sign_session_token, Delegation};
use crate::api::{revocation, session_shards, Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{ClientId, SessionId, TenantId, UserId};
use crate::store::accounts::{AccountStore, Client, User};
use crate::store::state::SessionStore;
use serde_json::json;

/// `POST /authsec/uflow/auth/token/refresh` `{refresh_token}` → a new pair.
pub async fn refresh<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let presented = required_string(&body, "refresh_token")?;
    let refreshed = rotate_refresh_token(ctx, presented, None).await?;
    Ok(HttpResponse::json(
        200,
        &json!({
            "token": refreshed.access_token,
            "access_token": refreshed.access_token,
            "token_type": "Bearer",
            "refresh_token": refreshed.refresh_token,
            "expires_in": refreshed.expires_in,
            "session_id": refreshed.session.id,
        }),
    ))
}

/// A refresh that rotated: the new pair, and the session and user it is for.
pub struct Refreshed {
    pub user: User,
    pub session: Session,
    pub delegation: Option<Delegation>,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
}

/// Rotates `presented` (single use; a reused token revokes its session) and mints the
/// next access token. With `client` (the OAuth token endpoint), the session must have
/// been delegated to that client: a token presented by another client has leaked, so
/// its session is revoked.
pub async fn rotate_refresh_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    presented: &str,
    client: Option<&Client>,
) -> Result<Refreshed, ApiError> {
    let invalid = || ApiError::InvalidGrant("the refresh token is invalid, expired or revoked".into());
    let presented = parse_refresh_token(presented).ok_or_else(invalid)?;
    let tenant_id = presented.tenant_id;
    let tenant = TenantId::new(tenant_id);
    // The next token routes to the same shard: a session from before sharding stays in
    // the tenant's object until it ends.
    let new_secret = random_token(ctx)?;
    let next = RefreshToken { secret: &new_secret, ..presented };
    let sessions = ctx.platform.sessions();
    // The tenant's epoch is read beside the rotation, so it costs no extra round trip.
    let (rotation, tenant_state) = futures_util::future::join(
        sessions.rotate_refresh(
            session_shards::refresh_shard(&presented),
            &refresh_hash(ctx, tenant_id, presented.secret)?,
            &refresh_hash(ctx, tenant_id, next.secret)?,
            ctx.now_secs(),
        ),
        sessions.tenant_state(tenant),
    )
    .await;
    let session = match rotation? {
        (RefreshOutcome::Rotated, Some(session)) => session,
        (RefreshOutcome::Reused, session) => {
            // The object revoked the session; the edge must hear of it too.
            if let Some(session) = session {
                revocation::publish_revoked(ctx, tenant, &[session.id]).await?;
            }
            return Err(ApiError::InvalidGrant(
                "this refresh token was already used; the session has been revoked".into(),
            ));
        }
        _ => return Err(invalid()),
    };
    if !tenant_state?.admits(session.created_at) {
        return Err(invalid());
    }
    // The user and what their token says are read together; both follow from the session.
    let user_id = UserId::new(&session.user_id);
    let (user, sources) = futures_util::future::join(
        ctx.platform.store().user_by_id(tenant, user_id),
        read_claim_sources(ctx, tenant, user_id),
    )
    .await;
    let user = user?;
    let Some(user) = user.filter(|u| u.is_active()) else {
        revocation::revoke_user_sessions(ctx, tenant, UserId::new(&session.user_id), "user_disabled").await?;
        return Err(invalid());
    };
    // A session that came through a grant stays delegated; one whose record cannot be
    // read is refused rather than refreshed into a first-party token.
    let delegation = match session.delegation.trim() {
        "" | "null" => None,
        raw => Some(
            serde_json::from_str::<Delegation>(raw)
                .map_err(|e| ApiError::Internal(format!("session {} has an unreadable delegation: {e}", session.id)))?,
        ),
    };
    if let Some(client) = client {
        if delegation.as_ref().map(|d| d.client_id.as_str()) != Some(client.client_id.as_str()) {
            revocation::revoke_session(ctx, tenant, user_id, SessionId::new(&session.id), "refresh_by_other_client")
                .await?;
            return Err(ApiError::InvalidGrant(
                "this refresh token was issued to another client; its session has been revoked".into(),
            ));
        }
    }
    if let Some(d) = &delegation {
        // A delegated session refreshes only while its client is usable and still
        // registered for the grant it came through.
        let client = ctx.platform.store().client_by_client_id(ClientId::new(&d.client_id)).await?;
        if !client.is_some_and(|c| c.is_usable() && c.has_grant(d.grant_type_uri())) {
            return Err(ApiError::InvalidGrant("the client no longer holds the grant this session came from".into()));
        }
    }
    let (access_token, expires_in) = sign_session_token(ctx, &user, &session, delegation.as_ref(), sources?).await?;
    Ok(Refreshed { user, session, delegation, access_token, expires_in, refresh_token: next.to_string() })
}

/// `POST /authsec/uflow/auth/logout`: ends the caller's session at once (a delegated
/// token may end its own session).
pub async fn logout<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_allowing_delegated(ctx, req).await?;
    if caller.sid.is_empty() {
        return Err(ApiError::bad_request("this token is not bound to a session"));
    }
    let (tenant, user) = (TenantId::new(&caller.tenant_id), UserId::new(&caller.user_id));
    revocation::end_own_session(ctx, tenant, user, SessionId::new(&caller.sid)).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "logged out"})))
}

/// `GET /authsec/uflow/auth/sessions`: the caller's live sessions.
pub async fn list<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(ctx, req).await?;
    let sessions =
        session_shards::user_sessions(ctx, TenantId::new(&caller.tenant_id), UserId::new(&caller.user_id)).await?;
    let sessions: Vec<_> = sessions
        .into_iter()
        .map(|s| {
            json!({"id": s.id, "created_at": s.created_at, "last_used_at": s.last_used_at,
                   "expires_at": s.expires_at, "user_agent": s.user_agent, "current": s.id == caller.sid})
        })
        .collect();
    Ok(HttpResponse::json(200, &json!({"success": true, "sessions": sessions})))
}

/// `DELETE /authsec/uflow/auth/sessions/:id`: revokes one of the caller's sessions.
pub async fn revoke<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    session_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(ctx, req).await?;
    let (tenant, user) = (TenantId::new(&caller.tenant_id), UserId::new(&caller.user_id));
    let revoked = revocation::revoke_session(ctx, tenant, user, SessionId::new(session_id), "revoked_by_user").await?;
    if !revoked {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "session revoked"})))
}

/// `POST /authsec/uflow/admin/users/:user_id/revoke-sessions` (JA): every session of a
/// user of the caller's own tenant; another tenant's user is simply not found.
pub async fn admin_revoke_all<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    user_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let user = ctx.platform.store().user_by_id(TenantId::new(&caller.tenant_id), UserId::new(user_id)).await?;
    if user.is_none() {
        return Err(ApiError::NotFound);
    }
    let tenant = TenantId::new(&caller.tenant_id);
    let revoked = revocation::revoke_user_sessions(ctx, tenant, UserId::new(user_id), "revoked_by_admin").await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "revoked": revoked})))
}

/// `POST /authsec/uflow/admin/tenants/:tenant_id/revoke-sessions` (JA, ours): ends every
/// session of the caller's own tenant, the caller's included, by moving the tenant's
/// session epoch: one write, whatever the number of users. Sessions begun at or before
/// `sessions_revoked_through` are refused by strict checks at once and at the edge within
/// `REVOCATION_MAX_STALENESS_SECS`. Another tenant's id is 404.
pub async fn admin_revoke_tenant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if caller.tenant_id != tenant_id {
        return Err(ApiError::NotFound);
    }
    let state = revocation::end_tenant_sessions(ctx, TenantId::new(&caller.tenant_id)).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "sessions_revoked_through": state.sessions_revoked_through})))
}
