//! `POST /authsec/oauth/token` (RFC 6749 §3.2): form-encoded (or JSON), client
//! authentication by `client_secret_basic`, `client_secret_post` or none for public
//! clients, and the grants: `authorization_code` (with PKCE), `refresh_token` (rotation,
//! reuse detection), `client_credentials`, token exchange (RFC 8693), and the device and
//! CIBA grants (`grants`).

use super::client_credentials;
use super::code::{self, CodeGrant, Redemption, SpentCode};
use super::dpop_binding::{binding, token_type};
use super::id_token::mint_id_token;
use super::token_exchange::{self, TOKEN_EXCHANGE_GRANT};
use crate::api::accounts::rotate_refresh_token;
use crate::api::body::{form_or_json, present_text, required_string};
use crate::api::dpop;
use crate::api::grants::client_auth::{authenticate_client, require_grant};
use crate::api::grants::delegated_grant;
use crate::api::issue::{start_delegated_session_as, uuid_like, Delegation, CODE_GRANT_NAME};
use crate::api::revocation;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{SessionId, TenantId, UserId};
use crate::oauth::scopes::{self, OPENID};
use crate::oauth::{pkce, AUTHORIZATION_CODE_GRANT, CLIENT_CREDENTIALS_GRANT, REFRESH_TOKEN_GRANT};
use crate::store::accounts::{AccountStore, Client, User, UserKind};
use crate::tokens::claims::TokenType;
use crate::tokens::dpop::VerifiedDpopProof;
use serde_json::{json, Map, Value};

pub async fn token<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let grant = required_string(&body, "grant_type")
        .map_err(|_| ApiError::oauth("invalid_request", "grant_type is required"))?;
    if let Some(answer) = delegated_grant(ctx, req, &body, grant).await {
        return answer;
    }
    // A DPoP proof (RFC 9449 §5) binds what the grant issues to the client's key.
    let proof = dpop::token_request_proof(ctx, req).await?;
    let proof = proof.as_ref();
    let answer = match grant {
        AUTHORIZATION_CODE_GRANT => exchange_code(ctx, req, &body, proof).await,
        REFRESH_TOKEN_GRANT => refresh(ctx, req, &body, proof).await,
        CLIENT_CREDENTIALS_GRANT => {
            let client = authenticate_client(ctx, req, &body).await?;
            let jkt = binding(&client, proof)?;
            Ok(no_store(client_credentials::grant(ctx, &client, &body, jkt).await?))
        }
        TOKEN_EXCHANGE_GRANT => {
            let client = authenticate_client(ctx, req, &body).await?;
            let jkt = binding(&client, proof)?;
            Ok(no_store(token_exchange::exchange(ctx, &client, &body, jkt).await?))
        }
        _ => Err(ApiError::oauth(
            "unsupported_grant_type",
            "this deployment serves authorization_code, refresh_token, client_credentials, token exchange, \
             the device code and CIBA grants",
        )),
    };
    // Each answer carries the nonce the next proof should use (§8).
    Ok(answer?.with_header("dpop-nonce", &dpop::current_nonce(ctx)?))
}

fn invalid_grant(why: &str) -> ApiError {
    ApiError::InvalidGrant(why.to_string())
}

/// RFC 6749 §4.1.3 with RFC 7636 §4.5.
async fn exchange_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    proof: Option<&VerifiedDpopProof>,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate_client(ctx, req, body).await?;
    require_grant(&client, AUTHORIZATION_CODE_GRANT)?;
    let jkt = binding(&client, proof)?;
    let code = required_string(body, "code").map_err(|_| ApiError::oauth("invalid_request", "code is required"))?;
    let verifier = present_text(body, "code_verifier")
        .ok_or_else(|| ApiError::oauth("invalid_request", "code_verifier is required (PKCE)"))?;
    let grant = match code::redeem(ctx, code).await? {
        Redemption::Fresh(grant) => grant,
        Redemption::Replayed(spent) => {
            let (tenant, user) = (TenantId::new(&spent.tenant_id), UserId::new(&spent.user_id));
            revocation::revoke_session(ctx, tenant, user, SessionId::new(&spent.session_id), "code_replayed").await?;
            return Err(invalid_grant("this code was already used; the tokens issued from it are revoked"));
        }
        Redemption::Unknown => return Err(invalid_grant("the code is invalid or expired")),
    };
    // The code is spent from here on, whatever follows: a code is worth one try.
    if grant.client_id != client.client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if present_text(body, "redirect_uri").is_some_and(|uri| uri != grant.redirect_uri) {
        return Err(invalid_grant("redirect_uri differs from the authorization request's"));
    }
    pkce::verify(verifier, &grant.code_challenge).map_err(|e| invalid_grant(e.description()))?;
    let user = ctx.platform.store().user_by_id(TenantId::new(&grant.tenant_id), UserId::new(&grant.user_id)).await?;
    let user = user.filter(User::is_active).ok_or_else(|| invalid_grant("the account is disabled"))?;
    let delegation = delegation_of(&client, &user, &grant, jkt);
    let session_id = uuid_like(ctx)?;
    let spent = SpentCode {
        tenant_id: grant.tenant_id.clone(),
        user_id: grant.user_id.clone(),
        session_id: session_id.clone(),
    };
    // The session and the replay marker are independent writes: both at once.
    let agent = format!("oauth:{}", client.name);
    let (issued, marked) = futures_util::future::join(
        start_delegated_session_as(ctx, &session_id, &user, &agent, Some(&delegation)),
        code::mark_spent(ctx, code, &spent),
    )
    .await;
    let issued = issued?;
    marked?;
    let id_token = if grant.scopes.iter().any(|s| s == OPENID) {
        Some(
            mint_id_token(ctx, &user, &client, &delegation, &session_id, grant.nonce.clone(), &issued.access_token)
                .await?,
        )
    } else {
        None
    };
    Ok(token_response(&issued.access_token, issued.expires_in, &issued.refresh_token, &grant.scopes, id_token, jkt))
}

