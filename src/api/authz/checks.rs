//! Authorization checks (api.md "RBAC and ABAC"): the authmgr checks under
//! `authmgr/{admin,user}/`, the user-side `uflow/user/permissions/check` and
//! `uflow/user/rbac/*` reads, `me/roles-permissions`, and the admin `policy/check` that
//! combines RBAC with ABAC. The caller's permission set comes from the isolate cache,
//! validated by the RBAC version read with the session (one Durable Object call).

use crate::api::auth::{authenticate_admin, authenticate_at_edge_with_rbac_version, Caller};
use crate::api::authz_cache::{caller_permissions, current_version, effective_permissions, tenant_policies};
use crate::api::body::{json_object, required_string};
use crate::api::{Ctx, Platform};
use crate::authz::{combine, evaluate, EffectivePermissions, Permission, Request, ResourceRef, Scope, SubjectRef};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::store::accounts::AccountStore;
use crate::store::rbac::RbacStore;
use serde_json::{json, Value};
use std::rc::Rc;

/// The authmgr checks (and the user-side equivalents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    Profile,
    AuthStatus,
    ValidateToken,
    ValidateScope,
    ValidateResource,
    Permission,
    Role,
    RoleResource,
    PermissionScoped,
    OAuthScope,
    Permissions,
}

async fn caller<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(Caller, Rc<EffectivePermissions>), ApiError> {
    // Edge tier: a warm check waits for no Durable Object (issue 13).
    let (claims, version) = authenticate_at_edge_with_rbac_version(ctx, req).await?;
    let permissions = caller_permissions(ctx, &claims, version).await?;
    Ok((claims, permissions))
}

fn param(req: &HttpRequest, name: &str) -> Result<String, ApiError> {
    req.query_param(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .ok_or_else(|| ApiError::bad_field(name, format!("{name} is required (at most 256 characters)")))
}

/// The action of a check: `action=`, or `scope=` as upstream passes it.
fn action(req: &HttpRequest) -> Result<String, ApiError> {
    param(req, "action")
        .or_else(|_| param(req, "scope"))
        .map_err(|_| ApiError::bad_field("action", "action (or scope) is required"))
}

/// `GET authmgr/{admin,user}/<check>`.
pub async fn check<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, check: Check) -> Result<HttpResponse, ApiError> {
    let (claims, permissions) = caller(ctx, req).await?;
    let now = ctx.now_secs();
    let who = json!({"user_id": claims.user_id, "tenant_id": claims.tenant_id});
    let mut body = match check {
        Check::Profile => json!({"email": claims.email_id, "token_type": claims.token_type,
            "roles": permissions.role_names(now), "permissions": permissions.permission_strings(now),
            "project_id": claims.project_id, "client_id": claims.client_id}),
        Check::AuthStatus => json!({"authenticated": true, "session_id": claims.sid, "expires_at": claims.exp,
            "token_type": claims.token_type}),
        Check::ValidateToken => json!({"valid": true, "expires_at": claims.exp, "scopes": claims.scope}),
        Check::ValidateScope => {
            let scope = param(req, "scope")?;
            json!({"scope": scope, "valid": claims.scope.contains(&scope)})
        }
        Check::ValidateResource | Check::Permission => {
            let (resource, action) = (param(req, "resource")?, action(req)?);
            let allowed = permissions.allows(&resource, &action, None, now);
            json!({"resource": resource, "scope": action, "action": action, "has_permission": allowed, "valid": allowed})
        }
        Check::PermissionScoped => {
            let (resource, action) = (param(req, "resource")?, action(req)?);
            let scope = Scope::new(&param(req, "scope_type")?, &param(req, "scope_id")?);
            let allowed = permissions.allows(&resource, &action, Some(&scope), now);
            json!({"resource": resource, "scope": action, "action": action, "scope_type": scope.kind,
                   "scope_id": scope.id, "has_permission": allowed})
        }
        Check::Role => {
            let role = param(req, "role")?;
            json!({"role": role, "has_role": permissions.has_role(&role, now)})
        }
        // AuthSec's SDK names the resource by `scope_type` and `resource_id`: the role must
        // be held where it applies to that resource.
        Check::RoleResource if req.query_param("resource_id").is_some() => {
            let (role, scope_type, resource_id) =
                (param(req, "role")?, param(req, "scope_type")?, param(req, "resource_id")?);
            let held = permissions.has_role_at(&role, &Scope::new(&scope_type, &resource_id), now);
            json!({"role": role, "scope_type": scope_type, "resource_id": resource_id, "has_role": held})
        }
        Check::RoleResource => {
            let (role, resource) = (param(req, "role")?, param(req, "resource")?);
            let on_resource = permissions
                .permission_strings(now)
                .iter()
                .any(|p| p.parse::<Permission>().is_ok_and(|p| p.resource() == resource || p.resource() == "*"));
            json!({"role": role, "resource": resource, "has_role": permissions.has_role(&role, now) && on_resource})
        }
        Check::OAuthScope => {
            let (name, resource, action) = (param(req, "scope_name")?, param(req, "resource")?, action(req)?);
            let scopes = ctx.platform.store().scopes(TenantId::new(&claims.tenant_id), "scope").await?;
            let mapped = scopes.iter().find(|s| s.name == name).is_some_and(|s| {
                serde_json::from_str::<Vec<String>>(&s.permissions)
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p.parse::<Permission>().is_ok_and(|p| p.grants(&resource, &action)))
            });
            let allowed = mapped && permissions.allows(&resource, &action, None, now);
            json!({"scope_name": name, "resource": resource, "action": action, "has_permission": allowed})
        }
        Check::Permissions => {
            let list = permissions.permission_strings(now);
            json!({"count": list.len(), "permissions": list})
        }
    };
    merge(&mut body, who);
    Ok(HttpResponse::json(200, &body))
}

fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
}

/// `GET uflow/user/permissions/check?resource=&scope=|action=` (JT).
pub async fn user_check<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    check(ctx, req, Check::Permission).await
}

/// `GET uflow/user/rbac/{roles,permissions,bindings,groups}` and `me/roles-permissions`:
/// the caller's own view.
pub async fn mine<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, what: &str) -> Result<HttpResponse, ApiError> {
    let (claims, permissions) = caller(ctx, req).await?;
    let now = ctx.now_secs();
    // Everything here is in the compiled set (one entry per binding in `roles`), so
    // these reads cost no query when the cache is fresh.
    let body = match what {
        "roles" => json!({"roles": permissions.live_roles(now)
            .map(|r| json!({"role_id": r.role_id, "name": r.role_name, "scope": {"type": r.scope.kind, "id": r.scope.id},
                            "expires_at": r.expires_at})).collect::<Vec<_>>()}),
        "permissions" => json!({"permissions": permissions.permission_strings(now)}),
        "bindings" => {
            json!({"bindings": permissions.roles.iter().map(|r| json!({"id": r.binding_id, "role_id": r.role_id,
            "scope": {"type": r.scope.kind, "id": r.scope.id}, "expires_at": r.expires_at})).collect::<Vec<_>>()})
        }
        "groups" => json!({"groups": permissions.groups}),
        _ => json!({"user_id": claims.user_id, "tenant_id": claims.tenant_id, "roles": permissions.role_names(now),
                    "permissions": permissions.permission_strings(now)}),
    };
    Ok(HttpResponse::json(200, &body))
}

/// `POST uflow/admin/policy/check` (JA) `{principal_id, resource, action, scope_id?,
/// scope_type?, context?}`: allowed only if RBAC grants it and no ABAC rule denies it.
pub async fn policy_check<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let principal = required_string(&body, "principal_id")?;
    let resource = required_string(&body, "resource")?.to_string();
    let action = required_string(&body, "action")?.to_string();
    let scope_id = body.get("scope_id").and_then(Value::as_str).filter(|s| !s.is_empty());
    let scope_type = body.get("scope_type").and_then(Value::as_str).unwrap_or(&resource).to_string();
    let tenant = &caller.tenant_id;
    if ctx.platform.store().user_by_id(TenantId::new(tenant), UserId::new(principal)).await?.is_none() {
        return Err(ApiError::bad_field("principal_id", "no such user in this tenant"));
    }
    let version = current_version(ctx, tenant).await?;
    let permissions = effective_permissions(ctx, tenant, principal, version).await?;
    let now = ctx.now_secs();
    let scope = scope_id.map(|id| Scope::new(&scope_type, id));
    let rbac = permissions.allows(&resource, &action, scope.as_ref(), now);
    let request = Request {
        subject: SubjectRef {
            kind: "user".into(),
            id: principal.to_string(),
            roles: permissions.role_names(now),
            groups: permissions.groups.clone(),
        },
        resource: ResourceRef { kind: resource.clone(), id: scope_id.unwrap_or("*").to_string() },
        action: action.clone(),
        context: body.get("context").cloned().unwrap_or(json!({})),
    };
    let policies = tenant_policies(ctx, tenant, version).await?;
    let decision = evaluate(&policies, &request, now);
    let (allowed, reason) = combine(rbac, &decision);
    Ok(HttpResponse::json(
        200,
        &json!({"allowed": allowed, "reason": reason, "rbac_allowed": rbac, "abac": decision,
                "principal_id": principal, "resource": resource, "action": action}),
    ))
}
