//! Token exchange (RFC 8693): a client trades an access token it holds (the subject) for
//! a narrower one for itself, optionally naming who acts (an actor token, giving `act`).
//!
//! The exchange only narrows: the scopes must be a subset of the subject's (when the
//! subject is scoped), the roles follow the scopes, the lifetime never outlasts the
//! subject's, and the new token stays bound to the subject's session (`sid`), so ending
//! that session ends it too. Both tokens are verified strictly and must belong to the
//! client's tenant. The result is delegated (`grant: token_exchange`).

use super::dpop_binding::token_type;
use crate::api::auth::verify_token;
use crate::api::body::present_text;
use crate::api::grants::client_auth::require_grant;
use crate::api::issue::random_token;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::oauth::scopes;
use crate::store::accounts::Client;
use crate::tokens::claims::{AccessClaims, Actor, Audience, Confirmation};
use crate::tokens::issue::sign_access_token;
use serde_json::{json, Map, Value};

/// RFC 8693 §2.1.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 §3: the token types accepted and issued.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The `grant` claim of an exchanged token.
pub const EXCHANGED_GRANT_NAME: &str = "token_exchange";
/// The longest `audience` accepted.
const MAX_AUDIENCE_LEN: usize = 256;

fn invalid_request(why: &str) -> ApiError {
    ApiError::oauth("invalid_request", why.to_string())
}

/// A verified token of `client`'s tenant, named by `field` and typed by `type_field`.
async fn presented<P: Platform>(
    ctx: &Ctx<'_, P>,
    client: &Client,
    body: &Map<String, Value>,
    field: &str,
    type_field: &str,
) -> Result<Option<AccessClaims>, ApiError> {
    let Some(token) = present_text(body, field) else {
        return Ok(None);
    };
    match present_text(body, type_field) {
        Some(ACCESS_TOKEN_TYPE | JWT_TOKEN_TYPE) => {}
        _ => return Err(invalid_request(&format!("{type_field} must be an access token type (RFC 8693 §3)"))),
    }
    let verified = verify_token(ctx, token)
        .await
        .map_err(|_| ApiError::InvalidGrant(format!("{field} is invalid, expired or revoked")))?;
    let claims = verified.claims().clone();
    if claims.tenant_id != client.tenant_id {
        return Err(ApiError::InvalidGrant(format!("{field} belongs to another tenant")));
    }
    Ok(Some(claims))
}

pub async fn exchange<P: Platform>(
    ctx: &Ctx<'_, P>,
    client: &Client,
    body: &Map<String, Value>,
    jkt: Option<&str>,
) -> Result<Value, ApiError> {
    require_grant(client, TOKEN_EXCHANGE_GRANT)?;
    if present_text(body, "requested_token_type").is_some_and(|t| t != ACCESS_TOKEN_TYPE) {
        return Err(invalid_request("only access tokens are issued"));
    }
    let subject = presented(ctx, client, body, "subject_token", "subject_token_type")
        .await?
        .ok_or_else(|| invalid_request("subject_token is required"))?;
    let actor = presented(ctx, client, body, "actor_token", "actor_token_type").await?;
    let granted = match present_text(body, "scope") {
        Some(text) => {
            let asked = scopes::parse(text).ok_or_else(|| ApiError::oauth("invalid_scope", "scope is malformed"))?;
            if subject.is_delegated() && !scopes::covers(&subject.scope, &asked) {
                return Err(ApiError::oauth("invalid_scope", "an exchange can only narrow the subject's scopes"));
            }
            asked
        }
        None => subject.scope.clone(),
    };
    let audience = match present_text(body, "audience") {
        Some(aud) if aud.len() <= MAX_AUDIENCE_LEN && !aud.contains(char::is_whitespace) => {
            Audience::One(aud.to_string())
        }
        Some(_) => return Err(ApiError::oauth("invalid_target", "audience is malformed")),
        None => subject.aud.clone(),
    };
    let config = ctx.config()?;
    let now = ctx.now_secs();
    let named: Vec<&str> = crate::authz::delegation::scoped_roles(&granted).collect();
    let roles = subject.roles.iter().filter(|r| named.contains(&r.as_str())).cloned().collect();
    let act = match actor {
        Some(a) => Some(Actor { sub: a.sub, client_id: a.client_id, act: subject.act.clone().map(Box::new) }),
        None => subject.act.clone(),
    };
    let claims = AccessClaims {
        client_id: client.client_id.clone(),
        aud: audience,
        scope: granted.clone(),
        roles,
        iat: now,
        nbf: now,
        exp: subject.exp.min(now + config.access_token_ttl_secs),
        jti: random_token(ctx)?,
        grant: EXCHANGED_GRANT_NAME.into(),
        act,
        // Bound to the exchanging client's key, if it sent a proof; never the subject's.
        cnf: jkt.map(|jkt| Confirmation { jkt: jkt.to_string() }),
        ..subject
    };
    let token = sign_access_token(&claims, &config.keys, ctx.platform.crypto())
        .await
        .map_err(|e| ApiError::Internal(format!("signing failed: {}", e.0)))?;
    Ok(json!({"access_token": token, "issued_token_type": ACCESS_TOKEN_TYPE, "token_type": token_type(jkt),
              "expires_in": (claims.exp - now).max(0), "scope": scopes::join(&granted)}))
}
