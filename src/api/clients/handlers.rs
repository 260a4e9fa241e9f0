//! OAuth client lifecycle (`/authsec/clientms/tenants/:tenant_id/clients/…`, api.md
//! "Clients"): the token's tenant must be the tenant in the path, and (ours) changes need
//! the tenant's admin role. A confidential client's secret is shown once and stored as a
//! keyed hash; the default client cannot be deleted.

use super::metadata::{self, auth_method, PRIVATE_KEY_JWT};
use super::ClientChange;
use crate::api::auth::{
    authenticate, authenticate_with_rbac_version, require_live_admin, require_tenant, AdminCaller, Caller,
};
use crate::api::body::{json_object, optional_text, pagination, paging, ListForm};
use crate::api::issue::{random_token, uuid_like};
use crate::api::validate;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;

use crate::store::accounts::{client_secret_hash, AccountStore, Client};
use crate::store::clients::ClientStore;
use serde_json::{json, Map, Value};

const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:openid:params:grant-type:ciba",
];

/// The caller, who must belong to the tenant named in the path.
async fn tenant_caller<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, tenant_id: &str) -> Result<Caller, ApiError> {
    let caller = authenticate(ctx, req).await?;
    require_tenant(&caller, tenant_id)?;
    Ok(caller)
}

/// A caller of the tenant who is its admin now (live bindings, not the token's claim).
async fn tenant_admin<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<AdminCaller, ApiError> {
    let (caller, version) = authenticate_with_rbac_version(ctx, req).await?;
    require_tenant(&caller, tenant_id)?;
    require_live_admin(ctx, caller, version).await
}

fn json_list(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| json!([]))
}

fn client_json(c: &Client) -> Value {
    let mut body = json!({
        "id": c.id, "client_id": c.client_id, "tenant_id": c.tenant_id, "project_id": c.project_id,
        "name": c.name, "email": c.email, "client_type": c.client_type, "platform": c.platform,
        "react_app_url": c.react_app_url, "redirect_uris": json_list(&c.redirect_uris),
        "grant_types": json_list(&c.grant_types),
        "post_logout_redirect_uris": json_list(&c.post_logout_redirect_uris), "active": c.active == 1, "is_default": c.is_default == 1,
        "deleted": c.deleted_at.is_some(), "has_secret": c.secret_hash.is_some(),
        "created_at": c.created_at, "updated_at": c.updated_at,
    });
    if let (Some(body), Value::Object(oauth)) = (body.as_object_mut(), metadata::to_json(c)) {
        body.extend(oauth);
    }
    body
}

/// A URL the client may redirect to: https, or http on loopback (RFC 8252 §7.3), no
/// fragment (`oauth::redirect`).
fn redirect_uri_ok(uri: &str) -> bool {
    crate::oauth::redirect::registration_problem(uri).is_none()
}

fn string_list(
    body: &Map<String, Value>,
    field: &str,
    max: usize,
    ok: impl Fn(&str) -> bool,
) -> Result<Option<String>, ApiError> {
    let Some(value) = body.get(field).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let items =
        value.as_array().ok_or_else(|| ApiError::bad_field(field, format!("{field} must be an array of strings")))?;
    if items.len() > max {
        return Err(ApiError::bad_field(field, format!("{field} takes at most {max} entries")));
    }
    let mut list = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str() {
            Some(s) if ok(s) => list.push(s.to_string()),
            _ => return Err(ApiError::bad_field(field, format!("{field} has an entry that is not allowed"))),
        }
    }
    Ok(Some(Value::from(list).to_string()))
}

