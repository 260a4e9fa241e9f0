//! Pushed authorization requests (RFC 9126): a client posts its authorization request
//! to the back channel, authenticated, and sends the browser to the authorize endpoint
//! with only `client_id` and the `request_uri` it got back. The request then cannot be
//! read or altered in the front channel.
//!
//! The pushed request is validated exactly as a front-channel one, held as a single-use
//! ticket for 90 seconds under a keyed hash of its random reference, and bound to the
//! client that pushed it. A client registered with `require_pushed_authorization_requests`
//! may only start through here (`authorize`).

use super::authorize::registered_uris;
use crate::api::body::form_or_json;
use crate::api::grants::client_auth::authenticate_client;
use crate::api::issue::random_token;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::oauth::authorize::{validate, AuthorizationRequest, Params, Refusal, RegisteredClient};
use crate::oauth::AUTHORIZATION_CODE_GRANT;
use crate::secret::keyed_hash;
use crate::store::accounts::Client;
use crate::store::state::ChallengeStore;
use serde_json::json;

/// RFC 9126 §2.2: the `request_uri` scheme of pushed requests.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// How long a pushed request waits for the browser.
pub const PAR_TTL_SECS: i64 = 90;

fn ticket_key<P: Platform>(ctx: &Ctx<'_, P>, reference: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-par", reference]))
}

/// `POST /authsec/oauth/par`.
pub async fn push<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let client = authenticate_client(ctx, req, &body).await?;
    if body.contains_key("request_uri") {
        return Err(ApiError::oauth("invalid_request", "request_uri cannot be pushed (RFC 9126 §2.1)"));
    }
    // The client authentication fields are not part of the authorization request; a
    // client that authenticated by HTTP Basic may leave client_id out of the body.
    let mut pairs: Vec<(String, String)> = body
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "client_secret" | "client_assertion" | "client_assertion_type"))
        .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_string())))
        .collect();
    if !body.contains_key("client_id") {
        pairs.push(("client_id".into(), client.client_id.clone()));
    }
    let params = Params::from_pairs(pairs);
    if params.get("client_id") != Some(client.client_id.as_str()) {
        return Err(ApiError::oauth("invalid_request", "client_id differs from the authenticated client"));
    }
    let uris = registered_uris(&client.redirect_uris);
    let registered = RegisteredClient {
        client_id: &client.client_id,
        redirect_uris: &uris,
        code_grant: client.has_grant(AUTHORIZATION_CODE_GRANT),
    };
    let request = validate(&params, &registered).map_err(|refusal| match refusal {
        Refusal::Page { error, description } => ApiError::oauth(error, description),
        Refusal::Redirect(e) => ApiError::oauth(e.error, e.description),
    })?;
    let reference = random_token(ctx)?;
    let payload = json!({"client_id": client.client_id, "request": request});
    let expires_at = ctx.now_secs() + PAR_TTL_SECS;
    ctx.platform.challenges().put_ticket(&ticket_key(ctx, &reference)?, &payload, expires_at).await?;
    Ok(HttpResponse::json(
        201,
        &json!({"request_uri": format!("{REQUEST_URI_PREFIX}{reference}"), "expires_in": PAR_TTL_SECS}),
    ))
}

/// The pushed request `request_uri` names, taken (single use); `None` if unknown, used,
/// expired or pushed by another client.
pub async fn take<P: Platform>(
    ctx: &Ctx<'_, P>,
    client: &Client,
    request_uri: &str,
) -> Result<Option<AuthorizationRequest>, ApiError> {
    let Some(reference) = request_uri.strip_prefix(REQUEST_URI_PREFIX).filter(|r| !r.is_empty() && r.len() <= 64)
    else {
        return Ok(None);
    };
    let payload = ctx.platform.challenges().take_ticket(&ticket_key(ctx, reference)?, ctx.now_secs()).await?;
    let Some(payload) = payload else {
        return Ok(None);
    };
    if payload["client_id"].as_str() != Some(client.client_id.as_str()) {
        return Ok(None);
    }
    Ok(serde_json::from_value::<AuthorizationRequest>(payload["request"].clone()).ok())
}
