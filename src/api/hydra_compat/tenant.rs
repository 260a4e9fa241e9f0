//! oocmgr's tenant and OIDC configuration, answered from the provider's real settings:
//! the tenant record, its default client as the "main client", the discovery endpoints
//! and `totp_only_login`. There are no upstream identity providers here, so every
//! provider list holds only the built-in sign-in ("authsec", as upstream names it).

use super::refusals::Refusal;
use super::shared::{admin_request, envelope, find_client, pick_client, rfc3339, string_list, tenant_and_clients};
use crate::api::body::present_text;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{percent_encode, HttpRequest, HttpResponse};
use crate::oauth::scopes;
use crate::store::accounts::Client;
use crate::store::{Tenant, TenantStore};
use serde_json::{json, Value};

fn main_client_json(client: &Client) -> Value {
    json!({"client_id": client.client_id, "client_name": client.name, "created_at": rfc3339(client.created_at)})
}

fn default_client(clients: &[Client]) -> Result<&Client, ApiError> {
    clients.iter().find(|c| c.is_default == 1).ok_or(ApiError::NotFound)
}

/// The built-in sign-in, as upstream lists its own provider.
fn builtin_provider() -> Value {
    json!({"provider_name": "authsec", "display_name": "AuthSec", "is_active": true, "sort_order": 0,
           "provider_type": "internal", "client_ids": ""})
}

/// `POST oocmgr/tenant/check-exists` `{tenant_id, org_id}` (JA): the caller's tenant exists.
pub async fn check_exists<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (tenant, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let main = default_client(&clients)?;
    let info = json!({"tenant_id": tenant.id, "org_id": r.org_id, "tenant_name": tenant.name,
                      "client_id": main.client_id, "client_name": main.name, "created_at": rfc3339(tenant.created_at)});
    let data = json!({"exists": true, "tenant_id": tenant.id, "org_id": r.org_id, "tenant_info": info});
    Ok(envelope(ctx, 200, "Tenant existence check completed", data))
}

fn tenant_entry(tenant: &Tenant, org_id: &str, clients: &[Client]) -> Value {
    json!({"tenant_id": tenant.id, "org_id": org_id, "tenant_name": tenant.name,
           "main_client": clients.iter().find(|c| c.is_default == 1).map(main_client_json),
           "oidc_providers": [], "total_clients": clients.len(), "active_providers": 0})
}

/// `POST oocmgr/tenant/list-all` (JA): upstream lists every tenant's Hydra clients to
/// anyone; here an admin sees their own tenant.
pub async fn list_all<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (tenant, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let data = json!({"tenants": [tenant_entry(&tenant, &r.org_id, &clients)], "count": 1});
    Ok(envelope(ctx, 200, "Tenants listed successfully", data))
}

/// `POST oocmgr/tenant/login-page-data` `{tenant_id, org_id}` (JA).
pub async fn login_page_data<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (tenant, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let main = default_client(&clients)?;
    let data = json!({"tenant_id": tenant.id, "org_id": r.org_id, "tenant_name": tenant.name,
                      "client_name": main.name, "main_client_id": main.client_id,
                      "providers": [], "provider_count": 0});
    Ok(envelope(ctx, 200, "Login page data retrieved successfully", data))
}

/// `POST oocmgr/oidc/get-config` `{tenant_id, client_id?}` (JA): the client (the default
/// one unless `client_id` names another of the tenant's) with its redirect URIs, no
/// upstream providers, and (ours) `provider_settings`: what discovery says, plus the
/// tenant's `totp_only_login`.
pub async fn oidc_config<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (listed, totp_only) = futures_util::future::join(
        tenant_and_clients(ctx, &r.tenant_id),
        ctx.platform.store().totp_only_login(&r.tenant_id),
    )
    .await;
    let (_, clients) = listed?;
    let client = pick_client(&clients, &r.body, &r.tenant_id)?;
    let config = ctx.config()?;
    let discovery = crate::api::foundation::discovery(config);
    let mut settings = serde_json::Map::new();
    for key in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "grant_types_supported",
        "scopes_supported",
        "code_challenge_methods_supported",
        "token_endpoint_auth_methods_supported",
    ] {
        settings.insert(key.to_string(), discovery.get(key).cloned().unwrap_or(Value::Null));
    }
    settings
        .insert("openid_configuration".into(), json!(format!("{}/.well-known/openid-configuration", config.issuer)));
    settings.insert("totp_only_login".into(), json!(totp_only?));
    settings.insert("sign_in_methods".into(), json!(["password", "passkey", "totp"]));
    let tenant_client = json!({
        "client_id": client.client_id, "client_name": client.name,
        "redirect_uris": string_list(&client.redirect_uris),
        "post_logout_redirect_uris": string_list(&client.post_logout_redirect_uris),
        "grant_types": string_list(&client.grant_types), "scopes": scopes::STANDARD,
        "created_at": rfc3339(client.created_at),
    });
    let data = json!({"tenant_id": r.tenant_id, "tenant_client": tenant_client, "oidc_providers": [],
                      "provider_count": 0, "provider_settings": settings});
    Ok(envelope(ctx, 200, "Tenant OIDC configuration retrieved successfully", data))
}