/// Applies the mutable fields present in `body` to `client`, validating each.
pub(crate) fn apply_fields(client: &mut Client, body: &Map<String, Value>) -> Result<(), ApiError> {
    if body.contains_key("name") {
        let name = optional_text(body, "name", 256)?;
        if name.is_empty() {
            return Err(ApiError::bad_field("name", "name must have 1 to 256 characters"));
        }
        client.name = name;
    }
    if let Some(Value::String(email)) = body.get("email") {
        client.email = validate::email("email", email)?;
    } else if body.get("email").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::bad_field("email", "email must be a string"));
    }
    if body.contains_key("react_app_url") {
        let url = optional_text(body, "react_app_url", 2048)?;
        if !url.is_empty() && !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(ApiError::bad_field("react_app_url", "react_app_url must be an http(s) URL"));
        }
        client.react_app_url = url;
    }
    if body.contains_key("platform") {
        client.platform = optional_text(body, "platform", 32)?;
    }
    if let Some(uris) = string_list(body, "redirect_uris", 20, redirect_uri_ok)? {
        client.redirect_uris = uris;
    }
    if let Some(uris) = string_list(body, "post_logout_redirect_uris", 20, redirect_uri_ok)? {
        client.post_logout_redirect_uris = uris;
    }
    if let Some(grants) = string_list(body, "grant_types", GRANT_TYPES.len(), |g| GRANT_TYPES.contains(&g))? {
        client.grant_types = grants;
    }
    metadata::apply(client, body, true)
}

/// A `private_key_jwt` client has no secret, and must have keys to prove itself with.
fn use_private_key_jwt(client: &mut Client) -> Result<(), ApiError> {
    if client.jwks.is_empty() {
        return Err(ApiError::bad_field("jwks", "private_key_jwt needs the client's public keys in jwks"));
    }
    client.token_endpoint_auth_method = PRIVATE_KEY_JWT.into();
    client.client_type = "confidential".into();
    client.secret_hash = None;
    Ok(())
}

/// `POST …/clients/create`.
pub async fn create<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = tenant_admin(ctx, req, tenant_id).await?;
    let body = json_object(req)?;
    if !body.contains_key("name") {
        return Err(ApiError::bad_field("name", "name is required"));
    }
    let client_type = match (body.get("client_type"), auth_method(&body)?) {
        (None | Some(Value::Null), Some("none")) => "public".to_string(),
        (None | Some(Value::Null), _) => "confidential".to_string(),
        (Some(Value::String(t)), method) if t == "public" || t == "confidential" => {
            if method.is_some_and(|m| (m == "none") != (t == "public")) {
                return Err(ApiError::bad_field(
                    "token_endpoint_auth_method",
                    "token_endpoint_auth_method none is a public client_type, the others confidential",
                ));
            }
            t.clone()
        }
        (Some(_), _) => return Err(ApiError::bad_field("client_type", "client_type is public or confidential")),
    };
    let store = ctx.platform.store();
    let default_project =
        store.tenant_defaults(TenantId::new(tenant_id)).await?.map(|(_, project)| project).unwrap_or_default();
    let project_id = match body.get("project_id") {
        Some(Value::String(p)) if !p.trim().is_empty() => p.trim().to_string(),
        None | Some(Value::Null) | Some(Value::String(_)) => default_project,
        Some(_) => return Err(ApiError::bad_field("project_id", "project_id must be a string")),
    };
    let now = ctx.now_secs();
    let mut client = Client {
        email: caller.email_id.clone(),
        client_type: client_type.clone(),
        ..Client::new(uuid_like(ctx)?, uuid_like(ctx)?, tenant_id.to_string(), project_id, now)
    };
    apply_fields(&mut client, &body)?;
    let method = auth_method(&body)?;
    if method == Some(PRIVATE_KEY_JWT) {
        use_private_key_jwt(&mut client)?;
    } else if let Some(method) = method {
        client.token_endpoint_auth_method = method.into();
    }
    let needs_secret = client_type == "confidential" && method != Some(PRIVATE_KEY_JWT);
    let secret = if needs_secret { Some(random_token(ctx)?) } else { None };
    if let Some(secret) = &secret {
        client.secret_hash = Some(client_secret_hash(ctx.config()?.pepper.expose(), &client.client_id, secret));
    }
    store.create_client(&client).await?;
    let mut body = client_json(&client);
    body["message"] = json!("client created");
    if let Some(secret) = secret {
        body["client_secret"] = json!(secret);
    }
    Ok(HttpResponse::json(201, &body))
}

/// `GET|POST …/clients/getClients` with `page` and `limit` (query or body).
pub async fn list<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    form: ListForm,
) -> Result<HttpResponse, ApiError> {
    tenant_caller(ctx, req, tenant_id).await?;
    let body = form.body(req)?;
    let (page, limit) = paging(req, &body)?;
    let listed = ctx.platform.store().list_clients(TenantId::new(tenant_id), (page - 1) * limit, limit).await?;
    let clients: Vec<Value> = listed.items.iter().map(client_json).collect();
    Ok(HttpResponse::json(200, &json!({"clients": clients, "pagination": pagination(page, limit, listed.total)})))
}

