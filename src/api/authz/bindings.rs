//! RBAC administration, part two (api.md "RBAC and ABAC", JA): bindings of users or
//! groups to roles with a scope, conditions and an expiry; groups and their members;
//! scopes (mapped to permissions) and API scopes. Every change bumps the RBAC version.

use crate::api::auth::authenticate_admin;
use crate::api::authz_cache::bump;
use crate::api::body::{json_object, optional_string_list, optional_text, required_string, short_name};
use crate::api::issue::uuid_like;
use crate::api::{Ctx, Platform};
use crate::authz::Permission;
use crate::error::{conflict_as, ApiError};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{ClientId, TenantId, UserId};
use crate::store::accounts::AccountStore;
use crate::store::rbac::{BindingRow, GroupRow, RbacStore, ScopeRow};
use serde_json::{json, Map, Value};

fn binding_json(b: &BindingRow, role_name: &str, now: i64) -> Value {
    let scope_description = if b.scope_type == "*" && b.scope_id == "*" {
        "tenant-wide".to_string()
    } else {
        format!("{}:{}", b.scope_type, b.scope_id)
    };
    let status = if b.expires_at.is_some_and(|at| at <= now) { "expired" } else { "active" };
    json!({"id": b.id, "user_id": (!b.user_id.is_empty()).then_some(&b.user_id),
           "group_id": (!b.group_id.is_empty()).then_some(&b.group_id), "role_id": b.role_id, "role_name": role_name,
           "scope": {"type": b.scope_type, "id": b.scope_id}, "scope_description": scope_description,
           "conditions": serde_json::from_str::<Value>(&b.conditions).unwrap_or(json!({})),
           "expires_at": b.expires_at, "status": status, "created_at": b.created_at})
}

/// `expires_at` as Unix seconds or an RFC 3339 time; it must lie in the future.
fn expiry(body: &Map<String, Value>, now: i64) -> Result<Option<i64>, ApiError> {
    let at = match body.get("expires_at") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => crate::authz::rfc3339::parse_rfc3339(s).map(crate::cast::f64_to_i64_saturating),
        Some(_) => None,
    };
    match at {
        Some(at) if at > now => Ok(Some(at)),
        Some(_) => Err(ApiError::bad_field("expires_at", "expires_at must be in the future")),
        None => Err(ApiError::bad_field("expires_at", "expires_at must be Unix seconds or an RFC 3339 time")),
    }
}

/// `GET uflow/admin/bindings`.
pub async fn list_bindings<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let roles = store.roles(TenantId::new(&caller.tenant_id)).await?;
    let name_of = |role_id: &str| roles.iter().find(|r| r.role.id == role_id).map_or("", |r| r.role.name.as_str());
    let now = ctx.now_secs();
    let list: Vec<Value> = store
        .bindings(TenantId::new(&caller.tenant_id))
        .await?
        .iter()
        .map(|b| binding_json(b, name_of(&b.role_id), now))
        .collect();
    Ok(HttpResponse::json(200, &json!({"bindings": list, "count": list.len()})))
}

