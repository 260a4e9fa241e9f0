//! Token introspection (RFC 7662) and revocation (RFC 7009), both client-authenticated.
//!
//! Introspection answers from the authoritative session state (the strict tier): a
//! logout, a revocation or a disabled user shows at once. A client sees only its own
//! tokens, unless an admin let it introspect every token of its tenant (the client's
//! `introspection` setting); any other token is simply `{"active": false}`.

use super::token_exchange::EXCHANGED_GRANT_NAME;
use crate::accounts::sessions::parse_refresh_token;
use crate::api::auth::verify_token;
use crate::api::body::{form_or_json, required_string};
use crate::api::grants::client_auth::authenticate_client;
use crate::api::revocation;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{SessionId, TenantId, UserId};
use crate::oauth::scopes;
use crate::store::accounts::{AccountStore, Client, User};
use crate::tokens::claims::AccessClaims;
use crate::tokens::verify::verify_signature;
use serde_json::json;

fn inactive() -> HttpResponse {
    HttpResponse::json(200, &json!({"active": false}))
}

fn may_see(client: &Client, claims: &AccessClaims) -> bool {
    claims.tenant_id == client.tenant_id && (claims.client_id == client.client_id || client.introspect_any == 1)
}

/// `POST /authsec/oauth/introspect` `token[, token_type_hint]`.
pub async fn introspect<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let client = authenticate_client(ctx, req, &body).await?;
    let token = required_string(&body, "token").map_err(|_| ApiError::oauth("invalid_request", "token is required"))?;
    // A refresh token is not introspected: reading it would rotate it (documented).
    if parse_refresh_token(token).is_some() {
        return Ok(inactive());
    }
    let Ok(verified) = verify_token(ctx, token).await else {
        return Ok(inactive());
    };
    let claims = verified.claims();
    if !may_see(&client, claims) {
        return Ok(inactive());
    }
    let user = ctx.platform.store().user_by_id(TenantId::new(&claims.tenant_id), UserId::new(&claims.user_id)).await?;
    // Tokens of a user are inactive once the user is disabled or gone; a client's own
    // tokens (no user) have no such owner to check.
    if !claims.sid.is_empty() && !user.as_ref().is_some_and(User::is_active) {
        return Ok(inactive());
    }
    Ok(HttpResponse::json(
        200,
        &json!({
            "active": true,
            "scope": scopes::join(&claims.scope),
            "client_id": claims.client_id,
            "username": user.map(|u| u.email),
            "token_type": if claims.cnf.is_some() { "DPoP" } else { "Bearer" },
            "cnf": claims.cnf,
            "exp": claims.exp,
            "iat": claims.iat,
            "nbf": claims.nbf,
            "sub": claims.sub,
            "aud": claims.aud,
            "iss": claims.iss,
            "jti": claims.jti,
            "sid": claims.sid,
            "tenant_id": claims.tenant_id,
            "roles": claims.roles,
            "grant": claims.grant,
        }),
    ))
}

/// `POST /authsec/oauth/revoke` `token[, token_type_hint]`: 200 whatever the token was
/// (RFC 7009 §2.2). An access token ends the session the client obtained, and with it
/// the refresh family; a refresh token ends its session too (rotated away first, so it
/// cannot be used while the revocation runs). Tokens without a session of the client's
/// own (client_credentials, token exchange) expire on their own (15 minutes at most).
pub async fn revoke<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let client = authenticate_client(ctx, req, &body).await?;
    let token = required_string(&body, "token").map_err(|_| ApiError::oauth("invalid_request", "token is required"))?;
    if parse_refresh_token(token).is_some() {
        // Rotation proves the token and names its session; the client check follows.
        if let Ok(refreshed) = crate::api::accounts::rotate_refresh_token(ctx, token, Some(&client)).await {
            let s = &refreshed.session;
            let (tenant, user) = (TenantId::new(&refreshed.user.tenant_id), UserId::new(&s.user_id));
            revocation::revoke_session(ctx, tenant, user, SessionId::new(&s.id), "revoked_by_client").await?;
        }
        return Ok(HttpResponse::json(200, &json!({})));
    }
    let config = ctx.config()?;
    // Expired access tokens may still be revoked: only the signature is checked.
    if let Ok((_, payload)) = verify_signature(token, &config.keys, ctx.platform.crypto()).await {
        if let Ok(claims) = serde_json::from_slice::<AccessClaims>(&payload) {
            // An exchanged token rides on its subject's session, which is not the client's to
            // end; it (like a sessionless client token) lives out its short lifetime.
            let own_session = !claims.sid.is_empty() && claims.grant != EXCHANGED_GRANT_NAME;
            if claims.iss == config.issuer && may_see(&client, &claims) && own_session {
                let (tenant, user) = (TenantId::new(&claims.tenant_id), UserId::new(&claims.user_id));
                revocation::revoke_session(ctx, tenant, user, SessionId::new(&claims.sid), "revoked_by_client").await?;
            }
        }
    }
    Ok(HttpResponse::json(200, &json!({})))
}