async fn load<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<Client, ApiError> {
    ctx.platform.store().tenant_client(TenantId::new(tenant_id), id).await?.ok_or(ApiError::NotFound)
}

/// `GET …/clients/:id` (row id or client_id).
pub async fn get<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    tenant_caller(ctx, req, tenant_id).await?;
    Ok(HttpResponse::json(200, &client_json(&load(ctx, tenant_id, id).await?)))
}

/// `PUT|PATCH …/clients/:id`: the fields present are changed.
pub async fn update<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    tenant_admin(ctx, req, tenant_id).await?;
    let body = json_object(req)?;
    let mut client = load(ctx, tenant_id, id).await?;
    apply_fields(&mut client, &body)?;
    // Switching how the client authenticates: to `none` drops the secret (a public
    // client); from `none` to a secret method mints one, shown once.
    let mut secret = None;
    match auth_method(&body)? {
        Some("none") => {
            (client.client_type, client.secret_hash) = ("public".into(), None);
            client.token_endpoint_auth_method = "none".into();
        }
        Some(PRIVATE_KEY_JWT) => use_private_key_jwt(&mut client)?,
        Some(method) if client.secret_hash.is_none() => {
            client.token_endpoint_auth_method = method.into();
            let minted = random_token(ctx)?;
            client.secret_hash = Some(client_secret_hash(ctx.config()?.pepper.expose(), &client.client_id, &minted));
            client.client_type = "confidential".into();
            secret = Some(minted);
        }
        Some(method) => client.token_endpoint_auth_method = method.into(),
        None => {}
    }
    client.updated_at = ctx.now_secs();
    save(ctx, &client).await?;
    let mut body = client_json(&client);
    if let Some(secret) = secret {
        body["client_secret"] = json!(secret);
    }
    Ok(HttpResponse::json(200, &body))
}

async fn save<P: Platform>(ctx: &Ctx<'_, P>, client: &Client) -> Result<(), ApiError> {
    if ctx.platform.store().update_client(client).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// `PATCH …/:id/{activate,deactivate,soft-delete}` and `DELETE …/:id`.
pub async fn change<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    id: &str,
    change: ClientChange,
) -> Result<HttpResponse, ApiError> {
    tenant_admin(ctx, req, tenant_id).await?;
    apply_change(ctx, tenant_id, id, change).await
}

async fn apply_change<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    id: &str,
    change: ClientChange,
) -> Result<HttpResponse, ApiError> {
    let mut client = load(ctx, tenant_id, id).await?;
    if client.is_default == 1 && matches!(change, ClientChange::SoftDelete | ClientChange::Delete) {
        return Err(ApiError::Forbidden("the default client cannot be deleted".into()));
    }
    let now = ctx.now_secs();
    match change {
        ClientChange::Delete => {
            ctx.platform.store().delete_client(TenantId::new(tenant_id), &client.id).await?;
            return Ok(HttpResponse::json(200, &json!({"message": "client deleted", "client_id": client.client_id})));
        }
        ClientChange::SoftDelete => (client.active, client.deleted_at) = (0, Some(now)),
        ClientChange::Activate => (client.active, client.deleted_at) = (1, None),
        ClientChange::Deactivate => client.active = 0,
    }
    client.updated_at = now;
    save(ctx, &client).await?;
    let mut body = client_json(&client);
    body["message"] = json!("client updated");
    Ok(HttpResponse::json(200, &body))
}

/// `POST …/clients/delete-complete` `{client_id}` and `POST …/clients/set-status`
/// `{client_id, active}`.
pub async fn by_body<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    set_status: bool,
) -> Result<HttpResponse, ApiError> {
    tenant_admin(ctx, req, tenant_id).await?;
    let body = json_object(req)?;
    let id = crate::api::body::required_string(&body, "client_id")?;
    let change = if !set_status {
        ClientChange::Delete
    } else {
        match body.get("active") {
            Some(Value::Bool(true)) => ClientChange::Activate,
            Some(Value::Bool(false)) => ClientChange::Deactivate,
            _ => return Err(ApiError::bad_field("active", "active must be true or false")),
        }
    };
    apply_change(ctx, tenant_id, id, change).await
}
