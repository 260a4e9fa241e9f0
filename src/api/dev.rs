//! Development-only routes, 404 unless ENVIRONMENT=development:
//! - `GET /authsec/dev/outbox?to=<email>`: the mail outbox, so local tests can read codes;
//! - `POST /authsec/dev/legacy-session`: a session stored as releases before session
//!   sharding stored it, so the e2e suite can show such sessions survive the upgrade.

use super::auth::authenticate;
use super::issue::{random_token, refresh_hash, uuid_like};
use super::{Ctx, Platform};
use crate::accounts::sessions::{RefreshToken, Session};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::accounts::DevOutbox;
use crate::store::state::{SessionShard, SessionStore};
use serde_json::json;

pub async fn outbox<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if !ctx.config()?.is_development() {
        return Err(ApiError::NotFound);
    }
    let to = req
        .query_param("to")
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_field("to", "to is required"))?;
    let mail =
        ctx.platform.store().mail_for(&to).await.map_err(|e| ApiError::Unavailable(format!("dev outbox: {e}")))?;
    let messages: Vec<_> = mail
        .into_iter()
        .map(|m| json!({"id": m.id, "to": m.recipient, "subject": m.subject, "body": m.body, "created_at": m.created_at}))
        .collect();
    Ok(HttpResponse::json(200, &json!({"messages": messages})))
}

/// `POST /authsec/dev/legacy-session` (J): a new session of the caller as the release
/// before sharding made it: in the tenant's `SessionStore` object, with an
/// `rt1.<tenant>.<secret>` refresh token. → `{session_id, refresh_token}`.
pub async fn legacy_session<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if !ctx.config()?.is_development() {
        return Err(ApiError::NotFound);
    }
    let caller = authenticate(ctx, req).await?;
    let session = Session::new(uuid_like(ctx)?, caller.user_id.clone(), ctx.now_secs(), "legacy".into());
    let secret = random_token(ctx)?;
    let token = RefreshToken { tenant_id: &caller.tenant_id, user_id: None, secret: &secret };
    let tenant = TenantId::new(&caller.tenant_id);
    let hash = refresh_hash(ctx, &caller.tenant_id, &secret)?;
    ctx.platform.sessions().create_session(SessionShard::Tenant(tenant), &session, &hash).await?;
    Ok(HttpResponse::json(201, &json!({"session_id": session.id, "refresh_token": token.to_string()})))
}
