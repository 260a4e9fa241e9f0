//! Which client is calling an OAuth-style endpoint (RFC 6749 §2.3): `client_id` in the
//! body or HTTP Basic; a confidential client (one with a secret) must prove it with
//! `client_secret` (body or Basic), a public client names itself only.

use crate::api::body::present_text;
use crate::api::clients::metadata::{effective_auth_method, PRIVATE_KEY_JWT};
use crate::api::{Ctx, Platform};
use crate::b64;
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::ids::{ClientId, TenantId};
use crate::secret::{constant_time_eq, keyed_hash};
use crate::store::accounts::{AccountStore, Client};
use crate::store::TenantStore;
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

/// The authenticated client, or `invalid_client` (401, RFC 6749 §5.2).
pub async fn authenticate_client<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
) -> Result<Client, ApiError> {
    let basic = basic_credentials(req);
    let client_id = basic.as_ref().map(|(id, _)| id.as_str()).or_else(|| present_text(body, "client_id"));
    let invalid = ApiError::invalid_client;
    let client_id = client_id.ok_or_else(|| invalid("client_id is required"))?;
    let client = ctx.platform.store().client_by_client_id(ClientId::new(client_id)).await?;
    let client = client.filter(Client::is_usable).ok_or_else(|| invalid("unknown or inactive client"))?;
    if effective_auth_method(&client) == PRIVATE_KEY_JWT {
        return Err(invalid(
            "this client authenticates with private_key_jwt, which this deployment does not accept yet",
        ));
    }
    if let Some(stored) = &client.secret_hash {
        let secret = basic.as_ref().map(|(_, s)| s.as_str()).or_else(|| present_text(body, "client_secret"));
        let secret = secret.ok_or_else(|| invalid("this client must authenticate with its secret"))?;
        let presented = keyed_hash(ctx.config()?.pepper.expose(), &["client-secret", &client.client_id, secret]);
        if !constant_time_eq(presented.as_bytes(), stored.as_bytes()) {
            return Err(invalid("client authentication failed"));
        }
    }
    Ok(client)
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
