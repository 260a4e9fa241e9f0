//! Starting sessions and minting their tokens: the one place an access token for a user
//! is built, so every login path issues the same claims.

use super::{Ctx, Platform};
use crate::accounts::sessions::{format_refresh_token, Session};
use crate::b64;
use crate::error::ApiError;
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, User, UserKind};
use crate::store::state::SessionStore;
use crate::tokens::claims::{AccessClaims, Audience, TokenType, DEFAULT_AUDIENCE};
use crate::tokens::issue::sign_access_token;

/// What a login returns.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub session_id: String,
}

/// `len` bytes from the platform's CSPRNG.
pub fn random_bytes<P: Platform>(ctx: &Ctx<'_, P>, len: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len + 16);
    while bytes.len() < len {
        bytes.extend_from_slice(&ctx.platform.random_id());
    }
    bytes.truncate(len);
    bytes
}

/// 32 random bytes, base64url: the secret part of every token this service hands out.
pub fn random_token<P: Platform>(ctx: &Ctx<'_, P>) -> String {
    b64::encode(&random_bytes(ctx, 32))
}

/// The stored form of a refresh token: keyed hash bound to its tenant.
pub fn refresh_hash<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, secret: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["refresh", tenant_id, secret]))
}

/// What a delegated grant (device code, CIBA) puts in the token instead of the user's
/// defaults: the client that asked, the scopes the user approved, and the token type.
/// Kept with the session, so refreshed tokens stay as narrow as the first.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Delegation {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub token_type: TokenType,
}

pub async fn start_session<P: Platform>(ctx: &Ctx<'_, P>, user: &User, user_agent: &str) -> Result<Issued, ApiError> {
    start_delegated_session(ctx, user, user_agent, None).await
}

pub async fn start_delegated_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    user_agent: &str,
    delegation: Option<&Delegation>,
) -> Result<Issued, ApiError> {
    let session_id = uuid_like(ctx);
    let mut session = Session::new(session_id.clone(), user.id.clone(), ctx.now_secs(), user_agent.to_string());
    if let Some(d) = delegation {
        session.delegation = serde_json::to_string(d).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let secret = random_token(ctx);
    let hash = refresh_hash(ctx, &user.tenant_id, &secret)?;
    ctx.platform
        .sessions()
        .create_session(&user.tenant_id, &session, &hash)
        .await
        .map_err(super::unavailable::session_store)?;
    let (access_token, expires_in) = mint_delegated_token(ctx, user, &session_id, delegation).await?;
    Ok(Issued { access_token, refresh_token: format_refresh_token(&user.tenant_id, &secret), expires_in, session_id })
}

/// A fresh access token for `user` in session `session_id`, with roles read now.
pub async fn mint_access_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session_id: &str,
) -> Result<(String, i64), ApiError> {
    mint_delegated_token(ctx, user, session_id, None).await
}

pub async fn mint_delegated_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session_id: &str,
    delegation: Option<&Delegation>,
) -> Result<(String, i64), ApiError> {
    let config = ctx.config()?;
    let store = ctx.platform.store();
    let now = ctx.now_secs();
    let unavailable = |e: crate::store::StoreError| ApiError::Unavailable(format!("account store: {e}"));
    let roles = store.tenant_roles(&user.tenant_id, &user.id, now).await.map_err(unavailable)?;
    let (client_id, project_id) =
        store.tenant_defaults(&user.tenant_id).await.map_err(unavailable)?.unwrap_or_default();
    let mut claims = AccessClaims {
        iss: config.issuer.clone(),
        sub: user.id.clone(),
        user_id: user.id.clone(),
        tenant_id: user.tenant_id.clone(),
        project_id,
        client_id,
        email_id: user.email.clone(),
        token_type: match user.kind {
            UserKind::Admin => TokenType::Admin,
            UserKind::Enduser => TokenType::Enduser,
        },
        aud: Audience::One(DEFAULT_AUDIENCE.into()),
        scope: Vec::new(),
        roles,
        groups: Vec::new(),
        iat: now,
        nbf: now,
        exp: now + config.access_token_ttl_secs,
        jti: b64::encode(&ctx.platform.random_id()),
        sid: session_id.to_string(),
    };
    if let Some(d) = delegation {
        claims.client_id = d.client_id.clone();
        claims.scope = d.scopes.clone();
        claims.token_type = d.token_type;
    }
    let token = sign_access_token(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing failed: {}", e.0)))?;
    Ok((token, config.access_token_ttl_secs))
}

/// A random RFC 4122 version-4 UUID string.
pub fn uuid_like<P: Platform>(ctx: &Ctx<'_, P>) -> String {
    let mut b = ctx.platform.random_id();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