/// `POST uflow/admin/bindings`.
pub async fn create_binding<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let tenant = &caller.tenant_id;
    let now = ctx.now_secs();
    let roles = store.roles(TenantId::new(tenant)).await?;
    let name_of = |role_id: &str| roles.iter().find(|r| r.role.id == role_id).map_or("", |r| r.role.name.as_str());
    let body = json_object(req)?;
    let role_id = required_string(&body, "role_id")?;
    if name_of(role_id).is_empty() {
        return Err(ApiError::bad_field("role_id", "no such role in this tenant"));
    }
    let given = |field: &str| body.get(field).and_then(Value::as_str).filter(|s| !s.is_empty());
    // A principal is a user, a group (granting its members), or an OAuth client of the
    // tenant (what its client_credentials tokens may do). Clients and users share the
    // principal column: both ids are random UUIDs, so they never collide.
    let (user_id, group_id) = match (given("user_id"), given("group_id"), given("client_id")) {
        (Some(user), None, None) => {
            if store.user_by_id(TenantId::new(tenant), UserId::new(user)).await?.is_none() {
                return Err(ApiError::bad_field("user_id", "no such user in this tenant"));
            }
            (user.to_string(), String::new())
        }
        (None, Some(group), None) => {
            if !store.groups(TenantId::new(tenant)).await?.iter().any(|g| g.id == group) {
                return Err(ApiError::bad_field("group_id", "no such group in this tenant"));
            }
            (String::new(), group.to_string())
        }
        (None, None, Some(client)) => {
            let found = store.client_by_client_id(ClientId::new(client)).await?;
            if found.is_none_or(|c| &c.tenant_id != tenant) {
                return Err(ApiError::bad_field("client_id", "no such client in this tenant"));
            }
            (client.to_string(), String::new())
        }
        _ => return Err(ApiError::bad_field("user_id", "give exactly one of user_id, group_id and client_id")),
    };
    let (scope_type, scope_id) = match body.get("scope") {
        // AuthSec's SDKs and console send the string "*" for a tenant-wide binding.
        None | Some(Value::Null) => ("*".to_string(), "*".to_string()),
        Some(Value::String(s)) if s == "*" => ("*".to_string(), "*".to_string()),
        Some(Value::Object(scope)) => (short_name(scope, "type")?, short_name(scope, "id")?),
        Some(_) => return Err(ApiError::bad_field("scope", "scope must be \"*\" or {type, id}")),
    };
    // Conditions on a binding would have to be evaluated at every check, where no request
    // context exists; storing them and granting unconditionally would fail open. So only
    // an empty set is accepted: conditional access is what ABAC policies are for.
    let conditions = match body.get("conditions") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::Object(c)) if c.is_empty() => "{}".to_string(),
        Some(Value::Array(c)) if c.is_empty() => "{}".to_string(),
        Some(_) => {
            return Err(ApiError::bad_field(
                "conditions",
                "binding conditions are not evaluated, so they are refused; express conditional access \
                 as an ABAC policy (spire/policy)",
            ))
        }
    };
    let binding = BindingRow {
        id: uuid_like(ctx)?,
        tenant_id: tenant.clone(),
        user_id,
        group_id,
        role_id: role_id.to_string(),
        scope_type,
        scope_id,
        conditions,
        expires_at: expiry(&body, now)?,
        created_at: now,
    };
    store.create_binding(&binding).await?;
    bump(ctx, tenant).await?;
    Ok(HttpResponse::json(201, &binding_json(&binding, name_of(role_id), now)))
}

/// `DELETE uflow/admin/bindings/:id`.
pub async fn delete_binding<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if !ctx.platform.store().delete_binding(TenantId::new(&caller.tenant_id), id).await? {
        return Err(ApiError::NotFound);
    }
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "binding deleted"})))
}

fn group_json(g: &GroupRow) -> Value {
    json!({"id": g.id, "name": g.name, "description": g.description, "created_at": g.created_at})
}

/// `GET uflow/admin/groups` (also `authmgr/admin/groups`).
pub async fn list_groups<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let list: Vec<Value> =
        ctx.platform.store().groups(TenantId::new(&caller.tenant_id)).await?.iter().map(group_json).collect();
    Ok(HttpResponse::json(200, &json!({"groups": list, "count": list.len()})))
}

/// `POST uflow/admin/groups`.
pub async fn create_group<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let body = json_object(req)?;
    let group = GroupRow {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        name: short_name(&body, "name")?,
        description: optional_text(&body, "description", 500)?,
        created_at: ctx.now_secs(),
    };
    store.create_group(&group).await.map_err(conflict_as("a group with this name already exists"))?;
    Ok(HttpResponse::json(201, &group_json(&group)))
}

