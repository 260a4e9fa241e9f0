//! Starting sessions and minting their tokens: the one place an access token for a user
//! is built, so every login path issues the same claims.

use super::{Ctx, Platform};
use crate::accounts::sessions::{RefreshToken, Session};
use crate::b64;
use crate::error::ApiError;
use crate::ids::{TenantId, UserId};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, User, UserKind};
use crate::store::state::{SessionShard, SessionStore};
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
pub fn random_bytes<P: Platform>(ctx: &Ctx<'_, P>, len: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::with_capacity(len + 16);
    while bytes.len() < len {
        bytes.extend_from_slice(&ctx.random_id()?);
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// 32 random bytes, base64url: the secret part of every token this service hands out.
pub fn random_token<P: Platform>(ctx: &Ctx<'_, P>) -> Result<String, ApiError> {
    Ok(b64::encode(&random_bytes(ctx, 32)?))
}

/// The stored form of a refresh token: keyed hash bound to its tenant.
pub fn refresh_hash<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, secret: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["refresh", tenant_id, secret]))
}

/// What a delegated grant (device code, CIBA) puts in the token instead of the user's
/// defaults: the client that asked, the scopes the user approved, the token type and the
/// grant. Kept with the session, so refreshed tokens stay as narrow as the first.
///
/// Roles: a delegated token carries only the roles its scopes name as `role:<name>`
/// (and the user holds); RBAC checks for it are bounded by its scopes the same way
/// (`authz::delegation`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Delegation {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub token_type: TokenType,
    /// `device_code`, `ciba` or `authorization_code`; sessions stored before the field
    /// existed derive it.
    #[serde(default)]
    pub grant: String,
    /// When and how the user signed in, for the id_token of a refreshed OpenID session
    /// (the session itself begins at the code exchange). Zero and empty for other grants.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub signed_in_at: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<crate::oauth::id_token::AuthMethod>,
    /// The DPoP key (RFC 7638 thumbprint) the session's tokens are bound to, when the
    /// client bound them at the code exchange; its refreshes need a proof by that key.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub dpop_jkt: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The `grant` claim value of the device authorization grant.
pub const DEVICE_GRANT_NAME: &str = "device_code";
/// The `grant` claim value of CIBA.
pub const CIBA_GRANT_NAME: &str = "ciba";
/// The `grant` claim value of the OAuth authorization code grant.
pub const CODE_GRANT_NAME: &str = "authorization_code";

impl Delegation {
    /// The grant this session came from (`device_code` or `ciba`).
    pub fn grant_name(&self) -> &str {
        match (self.grant.as_str(), self.token_type) {
            ("", TokenType::Device) => DEVICE_GRANT_NAME,
            ("", _) => CIBA_GRANT_NAME,
            (grant, _) => grant,
        }
    }

    /// The grant type URI a client registers for this grant (its `grant_types` entry).
    pub fn grant_type_uri(&self) -> &'static str {
        match self.grant_name() {
            DEVICE_GRANT_NAME => super::grants::DEVICE_CODE_GRANT,
            CODE_GRANT_NAME => crate::oauth::AUTHORIZATION_CODE_GRANT,
            _ => super::grants::CIBA_GRANT,
        }
    }

    /// Whether the token's scopes let it carry `role` (`role:<name>`).
    pub fn allows_role(&self, role: &str) -> bool {
        self.scopes.iter().any(|s| s.strip_prefix("role:") == Some(role))
    }
}

pub async fn start_session<P: Platform>(ctx: &Ctx<'_, P>, user: &User, user_agent: &str) -> Result<Issued, ApiError> {
    start_delegated_session(ctx, user, user_agent, None).await
}

/// `start_session` with the token's claim sources already read (a login reads them beside
/// its other lookups, so the session is the only call left to wait for).
pub async fn start_session_with<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    user_agent: &str,
    sources: ClaimSources,
) -> Result<Issued, ApiError> {
    let started = new_session(ctx, &uuid_like(ctx)?, user, user_agent, None)?;
    // The object stores the session while Web Crypto signs its token.
    let (created, signed) = futures_util::future::join(
        started.create(ctx),
        sign_token(ctx, user, SessionClaims::of(&started.session), None, sources),
    )
    .await;
    created?;
    Ok(started.issued(signed?))
}

pub async fn start_delegated_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    user_agent: &str,
    delegation: Option<&Delegation>,
) -> Result<Issued, ApiError> {
    let id = uuid_like(ctx)?;
    start_delegated_session_as(ctx, &id, user, user_agent, delegation).await
}

/// `start_delegated_session` under an id the caller chose beforehand (the code exchange
/// records it beside, so a replayed code can end it).
pub async fn start_delegated_session_as<P: Platform>(
    ctx: &Ctx<'_, P>,
    session_id: &str,
    user: &User,
    user_agent: &str,
    delegation: Option<&Delegation>,
) -> Result<Issued, ApiError> {
    let started = new_session(ctx, session_id, user, user_agent, delegation)?;
    // The session and the token's claims come from different places: ask both at once.
    let (created, minted) =
        futures_util::future::join(started.create(ctx), mint_delegated_token(ctx, user, &started.session, delegation))
            .await;
    created?;
    Ok(started.issued(minted?))
}

/// A session about to be stored, with its refresh token.
struct NewSession<'a> {
    user: &'a User,
    session: Session,
    secret: String,
    hash: String,
}

