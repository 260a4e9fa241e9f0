//! Tenant administration (JA: the tenant's admin role, in its own tenant): users and end
//! users with paging, enabling and disabling, deletion, projects, and the tenant list.
//! Disabling or deleting a user ends their sessions at once. A tenant's own settings are
//! in `tenant_settings`.

use crate::api::auth::{authenticate_admin, require_tenant};
use crate::api::body::ListForm;
use crate::api::body::{json_object, optional_text, pagination, paging};
use crate::api::issue::uuid_like;
use crate::api::{revocation, Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::store::accounts::{User, UserKind};
use crate::store::admin::{Project, TenantAdminStore};
use crate::store::TenantStore;
use serde_json::{json, Map, Value};

fn user_json(u: &User, now: i64) -> Value {
    json!({
        "id": u.id, "user_id": u.id, "email": u.email, "name": u.name, "status": u.status, "active": u.is_active(),
        "email_verified": u.email_verified == 1, "locked": u.locked_at(now).is_some(),
        "created_at": u.created_at, "last_login_at": u.last_login_at,
    })
}

async fn end_sessions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    user_id: &str,
    reason: &str,
) -> Result<usize, ApiError> {
    revocation::revoke_user_sessions(ctx, TenantId::new(tenant_id), UserId::new(user_id), reason).await
}

/// `GET|POST uflow/admin/users/list` (admins) and `uflow/admin/enduser/list` (end users).
pub async fn list_users<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    kind: UserKind,
    form: ListForm,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = form.body(req)?;
    let (page, limit) = paging(req, &body)?;
    let listed =
        ctx.platform.store().list_users(TenantId::new(&caller.tenant_id), kind, (page - 1) * limit, limit).await?;
    let users: Vec<Value> = listed.items.iter().map(|u| user_json(u, ctx.now_secs())).collect();
    Ok(HttpResponse::json(200, &json!({"users": users, "pagination": pagination(page, limit, listed.total)})))
}

/// `DELETE uflow/admin/users/:user_id`.
pub async fn delete_user<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    user_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if caller.user_id == user_id {
        return Err(ApiError::Forbidden("you cannot delete your own account here".into()));
    }
    if !ctx.platform.store().delete_user(TenantId::new(&caller.tenant_id), UserId::new(user_id)).await? {
        return Err(ApiError::NotFound);
    }
    end_sessions(ctx, &caller.tenant_id, user_id, "user_deleted").await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "user deleted"})))
}

/// `PUT uflow/user/enduser/:tenant_id/:user_id/status` `{active}`.
pub async fn set_status<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
    user_id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    require_tenant(&caller, tenant_id)?;
    let body = json_object(req)?;
    let active = body
        .get("active")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::bad_field("active", "active must be true or false"))?;
    if caller.user_id == user_id && !active {
        return Err(ApiError::Forbidden("you cannot disable your own account".into()));
    }
    let status =
        if active { crate::store::accounts::UserStatus::Active } else { crate::store::accounts::UserStatus::Disabled };
    if !ctx.platform.store().set_user_status(TenantId::new(tenant_id), UserId::new(user_id), status).await? {
        return Err(ApiError::NotFound);
    }
    if !active {
        end_sessions(ctx, tenant_id, user_id, "user_disabled").await?;
    }
    Ok(HttpResponse::json(200, &json!({"success": true, "user_id": user_id, "active": active, "status": status})))
}

fn project_json(p: &Project) -> Value {
    json!({"id": p.id, "tenant_id": p.tenant_id, "name": p.name, "description": p.description,
           "is_default": p.is_default == 1, "created_at": p.created_at})
}

fn project_fields(body: &Map<String, Value>, project: &mut Project, creating: bool) -> Result<(), ApiError> {
    if creating || body.contains_key("name") {
        let name = optional_text(body, "name", 128)?;
        if name.is_empty() {
            return Err(ApiError::bad_field("name", "name must have 1 to 128 characters"));
        }
        project.name = name;
    }
    if body.contains_key("description") {
        project.description = optional_text(body, "description", 1024)?;
    }
    Ok(())
}

/// `GET uflow/admin/projects`.
pub async fn list_projects<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let projects: Vec<Value> =
        ctx.platform.store().list_projects(TenantId::new(&caller.tenant_id)).await?.iter().map(project_json).collect();
    Ok(HttpResponse::json(200, &json!({"projects": projects})))
}

/// `POST uflow/admin/projects`.
pub async fn create_project<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let body = json_object(req)?;
    let mut project = Project {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        name: String::new(),
        description: String::new(),
        is_default: 0,
        created_at: ctx.now_secs(),
    };
    project_fields(&body, &mut project, true)?;
    store.create_project(&project).await?;
    Ok(HttpResponse::json(201, &project_json(&project)))
}

async fn find_project<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<Project, ApiError> {
    let projects = ctx.platform.store().list_projects(TenantId::new(tenant_id)).await?;
    projects.into_iter().find(|p| p.id == id).ok_or(ApiError::NotFound)
}

/// `GET uflow/admin/projects/:id`.
pub async fn get_project<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    Ok(HttpResponse::json(200, &project_json(&find_project(ctx, &caller.tenant_id, id).await?)))
}

/// `DELETE uflow/admin/projects/:id` (never the default project).
pub async fn delete_project<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if find_project(ctx, &caller.tenant_id, id).await?.is_default == 1 {
        return Err(ApiError::Forbidden("the default project cannot be deleted".into()));
    }
    ctx.platform.store().delete_project(TenantId::new(&caller.tenant_id), id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "project deleted"})))
}

/// `PUT uflow/admin/projects/:id`.
pub async fn update_project<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let mut project = find_project(ctx, &caller.tenant_id, id).await?;
    project_fields(&json_object(req)?, &mut project, false)?;
    ctx.platform.store().update_project(&project).await?;
    Ok(HttpResponse::json(200, &project_json(&project)))
}

pub(super) fn tenant_json(t: &crate::store::Tenant) -> Value {
    json!({"id": t.id, "tenant_id": t.id, "tenant_domain": t.domain, "domain": t.domain, "name": t.name,
           "status": t.status, "created_at": t.created_at})
}

/// `GET uflow/admin/tenants`: every tenant for a platform administrator (an admin listed
/// in `PLATFORM_ADMIN_EMAILS`), with paging; the caller's own tenant for anyone else.
pub async fn tenants<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    if ctx.config()?.platform_admins.contains(&caller.email_id) {
        let (page, limit) = paging(req, &Map::new())?;
        let listed = store.list_tenants((page - 1) * limit, limit).await?;
        let tenants: Vec<Value> = listed.items.iter().map(tenant_json).collect();
        return Ok(HttpResponse::json(
            200,
            &json!({"tenants": tenants, "total": listed.total, "pagination": pagination(page, limit, listed.total)}),
        ));
    }
    let own = store.tenant_by_id(&caller.tenant_id).await?;
    let tenants: Vec<Value> = own.iter().map(tenant_json).collect();
    Ok(HttpResponse::json(200, &json!({"tenants": tenants, "total": tenants.len()})))
}
