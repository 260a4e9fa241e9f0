//! The client metadata of dynamic registration (RFC 7591 §2), validated into a client
//! record, and the registration response (§3.2.1). Unknown fields are ignored, as §2
//! requires; anything the provider would not honour is refused, never silently kept.

use crate::api::clients::metadata::{self, auth_method, PRIVATE_KEY_JWT};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::oauth::redirect::registration_problem;
use crate::store::accounts::Client;
use serde_json::{json, Map, Value};

/// The grants a client may give itself.
const SELF_SERVICE_GRANTS: &[&str] = &["authorization_code", "refresh_token", "client_credentials"];

fn invalid(why: &str) -> ApiError {
    ApiError::oauth("invalid_client_metadata", why.to_string())
}

fn strings(body: &Map<String, Value>, field: &str, max: usize) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) if items.len() <= max => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| invalid(&format!("{field} must hold strings"))))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(&format!("{field} must be an array of at most {max} strings"))),
    }
}

fn uris(body: &Map<String, Value>, field: &str) -> Result<Vec<String>, ApiError> {
    let list = strings(body, field, 20)?.unwrap_or_default();
    if let Some(problem) = list.iter().find_map(|u| registration_problem(u)) {
        return Err(ApiError::oauth("invalid_redirect_uri", format!("{field}: {problem}")));
    }
    Ok(list)
}

/// Sets `client` from `body`; true when the client authenticates with a secret.
pub fn apply_metadata(client: &mut Client, body: &Map<String, Value>) -> Result<bool, ApiError> {
    if body.contains_key("jwks_uri") {
        return Err(invalid("jwks_uri is not supported; send the keys as jwks"));
    }
    let grants = strings(body, "grant_types", 3)?.unwrap_or_else(|| vec!["authorization_code".into()]);
    if let Some(other) = grants.iter().find(|g| !SELF_SERVICE_GRANTS.contains(&g.as_str())) {
        return Err(invalid(&format!("grant_types: {other} is not available to self-registered clients")));
    }
    if let Some(types) = strings(body, "response_types", 3)? {
        if types.iter().any(|t| t != "code") {
            return Err(invalid("response_types: only code"));
        }
    }
    let redirect_uris = uris(body, "redirect_uris")?;
    if grants.iter().any(|g| g == "authorization_code") && redirect_uris.is_empty() {
        return Err(ApiError::oauth("invalid_redirect_uri", "the code flow needs at least one redirect_uri"));
    }
    let name = match body.get("client_name") {
        None | Some(Value::Null) => "Registered client".to_string(),
        Some(Value::String(n)) if !n.trim().is_empty() && n.len() <= 256 => n.trim().to_string(),
        Some(_) => return Err(invalid("client_name must have 1 to 256 characters")),
    };
    let method = auth_method(body).map_err(|_| invalid("token_endpoint_auth_method is not supported"))?;
    let method = method.unwrap_or("client_secret_basic").to_string();
    if method == "none" && grants.iter().any(|g| g == "client_credentials") {
        return Err(invalid("a public client cannot use client_credentials"));
    }
    let mut updated = client.clone();
    metadata::apply(&mut updated, body, false).map_err(|e| match e {
        ApiError::BadRequest { message, .. } => invalid(&message),
        other => other,
    })?;
    if method == PRIVATE_KEY_JWT && updated.jwks.is_empty() {
        return Err(invalid("private_key_jwt needs jwks"));
    }
    updated.name = name;
    updated.grant_types = json!(grants).to_string();
    updated.redirect_uris = json!(redirect_uris).to_string();
    updated.post_logout_redirect_uris = json!(uris(body, "post_logout_redirect_uris")?).to_string();
    updated.client_type = if method == "none" { "public".into() } else { "confidential".into() };
    updated.token_endpoint_auth_method = method.clone();
    *client = updated;
    Ok(method.starts_with("client_secret"))
}

/// The registration as RFC 7591 §3.2.1 answers it (without secrets).
pub fn registration_json<P: Platform>(ctx: &Ctx<'_, P>, client: &Client) -> Result<Value, ApiError> {
    let list = |raw: &str| serde_json::from_str::<Value>(raw).unwrap_or_else(|_| json!([]));
    let issuer = &ctx.config()?.issuer;
    let mut body = json!({
        "client_id": client.client_id,
        "client_id_issued_at": client.created_at,
        "client_name": client.name,
        "redirect_uris": list(&client.redirect_uris),
        "post_logout_redirect_uris": list(&client.post_logout_redirect_uris),
        "grant_types": list(&client.grant_types),
        "response_types": ["code"],
        "registration_client_uri": format!("{issuer}/authsec/oauth/register/{}", client.client_id),
    });
    if let (Some(out), Value::Object(extra)) = (body.as_object_mut(), metadata::to_json(client)) {
        out.extend(extra.into_iter().filter(|(k, v)| k != "introspection" && !v.is_null()));
    }
    Ok(body)
}
