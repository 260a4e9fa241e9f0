//! Sessions (ours, api.md "Sessions"): refresh with rotation and reuse detection,
//! logout, listing and revoking one's own sessions, and an admin's revoke-all.

use super::auth::{authenticate, authenticate_admin};
use super::body::{json_object, required_string};
use super::issue::{mint_delegated_token, random_token, refresh_hash, Delegation};
use super::{Ctx, Platform};
use crate::accounts::sessions::{format_refresh_token, parse_refresh_token, RefreshOutcome};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::accounts::AccountStore;
use crate::store::state::SessionStore;
use crate::store::StoreError;
use serde_json::json;

fn unavailable(what: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| ApiError::Unavailable(format!("{what}: {e}"))
}

/// `POST /authsec/uflow/auth/token/refresh` `{refresh_token}` → a new pair.
pub async fn refresh<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let presented = required_string(&body, "refresh_token")?;
    let invalid = || ApiError::InvalidGrant("the refresh token is invalid, expired or revoked".into());
    let (tenant_id, secret) = parse_refresh_token(presented).ok_or_else(invalid)?;
    let new_secret = random_token(ctx);
    let now = ctx.now_secs();
    let sessions = ctx.platform.sessions();
    let (outcome, session) = sessions
        .rotate_refresh(
            tenant_id,
            &refresh_hash(ctx, tenant_id, secret)?,
            &refresh_hash(ctx, tenant_id, &new_secret)?,
            now,
        )
        .await
        .map_err(super::unavailable::session_store)?;
    let session = match (outcome, session) {
        (RefreshOutcome::Rotated, Some(session)) => session,
        (RefreshOutcome::Reused, _) => {
            return Err(ApiError::InvalidGrant(
                "this refresh token was already used; the session has been revoked".into(),
            ))
        }
        _ => return Err(invalid()),
    };
    let user =
        ctx.platform.store().user_by_id(tenant_id, &session.user_id).await.map_err(unavailable("account store"))?;
    let Some(user) = user.filter(|u| u.is_active()) else {
        sessions
            .revoke_user_sessions(tenant_id, &session.user_id, "user_disabled", now)
            .await
            .map_err(super::unavailable::session_store)?;
        return Err(invalid());
    };
    let delegation = serde_json::from_str::<Delegation>(&session.delegation).ok();
    let (access_token, expires_in) = mint_delegated_token(ctx, &user, &session.id, delegation.as_ref()).await?;
    Ok(HttpResponse::json(
        200,
        &json!({
            "token": access_token,
            "access_token": access_token,
            "token_type": "Bearer",
            "refresh_token": format_refresh_token(tenant_id, &new_secret),
            "expires_in": expires_in,
            "session_id": session.id,
        }),
    ))
}

/// `POST /authsec/uflow/auth/logout`: ends the caller's session at once.
pub async fn logout<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(ctx, req).await?;
    if caller.sid.is_empty() {
        return Err(ApiError::bad_request("this token is not bound to a session"));
    }
    ctx.platform
        .sessions()
        .revoke_session(&caller.tenant_id, &caller.user_id, &caller.sid, "logout", ctx.now_secs())
        .await
        .map_err(super::unavailable::session_store)?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "logged out"})))
}

/// `GET /authsec/uflow/auth/sessions`: the caller's live sessions.
pub async fn list<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(ctx, req).await?;
    let sessions = ctx
        .platform
        .sessions()
        .user_sessions(&caller.tenant_id, &caller.user_id, ctx.now_secs())
        .await
        .map_err(super::unavailable::session_store)?;
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
    let revoked = ctx
        .platform
        .sessions()
        .revoke_session(&caller.tenant_id, &caller.user_id, session_id, "revoked_by_user", ctx.now_secs())
        .await
        .map_err(super::unavailable::session_store)?;
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
    let user =
        ctx.platform.store().user_by_id(&caller.tenant_id, user_id).await.map_err(unavailable("account store"))?;
    if user.is_none() {
        return Err(ApiError::NotFound);
    }
    let revoked = ctx
        .platform
        .sessions()
        .revoke_user_sessions(&caller.tenant_id, user_id, "revoked_by_admin", ctx.now_secs())
        .await
        .map_err(super::unavailable::session_store)?;
    Ok(HttpResponse::json(200, &json!({"success": true, "revoked": revoked})))
}