async fn find_group<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<GroupRow, ApiError> {
    let groups = ctx.platform.store().groups(TenantId::new(tenant_id)).await?;
    groups.into_iter().find(|g| g.id == id).ok_or(ApiError::NotFound)
}

/// `GET uflow/admin/groups/:id`, with its members.
pub async fn get_group<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let existing = find_group(ctx, &caller.tenant_id, id).await?;
    let members = ctx.platform.store().group_members(TenantId::new(&caller.tenant_id), id).await?;
    let mut body = group_json(&existing);
    body["members"] = json!(members);
    Ok(HttpResponse::json(200, &body))
}

/// `DELETE uflow/admin/groups/:id`.
pub async fn delete_group<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    find_group(ctx, &caller.tenant_id, id).await?;
    ctx.platform.store().delete_group(TenantId::new(&caller.tenant_id), id).await?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "group deleted"})))
}

/// `PUT uflow/admin/groups/:id`: name and description.
pub async fn update_group<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let existing = find_group(ctx, &caller.tenant_id, id).await?;
    let body = json_object(req)?;
    let name = if body.contains_key("name") { short_name(&body, "name")? } else { existing.name.clone() };
    let description = if body.contains_key("description") {
        optional_text(&body, "description", 500)?
    } else {
        existing.description.clone()
    };
    let group = GroupRow { name, description, ..existing };
    ctx.platform.store().update_group(&group).await.map_err(conflict_as("a group with this name already exists"))?;
    Ok(HttpResponse::json(200, &group_json(&group)))
}

/// `GET uflow/admin/groups/:id/members`.
pub async fn list_members<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    find_group(ctx, &caller.tenant_id, id).await?;
    members_response(ctx, &caller.tenant_id, id).await
}

/// `POST uflow/admin/groups/:id/members` `{user_ids}`: adds users of the tenant and
/// answers the new member list.
pub async fn add_members<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    find_group(ctx, &caller.tenant_id, id).await?;
    let body = json_object(req)?;
    let user_ids = optional_string_list(&body, "user_ids")?
        .filter(|ids| !ids.is_empty() && ids.len() <= 100)
        .ok_or_else(|| ApiError::bad_field("user_ids", "user_ids must list 1 to 100 users"))?;
    for user_id in &user_ids {
        if store.user_by_id(TenantId::new(&caller.tenant_id), UserId::new(user_id)).await?.is_none() {
            return Err(ApiError::bad_field("user_ids", format!("{user_id:?} is not a user of this tenant")));
        }
    }
    store.add_group_members(TenantId::new(&caller.tenant_id), id, &user_ids).await?;
    bump(ctx, &caller.tenant_id).await?;
    members_response(ctx, &caller.tenant_id, id).await
}

async fn members_response<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<HttpResponse, ApiError> {
    let members = ctx.platform.store().group_members(TenantId::new(tenant_id), id).await?;
    Ok(HttpResponse::json(200, &json!({"group_id": id, "members": members, "count": members.len()})))
}

/// `DELETE uflow/admin/groups/:id/members/:user_id`.
pub async fn remove_member<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
    user_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if !ctx.platform.store().remove_group_member(TenantId::new(&caller.tenant_id), id, UserId::new(user_id)).await? {
        return Err(ApiError::NotFound);
    }
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "member removed"})))
}

fn scope_json(s: &ScopeRow) -> Value {
    json!({"id": s.id, "name": s.name, "description": s.description,
           "permissions": serde_json::from_str::<Value>(&s.permissions).unwrap_or(json!([])), "created_at": s.created_at})
}

fn permission_strings(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let list = match optional_string_list(body, "permission_strings")? {
        Some(list) => Some(list),
        None => optional_string_list(body, "permissions")?,
    };
    let Some(list) = list else { return Ok(None) };
    for text in &list {
        text.parse::<Permission>().map_err(|e| ApiError::bad_field("permissions", format!("{text:?}: {e}")))?;
    }
    Ok(Some(json!(list).to_string()))
}

