//! `GET|POST /authsec/oauth/logout`: OpenID Connect RP-Initiated Logout 1.0.
//!
//! With an `id_token_hint` (one of our id_tokens, expired or not) the session it names
//! ends, and so does the browser's sign-in here (the `authsec_sso` cookie's session).
//! The browser goes back only to a `post_logout_redirect_uri` the client registered,
//! compared exactly, with `state`; anything else shows the signed-out page, so the
//! endpoint is never an open redirector.

use super::authorize::{front_channel_params, page_locale, registered_uris};
use super::interaction::{cookie, set_cookie, SsoCookie, SSO_COOKIE};
use super::pages::{self, Look};
use crate::api::revocation;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{form_encode, HttpRequest, HttpResponse};
use crate::ids::{ClientId, SessionId, TenantId, UserId};
use crate::oauth::id_token::IdTokenClaims;
use crate::store::accounts::AccountStore;
use crate::tokens::verify::verify_signature;

pub async fn logout<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(params) = front_channel_params(req) else {
        return Ok(pages::error(
            Look::plain(page_locale(req, None)),
            400,
            "invalid_request",
            "the request parameters are not valid encoding",
        ));
    };
    // RP-Initiated Logout 1.0 §2 lets the client name `ui_locales` too.
    let look = Look::plain(page_locale(req, Some(&params)));
    let hint = match params.get("id_token_hint") {
        Some(token) => match hinted(ctx, token).await? {
            Some(claims) => Some(claims),
            None => {
                return Ok(pages::error(
                    look,
                    400,
                    "invalid_request",
                    "id_token_hint is not an id_token of this provider",
                ))
            }
        },
        None => None,
    };
    let client_id = match (params.get("client_id"), &hint) {
        (Some(named), Some(h)) if named != h.aud => {
            return Ok(pages::error(look, 400, "invalid_request", "client_id does not match the id_token_hint"))
        }
        (Some(named), _) => Some(named.to_string()),
        (None, Some(h)) => Some(h.aud.clone()),
        (None, None) => None,
    };
    let back = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => ctx.platform.store().client_by_client_id(ClientId::new(id)).await?,
                None => None,
            };
            let registered = client.map(|c| registered_uris(&c.post_logout_redirect_uris)).unwrap_or_default();
            if !registered.iter().any(|r| r == uri) {
                return Ok(pages::error(
                    look,
                    400,
                    "invalid_request",
                    "post_logout_redirect_uri is not registered for this client (or no client was named)",
                ));
            }
            Some(uri.to_string())
        }
    };
    if let Some(h) = &hint {
        let (tenant, user) = (TenantId::new(&h.tenant_id), UserId::new(&h.sub));
        revocation::revoke_session(ctx, tenant, user, SessionId::new(&h.sid), "rp_logout").await?;
    }
    if let Some(sso) = cookie(req, SSO_COOKIE).and_then(|v| SsoCookie::decode(ctx, v)) {
        let (tenant, user) = (TenantId::new(&sso.tenant_id), UserId::new(&sso.user_id));
        revocation::revoke_session(ctx, tenant, user, SessionId::new(&sso.session_id), "rp_logout").await?;
    }
    let response = match back {
        Some(uri) => {
            let state: Vec<(&str, &str)> = params.get("state").map(|s| vec![("state", s)]).unwrap_or_default();
            let separator = if uri.contains('?') { '&' } else { '?' };
            let location = if state.is_empty() { uri } else { format!("{uri}{separator}{}", form_encode(&state)) };
            HttpResponse::see_other(&location)
        }
        None => pages::signed_out(look.locale),
    };
    Ok(response.with_header("set-cookie", &set_cookie(ctx, SSO_COOKIE, "", Some(0))?))
}

/// The claims of an id_token this provider signed (its lifetime is not checked: a hint
/// may have expired).
async fn hinted<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<Option<IdTokenClaims>, ApiError> {
    let config = ctx.config()?;
    let Ok((_, payload)) = verify_signature(token, &config.keys, ctx.platform.crypto()).await else {
        return Ok(None);
    };
    let claims: Option<IdTokenClaims> = serde_json::from_slice(&payload).ok();
    Ok(claims.filter(|c| c.iss == config.issuer))
}
