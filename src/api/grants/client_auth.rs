//! Which client is calling an OAuth-style endpoint (RFC 6749 §2.3): `client_id` in the
//! body or HTTP Basic; a confidential client (one with a secret) must prove it with
//! `client_secret` (body or Basic), a `private_key_jwt` client with a signed assertion
//! (RFC 7523), and a public client names itself only.

use crate::api::auth::first_use;
use crate::api::body::present_text;
use crate::api::clients::metadata::{effective_auth_method, PRIVATE_KEY_JWT};
use crate::api::{Ctx, Platform};
use crate::b64;
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::ids::{ClientId, TenantId};
use crate::secret::constant_time_eq;
use crate::store::accounts::{client_secret_hash, AccountStore, Client};
use crate::store::TenantStore;
use crate::tokens::client_assertion::{
    claimed_client_id, verify_client_assertion, AssertionPolicy, ClientAssertionError, DEFAULT_LEEWAY_SECS,
    DEFAULT_MAX_LIFETIME_SECS,
};
use crate::tokens::public_jwk::JwsAlg;
use base64ct::{Base64, Encoding};
use serde_json::{Map, Value};

/// `client_id` and `client_secret` from an `Authorization: Basic` header (RFC 6749 §2.3.1:
/// both form-urlencoded before base64).
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.header("authorization")?.trim();
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = Base64::decode_vec(encoded.trim()).ok().or_else(|| b64::decode(encoded.trim()))?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| crate::http::percent_decode(&s.replace('+', " "));
    Some((decode(id)?, decode(secret)?))
}

/// The authenticated client, or `invalid_client` (401, RFC 6749 §5.2): by its secret
/// (HTTP Basic or `client_secret`), by a signed assertion (`private_key_jwt`, RFC 7523
/// §2.2), or by its id alone when it is public. A client is held to its registered method.
pub async fn authenticate_client<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
) -> Result<Client, ApiError> {
    let basic = basic_credentials(req);
    let assertion = present_text(body, "client_assertion");
    let invalid = ApiError::invalid_client;
    let claimed = match assertion {
        Some(a) if basic.is_none() && present_text(body, "client_id").is_none() => claimed_client_id(a).ok(),
        _ => None,
    };
    let client_id = basic.as_ref().map(|(id, _)| id.as_str()).or_else(|| present_text(body, "client_id"));
    let client_id = client_id.or(claimed.as_deref()).ok_or_else(|| invalid("client_id is required"))?;
    let client = ctx.platform.store().client_by_client_id(ClientId::new(client_id)).await?;
    let client = client.filter(Client::is_usable).ok_or_else(|| invalid("unknown or inactive client"))?;
    if effective_auth_method(&client) == PRIVATE_KEY_JWT {
        let assertion = assertion.ok_or_else(|| invalid("this client must authenticate with a client_assertion"))?;
        verify_assertion(ctx, req, body, &client, assertion).await?;
        return Ok(client);
    }
    if assertion.is_some() {
        return Err(invalid("this client is not registered for private_key_jwt"));
    }
    if let Some(stored) = &client.secret_hash {
        let secret = basic.as_ref().map(|(_, s)| s.as_str()).or_else(|| present_text(body, "client_secret"));
        let secret = secret.ok_or_else(|| invalid("this client must authenticate with its secret"))?;
        let presented = client_secret_hash(ctx.config()?.pepper.expose(), &client.client_id, secret);
        if !constant_time_eq(presented.as_bytes(), stored.as_bytes()) {
            return Err(invalid("client authentication failed"));
        }
    }
    Ok(client)
}

/// RFC 7523 §3: the assertion is signed by one of the client's registered keys, names
/// this server (its issuer or the URL called), and its `jti` was never seen before
/// (kept until the longest assertion lifetime has passed).
async fn verify_assertion<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    client: &Client,
    assertion: &str,
) -> Result<(), ApiError> {
    let config = ctx.config()?;
    let jwks: Value = serde_json::from_str(&client.jwks).unwrap_or(Value::Null);
    let endpoint = format!("{}{}", config.issuer, req.path);
    let audiences = [config.issuer.as_str(), endpoint.as_str()];
    // Registered keys are P-256 only (`clients::metadata`), so ES256 is the one algorithm.
    let policy = AssertionPolicy {
        algorithms: &[JwsAlg::Es256],
        ..AssertionPolicy::new(&client.client_id, &jwks, &audiences, ctx.now_secs())
    };
    let assertion_type = present_text(body, "client_assertion_type").unwrap_or("");
    let verified = verify_client_assertion(assertion_type, assertion, &policy, ctx.platform.crypto()).await.map_err(
        |e| match e {
            ClientAssertionError::Backend(detail) => ApiError::Internal(format!("client assertion: {detail}")),
            other => ApiError::invalid_client(format!("client_assertion refused: {other}")),
        },
    )?;
    let key = format!("client-assertion:{}:{}", client.client_id, verified.jti());
    if !first_use(ctx, &key, DEFAULT_MAX_LIFETIME_SECS + DEFAULT_LEEWAY_SECS).await? {
        return Err(ApiError::invalid_client("this client_assertion was already used"));
    }
    Ok(())
}

/// The client a device or CIBA request names: `client_id`, else the default client of
/// `tenant_domain` (AuthSec's device route accepts either).
pub async fn named_client<P: Platform>(ctx: &Ctx<'_, P>, body: &Map<String, Value>) -> Result<Client, ApiError> {
    let store = ctx.platform.store();
    let unknown = || ApiError::oauth("invalid_client", "unknown or inactive client");
    if let Some(client_id) = present_text(body, "client_id") {
        let client = store.client_by_client_id(ClientId::new(client_id)).await?;
        return client.filter(Client::is_usable).ok_or_else(unknown);
    }
    let domain =
        present_text(body, "tenant_domain").ok_or_else(|| ApiError::bad_field("client_id", "client_id is required"))?;
    let tenant = store.tenant_by_domain(&domain.to_lowercase()).await?.ok_or_else(unknown)?;
    let (client_id, _) = store.tenant_defaults(TenantId::new(&tenant.id)).await?.ok_or_else(unknown)?;
    let client = store.client_by_client_id(ClientId::new(&client_id)).await?;
    client.filter(Client::is_usable).ok_or_else(unknown)
}

/// The client must be registered for `grant` (its `grant_types`), or `unauthorized_client`
/// (RFC 6749 §5.2): every grant checks it, and only an admin sets `grant_types`.
pub fn require_grant(client: &Client, grant: &str) -> Result<(), ApiError> {
    if client.has_grant(grant) {
        return Ok(());
    }
    Err(ApiError::oauth(
        "unauthorized_client",
        format!("this client is not registered for the grant {grant}; an admin can add it to the client's grant_types"),
    ))
}
