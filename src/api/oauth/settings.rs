//! The provider's tenant settings, for the tenant's admins: open dynamic registration,
//! and initial access tokens for registering clients while it is closed.

use super::register::{mint_initial_token, INITIAL_TOKEN_TTL_SECS};
use crate::api::auth::authenticate_admin;
use crate::api::body::json_object;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::provider::ProviderStore;
use serde_json::{json, Value};

/// `GET /authsec/uflow/admin/oauth/settings` (JA).
pub async fn read<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let admin = authenticate_admin(ctx, req).await?;
    let open = ctx.platform.store().open_registration(TenantId::new(&admin.tenant_id)).await?;
    Ok(HttpResponse::json(200, &json!({"tenant_id": admin.tenant_id, "open_registration": open})))
}

/// `PUT /authsec/uflow/admin/oauth/settings` (JA) `{open_registration}`.
pub async fn update<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let admin = authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let open = match body.get("open_registration") {
        Some(Value::Bool(open)) => *open,
        _ => return Err(ApiError::bad_field("open_registration", "open_registration must be true or false")),
    };
    if !ctx.platform.store().set_open_registration(TenantId::new(&admin.tenant_id), open).await? {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &json!({"tenant_id": admin.tenant_id, "open_registration": open})))
}

/// `POST /authsec/uflow/admin/oauth/initial-access-tokens` (JA) → 201, shown once.
pub async fn initial_token<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let admin = authenticate_admin(ctx, req).await?;
    let token = mint_initial_token(ctx, &admin.tenant_id).await?;
    Ok(HttpResponse::json(201, &json!({"initial_access_token": token, "expires_in": INITIAL_TOKEN_TTL_SECS})))
}
