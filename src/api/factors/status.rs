//! Which second factors an account has, for clients deciding what to ask next (api.md
//! "MFA"; AuthSec's SDK calls `mfa/loginStatus`): `{mfa_required, methods, mfa_method,
//! webauthn_enabled, totp_enabled}`.
//!
//! The account is the email in the tenant a request names (`workspace_id`, `tenant_id`,
//! `client_id` or `tenant_domain`), so the SDK's end-user status resolves the end user;
//! with no tenant named, the admin with that email. Unknown emails, tenants and clients
//! answer exactly as an account without factors.

use super::mfa::{factors, Factors};
use crate::api::auth::{client_ip, rate_limit};
use crate::api::body::{json_object, present_text, required_string};
use crate::api::{Ctx, Platform, Who};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::ids::{ClientId, TenantId};
use crate::store::accounts::{AccountStore, Client, User, UserKind};
use crate::store::TenantStore;
use serde_json::{json, Map, Value};

/// Status lookups per client IP per minute.
const PER_MINUTE: u32 = 30;

/// The request's fields: the JSON body, or the query string of a GET.
fn fields(req: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
    if req.method != Method::Get {
        return json_object(req);
    }
    let mut map = Map::new();
    for name in ["email", "workspace_id", "tenant_id", "client_id", "tenant_domain"] {
        if let Some(value) = req.query_param(name) {
            map.insert(name.to_string(), Value::String(value));
        }
    }
    Ok(map)
}

/// The tenant the fields name: `Some("")` for a named tenant that does not exist.
async fn named_tenant<P: Platform>(ctx: &Ctx<'_, P>, body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    if let Some(id) = present_text(body, "workspace_id").or_else(|| present_text(body, "tenant_id")) {
        return Ok(Some(id.to_string()));
    }
    let store = ctx.platform.store();
    if let Some(client_id) = present_text(body, "client_id") {
        let client = store.client_by_client_id(ClientId::new(client_id)).await?.filter(Client::is_usable);
        return Ok(Some(client.map(|c| c.tenant_id).unwrap_or_default()));
    }
    if let Some(domain) = present_text(body, "tenant_domain") {
        return Ok(Some(store.tenant_by_domain(&domain.to_lowercase()).await?.map(|t| t.id).unwrap_or_default()));
    }
    Ok(None)
}

fn kind_of(who: Who) -> UserKind {
    match who {
        Who::Admin => UserKind::Admin,
        Who::Enduser => UserKind::Enduser,
    }
}

/// `POST|GET webauthn/{admin,enduser}/mfa/{status,loginStatus}`, `POST|GET
/// webauthn/mfa/loginStatus` and the root `POST /webauthn/mfa/loginStatus`. `audience`
/// is the kind of account the route is for (`None`: whichever the tenant has).
pub async fn login_status<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    audience: Option<Who>,
) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("webauthn-status:ip:{}", client_ip(req)), PER_MINUTE, 60).await?;
    let body = fields(req)?;
    let email = crate::api::validate::email("email", required_string(&body, "email")?)?;
    let store = ctx.platform.store();
    let user = match named_tenant(ctx, &body).await? {
        Some(tenant_id) if tenant_id.is_empty() => None,
        Some(tenant_id) => store.user_by_email(TenantId::new(&tenant_id), &email).await?,
        None if audience == Some(Who::Enduser) => {
            return Err(ApiError::bad_field("client_id", "name the end user's client_id, workspace_id or tenant_id"))
        }
        None => store.admin_by_email(&email).await?,
    };
    let wanted = |u: &User| u.is_active() && audience.is_none_or(|who| u.kind == kind_of(who));
    let enrolled = match user.filter(wanted) {
        Some(user) => factors(ctx, &user.tenant_id, &user.id).await?,
        None => Factors::default(),
    };
    Ok(HttpResponse::json(
        200,
        &json!({"mfa_required": enrolled.any(), "methods": enrolled.methods(), "mfa_method": enrolled.primary_method(),
                "webauthn_enabled": enrolled.passkey, "totp_enabled": enrolled.totp}),
    ))
}
