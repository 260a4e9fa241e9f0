//! Permission sets and ABAC policies, compiled once and kept in isolate memory, keyed by
//! the tenant's RBAC version (api.md "RBAC and ABAC"; issue: checks fast from any
//! region). Every RBAC or policy mutation bumps the version in the tenant's
//! `SessionStore` object, and a check reads it in the same call that checks the session,
//! so a check costs no database query when nothing changed and sees a change on the very
//! next request after it.

use super::auth::Caller;
use super::{Ctx, Platform};
use crate::authz::delegation::compile_delegated;
use crate::authz::{compile, CompiledPolicy, EffectivePermissions, Permission, PolicyDoc};
use crate::error::ApiError;
use crate::ids::{TenantId, UserId};
use crate::store::rbac::RbacStore;
use crate::store::state::SessionStore;
use std::collections::HashMap;
use std::rc::Rc;

/// Entries kept per isolate before the cache starts over (a bound, not a tuning knob).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub struct AuthzCache {
    /// (tenant, user) -> (version, compiled permissions)
    principals: HashMap<(String, String), (u64, Rc<EffectivePermissions>)>,
    /// tenant -> (version, compiled policies)
    policies: HashMap<String, (u64, Rc<Vec<CompiledPolicy>>)>,
}

/// The user's effective permissions at RBAC version `version` of the tenant.
pub async fn effective_permissions<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    user_id: &str,
    version: u64,
) -> Result<Rc<EffectivePermissions>, ApiError> {
    let key = (tenant_id.to_string(), user_id.to_string());
    if let Some((cached, permissions)) = ctx.isolate.authz.borrow().principals.get(&key) {
        if *cached == version {
            return Ok(permissions.clone());
        }
    }
    let inputs = ctx.platform.store().principal_authz(TenantId::new(tenant_id), UserId::new(user_id)).await?;
    let permissions = Rc::new(compile(user_id, &inputs.groups, &inputs.roles, &inputs.bindings));
    let mut cache = ctx.isolate.authz.borrow_mut();
    if cache.principals.len() >= MAX_ENTRIES {
        cache.principals.clear();
    }
    cache.principals.insert(key, (version, permissions.clone()));
    Ok(permissions)
}

/// What `caller` may use: the user's effective permissions, bounded by the token's scopes
/// when a client obtained it through a grant (`authz::delegation`). Cached per scope set.
pub async fn caller_permissions<P: Platform>(
    ctx: &Ctx<'_, P>,
    caller: &Caller,
    version: u64,
) -> Result<Rc<EffectivePermissions>, ApiError> {
    if !caller.is_delegated() {
        return effective_permissions(ctx, &caller.tenant_id, &caller.user_id, version).await;
    }
    let key = (caller.tenant_id.clone(), format!("{}\n{}", caller.user_id, caller.scope.join(" ")));
    if let Some((cached, permissions)) = ctx.isolate.authz.borrow().principals.get(&key) {
        if *cached == version {
            return Ok(permissions.clone());
        }
    }
    let store = ctx.platform.store();
    let inputs = store.principal_authz(TenantId::new(&caller.tenant_id), UserId::new(&caller.user_id)).await?;
    let mapped: Vec<(String, Vec<Permission>)> = store
        .scopes(TenantId::new(&caller.tenant_id), "scope")
        .await?
        .into_iter()
        .filter(|s| caller.scope.contains(&s.name))
        .map(|s| {
            let list: Vec<String> = serde_json::from_str(&s.permissions).unwrap_or_default();
            (s.name, list.iter().filter_map(|p| p.parse().ok()).collect())
        })
        .collect();
    let permissions = Rc::new(compile_delegated(
        &caller.user_id,
        &inputs.groups,
        &inputs.roles,
        &inputs.bindings,
        &caller.scope,
        &mapped,
    ));
    let mut cache = ctx.isolate.authz.borrow_mut();
    if cache.principals.len() >= MAX_ENTRIES {
        cache.principals.clear();
    }
    cache.principals.insert(key, (version, permissions.clone()));
    Ok(permissions)
}

/// The tenant's ABAC policies, compiled, at RBAC version `version`. A stored document
/// that no longer compiles is skipped and logged (it was valid when stored).
pub async fn tenant_policies<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant_id: &str,
    version: u64,
) -> Result<Rc<Vec<CompiledPolicy>>, ApiError> {
    if let Some((cached, policies)) = ctx.isolate.authz.borrow().policies.get(tenant_id) {
        if *cached == version {
            return Ok(policies.clone());
        }
    }
    let rows = ctx.platform.store().policies(TenantId::new(tenant_id)).await?;
    let mut compiled = Vec::with_capacity(rows.len());
    for row in rows {
        match serde_json::from_str::<PolicyDoc>(&row.document)
            .map_err(|e| e.to_string())
            .and_then(|doc| CompiledPolicy::compile(&doc).map_err(|e| e.to_string()))
        {
            Ok(policy) => compiled.push(policy),
            Err(e) => ctx.warn(format!("ABAC policy {} does not compile: {e}", row.id)),
        }
    }
    let compiled = Rc::new(compiled);
    let mut cache = ctx.isolate.authz.borrow_mut();
    if cache.policies.len() >= MAX_ENTRIES {
        cache.policies.clear();
    }
    cache.policies.insert(tenant_id.to_string(), (version, compiled.clone()));
    Ok(compiled)
}

/// The tenant's current RBAC version (for callers without a session check to ride on).
pub async fn current_version<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str) -> Result<u64, ApiError> {
    Ok(ctx.platform.sessions().tenant_state(TenantId::new(tenant_id)).await?.rbac_version)
}

/// Marks the tenant's cached permission sets and policies stale, after a mutation.
pub async fn bump<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str) -> Result<(), ApiError> {
    let tenant = TenantId::new(tenant_id);
    let state = ctx.platform.sessions().bump_rbac_version(tenant).await?;
    super::revocation::publish_rbac_change(ctx, tenant, state).await;
    Ok(())
}