/// A session at the provider for a browser that signed in on its pages: no token is
/// minted for it; it carries the single sign-on cookie and ends with logout.
pub async fn start_browser_session<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    user_agent: &str,
) -> Result<String, ApiError> {
    let started = new_session(ctx, &uuid_like(ctx)?, user, user_agent, None)?;
    started.create(ctx).await?;
    Ok(started.session.id)
}

fn new_session<'a, P: Platform>(
    ctx: &Ctx<'_, P>,
    id: &str,
    user: &'a User,
    user_agent: &str,
    delegation: Option<&Delegation>,
) -> Result<NewSession<'a>, ApiError> {
    let mut session = Session::new(id.to_string(), user.id.clone(), ctx.now_secs(), user_agent.to_string());
    if let Some(d) = delegation {
        session.delegation = serde_json::to_string(d).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let secret = random_token(ctx)?;
    let hash = refresh_hash(ctx, &user.tenant_id, &secret)?;
    Ok(NewSession { user, session, secret, hash })
}

impl NewSession<'_> {
    async fn create<P: Platform>(&self, ctx: &Ctx<'_, P>) -> Result<(), ApiError> {
        let shard = SessionShard::User(TenantId::new(&self.user.tenant_id), UserId::new(&self.user.id));
        Ok(ctx.platform.sessions().create_session(shard, &self.session, &self.hash).await?)
    }

    fn issued(self, (access_token, expires_in): (String, i64)) -> Issued {
        let refresh =
            RefreshToken { tenant_id: &self.user.tenant_id, user_id: Some(&self.user.id), secret: &self.secret };
        Issued { access_token, refresh_token: refresh.to_string(), expires_in, session_id: self.session.id }
    }
}

/// A fresh access token for `user` in the session of `caller`'s token, with roles read now.
pub async fn mint_access_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    caller: &AccessClaims,
) -> Result<(String, i64), ApiError> {
    let session = SessionClaims { id: &caller.sid, auth_time: caller.auth_time, expires_at: None };
    mint_token(ctx, user, session, None).await
}

pub async fn mint_delegated_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session: &Session,
    delegation: Option<&Delegation>,
) -> Result<(String, i64), ApiError> {
    mint_token(ctx, user, SessionClaims::of(session), delegation).await
}

/// `mint_delegated_token` with the claim sources already read (a refresh reads them
/// beside the user).
pub async fn sign_session_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session: &Session,
    delegation: Option<&Delegation>,
    sources: ClaimSources,
) -> Result<(String, i64), ApiError> {
    sign_token(ctx, user, SessionClaims::of(session), delegation, sources).await
}

/// What a token says of its session.
struct SessionClaims<'a> {
    id: &'a str,
    /// When the session began: checked against the tenant's session epoch.
    auth_time: i64,
    /// The session's absolute end, when known.
    expires_at: Option<i64>,
}

impl<'a> SessionClaims<'a> {
    fn of(session: &'a Session) -> Self {
        SessionClaims { id: &session.id, auth_time: session.created_at, expires_at: Some(session.expires_at) }
    }
}

/// A token for `user` in `session`. It never outlives the session's absolute lifetime
/// (when known): the edge tier learns of revocations, not of expiries, so a token must
/// not say more than the session can.
async fn mint_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session: SessionClaims<'_>,
    delegation: Option<&Delegation>,
) -> Result<(String, i64), ApiError> {
    let sources = read_claim_sources(ctx, TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
    sign_token(ctx, user, session, delegation, sources).await
}

/// What a user's token says that is read from the store: their roles now and the
/// tenant's default client and project.
pub struct ClaimSources {
    roles: Vec<String>,
    client_id: String,
    project_id: String,
}

/// Reads a token's claim sources (two independent reads, waited for together).
pub async fn read_claim_sources<P: Platform>(
    ctx: &Ctx<'_, P>,
    tenant: TenantId<'_>,
    user: UserId<'_>,
) -> Result<ClaimSources, ApiError> {
    let store = ctx.platform.store();
    let (roles, defaults) =
        futures_util::future::join(store.tenant_roles(tenant, user, ctx.now_secs()), store.tenant_defaults(tenant))
            .await;
    let (client_id, project_id) = defaults?.unwrap_or_default();
    Ok(ClaimSources { roles: roles?, client_id, project_id })
}

async fn sign_token<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    session: SessionClaims<'_>,
    delegation: Option<&Delegation>,
    sources: ClaimSources,
) -> Result<(String, i64), ApiError> {
    let config = ctx.config()?;
    let now = ctx.now_secs();
    let ClaimSources { roles, client_id, project_id } = sources;
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
        exp: session
            .expires_at
            .map_or(now + config.access_token_ttl_secs, |end| end.min(now + config.access_token_ttl_secs)),
        jti: b64::encode(&ctx.random_id()?),
        sid: session.id.to_string(),
        auth_time: session.auth_time,
        grant: String::new(),
        act: None,
        cnf: None,
    };
    if let Some(d) = delegation {
        claims.client_id = d.client_id.clone();
        claims.scope = d.scopes.clone();
        claims.token_type = d.token_type;
        claims.grant = d.grant_name().to_string();
        claims.roles.retain(|role| d.allows_role(role));
        if !d.dpop_jkt.is_empty() {
            claims.cnf = Some(crate::tokens::claims::Confirmation { jkt: d.dpop_jkt.clone() });
        }
    }
    let token = sign_access_token(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing failed: {}", e.0)))?;
    Ok((token, (claims.exp - now).max(0)))
}

/// A random RFC 4122 version-4 UUID string.
pub fn uuid_like<P: Platform>(ctx: &Ctx<'_, P>) -> Result<String, ApiError> {
    let mut b = ctx.random_id()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}
