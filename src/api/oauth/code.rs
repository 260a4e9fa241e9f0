//! Authorization codes (RFC 6749 §4.1.2, RFC 9700 §4.2.1): 32 random bytes, held as a
//! single-use ticket in the ChallengeStore Durable Object under a keyed hash for 60 s,
//! bound to the client, the redirect URI, the PKCE challenge, the nonce and the sign-in.
//!
//! Redeeming takes the ticket, so of two exchanges exactly one finds it. The winner
//! leaves a marker naming the session it opened (10 minutes): a second presentation
//! finds the marker and ends that session, so every token issued from the code stops
//! working (RFC 6749 §4.1.2: "SHOULD revoke … all tokens previously issued").

use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::oauth::id_token::AuthMethod;
use crate::secret::keyed_hash;
use crate::store::state::ChallengeStore;
use serde::{Deserialize, Serialize};

/// How long a spent code is remembered, to recognise a replay.
const SPENT_MARKER_SECS: i64 = 600;

/// What a code stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub tenant_id: String,
    pub user_id: String,
    pub auth_time: i64,
    pub methods: Vec<AuthMethod>,
}

/// The session a redeemed code opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpentCode {
    pub tenant_id: String,
    pub user_id: String,
    pub session_id: String,
}

/// What presenting a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    Fresh(CodeGrant),
    /// Redeemed before: the session it opened.
    Replayed(SpentCode),
    Unknown,
}

fn key<P: Platform>(ctx: &Ctx<'_, P>, purpose: &str, code: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &[purpose, code]))
}

/// Stores a new code for `grant` and returns it.
pub async fn issue<P: Platform>(ctx: &Ctx<'_, P>, grant: &CodeGrant) -> Result<String, ApiError> {
    let code = crate::api::issue::random_token(ctx)?;
    let payload = serde_json::to_value(grant).map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_at = ctx.now_secs() + crate::oauth::CODE_TTL_SECS;
    ctx.platform.challenges().put_ticket(&key(ctx, "oauth-code", &code)?, &payload, expires_at).await?;
    Ok(code)
}

/// Takes the code; if it is gone, looks for the marker of an earlier redemption.
pub async fn redeem<P: Platform>(ctx: &Ctx<'_, P>, code: &str) -> Result<Redemption, ApiError> {
    if code.is_empty() || code.len() > 128 {
        return Ok(Redemption::Unknown);
    }
    let now = ctx.now_secs();
    let challenges = ctx.platform.challenges();
    if let Some(payload) = challenges.take_ticket(&key(ctx, "oauth-code", code)?, now).await? {
        let grant = serde_json::from_value(payload).map_err(|e| ApiError::Internal(format!("stored code: {e}")))?;
        return Ok(Redemption::Fresh(grant));
    }
    let marker = challenges.peek_ticket(&key(ctx, "oauth-code-spent", code)?, now).await?;
    Ok(match marker.and_then(|m| serde_json::from_value(m).ok()) {
        Some(spent) => Redemption::Replayed(spent),
        None => Redemption::Unknown,
    })
}

/// Records which session `code` opened.
pub async fn mark_spent<P: Platform>(ctx: &Ctx<'_, P>, code: &str, spent: &SpentCode) -> Result<(), ApiError> {
    let payload = serde_json::to_value(spent).map_err(|e| ApiError::Internal(e.to_string()))?;
    let expires_at = ctx.now_secs() + SPENT_MARKER_SECS;
    Ok(ctx.platform.challenges().put_ticket(&key(ctx, "oauth-code-spent", code)?, &payload, expires_at).await?)
}