/// `GET uflow/admin/scopes` and `uflow/admin/api_scopes` (`kind` tells which).
pub async fn list_scopes<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let list: Vec<Value> =
        ctx.platform.store().scopes(TenantId::new(&caller.tenant_id), kind).await?.iter().map(scope_json).collect();
    Ok(HttpResponse::json(200, &json!({"scopes": list, "count": list.len()})))
}

/// `POST uflow/admin/scopes` and `uflow/admin/api_scopes`.
pub async fn create_scope<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let body = json_object(req)?;
    let scope = ScopeRow {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        kind: kind.to_string(),
        name: short_name(&body, "name")?,
        description: optional_text(&body, "description", 500)?,
        permissions: permission_strings(&body)?.unwrap_or_else(|| "[]".into()),
        created_at: ctx.now_secs(),
    };
    store.create_scope(&scope).await.map_err(conflict_as("a scope with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &scope_json(&scope)))
}

/// A scope by id or, as AuthSec's clients address it (`scopes/:scope_name`), by name.
async fn find_scope<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    kind: &str,
    id: &str,
) -> Result<ScopeRow, ApiError> {
    let scopes = ctx.platform.store().scopes(TenantId::new(tenant_id), kind).await?;
    let existing = scopes.iter().find(|s| s.id == id).or_else(|| scopes.iter().find(|s| s.name == id)).cloned();
    existing.ok_or(ApiError::NotFound)
}

/// `DELETE uflow/admin/{scopes,api_scopes}/:id`.
pub async fn delete_scope<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: &str,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let scope = find_scope(ctx, &caller.tenant_id, kind, id).await?;
    ctx.platform.store().delete_scope(TenantId::new(&caller.tenant_id), kind, &scope.id).await?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "scope deleted"})))
}

/// `PUT uflow/admin/{scopes,api_scopes}/:id`.
pub async fn update_scope<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: &str,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let existing = find_scope(ctx, &caller.tenant_id, kind, id).await?;
    let body = json_object(req)?;
    let scope = ScopeRow {
        name: if body.contains_key("name") { short_name(&body, "name")? } else { existing.name.clone() },
        description: if body.contains_key("description") {
            optional_text(&body, "description", 500)?
        } else {
            existing.description.clone()
        },
        permissions: permission_strings(&body)?.unwrap_or_else(|| existing.permissions.clone()),
        ..existing
    };
    store.update_scope(&scope).await.map_err(conflict_as("a scope with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &scope_json(&scope)))
}

/// `POST uflow/admin/scopes/mappings` `{scope_name | scope_id, permission_strings}`
/// replaces one scope's mapping.
pub async fn set_mapping<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let all = store.scopes(TenantId::new(&caller.tenant_id), "scope").await?;
    let body = json_object(req)?;
    let wanted = ["scope_id", "scope_name"].iter().find_map(|f| body.get(*f).and_then(Value::as_str));
    let wanted = wanted.ok_or_else(|| ApiError::bad_field("scope_name", "scope_name or scope_id is required"))?;
    let existing = all.iter().find(|s| s.id == wanted || s.name == wanted).cloned().ok_or(ApiError::NotFound)?;
    let permissions = permission_strings(&body)?
        .ok_or_else(|| ApiError::bad_field("permission_strings", "permission_strings is required"))?;
    let scope = ScopeRow { permissions, ..existing };
    store.update_scope(&scope).await?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &scope_json(&scope)))
}

/// `GET uflow/admin/scopes/mappings`: which permissions each scope stands for.
pub async fn list_mappings<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let all = ctx.platform.store().scopes(TenantId::new(&caller.tenant_id), "scope").await?;
    let list: Vec<Value> = all
        .iter()
        .map(|s| {
            json!({"scope": s.name, "scope_id": s.id,
        "permissions": serde_json::from_str::<Value>(&s.permissions).unwrap_or(json!([]))})
        })
        .collect();
    Ok(HttpResponse::json(200, &json!({"mappings": list})))
}
