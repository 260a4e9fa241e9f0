//! `POST /authsec/authmgr/token/verify` and `POST /authsec/authmgr/token/generate`.
//!
//! Verify answers for any token of this issuer. Generate (ours: authenticated) only ever
//! narrows the caller's own identity: same subject, tenant, client and roles, a subset
//! of its scopes, and a lifetime that never outlives the presented token.

use crate::api::auth::{authenticate_allowing_delegated, rate_limit, verify_token_in, Caller, Tier};
use crate::api::body::{json_object, optional_positive_int, optional_string_list, required_string};
use crate::api::{Ctx, Platform};
use crate::b64;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::tokens::claims::AccessClaims;
use crate::tokens::issue::sign_access_token;
use serde_json::{json, Map, Value};

/// Identity fields an upstream client may send to generate; each must equal the
/// caller's own value (upstream used them to mint arbitrary identities).
const IDENTITY_FIELDS: &[&str] =
    &["tenant_id", "workspace_id", "project_id", "client_id", "email_id", "user_id", "sub"];

pub async fn verify<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let token = required_string(&body, "token")?;
    // Edge tier by default (api.md "Foundation routes"); `strict` asks the session store.
    let strict = match body.get("strict") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(strict)) => *strict,
        Some(_) => return Err(ApiError::bad_field("strict", "strict must be true or false")),
    };
    let verified = verify_token_in(ctx, token, if strict { Tier::Strict } else { Tier::Edge }).await?;
    let c = verified.claims();
    Ok(HttpResponse::json(
        200,
        &json!({
            "valid": true,
            "tenant_id": c.tenant_id,
            "workspace_id": c.tenant_id,
            "project_id": c.project_id,
            "client_id": c.client_id,
            "email_id": c.email_id,
            "user_id": c.user_id,
            "scopes": c.scope,
            "roles": c.roles,
            "groups": c.groups,
            "token_type": c.token_type,
            // Tokens a client obtained through a grant say so, for resource servers that
            // must not treat them as the user's own sign-in.
            "grant": (!c.grant.is_empty()).then_some(&c.grant),
            "delegated": c.is_delegated(),
            "cnf": c.cnf,
            "session_id": c.sid,
            "issued_at": c.iat,
            "expires_at": c.exp,
            "issuer": c.iss,
        }),
    ))
}

pub async fn generate<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    // A delegated token may narrow itself; the copy keeps its `grant` claim.
    let caller = authenticate_allowing_delegated(ctx, req).await?;
    let config = ctx.config()?;
    let bucket = format!("token-generate:{}:{}", caller.tenant_id, caller.sub);
    rate_limit(ctx, &bucket, config.token_generate_per_minute, 60).await?;
    let body = json_object(req)?;
    reject_identity_changes(&body, &caller)?;
    let scope = match optional_string_list(&body, "scopes")?.or(optional_string_list(&body, "scope")?) {
        None => caller.scope.clone(),
        Some(requested) => {
            if let Some(extra) = requested.iter().find(|s| !caller.scope.contains(s)) {
                return Err(ApiError::Forbidden(format!("scope {extra:?} is not held by the presented token")));
            }
            requested
        }
    };
    let now = ctx.now_secs();
    let wanted_ttl = optional_positive_int(&body, "expires_in")?
        .unwrap_or(config.access_token_ttl_secs)
        .min(config.access_token_ttl_secs);
    let exp = (now + wanted_ttl).min(caller.exp);
    // A delegated token carries only the roles its scopes name (`role:<name>`): narrowing
    // the scopes narrows the roles with them.
    let roles = if caller.is_delegated() {
        let named: Vec<&str> = crate::authz::delegation::scoped_roles(&scope).collect();
        caller.roles.iter().filter(|r| named.contains(&r.as_str())).cloned().collect()
    } else {
        caller.roles.clone()
    };
    let claims = AccessClaims {
        scope,
        roles,
        iat: now,
        nbf: now,
        exp,
        jti: b64::encode(&ctx.random_id()?),
        ..caller.claims().clone()
    };
    let access_token = sign_access_token(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing failed: {}", e.0)))?;
    Ok(HttpResponse::json(
        200,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": (exp - now).max(0),
            "scope": claims.scope,
        }),
    ))
}

fn reject_identity_changes(body: &Map<String, Value>, caller: &Caller) -> Result<(), ApiError> {
    for &field in IDENTITY_FIELDS {
        let own = match field {
            "tenant_id" | "workspace_id" => &caller.tenant_id,
            "project_id" => &caller.project_id,
            "client_id" => &caller.client_id,
            "email_id" => &caller.email_id,
            "user_id" | "sub" => &caller.user_id,
            _ => continue,
        };
        match body.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == own => {}
            Some(Value::String(_)) => {
                return Err(ApiError::Forbidden(format!(
                    "{field} must be the caller's own; generate never changes identity"
                )))
            }
            Some(_) => return Err(ApiError::bad_field(field, format!("{field} must be a string"))),
        }
    }
    for field in ["roles", "groups", "token_type", "aud", "iss"] {
        if body.contains_key(field) {
            return Err(ApiError::Forbidden(format!("{field} cannot be set through generate")));
        }
    }
    Ok(())
}
