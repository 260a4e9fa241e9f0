//! What the hmgr/oocmgr handlers share: the caller (a live admin of the tenant the body
//! names), upstream oocmgr's response envelope, its RFC 3339 timestamps, and the
//! tenant's clients in the shapes upstream's callers read.

use crate::api::auth::{authenticate_admin, AdminCaller};
use crate::api::body::json_object;
use crate::api::clients::metadata::effective_auth_method;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::accounts::Client;
use crate::store::clients::ClientStore;
use crate::store::{Tenant, TenantStore};
use serde_json::{json, Map, Value};

/// Most clients one listing returns (a tenant has a handful; the bound keeps a listing
/// one store call).
const MAX_LISTED: u64 = 500;

/// An oocmgr request: its admin caller, the tenant it addresses and its body.
pub struct AdminRequest {
    pub caller: AdminCaller,
    pub tenant_id: String,
    /// Upstream's `org_id`, echoed back (the tenant id when the body has none).
    pub org_id: String,
    pub body: Map<String, Value>,
}

/// The tenant admin calling (JA, live binding, never a delegated token), with the body
/// (or, for a GET, the query's `tenant_id` and `client_id`). The body's `tenant_id`
/// defaults to the caller's tenant; another tenant's id is 404, as if it did not exist.
pub async fn admin_request<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<AdminRequest, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = if req.method == crate::http::Method::Get {
        let mut query = Map::new();
        for name in ["tenant_id", "client_id"] {
            if let Some(value) = req.query_param(name) {
                query.insert(name.to_string(), Value::String(value));
            }
        }
        query
    } else {
        json_object(req)?
    };
    let tenant_id = match body.get("tenant_id") {
        None | Some(Value::Null) => caller.tenant_id.clone(),
        Some(Value::String(t)) if t.trim().is_empty() => caller.tenant_id.clone(),
        Some(Value::String(t)) if t.trim() == caller.tenant_id => caller.tenant_id.clone(),
        Some(Value::String(_)) => return Err(ApiError::NotFound),
        Some(_) => return Err(ApiError::bad_field("tenant_id", "tenant_id must be a string")),
    };
    let org_id = match body.get("org_id") {
        None | Some(Value::Null) => tenant_id.clone(),
        Some(Value::String(o)) if o.chars().count() <= 256 => o.trim().to_string(),
        Some(_) => return Err(ApiError::bad_field("org_id", "org_id must be a string of at most 256 characters")),
    };
    Ok(AdminRequest { caller, tenant_id, org_id, body })
}

/// Upstream oocmgr's success envelope: `{message, success, data, timestamp}`.
pub fn envelope<P: Platform>(ctx: &Ctx<'_, P>, status: u16, message: &str, data: Value) -> HttpResponse {
    HttpResponse::json(
        status,
        &json!({"message": message, "success": true, "data": data, "timestamp": rfc3339(ctx.now_secs())}),
    )
}

/// `GET hmgr/health` and `GET oocmgr/health` (public): no configuration, unlike upstream's.
pub fn health<P: Platform>(ctx: &Ctx<'_, P>, service: &str) -> HttpResponse {
    let base_url = ctx.config().map(|c| c.issuer.clone()).unwrap_or_default();
    HttpResponse::json(
        200,
        &json!({"status": "healthy", "service": service, "timestamp": rfc3339(ctx.now_secs()), "base_url": base_url}),
    )
}

/// Seconds since the epoch as RFC 3339 UTC (`2026-05-01T12:00:00Z`), clamped to years
/// 1970 to 9999.
pub fn rfc3339(secs: i64) -> String {
    let secs = secs.clamp(0, 253_402_300_799);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date, counting from 0000-03-01 in eras of 400 years.
    let z = days + 719_468;
    let (era, day_of_era) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// A stored JSON array of strings.
pub fn string_list(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The tenant's live clients (not soft-deleted), oldest first, and its record.
pub async fn tenant_and_clients<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
) -> Result<(Tenant, Vec<Client>), ApiError> {
    let store = ctx.platform.store();
    let (tenant, clients) = futures_util::future::join(
        store.tenant_by_id(tenant_id),
        store.list_clients(TenantId::new(tenant_id), 0, MAX_LISTED),
    )
    .await;
    Ok((tenant?.ok_or(ApiError::NotFound)?, clients?.items))
}

/// The client a body's `client_id` names (row id or public client_id) in the tenant, or
/// the tenant's default client when it names none (or names the tenant, as upstream's
/// callers do for the "main client"). 404 when the tenant has no such client.
pub fn pick_client<'a>(
    clients: &'a [Client],
    body: &Map<String, Value>,
    tenant_id: &str,
) -> Result<&'a Client, ApiError> {
    let named = match body.get("client_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.trim()).filter(|id| !id.is_empty() && *id != tenant_id),
        Some(_) => return Err(ApiError::bad_field("client_id", "client_id must be a string")),
    };
    match named {
        Some(id) => find_client(clients, id),
        None => clients.iter().find(|c| c.is_default == 1).ok_or(ApiError::NotFound),
    }
}

/// The tenant's client with row id or public client_id `id`; 404 when it has none.
pub fn find_client<'a>(clients: &'a [Client], id: &str) -> Result<&'a Client, ApiError> {
    clients.iter().find(|c| c.client_id == id || c.id == id).ok_or(ApiError::NotFound)
}

/// A client as Hydra's admin API describes one (what upstream's callers read), with the
/// tenant in `metadata`. Never a secret: only its keyed hash is kept.
pub fn hydra_client(client: &Client) -> Value {
    let kind = if client.is_default == 1 { "tenant_main_client" } else { "oauth_client" };
    json!({
        "client_id": client.client_id, "client_name": client.name,
        "redirect_uris": string_list(&client.redirect_uris), "grant_types": string_list(&client.grant_types),
        "post_logout_redirect_uris": string_list(&client.post_logout_redirect_uris),
        "response_types": ["code"], "token_endpoint_auth_method": effective_auth_method(client),
        "subject_type": "public", "audience": [],
        "metadata": {
            "type": kind, "tenant_id": client.tenant_id, "project_id": client.project_id,
            "is_active": client.is_usable(), "created_at": rfc3339(client.created_at),
            "updated_at": rfc3339(client.updated_at),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_790_000_000), "2026-09-21T14:13:20Z");
        assert_eq!(rfc3339(-5), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
    }
}