/// `GET|POST oocmgr/oidc/show-auth-providers` `{tenant_id, client_id?}` (or the
/// `Client-Id` header, as upstream's console sends it) (JA): the built-in sign-in only.
pub async fn auth_providers<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let header = req.header("client-id").or_else(|| req.header("x-client-id")).map(str::trim);
    let named = present_text(&r.body, "client_id").or(header.filter(|h| !h.is_empty()));
    let Some(named) = named.filter(|c| *c != r.tenant_id) else {
        let data = json!({"tenant_id": r.tenant_id, "count": 1, "providers": [builtin_provider()]});
        return Ok(envelope(ctx, 200, "Auth providers retrieved successfully (aggregated view)", data));
    };
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let client = find_client(&clients, named)?;
    let mut provider = builtin_provider();
    provider["client_id"] = json!(client.client_id);
    provider["hydra_client_id"] = json!("");
    let data = json!({"tenant_id": r.tenant_id, "client_id": client.client_id, "count": 1, "providers": [provider]});
    Ok(envelope(ctx, 200, "Auth providers retrieved successfully (filtered by client_id)", data))
}

/// `POST oocmgr/test/oidc-flow` `{tenant_id, org_id, provider_name?}` (JA): where a
/// code flow for the default client starts. Upstream providers are refused.
pub async fn test_flow<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    match r.body.get("provider_name") {
        None | Some(Value::Null) => {}
        Some(Value::String(p)) if p.trim().is_empty() || p.trim().eq_ignore_ascii_case("authsec") => {}
        Some(Value::String(_)) => return Err(Refusal::Federation.into()),
        Some(_) => return Err(ApiError::bad_field("provider_name", "provider_name must be a string")),
    }
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let main = default_client(&clients)?;
    let template = format!(
        "{}/authsec/oauth/authorize?client_id={}&response_type=code&scope=openid%20profile%20email\
         &redirect_uri={{{{redirect_uri}}}}&state={{{{state}}}}&code_challenge={{{{code_challenge}}}}\
         &code_challenge_method=S256",
        ctx.config()?.issuer,
        percent_encode(&main.client_id)
    );
    let data = json!({"tenant_id": r.tenant_id, "org_id": r.org_id, "tenant_client_id": main.client_id,
                      "login_url_template": template});
    Ok(envelope(ctx, 200, "OIDC flow test information retrieved successfully", data))
}

/// `POST oocmgr/stats/tenant` `{tenant_id, org_id}` (JA).
pub async fn stats<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
    let data = json!({"tenant_id": r.tenant_id, "org_id": r.org_id, "tenant_clients": clients.len(),
                      "active_clients": clients.iter().filter(|c| c.is_usable()).count(),
                      "total_providers": 0, "active_providers": 0, "inactive_providers": 0,
                      "providers_by_type": {}, "last_updated": rfc3339(ctx.now_secs())});
    Ok(envelope(ctx, 200, "Tenant statistics retrieved successfully", data))
}

/// `POST oocmgr/tenant/update-complete` `{tenant_id, org_id, tenant_name?, client_id?,
/// tenant_client?: {client_name?, redirect_uris?, grant_types?, scopes?}, updated_by?}`
/// (JA): renames the tenant and edits a client (the default one unless `client_id` names
/// another) with the clients module's own checks. `scopes` are tolerated and ignored
/// (clients here have no scope list); upstream `oidc_providers` are refused (501). Every
/// field is checked before anything is written.
pub async fn update_complete<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let r = admin_request(ctx, req).await?;
    match r.body.get("oidc_providers") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.is_empty() => {}
        Some(_) => return Err(Refusal::Federation.into()),
    }
    let name = crate::api::body::optional_text(&r.body, "tenant_name", 128)?;
    if r.body.get("tenant_name").is_some_and(|v| !v.is_null()) && name.is_empty() {
        return Err(ApiError::bad_field("tenant_name", "tenant_name must have 1 to 128 characters"));
    }
    let changes = match r.body.get("tenant_client") {
        None | Some(Value::Null) => None,
        Some(Value::Object(fields)) => Some(client_changes(fields)),
        Some(_) => return Err(ApiError::bad_field("tenant_client", "tenant_client must be an object")),
    };
    if name.is_empty() && changes.is_none() {
        return Err(ApiError::bad_request("nothing to update: give tenant_name or tenant_client"));
    }
    let updated = match changes {
        Some(changes) => {
            let (_, clients) = tenant_and_clients(ctx, &r.tenant_id).await?;
            let mut client = pick_client(&clients, &r.body, &r.tenant_id)?.clone();
            crate::api::clients::apply_fields(&mut client, &changes)?;
            client.updated_at = ctx.now_secs();
            Some(client)
        }
        None => None,
    };
    let store = ctx.platform.store();
    if !name.is_empty() && !store.rename_tenant(&r.tenant_id, &name).await? {
        return Err(ApiError::NotFound);
    }
    let mut data = json!({"success": true, "tenant_id": r.tenant_id, "org_id": r.org_id,
                          "updated_at": rfc3339(ctx.now_secs()), "updated_by": r.caller.email_id});
    if let Some(client) = updated {
        use crate::store::clients::ClientStore;
        if !store.update_client(&client).await? {
            return Err(ApiError::NotFound);
        }
        data["tenant_client"] = json!({"client_id": client.client_id, "client_name": client.name,
                                       "redirect_uris": string_list(&client.redirect_uris),
                                       "grant_types": string_list(&client.grant_types),
                                       "scopes": scopes::STANDARD, "updated": true});
    }
    if !name.is_empty() {
        data["tenant_name"] = json!(name);
    }
    Ok(envelope(ctx, 200, "Tenant configuration updated successfully", data))
}

/// Upstream's `tenant_client` fields as the clients module names them.
fn client_changes(fields: &serde_json::Map<String, Value>) -> serde_json::Map<String, Value> {
    let mut changes = serde_json::Map::new();
    for (from, to) in [("client_name", "name"), ("redirect_uris", "redirect_uris"), ("grant_types", "grant_types")] {
        if let Some(value) = fields.get(from).filter(|v| !v.is_null()) {
            changes.insert(to.to_string(), value.clone());
        }
    }
    changes
}
