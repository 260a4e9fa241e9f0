//! The OAuth metadata of a client (RFC 7591 §2 names) that the provider acts on: how it
//! authenticates, its public keys for `private_key_jwt`, whether it must use PAR
//! (RFC 9126 §6) or DPoP (RFC 9449 §5.2), and (admins only) whether it may introspect
//! every token of its tenant. Shared by the admin clients API and dynamic registration.

use crate::error::ApiError;
use crate::store::accounts::Client;
use crate::tokens::keys::PublicKey;
use serde_json::{json, Map, Value};

/// `token_endpoint_auth_method` values (RFC 7591 §2): `none` is a public client; the
/// secret methods a confidential one (either way of sending the secret is accepted);
/// `private_key_jwt` a confidential client without a secret, proving itself with a
/// signed assertion (RFC 7523 §2.2).
pub const AUTH_METHODS: &[&str] = &["none", "client_secret_post", "client_secret_basic", "private_key_jwt"];
pub const PRIVATE_KEY_JWT: &str = "private_key_jwt";
/// The most keys a client may register.
const MAX_KEYS: usize = 5;

/// The `token_endpoint_auth_method` a body asks for, if any.
pub fn auth_method(body: &Map<String, Value>) -> Result<Option<&str>, ApiError> {
    match body.get("token_endpoint_auth_method") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(m)) if AUTH_METHODS.contains(&m.as_str()) => Ok(Some(m)),
        Some(_) => Err(ApiError::bad_field(
            "token_endpoint_auth_method",
            "token_endpoint_auth_method is none, client_secret_post, client_secret_basic or private_key_jwt",
        )),
    }
}

/// How the client authenticates now: explicit, or derived from whether it has a secret.
pub fn effective_auth_method(client: &Client) -> &str {
    match (client.token_endpoint_auth_method.as_str(), client.secret_hash.is_some()) {
        ("", true) => "client_secret_basic",
        ("", false) => "none",
        (method, _) => method,
    }
}

fn flag(body: &Map<String, Value>, field: &str) -> Result<Option<i64>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be true or false"))),
    }
}

/// A JWKS of public P-256 signing keys (each with a `kid`), as stored.
pub fn validate_jwks(value: &Value) -> Result<String, ApiError> {
    let bad = |why: &str| ApiError::bad_field("jwks", why.to_string());
    let keys = value.get("keys").and_then(Value::as_array).ok_or_else(|| bad("jwks must be {\"keys\": [...]}"))?;
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(bad("jwks holds 1 to 5 keys"));
    }
    let mut kept = Vec::with_capacity(keys.len());
    for key in keys {
        if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|private| key.get(private).is_some()) {
            return Err(bad("jwks must hold public keys only"));
        }
        let text = |name: &str| key.get(name).and_then(Value::as_str).unwrap_or("");
        if text("kty") != "EC" || text("crv") != "P-256" {
            return Err(bad("only EC P-256 keys (ES256) are accepted"));
        }
        let kid = text("kid");
        if kid.is_empty() || kid.len() > 128 {
            return Err(bad("every key needs a kid (at most 128 characters)"));
        }
        PublicKey::from_coordinates(kid, text("x"), text("y")).map_err(|_| bad("a key is not a valid P-256 point"))?;
        kept.push(json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": text("x"), "y": text("y"), "alg": "ES256", "use": "sig"}));
    }
    Ok(json!({ "keys": kept }).to_string())
}

/// Applies the metadata fields present in `body`; `admin` says whether the caller may
/// set what only an admin decides (`introspection`).
pub fn apply(client: &mut Client, body: &Map<String, Value>, admin: bool) -> Result<(), ApiError> {
    if let Some(jwks) = body.get("jwks").filter(|v| !v.is_null()) {
        client.jwks = validate_jwks(jwks)?;
    }
    if let Some(on) = flag(body, "require_pushed_authorization_requests")? {
        client.require_par = on;
    }
    if let Some(on) = flag(body, "dpop_bound_access_tokens")? {
        client.dpop_bound = on;
    }
    match flag(body, "introspection")? {
        Some(on) if admin => client.introspect_any = on,
        Some(_) => return Err(ApiError::bad_field("introspection", "only a tenant admin grants introspection")),
        None => {}
    }
    Ok(())
}

/// The metadata as the API shows it.
pub fn to_json(client: &Client) -> Value {
    let jwks: Value = serde_json::from_str(&client.jwks).unwrap_or(Value::Null);
    json!({
        "token_endpoint_auth_method": effective_auth_method(client),
        "jwks": jwks,
        "require_pushed_authorization_requests": client.require_par == 1,
        "dpop_bound_access_tokens": client.dpop_bound == 1,
        "introspection": client.introspect_any == 1,
    })
}
