//! oocmgr's "Hydra clients": the tenant's OAuth clients from the clients store, in the
//! shapes of upstream's tenant-client mappings and Hydra's client objects. There is one
//! store and no Hydra beside it, so a "sync" finds nothing missing. No secret is ever
//! returned (only keyed hashes are kept); upstream returned them in some of these.

use super::shared::{admin_request, envelope, hydra_client, rfc3339, string_list, tenant_and_clients};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::oauth::scopes;
use crate::store::accounts::Client;
use crate::store::Tenant;
use serde_json::{json, Map, Value};

/// Upstream's `client_type` of a mapping: the tenant's "main" client, or another.
fn mapping_type(client: &Client) -> &'static str {
    if client.is_default == 1 {
        "main"
    } else {
        "client"
    }
}

/// A client as upstream's tenant-client mapping (`TenantHydraClientResponse`).
fn mapping(client: &Client, tenant: &Tenant, org_id: &str) -> Value {
    json!({
        "id": client.id, "org_id": org_id, "tenant_id": tenant.id, "tenant_name": tenant.name,
        "hydra_client_id": client.client_id, "client_name": client.name,
        "redirect_uris": string_list(&client.redirect_uris), "scopes": scopes::STANDARD,
        "client_type": mapping_type(client), "is_active": client.is_usable(),
        "created_at": rfc3339(client.created_at), "updated_at": rfc3339(client.updated_at),
        "created_by": client.email, "updated_by": client.email,
    })
}

/// An optional string filter of the body.
fn text_filter<'a>(body: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a string"))),
    }
}

/// An optional boolean filter of the body.
fn bool_filter(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be true or false"))),
    }
}

/// `POST oocmgr/hydra-clients/list` `{tenant_id?, org_id?, client_type?, is_active?}`
/// (JA): the tenant's clients as mappings; `client_type` is `main` or `client`.
pub async fn list<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let kind = text_filter(&r.body, "client_type")?;
    let active = bool_filter(&r.body, "is_active")?;
    let (tenant, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let listed: Vec<Value> = clients
        .iter()
        .filter(|c| kind.is_none_or(|k| k == mapping_type(c)))
        .filter(|c| active.is_none_or(|a| a == c.is_usable()))
        .map(|c| mapping(c, &tenant, &r.org_id))
        .collect();
    Ok(envelope(ctx, 200, "Hydra clients retrieved successfully", json!(listed)))
}

/// `POST oocmgr/hydra-clients/get-by-tenant` `{tenant_id, org_id}` (JA): the main
/// client, no provider clients (no upstream providers here), and (ours) every client.
pub async fn by_tenant<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (tenant, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let main = clients.iter().find(|c| c.is_default == 1).map(|c| mapping(c, &tenant, &r.org_id));
    let all: Vec<Value> = clients.iter().map(|c| mapping(c, &tenant, &r.org_id)).collect();
    let data = json!({"main_client": main, "provider_clients": [], "clients": all, "total_clients": clients.len()});
    Ok(envelope(ctx, 200, "Tenant Hydra clients retrieved successfully", data))
}

/// `POST oocmgr/hydra-clients/sync` (JA): the clients store is the only record of
/// clients, so every client is "synced" and none is missing. Changes nothing.
pub async fn sync<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let data = json!({"total_hydra_clients": clients.len(), "synced_clients": clients.len(), "missing_mappings": 0});
    Ok(envelope(ctx, 200, "Hydra clients sync completed", data))
}

/// `POST oocmgr/oidc/raw-hydra-dump` `{tenant_id, client_type?}` (JA; upstream lets any
/// signed-in user dump any workspace): the tenant's clients as Hydra objects, secrets
/// hidden. `client_type` is `tenant_main_client` or `oauth_client`.
pub async fn raw_dump<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let kind = text_filter(&r.body, "client_type")?.unwrap_or("");
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let dump: Vec<Value> = clients
        .iter()
        .map(|c| {
            let mut object = hydra_client(c);
            if c.secret_hash.is_some() {
                object["client_secret"] = json!("***hidden***");
            }
            object
        })
        .filter(|o| kind.is_empty() || o["metadata"]["type"] == kind)
        .collect();
    let data = json!({"tenant_id": r.tenant_id, "client_type": kind, "count": dump.len(), "clients": dump});
    Ok(envelope(ctx, 200, "Hydra client dump retrieved successfully", data))
}

/// `POST oocmgr/clients/getClients` `{tenant_id, active_only?}` (JA): the client ids.
pub async fn client_ids<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let active_only = bool_filter(&r.body, "active_only")?.unwrap_or(false);
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let ids: Vec<&str> =
        clients.iter().filter(|c| !active_only || c.is_usable()).map(|c| c.client_id.as_str()).collect();
    let data = json!({"tenant_id": r.tenant_id, "client_ids": ids, "count": ids.len(), "active_only": active_only});
    Ok(envelope(ctx, 200, "Client IDs retrieved successfully", data))
}
