//! Dynamic client registration (RFC 7591) and its management protocol (RFC 7592).
//!
//! Registration is closed by default. It opens with an initial access token that a
//! tenant admin mints (single use, 24 hours, bound to the tenant), or, for anyone, in a
//! tenant whose admin turned on open registration (`?tenant_id=`, rate limited per IP).
//! A registered client may use the code flow, refresh tokens and client credentials;
//! the device and CIBA grants, token exchange and introspection stay admin decisions.
//!
//! The response carries a registration access token (stored as a keyed hash) that reads,
//! replaces and deletes the registration at `registration_client_uri`; it never reaches
//! a client an admin created.

use super::registration_metadata::{apply_metadata, registration_json};
use crate::api::auth::{client_ip, rate_limit};
use crate::api::body::json_object;
use crate::api::issue::{random_token, uuid_like};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{ClientId, TenantId};
use crate::secret::{constant_time_eq, keyed_hash};
use crate::store::accounts::{client_secret_hash, AccountStore, Client};
use crate::store::clients::ClientStore;
use crate::store::provider::ProviderStore;
use crate::store::state::ChallengeStore;
use serde_json::json;

/// How long an initial access token may wait for its registration.
pub const INITIAL_TOKEN_TTL_SECS: i64 = 86_400;
/// Open registrations per client IP per hour.
const OPEN_PER_HOUR: u32 = 10;

fn initial_key<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-initial-access", token]))
}

fn registration_hash<P: Platform>(ctx: &Ctx<'_, P>, client_id: &str, token: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-registration", client_id, token]))
}

/// Mints an initial access token for `tenant_id` (the caller checked it is the admin's).
pub async fn mint_initial_token<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str) -> Result<String, ApiError> {
    let token = random_token(ctx)?;
    let expires_at = ctx.now_secs() + INITIAL_TOKEN_TTL_SECS;
    let payload = json!({"tenant_id": tenant_id});
    ctx.platform.challenges().put_ticket(&initial_key(ctx, &token)?, &payload, expires_at).await?;
    Ok(token)
}

fn invalid_token(why: &str) -> ApiError {
    ApiError::InvalidToken(why.to_string())
}

/// The tenant a registration goes to: the initial access token's (spent now), or an
/// open tenant named by `tenant_id`.
async fn registering_tenant<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<String, ApiError> {
    if let Some(token) = req.bearer_token() {
        let ticket = ctx.platform.challenges().take_ticket(&initial_key(ctx, token)?, ctx.now_secs()).await?;
        return ticket
            .and_then(|t| t["tenant_id"].as_str().map(str::to_string))
            .ok_or_else(|| invalid_token("the initial access token is invalid, used or expired"));
    }
    let tenant_id = req.query_param("tenant_id").filter(|t| !t.is_empty() && t.len() <= 64);
    let closed = || ApiError::Forbidden("registration needs an initial access token from a tenant admin".into());
    let tenant_id = tenant_id.ok_or_else(closed)?;
    if !ctx.platform.store().open_registration(TenantId::new(&tenant_id)).await? {
        return Err(closed());
    }
    rate_limit(ctx, &format!("oauth-register:ip:{}", client_ip(req)), OPEN_PER_HOUR, 3600).await?;
    Ok(tenant_id)
}

/// `POST /authsec/oauth/register` (RFC 7591 §3).
pub async fn register<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let tenant_id = registering_tenant(ctx, req).await?;
    let store = ctx.platform.store();
    let project_id = store.tenant_defaults(TenantId::new(&tenant_id)).await?.map(|(_, p)| p).unwrap_or_default();
    let now = ctx.now_secs();
    let client_id = uuid_like(ctx)?;
    let mut client = Client::new(uuid_like(ctx)?, client_id.clone(), tenant_id, project_id, now);
    let needs_secret = apply_metadata(&mut client, &body)?;
    let secret = match needs_secret {
        true => Some(random_token(ctx)?),
        false => None,
    };
    if let Some(secret) = &secret {
        client.secret_hash = Some(client_secret_hash(ctx.config()?.pepper.expose(), &client_id, secret));
    }
    let access = random_token(ctx)?;
    client.registration_token_hash = Some(registration_hash(ctx, &client_id, &access)?);
    store.create_client(&client).await?;
    let mut answer = registration_json(ctx, &client)?;
    answer["registration_access_token"] = json!(access);
    if let Some(secret) = secret {
        answer["client_secret"] = json!(secret);
        answer["client_secret_expires_at"] = json!(0);
    }
    Ok(HttpResponse::json(201, &answer))
}

/// The registration the bearer's registration access token manages (RFC 7592 §3).
async fn managed<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, client_id: &str) -> Result<Client, ApiError> {
    let token = req.bearer_token().ok_or(ApiError::MissingToken)?;
    let client = ctx.platform.store().client_by_client_id(ClientId::new(client_id)).await?;
    let denied = || invalid_token("the registration access token is invalid for this client");
    let client = client.filter(|c| c.deleted_at.is_none()).ok_or_else(denied)?;
    let stored = client.registration_token_hash.as_deref().ok_or_else(denied)?;
    let presented = registration_hash(ctx, client_id, token)?;
    if !constant_time_eq(presented.as_bytes(), stored.as_bytes()) {
        return Err(denied());
    }
    Ok(client)
}

/// `GET /authsec/oauth/register/:client_id` (RFC 7592 §2.1).
pub async fn read<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, client_id: &str) -> Result<HttpResponse, ApiError> {
    let client = managed(ctx, req, client_id).await?;
    Ok(HttpResponse::json(200, &registration_json(ctx, &client)?))
}

/// `PUT /authsec/oauth/register/:client_id` (RFC 7592 §2.2): the metadata is replaced
/// by the body's; the secret and the registration access token stay.
pub async fn update<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    client_id: &str,
) -> Result<HttpResponse, ApiError> {
    let mut client = managed(ctx, req, client_id).await?;
    let body = json_object(req)?;
    if body.get("client_id").and_then(|v| v.as_str()) != Some(client_id) {
        return Err(ApiError::oauth("invalid_client_metadata", "the body must repeat the client_id"));
    }
    let had_secret = client.secret_hash.is_some();
    if apply_metadata(&mut client, &body)? != had_secret {
        return Err(ApiError::oauth(
            "invalid_client_metadata",
            "token_endpoint_auth_method cannot switch between secret and no secret; register anew",
        ));
    }
    client.updated_at = ctx.now_secs();
    if !ctx.platform.store().update_client(&client).await? {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &registration_json(ctx, &client)?))
}

/// `DELETE /authsec/oauth/register/:client_id` (RFC 7592 §2.3).
pub async fn delete<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    client_id: &str,
) -> Result<HttpResponse, ApiError> {
    let client = managed(ctx, req, client_id).await?;
    ctx.platform.store().delete_client(TenantId::new(&client.tenant_id), &client.id).await?;
    Ok(HttpResponse { status: 204, headers: Vec::new(), body: Vec::new() })
}
