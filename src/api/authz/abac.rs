//! ABAC policies (api.md "RBAC and ABAC", `/authsec/spire/policy`, JA): documents are
//! compiled (regexes included, size-limited) before they are stored, so a stored policy
//! always evaluates; evaluation uses the tenant's compiled set from the isolate cache.

use crate::api::auth::authenticate_admin;
use crate::api::authz_cache::{bump, current_version, tenant_policies};
use crate::api::body::json_object;
use crate::api::issue::uuid_like;
use crate::api::{Ctx, Platform};
use crate::authz::{evaluate, CompiledPolicy, Decision, PolicyDoc, Request};
use crate::error::{conflict_as, ApiError};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::store::rbac::{PolicyRow, RbacStore};
use serde_json::{json, Map, Value};

const MAX_BATCH: usize = 100;

fn compile(body: &Map<String, Value>) -> Result<(PolicyDoc, CompiledPolicy), ApiError> {
    let mut doc = body.clone();
    doc.remove("id");
    let doc: PolicyDoc = serde_json::from_value(Value::Object(doc))
        .map_err(|e| ApiError::bad_field("rules", format!("the policy: {e}")))?;
    let compiled = CompiledPolicy::compile(&doc).map_err(|e| ApiError::bad_field("rules", e.to_string()))?;
    Ok((doc, compiled))
}

fn policy_json(row: &PolicyRow) -> Value {
    let mut body = serde_json::from_str::<Value>(&row.document).unwrap_or(json!({}));
    if let Some(map) = body.as_object_mut() {
        map.insert("id".into(), json!(row.id));
        map.insert("created_at".into(), json!(row.created_at));
        map.insert("updated_at".into(), json!(row.updated_at));
    }
    body
}

/// `GET spire/policy`.
pub async fn list_policies<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let list: Vec<Value> =
        ctx.platform.store().policies(TenantId::new(&caller.tenant_id)).await?.iter().map(policy_json).collect();
    Ok(HttpResponse::json(200, &json!({"policies": list, "count": list.len()})))
}

/// `POST spire/policy`: validated and compiled before it is stored.
pub async fn create_policy<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let (doc, _) = compile(&json_object(req)?)?;
    let now = ctx.now_secs();
    let row = PolicyRow {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        name: doc.name.clone(),
        document: serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.to_string()))?,
        created_at: now,
        updated_at: now,
    };
    store.create_policy(&row).await.map_err(conflict_as("a policy with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &policy_json(&row)))
}

async fn find_policy<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, id: &str) -> Result<PolicyRow, ApiError> {
    let existing = ctx.platform.store().policies(TenantId::new(tenant_id)).await?.into_iter().find(|p| p.id == id);
    existing.ok_or(ApiError::NotFound)
}

/// `GET spire/policy/:id`.
pub async fn get_policy<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    Ok(HttpResponse::json(200, &policy_json(&find_policy(ctx, &caller.tenant_id, id).await?)))
}

/// `DELETE spire/policy/:id`.
pub async fn delete_policy<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    find_policy(ctx, &caller.tenant_id, id).await?;
    ctx.platform.store().delete_policy(TenantId::new(&caller.tenant_id), id).await?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "policy deleted"})))
}

/// `PUT spire/policy/:id`: the whole document, validated and compiled again.
pub async fn update_policy<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let existing = find_policy(ctx, &caller.tenant_id, id).await?;
    let (doc, _) = compile(&json_object(req)?)?;
    let row = PolicyRow {
        name: doc.name.clone(),
        document: serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.to_string()))?,
        updated_at: ctx.now_secs(),
        ..existing
    };
    let store = ctx.platform.store();
    store.update_policy(&row).await.map_err(conflict_as("a policy with this name already exists"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(200, &policy_json(&row)))
}

fn parse_request(value: &Value) -> Result<Request, ApiError> {
    let mut value = value.clone();
    // `subject`/`resource` may be given as "type:id" strings.
    for field in ["subject", "resource"] {
        if let Some(text) = value.get(field).and_then(Value::as_str).map(str::to_string) {
            let (kind, id) = text.split_once(':').unwrap_or(("*", text.as_str()));
            value[field] = json!({"type": kind, "id": id});
        }
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("the request: {e}")))
}

fn decision_json<P: Platform>(ctx: &Ctx<'_, P>, decision: &Decision) -> Result<Value, ApiError> {
    Ok(json!({"decision": if decision.allowed { "allow" } else { "deny" }, "allowed": decision.allowed,
           "effect": decision.effect, "reason": decision.reason, "matched_rule": decision.matched_rule,
           "matched_policy": decision.matched_policy, "evaluated_at": ctx.now_secs(),
           "request_id": crate::api::issue::uuid_like(ctx)?}))
}

/// `POST spire/policy/evaluate` `{subject, resource, action, context}`.
pub async fn evaluate_one<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let request = parse_request(&Value::Object(json_object(req)?))?;
    let version = current_version(ctx, &caller.tenant_id).await?;
    let policies = tenant_policies(ctx, &caller.tenant_id, version).await?;
    let decision = evaluate(&policies, &request, ctx.now_secs());
    Ok(HttpResponse::json(200, &decision_json(ctx, &decision)?))
}

/// `POST spire/policy/batch-evaluate` `{requests: [...]}` (at most 100).
pub async fn evaluate_batch<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let requests = body
        .get("requests")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && r.len() <= MAX_BATCH)
        .ok_or_else(|| ApiError::bad_field("requests", format!("requests must list 1 to {MAX_BATCH} requests")))?;
    let requests: Vec<Request> = requests.iter().map(parse_request).collect::<Result<_, _>>()?;
    let version = current_version(ctx, &caller.tenant_id).await?;
    let policies = tenant_policies(ctx, &caller.tenant_id, version).await?;
    let results: Vec<Value> = requests
        .iter()
        .map(|r| decision_json(ctx, &evaluate(&policies, r, ctx.now_secs())))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::json(200, &json!({"results": results, "count": results.len()})))
}

/// `POST spire/policy/test` `{policy, request}`: evaluates a draft without storing it.
pub async fn test<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let draft = body
        .get("policy")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_field("policy", "policy is required"))?;
    let (_, compiled) = compile(draft)?;
    let request =
        parse_request(body.get("request").ok_or_else(|| ApiError::bad_field("request", "request is required"))?)?;
    let decision = evaluate(std::slice::from_ref(&compiled), &request, ctx.now_secs());
    Ok(HttpResponse::json(200, &decision_json(ctx, &decision)?))
}
