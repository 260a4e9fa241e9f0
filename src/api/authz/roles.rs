//! RBAC administration, part one (api.md "RBAC and ABAC", JA): permissions and roles.
//! Every change bumps the tenant's RBAC version, so the next check sees it.

use crate::api::auth::authenticate_admin;
use crate::api::authz_cache::bump;
use crate::api::body::{json_object, optional_text, required_string, short_name};
use crate::api::issue::uuid_like;
use crate::api::{Ctx, Platform};
use crate::authz::Permission;
use crate::error::{conflict_as, ApiError};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::rbac::{PermissionRow, RbacStore, RoleRow, RoleSummary};
use serde_json::{json, Map, Value};

fn permission_json(p: &PermissionRow) -> Value {
    json!({"id": p.id, "resource": p.resource, "action": p.action, "description": p.description,
           "permission": format!("{}:{}", p.resource, p.action), "created_at": p.created_at})
}

pub fn role_json(r: &RoleSummary) -> Value {
    let strings: Vec<String> = r.permissions.iter().map(|p| format!("{}:{}", p.resource, p.action)).collect();
    json!({"id": r.role.id, "name": r.role.name, "description": r.role.description,
           "users_assigned": r.users_assigned, "permissions_count": r.permissions.len(),
           "permissions": r.permissions.iter().map(permission_json).collect::<Vec<_>>(),
           "permission_strings": strings, "created_at": r.role.created_at})
}

fn parse_permission(field: &str, text: &str) -> Result<Permission, ApiError> {
    text.parse::<Permission>().map_err(|e| ApiError::bad_field(field, format!("{text:?}: {e}")))
}

/// `GET uflow/admin/permissions`.
pub async fn list_permissions<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let list: Vec<Value> =
        ctx.platform.store().permissions(TenantId::new(&caller.tenant_id)).await?.iter().map(permission_json).collect();
    Ok(HttpResponse::json(200, &json!({"permissions": list, "count": list.len()})))
}

/// `POST uflow/admin/permissions`.
pub async fn create_permission<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let body = json_object(req)?;
    let resource = required_string(&body, "resource")?.trim();
    let action = required_string(&body, "action")?.trim();
    let permission = Permission::new(resource, action).map_err(|e| ApiError::bad_field("resource", e.to_string()))?;
    let row = PermissionRow {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        resource: permission.resource().to_string(),
        action: permission.action().to_string(),
        description: optional_text(&body, "description", 500)?,
        created_at: ctx.now_secs(),
    };
    store.create_permission(&row).await.map_err(conflict_as("this permission already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &permission_json(&row)))
}

/// `DELETE uflow/admin/permissions/:id`.
pub async fn delete_permission<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if !ctx.platform.store().delete_permission(TenantId::new(&caller.tenant_id), id).await? {
        return Err(ApiError::NotFound);
    }
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "permission deleted"})))
}

/// `GET uflow/admin/permissions/resources`: the distinct resources with their actions.
pub async fn resources<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let mut by_resource: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in ctx.platform.store().permissions(TenantId::new(&caller.tenant_id)).await? {
        by_resource.entry(p.resource).or_default().push(p.action);
    }
    let resources: Vec<Value> =
        by_resource.into_iter().map(|(r, actions)| json!({"resource": r, "actions": actions})).collect();
    Ok(HttpResponse::json(200, &json!({"resources": resources})))
}

