//! RBAC administration, part two (api.md "RBAC and ABAC", JA): bindings of users or
//! groups to roles with a scope, conditions and an expiry; groups and their members;
//! scopes (mapped to permissions) and API scopes. Every change bumps the RBAC version.

use super::auth::authenticate_admin;
use super::authz_cache::bump;
use super::body::{json_object, optional_string_list, optional_text, required_string, short_name};
use super::issue::uuid_like;
use super::password_login::store_error;
use super::rbac_roles::conflict;
use super::{Ctx, Platform};
use crate::authz::Permission;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method};
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
        Some(Value::String(s)) => crate::authz::rfc3339::parse_rfc3339(s).map(|secs| secs as i64),
        Some(_) => None,
    };
    match at {
        Some(at) if at > now => Ok(Some(at)),
        Some(_) => Err(ApiError::bad_field("expires_at", "expires_at must be in the future")),
        None => Err(ApiError::bad_field("expires_at", "expires_at must be Unix seconds or an RFC 3339 time")),
    }
}

/// `POST|GET uflow/admin/bindings`.
pub async fn bindings<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let tenant = &caller.tenant_id;
    let now = ctx.now_secs();
    let roles = store.roles(tenant).await.map_err(store_error)?;
    let name_of = |role_id: &str| roles.iter().find(|r| r.role.id == role_id).map_or("", |r| r.role.name.as_str());
    if req.method == Method::Get {
        let list: Vec<Value> = store
            .bindings(tenant)
            .await
            .map_err(store_error)?
            .iter()
            .map(|b| binding_json(b, name_of(&b.role_id), now))
            .collect();
        return Ok(HttpResponse::json(200, &json!({"bindings": list, "count": list.len()})));
    }
    let body = json_object(req)?;
    let role_id = required_string(&body, "role_id")?;
    if name_of(role_id).is_empty() {
        return Err(ApiError::bad_field("role_id", "no such role in this tenant"));
    }
    let user_id = body.get("user_id").and_then(Value::as_str).filter(|s| !s.is_empty());
    let group_id = body.get("group_id").and_then(Value::as_str).filter(|s| !s.is_empty());
    let (user_id, group_id) = match (user_id, group_id) {
        (Some(user), None) => {
            if store.user_by_id(tenant, user).await.map_err(store_error)?.is_none() {
                return Err(ApiError::bad_field("user_id", "no such user in this tenant"));
            }
            (user.to_string(), String::new())
        }
        (None, Some(group)) => {
            if !store.groups(tenant).await.map_err(store_error)?.iter().any(|g| g.id == group) {
                return Err(ApiError::bad_field("group_id", "no such group in this tenant"));
            }
            (String::new(), group.to_string())
        }
        _ => return Err(ApiError::bad_field("user_id", "give exactly one of user_id and group_id")),
    };
    let (scope_type, scope_id) = match body.get("scope") {
        None | Some(Value::Null) => ("*".to_string(), "*".to_string()),
        Some(Value::Object(scope)) => (short_name(scope, "type")?, short_name(scope, "id")?),
        Some(_) => return Err(ApiError::bad_field("scope", "scope must be {type, id}")),
    };
    let conditions = match body.get("conditions") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(c @ Value::Object(_)) if c.to_string().len() <= 2048 => c.to_string(),
        Some(_) => return Err(ApiError::bad_field("conditions", "conditions must be an object under 2 KiB")),
    };
    let binding = BindingRow {
        id: uuid_like(ctx),
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
    store.create_binding(&binding).await.map_err(store_error)?;
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
    if !ctx.platform.store().delete_binding(&caller.tenant_id, id).await.map_err(store_error)? {
        return Err(ApiError::NotFound);
    }
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "binding deleted"})))
}

fn group_json(g: &GroupRow) -> Value {
    json!({"id": g.id, "name": g.name, "description": g.description, "created_at": g.created_at})
}

/// `POST|GET uflow/admin/groups` (also `authmgr/admin/groups`).
pub async fn groups<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    if req.method == Method::Get {
        let list: Vec<Value> =
            store.groups(&caller.tenant_id).await.map_err(store_error)?.iter().map(group_json).collect();
        return Ok(HttpResponse::json(200, &json!({"groups": list, "count": list.len()})));
    }
    let body = json_object(req)?;
    let group = GroupRow {
        id: uuid_like(ctx),
        tenant_id: caller.tenant_id.clone(),
        name: short_name(&body, "name")?,
        description: optional_text(&body, "description", 500)?,
        created_at: ctx.now_secs(),
    };
    store.create_group(&group).await.map_err(conflict("a group with this name"))?;
    Ok(HttpResponse::json(201, &group_json(&group)))
}

async fn find_group<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<GroupRow, ApiError> {
    let groups = ctx.platform.store().groups(tenant_id).await.map_err(store_error)?;
    groups.into_iter().find(|g| g.id == id).ok_or(ApiError::NotFound)
}

