//! The client credentials grant (RFC 6749 §4.4): a confidential client acting as itself.
//!
//! The client is an RBAC principal of its tenant (an admin binds roles to its
//! `client_id`). What it may ask for comes from those bindings, and a scope it does not
//! hold is refused (`invalid_scope`), so a resource server reading `scope` can trust it:
//! - `role:<name>`: a role bound to the client;
//! - a scope the tenant defined (`uflow/admin/scopes`): every permission it maps;
//! - `resource:action`: that permission, tenant-wide.
//!
//! With no `scope`, the token carries `role:<name>` for every role the client holds.
//! The token is delegated (`grant: client_credentials`) and has no session.

use super::dpop_binding::token_type;
use crate::api::authz_cache::{current_version, effective_permissions};
use crate::api::body::present_text;
use crate::api::clients::metadata::effective_auth_method;
use crate::api::grants::client_auth::require_grant;
use crate::api::issue::random_token;
use crate::api::{Ctx, Platform};
use crate::authz::rbac::EffectivePermissions;
use crate::authz::Permission;
use crate::error::ApiError;
use crate::ids::TenantId;
use crate::oauth::{scopes, CLIENT_CREDENTIALS_GRANT};
use crate::store::accounts::Client;
use crate::store::rbac::RbacStore;
use crate::tokens::claims::{AccessClaims, Audience, Confirmation, TokenType, DEFAULT_AUDIENCE};
use crate::tokens::issue::sign_access_token;
use serde_json::{json, Map, Value};

/// A token for `client` (already authenticated) with the scopes it asked for and holds.
pub async fn grant<P: Platform>(
    ctx: &Ctx<'_, P>,
    client: &Client,
    body: &Map<String, Value>,
    jkt: Option<&str>,
) -> Result<Value, ApiError> {
    require_grant(client, CLIENT_CREDENTIALS_GRANT)?;
    if effective_auth_method(client) == "none" {
        return Err(ApiError::oauth("unauthorized_client", "a public client cannot act as itself"));
    }
    let tenant = TenantId::new(&client.tenant_id);
    let version = current_version(ctx, &client.tenant_id).await?;
    let (held, defined) = futures_util::future::join(
        effective_permissions(ctx, &client.tenant_id, &client.client_id, version),
        ctx.platform.store().scopes(tenant, "scope"),
    )
    .await;
    let (held, defined) = (held?, defined?);
    let now = ctx.now_secs();
    let asked = match present_text(body, "scope") {
        Some(text) => scopes::parse(text).ok_or_else(|| ApiError::oauth("invalid_scope", "scope is malformed"))?,
        None => held.role_names(now).into_iter().map(|r| format!("role:{r}")).collect(),
    };
    if let Some(refused) = asked.iter().find(|s| !holds(&held, &defined, s, now)) {
        return Err(ApiError::oauth("invalid_scope", format!("this client does not hold the scope {refused}")));
    }
    let config = ctx.config()?;
    let roles = held.role_names(now).into_iter().filter(|r| asked.iter().any(|s| s.strip_prefix("role:") == Some(r)));
    let claims = AccessClaims {
        iss: config.issuer.clone(),
        sub: client.client_id.clone(),
        user_id: client.client_id.clone(),
        tenant_id: client.tenant_id.clone(),
        project_id: client.project_id.clone(),
        client_id: client.client_id.clone(),
        email_id: String::new(),
        token_type: TokenType::Service,
        aud: Audience::One(DEFAULT_AUDIENCE.into()),
        scope: asked.clone(),
        roles: roles.collect(),
        groups: Vec::new(),
        iat: now,
        nbf: now,
        exp: now + config.access_token_ttl_secs,
        jti: random_token(ctx)?,
        sid: String::new(),
        auth_time: 0,
        grant: CLIENT_CREDENTIALS_GRANT.into(),
        act: None,
        cnf: jkt.map(|jkt| Confirmation { jkt: jkt.to_string() }),
    };
    let token = sign_access_token(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing failed: {}", e.0)))?;
    Ok(json!({"access_token": token, "token_type": token_type(jkt), "expires_in": config.access_token_ttl_secs,
              "scope": scopes::join(&asked)}))
}

/// Whether the client's grants cover `scope` (see the module doc).
fn holds(held: &EffectivePermissions, defined: &[crate::store::rbac::ScopeRow], scope: &str, now: i64) -> bool {
    if let Some(role) = scope.strip_prefix("role:") {
        return held.has_role(role, now);
    }
    let allowed = |p: &Permission| held.allows(p.resource(), p.action(), None, now);
    if let Some(mapped) = defined.iter().find(|d| d.name == scope) {
        let permissions: Vec<String> = serde_json::from_str(&mapped.permissions).unwrap_or_default();
        let parsed: Vec<Permission> = permissions.iter().filter_map(|p| Permission::parse(p).ok()).collect();
        return !parsed.is_empty() && parsed.len() == permissions.len() && parsed.iter().all(allowed);
    }
    Permission::parse(scope).is_ok_and(|p| allowed(&p))
}
