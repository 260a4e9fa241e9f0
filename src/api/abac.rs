//! ABAC policies (api.md "RBAC and ABAC", `/authsec/spire/policy`, JA): documents are
//! compiled (regexes included, size-limited) before they are stored, so a stored policy
//! always evaluates; evaluation uses the tenant's compiled set from the isolate cache.

use super::auth::authenticate_admin;
use super::authz_cache::{bump, current_version, tenant_policies};
use super::body::json_object;
use super::issue::uuid_like;
use super::password_login::store_error;
use super::rbac_roles::conflict;
use super::{Ctx, Platform};
use crate::authz::{evaluate, CompiledPolicy, Decision, PolicyDoc, Request};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method};
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

/// `POST|GET spire/policy`.
pub async fn policies<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    if req.method == Method::Get {
        let list: Vec<Value> =
            store.policies(&caller.tenant_id).await.map_err(store_error)?.iter().map(policy_json).collect();
        return Ok(HttpResponse::json(200, &json!({"policies": list, "count": list.len()})));
    }
    let (doc, _) = compile(&json_object(req)?)?;
    let now = ctx.now_secs();
    let row = PolicyRow {
        id: uuid_like(ctx),
        tenant_id: caller.tenant_id.clone(),
        name: doc.name.clone(),
        document: serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.to_string()))?,
        created_at: now,
        updated_at: now,
    };
    store.create_policy(&row).await.map_err(conflict("a policy with this name"))?;
    bump(ctx, &caller.tenant_id).await?;
    Ok(HttpResponse::json(201, &policy_json(&row)))
}

/// `GET|PUT|DELETE spire/policy/:id`.
pub async fn policy<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, id: &str) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let existing = store.policies(&caller.tenant_id).await.map_err(store_error)?.into_iter().find(|p| p.id == id);
    let existing = existing.ok_or(ApiError::NotFound)?;
    match req.method {
        Method::Get => Ok(HttpResponse::json(200, &policy_json(&existing))),
        Method::Delete => {
            store.delete_policy(&caller.tenant_id, id).await.map_err(store_error)?;
            bump(ctx, &caller.tenant_id).await?;
            Ok(HttpResponse::json(200, &json!({"success": true, "message": "policy deleted"})))
        }
        _ => {
            let (doc, _) = compile(&json_object(req)?)?;
            let row = PolicyRow {
                name: doc.name.clone(),
                document: serde_json::to_string(&doc).map_err(|e| ApiError::Internal(e.to_string()))?,
                updated_at: ctx.now_secs(),
                ..existing
            };
            store.update_policy(&row).await.map_err(conflict("a policy with this name"))?;
            bump(ctx, &caller.tenant_id).await?;
            Ok(HttpResponse::json(200, &policy_json(&row)))
        }
    }
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

fn decision_json<P: Platform>(ctx: &Ctx<'_, P>, decision: &Decision) -> Value {
    json!({"decision": if decision.allowed { "allow" } else { "deny" }, "allowed": decision.allowed,
           "effect": decision.effect, "reason": decision.reason, "matched_rule": decision.matched_rule,
           "matched_policy": decision.matched_policy, "evaluated_at": ctx.now_secs(),
           "request_id": super::issue::uuid_like(ctx)})
}

/// `POST spire/policy/evaluate` `{subject, resource, action, context}`.
pub async fn evaluate_one<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let request = parse_request(&Value::Object(json_object(req)?))?;
    let version = current_version(ctx, &caller.tenant_id).await?;
    let policies = tenant_policies(ctx, &caller.tenant_id, version).await?;
    let decision = evaluate(&policies, &request, ctx.now_secs());
    Ok(HttpResponse::json(200, &decision_json(ctx, &decision)))
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
    let results: Vec<Value> =
        requests.iter().map(|r| decision_json(ctx, &evaluate(&policies, r, ctx.now_secs()))).collect();
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
    Ok(HttpResponse::json(200, &decision_json(ctx, &decision)))
}