/// What the session opened by a code may do: the client, the scopes the user granted,
/// and how the user signed in (for refreshed id_tokens).
fn delegation_of(client: &Client, user: &User, grant: &CodeGrant, jkt: Option<&str>) -> Delegation {
    Delegation {
        client_id: client.client_id.clone(),
        scopes: grant.scopes.clone(),
        token_type: match user.kind {
            UserKind::Admin => TokenType::Admin,
            UserKind::Enduser => TokenType::Enduser,
        },
        grant: CODE_GRANT_NAME.into(),
        signed_in_at: grant.auth_time,
        methods: grant.methods.clone(),
        dpop_jkt: jkt.unwrap_or_default().to_string(),
    }
}

/// RFC 6749 §6: rotation and reuse detection as for first-party refreshes; the session
/// must have been delegated to the authenticated client, and a session bound to a DPoP
/// key refreshes only with a proof by that key (RFC 9449 §5: the refresh token is
/// sender-constrained); a proof by another key ends the session.
async fn refresh<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    proof: Option<&VerifiedDpopProof>,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate_client(ctx, req, body).await?;
    require_grant(&client, REFRESH_TOKEN_GRANT)?;
    let presented = required_string(body, "refresh_token")
        .map_err(|_| ApiError::oauth("invalid_request", "refresh_token is required"))?;
    let refreshed = rotate_refresh_token(ctx, presented, Some(&client)).await?;
    let Some(delegation) = &refreshed.delegation else {
        return Err(invalid_grant("this refresh token was not issued to a client"));
    };
    if !delegation.dpop_jkt.is_empty() && proof.map(VerifiedDpopProof::jkt) != Some(delegation.dpop_jkt.as_str()) {
        let session = &refreshed.session;
        let (tenant, user) = (TenantId::new(&refreshed.user.tenant_id), UserId::new(&session.user_id));
        revocation::revoke_session(ctx, tenant, user, SessionId::new(&session.id), "dpop_key_mismatch").await?;
        return Err(invalid_grant("this refresh token is bound to a DPoP key the request did not prove"));
    }
    let jkt = (!delegation.dpop_jkt.is_empty()).then_some(delegation.dpop_jkt.as_str());
    if let Some(asked) = present_text(body, "scope") {
        let asked = scopes::parse(asked).ok_or_else(|| ApiError::oauth("invalid_scope", "scope is malformed"))?;
        if !scopes::covers(&delegation.scopes, &asked) {
            return Err(ApiError::oauth("invalid_scope", "a refresh cannot widen the granted scopes"));
        }
    }
    let id_token = if delegation.scopes.iter().any(|s| s == OPENID) {
        let session = &refreshed.session.id;
        Some(mint_id_token(ctx, &refreshed.user, &client, delegation, session, None, &refreshed.access_token).await?)
    } else {
        None
    };
    Ok(token_response(
        &refreshed.access_token,
        refreshed.expires_in,
        &refreshed.refresh_token,
        &delegation.scopes,
        id_token,
        jkt,
    ))
}

/// A token response (RFC 6749 §5.1: never cached).
fn no_store(body: Value) -> HttpResponse {
    HttpResponse::json(200, &body).with_header("pragma", "no-cache")
}

/// RFC 6749 §5.1.
fn token_response(
    access_token: &str,
    expires_in: i64,
    refresh_token: &str,
    granted: &[String],
    id_token: Option<String>,
    jkt: Option<&str>,
) -> HttpResponse {
    let mut body = json!({
        "access_token": access_token,
        "token_type": token_type(jkt),
        "expires_in": expires_in,
        "refresh_token": refresh_token,
        "scope": scopes::join(granted),
    });
    if let Some(id_token) = id_token {
        body["id_token"] = json!(id_token);
    }
    HttpResponse::json(200, &body).with_header("pragma", "no-cache")
}
