//! Hydra's login and consent hooks over this provider's interactions: a challenge is an
//! interaction handle (`tx`). The browser routes only lead to the interaction's own page;
//! the lookups are read-only and for an admin of the interaction's tenant (module docs).

use super::shared::{hydra_client, rfc3339};
use crate::api::auth::authenticate_admin;
use crate::api::oauth::{Interaction, InteractionState};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{percent_encode, HttpRequest, HttpResponse};
use crate::ids::ClientId;
use crate::store::accounts::{AccountStore, Client};
use crate::store::TenantStore;
use serde_json::json;

/// Longest handle the provider issues (`Interaction::resume` allows no more).
const MAX_CHALLENGE_LEN: usize = 64;

/// The challenge a query carries in `param`.
fn challenge(req: &HttpRequest, param: &str) -> Result<String, ApiError> {
    let value = req.query_param(param).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let value = value.ok_or_else(|| ApiError::bad_field(param, format!("{param} is required")))?;
    if value.len() > MAX_CHALLENGE_LEN || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_field(param, format!("{param} is not a challenge this provider issued")));
    }
    Ok(value)
}

/// `GET hmgr/login?login_challenge=` and `GET hmgr/consent?consent_challenge=` (public:
/// a browser's navigation): on to the interaction's page, which checks that this browser
/// began it, and asks for the sign-in or the consent there. Nothing is accepted here.
pub fn to_interaction(req: &HttpRequest, param: &str) -> Result<HttpResponse, ApiError> {
    let handle = challenge(req, param)?;
    Ok(HttpResponse::see_other(&format!("/authsec/oauth/authorize/continue?tx={}", percent_encode(&handle))))
}

/// The live interaction `login_challenge` names and its client, for an admin of its
/// tenant. Unknown, finished, expired and other tenants' challenges are all 404.
async fn admins_interaction<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
) -> Result<(String, InteractionState, Client), ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let handle = challenge(req, "login_challenge")?;
    let state = Interaction::peek(ctx, &handle).await?;
    let state = state.filter(|s| s.tenant_id == caller.tenant_id).ok_or(ApiError::NotFound)?;
    let client = ctx.platform.store().client_by_client_id(ClientId::new(&state.request.client_id)).await?;
    let client = client.filter(|c| c.tenant_id == state.tenant_id).ok_or(ApiError::NotFound)?;
    Ok((handle, state, client))
}

/// `GET hmgr/challenge?login_challenge=` (JA): the client asking, as Hydra describes a
/// login request's client; `scope` is what this sign-in requests.
pub async fn client_of<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, state, client) = admins_interaction(ctx, req).await?;
    let mut body = hydra_client(&client);
    body["scope"] = json!(state.request.scopes.join(" "));
    Ok(HttpResponse::json(200, &body))
}

/// `GET hmgr/login/page-data?login_challenge=` (JA): what a login page shows. Sign-in
/// here is the Worker's own (password, passkey, TOTP), so `providers` (upstream's
/// federated identity providers) is empty and `local_login_enabled` true.
pub async fn page_data<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (handle, state, client) = admins_interaction(ctx, req).await?;
    let tenant = ctx.platform.store().tenant_by_id(&state.tenant_id).await?.ok_or(ApiError::NotFound)?;
    let issuer = ctx.config()?.issuer.clone();
    Ok(HttpResponse::json(
        200,
        &json!({
            "success": true, "login_challenge": handle, "client_id": client.client_id,
            "client_name": client.name, "tenant_id": tenant.id, "tenant_name": tenant.name,
            "requested_scope": state.request.scopes, "login_hint": state.request.login_hint,
            "providers": [], "local_login_enabled": true, "base_url": issuer,
            "sign_in_url": format!("{issuer}/authsec/oauth/authorize/continue?tx={}", percent_encode(&handle)),
            "expires_at": rfc3339(state.expires_at),
        }),
    ))
}
