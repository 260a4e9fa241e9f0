//! A tenant's own settings (JA, the caller's own tenant only; another tenant's id is 404
//! as if it did not exist): its name, whether email plus a TOTP code alone signs in
//! (`totp_only_login`, ours), and the branding of its sign-in pages (`crate::branding`,
//! ours). Every field of an update is validated before anything is written.

use super::tenant_admin::tenant_json;
use crate::api::auth::{authenticate_admin, AdminCaller};
use crate::api::body::{json_object, optional_text};
use crate::api::{Ctx, Platform};
use crate::branding::{AccentColor, BrandingChange, BrandingError, Change, DisplayName, LogoUrl};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::TenantStore;
use serde_json::{json, Map, Value};

/// The caller's own tenant; another tenant's id is 404, as if it did not exist.
async fn own_tenant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<AdminCaller, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if caller.tenant_id != tenant_id {
        return Err(ApiError::NotFound);
    }
    Ok(caller)
}

async fn tenant_response<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str) -> Result<HttpResponse, ApiError> {
    let store = ctx.platform.store();
    let (tenant, totp_only, branding) = futures_util::future::join3(
        store.tenant_by_id(tenant_id),
        store.totp_only_login(tenant_id),
        store.branding(tenant_id),
    )
    .await;
    let mut body = tenant_json(&tenant?.ok_or(ApiError::NotFound)?);
    body["totp_only_login"] = json!(totp_only?);
    body["branding"] = serde_json::to_value(branding?).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::json(200, &body))
}

/// `GET uflow/admin/tenants/:tenant_id`: the caller's own tenant only.
pub async fn get_tenant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<HttpResponse, ApiError> {
    own_tenant(ctx, req, tenant_id).await?;
    tenant_response(ctx, tenant_id).await
}

/// One branding value of an update: absent keeps it, `null` or `""` clears it, a string
/// must validate. The 400 names the field as `branding.<name>`.
fn change<T>(
    fields: &Map<String, Value>,
    name: &str,
    parse: fn(&str) -> Result<T, BrandingError>,
) -> Result<Change<T>, ApiError> {
    let path = format!("branding.{name}");
    match fields.get(name) {
        None => Ok(Change::Keep),
        Some(Value::Null) => Ok(Change::Clear),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Change::Clear),
        Some(Value::String(s)) => parse(s).map(Change::Set).map_err(|e| ApiError::bad_field(&path, e.message)),
        Some(_) => Err(ApiError::bad_field(&path, format!("{path} must be a string or null"))),
    }
}

/// The `branding` object of an update, `{display_name?, logo_url?, accent_color?}`;
/// `None` when the update does not touch branding.
fn branding_change(body: &Map<String, Value>) -> Result<Option<BrandingChange>, ApiError> {
    let fields = match body.get("branding") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(ApiError::bad_field("branding", "branding must be an object")),
    };
    Ok(Some(BrandingChange {
        display_name: change(fields, "display_name", DisplayName::parse)?,
        logo_url: change(fields, "logo_url", LogoUrl::parse)?,
        accent_color: change(fields, "accent_color", AccentColor::parse)?,
    }))
}

/// `PUT uflow/admin/tenants/:tenant_id` `{name?, totp_only_login?, branding?}`: renames
/// the caller's own tenant, sets whether email plus a TOTP code alone signs in (off by
/// default), and/or changes the branding of its sign-in pages. Answers as the GET does.
pub async fn update_tenant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<HttpResponse, ApiError> {
    own_tenant(ctx, req, tenant_id).await?;
    let body = json_object(req)?;
    let totp_only_login = match body.get("totp_only_login") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(enabled)) => Some(*enabled),
        Some(_) => return Err(ApiError::bad_field("totp_only_login", "totp_only_login must be true or false")),
    };
    let branding = branding_change(&body)?;
    let name = optional_text(&body, "name", 128)?;
    if name.is_empty() && (body.contains_key("name") || (totp_only_login.is_none() && branding.is_none())) {
        return Err(ApiError::bad_field("name", "name must have 1 to 128 characters"));
    }
    let store = ctx.platform.store();
    if !name.is_empty() {
        store.rename_tenant(tenant_id, &name).await?;
    }
    if let Some(enabled) = totp_only_login {
        store.set_totp_only_login(tenant_id, enabled).await?;
    }
    if let Some(change) = branding.filter(|c| !c.is_empty()) {
        store.set_branding(tenant_id, &change).await?;
    }
    tenant_response(ctx, tenant_id).await
}