/// The permission ids a role body names: `permission_ids` (of this tenant) plus
/// `permission_strings` ("resource:action"), created when missing.
async fn permission_ids<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    body: &Map<String, Value>,
) -> Result<Option<Vec<String>>, ApiError> {
    let ids = crate::api::body::optional_string_list(body, "permission_ids")?;
    let strings = crate::api::body::optional_string_list(body, "permission_strings")?;
    if ids.is_none() && strings.is_none() {
        return Ok(None);
    }
    let store = ctx.platform.store();
    let mut existing = store.permissions(TenantId::new(tenant_id)).await?;
    let mut out = Vec::new();
    for id in ids.unwrap_or_default() {
        if !existing.iter().any(|p| p.id == id) {
            return Err(ApiError::bad_field("permission_ids", format!("{id:?} is not a permission of this tenant")));
        }
        out.push(id);
    }
    for text in strings.unwrap_or_default() {
        let permission = parse_permission("permission_strings", &text)?;
        let found = existing.iter().find(|p| p.resource == permission.resource() && p.action == permission.action());
        let id = match found {
            Some(p) => p.id.clone(),
            None => {
                let row = PermissionRow {
                    id: uuid_like(ctx)?,
                    tenant_id: tenant_id.to_string(),
                    resource: permission.resource().to_string(),
                    action: permission.action().to_string(),
                    description: String::new(),
                    created_at: ctx.now_secs(),
                };
                store.create_permission(&row).await?;
                existing.push(row.clone());
                row.id
            }
        };
        out.push(id);
    }
    out.sort();
    out.dedup();
    Ok(Some(out))
}

/// `GET uflow/admin/roles` (filters: `resource`, `user_id`).
pub async fn list_roles<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let mut roles = store.roles(TenantId::new(&caller.tenant_id)).await?;
    if let Some(resource) = req.query_param("resource").filter(|r| !r.is_empty()) {
        roles.retain(|r| r.permissions.iter().any(|p| p.resource == resource || p.resource == "*"));
    }
    if let Some(user_id) = req.query_param("user_id").filter(|u| !u.is_empty()) {
        let bound: Vec<String> = store
            .bindings(TenantId::new(&caller.tenant_id))
            .await?
            .into_iter()
            .filter(|b| b.user_id == user_id)
            .map(|b| b.role_id)
            .collect();
        roles.retain(|r| bound.contains(&r.role.id));
    }
    Ok(HttpResponse::json(200, &Value::Array(roles.iter().map(role_json).collect())))
}

/// `POST uflow/admin/roles`.
pub async fn create_role<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let body = json_object(req)?;
    let name = short_name(&body, "name")?;
    let ids = permission_ids(ctx, &caller.tenant_id, &body).await?.unwrap_or_default();
    let role = RoleRow {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        name,
        description: optional_text(&body, "description", 500)?,
        created_at: ctx.now_secs(),
    };
    store.create_role(&role, &ids).await.map_err(conflict_as("a role with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &json!({"id": role.id, "name": role.name, "permissions_count": ids.len()})))
}

async fn find_role<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<RoleSummary, ApiError> {
    ctx.platform.store().role(TenantId::new(tenant_id), id).await?.ok_or(ApiError::NotFound)
}

/// `GET uflow/admin/roles/:role_id`.
pub async fn get_role<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    Ok(HttpResponse::json(200, &role_json(&find_role(ctx, &caller.tenant_id, id).await?)))
}

/// `DELETE uflow/admin/roles/:role_id` with its bindings (never the `admin` role).
pub async fn delete_role<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let existing = find_role(ctx, &caller.tenant_id, id).await?;
    if existing.role.name == "admin" {
        return Err(ApiError::Forbidden("the tenant's admin role cannot be deleted".into()));
    }
    ctx.platform.store().delete_role(TenantId::new(&caller.tenant_id), id).await?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "role deleted"})))
}

/// `PUT uflow/admin/roles/:role_id`: name, description and permissions.
pub async fn update_role<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let existing = find_role(ctx, &caller.tenant_id, id).await?;
    let body = json_object(req)?;
    let name = if body.contains_key("name") { short_name(&body, "name")? } else { existing.role.name.clone() };
    if existing.role.name == "admin" && name != "admin" {
        return Err(ApiError::Forbidden("the tenant's admin role cannot be renamed".into()));
    }
    let description = if body.contains_key("description") {
        optional_text(&body, "description", 500)?
    } else {
        existing.role.description.clone()
    };
    let ids = permission_ids(ctx, &caller.tenant_id, &body).await?;
    let role = RoleRow { name, description, ..existing.role };
    store.update_role(&role, ids.as_deref()).await.map_err(conflict_as("a role with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    let updated = store.role(TenantId::new(&caller.tenant_id), id).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::json(200, &role_json(&updated)))
}
