//! Minting the id_token (OpenID Connect Core §2) for a session a client obtained.

use crate::api::issue::Delegation;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::oauth::id_token::{acr, amr, at_hash, IdTokenClaims};
use crate::store::accounts::{Client, User};
use crate::tokens::issue::sign_claims;

/// An id_token for `user` at `client`, for the session `session_id`. The claims the
/// scopes release (`email`, `profile`) ride along, as Core §5.4 allows when no userinfo
/// call is made.
pub async fn mint_id_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    client: &Client,
    delegation: &Delegation,
    session_id: &str,
    nonce: Option<String>,
    access_token: &str,
) -> Result<String, ApiError> {
    let config = ctx.config()?;
    let now = ctx.now_secs();
    let has = |scope: &str| delegation.scopes.iter().any(|s| s == scope);
    let claims = IdTokenClaims {
        iss: config.issuer.clone(),
        sub: user.id.clone(),
        aud: client.client_id.clone(),
        exp: now + config.access_token_ttl_secs,
        iat: now,
        auth_time: delegation.signed_in_at,
        nonce,
        at_hash: Some(at_hash(access_token)),
        sid: session_id.to_string(),
        amr: amr(&delegation.methods),
        acr: acr(&delegation.methods).to_string(),
        azp: client.client_id.clone(),
        email: has("email").then(|| user.email.clone()),
        email_verified: has("email").then_some(user.email_verified != 0),
        name: has("profile").then(|| user.name.clone()),
        tenant_id: user.tenant_id.clone(),
    };
    sign_claims(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing the id_token failed: {}", e.0)))
}