/// `GET|PUT|DELETE uflow/admin/groups/:id`.
pub async fn group<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let existing = find_group(ctx, &caller.tenant_id, id).await?;
    match req.method {
        Method::Get => {
            let members = store.group_members(&caller.tenant_id, id).await.map_err(store_error)?;
            let mut body = group_json(&existing);
            body["members"] = json!(members);
            Ok(HttpResponse::json(200, &body))
        }
        Method::Delete => {
            store.delete_group(&caller.tenant_id, id).await.map_err(store_error)?;
            bump(ctx, &caller.tenant_id).await?;
            Ok(HttpResponse::json(200, &json!({"success": true, "message": "group deleted"})))
        }
        _ => {
            let body = json_object(req)?;
            let name = if body.contains_key("name") { short_name(&body, "name")? } else { existing.name.clone() };
            let description = if body.contains_key("description") {
                optional_text(&body, "description", 500)?
            } else {
                existing.description.clone()
            };
            let group = GroupRow { name, description, ..existing };
            store.update_group(&group).await.map_err(conflict("a group with this name"))?;
            Ok(HttpResponse::json(200, &group_json(&group)))
        }
    }
}

/// `POST|GET uflow/admin/groups/:id/members` (`{user_ids}` to add).
pub async fn members<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    find_group(ctx, &caller.tenant_id, id).await?;
    if req.method == Method::Post {
        let body = json_object(req)?;
        let user_ids = optional_string_list(&body, "user_ids")?
            .filter(|ids| !ids.is_empty() && ids.len() <= 100)
            .ok_or_else(|| ApiError::bad_field("user_ids", "user_ids must list 1 to 100 users"))?;
        for user_id in &user_ids {
            if store.user_by_id(&caller.tenant_id, user_id).await.map_err(store_error)?.is_none() {
                return Err(ApiError::bad_field("user_ids", format!("{user_id:?} is not a user of this tenant")));
            }
        }
        store.add_group_members(&caller.tenant_id, id, &user_ids).await.map_err(store_error)?;
        bump(ctx, &caller.tenant_id).await?;
    }
    let members = store.group_members(&caller.tenant_id, id).await.map_err(store_error)?;
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
    if !ctx.platform.store().remove_group_member(&caller.tenant_id, id, user_id).await.map_err(store_error)? {
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

/// `POST|GET uflow/admin/scopes` and `uflow/admin/api_scopes` (`kind` tells which).
pub async fn scopes<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, kind: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    if req.method == Method::Get {
        let list: Vec<Value> =
            store.scopes(&caller.tenant_id, kind).await.map_err(store_error)?.iter().map(scope_json).collect();
        return Ok(HttpResponse::json(200, &json!({"scopes": list, "count": list.len()})));
    }
    let body = json_object(req)?;
    let scope = ScopeRow {
        id: uuid_like(ctx),
        tenant_id: caller.tenant_id.clone(),
        kind: kind.to_string(),
        name: short_name(&body, "name")?,
        description: optional_text(&body, "description", 500)?,
        permissions: permission_strings(&body)?.unwrap_or_else(|| "[]".into()),
        created_at: ctx.now_secs(),
    };
    store.create_scope(&scope).await.map_err(conflict("a scope with this name"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &scope_json(&scope)))
}

/// `PUT|DELETE uflow/admin/{scopes,api_scopes}/:id`.
pub async fn scope<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: &str,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let existing = store.scopes(&caller.tenant_id, kind).await.map_err(store_error)?.into_iter().find(|s| s.id == id);
    let existing = existing.ok_or(ApiError::NotFound)?;
    if req.method == Method::Delete {
        store.delete_scope(&caller.tenant_id, kind, id).await.map_err(store_error)?;
        bump(ctx, &caller.tenant_id).await?;
        return Ok(HttpResponse::json(200, &json!({"success": true, "message": "scope deleted"})));
    }
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
    store.update_scope(&scope).await.map_err(conflict("a scope with this name"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &scope_json(&scope)))
}

/// `GET|POST uflow/admin/scopes/mappings`: which permissions each scope stands for;
/// POST `{scope_name | scope_id, permission_strings}` replaces one scope's mapping.
pub async fn mappings<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let all = store.scopes(&caller.tenant_id, "scope").await.map_err(store_error)?;
    if req.method == Method::Post {
        let body = json_object(req)?;
        let wanted = ["scope_id", "scope_name"].iter().find_map(|f| body.get(*f).and_then(Value::as_str));
        let wanted = wanted.ok_or_else(|| ApiError::bad_field("scope_name", "scope_name or scope_id is required"))?;
        let existing = all.iter().find(|s| s.id == wanted || s.name == wanted).cloned().ok_or(ApiError::NotFound)?;
        let permissions = permission_strings(&body)?
            .ok_or_else(|| ApiError::bad_field("permission_strings", "permission_strings is required"))?;
        let scope = ScopeRow { permissions, ..existing };
        store.update_scope(&scope).await.map_err(store_error)?;
        bump(ctx, &caller.tenant_id).await?;
        return Ok(HttpResponse::json(200, &scope_json(&scope)));
    }
    let list: Vec<Value> = all
        .iter()
        .map(|s| {
            json!({"scope": s.name, "scope_id": s.id,
        "permissions": serde_json::from_str::<Value>(&s.permissions).unwrap_or(json!([]))})
        })
        .collect();
    Ok(HttpResponse::json(200, &json!({"mappings": list})))
}
