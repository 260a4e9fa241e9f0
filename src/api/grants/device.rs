//! The device authorization grant (RFC 8628; api.md "Device grant and CIBA"): a device
//! asks for codes, polls for tokens, and a signed-in user approves on the activation
//! page. Device codes are keyed by a keyed hash in the `FlowStore` object; the user code
//! indexes them through a ticket. Status codes: every poll error is 400 with the RFC's
//! `error` (upstream answers `authorization_pending` with 200 and `access_denied` with
//! 403; clients written to the RFC need 400).

use super::client_auth::{authenticate_client, named_client, require_grant};
use super::DEVICE_CODE_GRANT;
use crate::api::auth::{authenticated_user, client_ip, rate_limit};
use crate::api::body::{form_or_json, json_object, required_string, scope_list};
use crate::api::issue::{random_bytes, random_token, start_delegated_session, Delegation, DEVICE_GRANT_NAME};
use crate::api::{factors, Ctx, Platform};
use crate::error::ApiError;
use crate::flows::activation::{describe_scope, network_prefix};
use crate::flows::{user_code, DeviceAuthorization, DeviceEvent, DeviceOutcome, DeviceState};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{ClientId, TenantId, UserId};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, Client, User};
use crate::store::flows::FlowStore;
use crate::store::rbac::RbacStore;
use crate::store::state::ChallengeStore;
use crate::tokens::claims::TokenType;
use serde_json::{json, Value};

/// Device-code requests per client IP per minute.
const CODES_PER_MINUTE: u32 = 30;
/// User-code lookups per client IP, and per tenant, per minute: 20^8 codes make a
/// guess succeed with odds of about 1 in 10^8 per live code even at this rate.
pub const GUESSES_PER_MINUTE: u32 = 20;

fn device_key<P: Platform>(ctx: &Ctx<'_, P>, device_code: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["device-code", device_code]))
}

fn user_code_key<P: Platform>(ctx: &Ctx<'_, P>, code: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["user-code", code]))
}

/// `POST auth/device/code` (P), JSON or form: `{client_id?|tenant_domain?, scopes?|scope?,
/// device_info?}` → RFC 8628 §3.2 response.
pub async fn code<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("device-code:ip:{}", client_ip(req)), CODES_PER_MINUTE, 60).await?;
    let body = form_or_json(req)?;
    let client = named_client(ctx, &body).await?;
    require_grant(&client, DEVICE_CODE_GRANT)?;
    if client.secret_hash.is_some() {
        // A confidential client proves itself here too (RFC 8628 §3.1), as itself: another
        // client's credentials must not buy a code shown under this client's name.
        let proven = authenticate_client(ctx, req, &body).await?;
        if proven.client_id != client.client_id {
            return Err(ApiError::invalid_client("the credentials are another client's"));
        }
    }
    let scopes = scope_list(&body)?;
    let device_info = match body.get("device_info") {
        None | Some(Value::Null) => json!({}),
        Some(info @ Value::Object(_)) if info.to_string().len() <= 2048 => info.clone(),
        Some(_) => return Err(ApiError::bad_field("device_info", "device_info must be an object under 2 KiB")),
    };
    let now = ctx.now_secs();
    let device_code = format!("dc1.{}", random_token(ctx)?);
    let key = device_key(ctx, &device_code)?;
    let challenges = ctx.platform.challenges();
    let mut code = None;
    for _ in 0..4 {
        let random = random_bytes(ctx, 32)?;
        let Some(candidate) = user_code::generate(&random) else { continue };
        let index = user_code_key(ctx, &candidate)?;
        if challenges.peek_ticket(&index, now).await?.is_none() {
            code = Some((candidate, index));
            break;
        }
    }
    let (code, index) = code.ok_or_else(|| ApiError::Internal("no free user code after four draws".into()))?;
    let state =
        DeviceState::new(client.client_id.clone(), client.tenant_id.clone(), scopes, device_info, code.clone(), now);
    ctx.platform.flows().start_device(&key, &state).await?;
    // The requester's network, kept as a keyed hash: the page warns when the approver
    // is elsewhere (a code relayed to a victim), without storing addresses.
    let network = network_prefix(client_ip(req)).map(|n| network_hash(ctx, &n)).transpose()?;
    let index_payload =
        json!({"device_key": key, "tenant_id": client.tenant_id, "client_name": client.name, "network": network});
    challenges.put_ticket(&index, &index_payload, state.expires_at).await?;
    let verification_uri = format!("{}/authsec/uflow/activate", ctx.config()?.issuer);
    Ok(HttpResponse::json(200, &DeviceAuthorization::new(device_code, &code, &verification_uri)))
}

fn network_hash<P: Platform>(ctx: &Ctx<'_, P>, network: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["device-network", network]))
}

fn oauth_error(outcome: &DeviceOutcome) -> ApiError {
    let error = outcome.oauth_error().unwrap_or("invalid_grant");
    let (description, interval) = match outcome {
        DeviceOutcome::Pending => ("the user has not decided yet", None),
        DeviceOutcome::SlowDown { interval } => ("polling too fast: wait the interval", Some(*interval)),
        DeviceOutcome::Expired => ("the device code expired; start again", None),
        DeviceOutcome::Denied => ("the user denied the request", None),
        DeviceOutcome::WrongClient => ("the device code was issued to another client", None),
        _ => ("the device code was already used", None),
    };
    ApiError::OAuth { status: 400, error, description: description.into(), interval }
}

/// Polls a device code for `client` (RFC 8628 §3.4-3.5); shared by `auth/device/token`
/// and the OAuth token endpoint. `client` `None`: the code's own client (AuthSec's
/// route makes it optional). The client must still hold the device grant.
pub async fn poll<P: Platform>(
    ctx: &Ctx<'_, P>,
    device_code: &str,
    client: Option<&Client>,
) -> Result<HttpResponse, ApiError> {
    let unknown = || ApiError::oauth("invalid_grant", "unknown device code");
    let key = device_key(ctx, device_code)?;
    let flows = ctx.platform.flows();
    let now = ctx.now_secs();
    let client = match client {
        Some(client) => client.clone(),
        None => {
            let state = flows.device(&key).await?.ok_or_else(unknown)?;
            // Unnamed, the code's own client is assumed; a confidential one must say so.
            let client = ctx.platform.store().client_by_client_id(ClientId::new(&state.client_id)).await?;
            let client = client
                .filter(Client::is_usable)
                .ok_or_else(|| ApiError::invalid_client("unknown or inactive client"))?;
            if client.secret_hash.is_some() {
                return Err(ApiError::invalid_client("this client must authenticate with its secret"));
            }
            client
        }
    };
    require_grant(&client, DEVICE_CODE_GRANT)?;
    let event = DeviceEvent::Poll { client_id: client.client_id };
    let (outcome, state) = flows.advance_device(&key, &event, now).await?.ok_or_else(unknown)?;
    let DeviceOutcome::Issue { user_id, tenant_id, scopes, client_id } = outcome else {
        return Err(oauth_error(&outcome));
    };
    let user = ctx.platform.store().user_by_id(TenantId::new(&tenant_id), UserId::new(&user_id)).await?;
    let user = user.filter(User::is_active).ok_or_else(|| ApiError::oauth("access_denied", "the account is gone"))?;
    let delegation = Delegation {
        client_id: client_id.clone(),
        scopes: scopes.clone(),
        token_type: TokenType::Device,
        grant: DEVICE_GRANT_NAME.into(),
        signed_in_at: 0,
        methods: Vec::new(),
        dpop_jkt: String::new(),
    };
    let agent = state.device_info.get("name").and_then(Value::as_str).unwrap_or("device").to_string();
    let issued = start_delegated_session(ctx, &user, &agent, Some(&delegation)).await?;
    Ok(HttpResponse::json(
        200,
        &json!({
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": scopes.join(" "),
            "refresh_token": issued.refresh_token,
            "email": user.email,
            "user_id": user.id,
            "tenant_id": user.tenant_id,
            "client_id": client_id,
        }),
    ))
}

/// `POST auth/device/token` (P) `{device_code, grant_type?, client_id?}`, JSON or form.
pub async fn token<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let device_code = required_string(&body, "device_code")?;
    if let Some(grant) = body.get("grant_type").and_then(Value::as_str) {
        if grant != super::DEVICE_CODE_GRANT {
            return Err(ApiError::oauth("unsupported_grant_type", "this route takes the device_code grant"));
        }
    }
    let named = body.get("client_id").and_then(Value::as_str).is_some_and(|c| !c.is_empty());
    let client = if named || req.header("authorization").is_some() {
        Some(authenticate_client(ctx, req, &body).await?)
    } else {
        None
    };
    poll(ctx, device_code, client.as_ref()).await
}

/// The device code a user code stands for: (device key, index payload, live state).
async fn lookup<P: Platform>(ctx: &Ctx<'_, P>, raw: &str) -> Result<(String, Value, DeviceState), ApiError> {
    let code = user_code::normalize(raw).ok_or_else(|| ApiError::bad_field("user_code", "a code like BCDF-GHJK"))?;
    let now = ctx.now_secs();
    let index = ctx.platform.challenges().peek_ticket(&user_code_key(ctx, &code)?, now).await?;
    let index = index.ok_or(ApiError::NotFound)?;
    let key = index["device_key"].as_str().unwrap_or_default().to_string();
    let state = ctx.platform.flows().device(&key).await?;
    let state = state.filter(|s| now < s.expires_at).ok_or(ApiError::NotFound)?;
    Ok((key, index, state))
}

/// `GET auth/device/activate/info?user_code=` (P): what the user is asked to approve.
pub async fn info<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("user-code:ip:{}", client_ip(req)), GUESSES_PER_MINUTE, 60).await?;
    let raw = req.query_param("user_code").ok_or_else(|| ApiError::bad_field("user_code", "user_code is required"))?;
    let (_, index, state) = lookup(ctx, &raw).await?;
    let approver = network_prefix(client_ip(req)).map(|n| network_hash(ctx, &n)).transpose()?;
    let same_network = match (index["network"].as_str(), approver.as_deref()) {
        (Some(requester), Some(approver)) => Some(requester == approver),
        _ => None,
    };
    let own: Vec<(String, String)> = ctx
        .platform
        .store()
        .scopes(TenantId::new(&state.tenant_id), "scope")
        .await?
        .into_iter()
        .map(|s| (s.name, s.description))
        .collect();
    let described: Vec<Value> =
        state.scopes.iter().map(|s| json!({"scope": s, "description": describe_scope(s, &own)})).collect();
    let warning = (same_network != Some(true)).then_some(
        "This request came from another network than yours. Approve only a code shown on a device you hold.",
    );
    Ok(HttpResponse::json(
        200,
        &json!({"success": true, "user_code": user_code::display(&state.user_code), "scopes": state.scopes,
                "scope_descriptions": described, "device_info": state.device_info, "expires_at": state.expires_at,
                "client_id": state.client_id, "client_name": index["client_name"], "status": status_name(&state),
                "same_network": same_network, "network_warning": warning}),
    ))
}

fn status_name(state: &DeviceState) -> &'static str {
    match state.status {
        crate::flows::DeviceStatus::Pending => "pending",
        crate::flows::DeviceStatus::Approved { .. } => "approved",
        crate::flows::DeviceStatus::Denied => "denied",
        crate::flows::DeviceStatus::Redeemed => "redeemed",
    }
}

/// Approves or denies the code `raw` as `user` (already authenticated by the caller).
pub async fn decide<P: Platform>(ctx: &Ctx<'_, P>, raw: &str, user: &User, approve: bool) -> Result<Value, ApiError> {
    rate_limit(ctx, &format!("user-code:tenant:{}", user.tenant_id), GUESSES_PER_MINUTE * 5, 60).await?;
    let (key, _, state) = lookup(ctx, raw).await?;
    if state.tenant_id != user.tenant_id {
        return Err(ApiError::NotFound);
    }
    let event = if approve {
        DeviceEvent::Approve { user_id: user.id.clone(), tenant_id: user.tenant_id.clone() }
    } else {
        DeviceEvent::Deny { tenant_id: user.tenant_id.clone() }
    };
    let (outcome, _) =
        ctx.platform.flows().advance_device(&key, &event, ctx.now_secs()).await?.ok_or(ApiError::NotFound)?;
    match outcome {
        DeviceOutcome::Approved => Ok(json!({"success": true, "message": "device approved"})),
        DeviceOutcome::DeniedOk => Ok(json!({"success": true, "message": "device denied"})),
        DeviceOutcome::WrongTenant => Err(ApiError::NotFound),
        DeviceOutcome::ExpiredOnDecision => Err(ApiError::bad_field("user_code", "the code expired")),
        _ => Err(ApiError::Conflict("this code was already decided".into())),
    }
}

/// `POST auth/device/verify` (J) `{user_code, approve}`.
pub async fn verify<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let (_, user) = authenticated_user(ctx, req).await?;
    rate_limit(ctx, &format!("user-code:ip:{}", client_ip(req)), GUESSES_PER_MINUTE, 60).await?;
    let body = json_object(req)?;
    let raw = required_string(&body, "user_code")?;
    let approve = match body.get("approve") {
        Some(Value::Bool(b)) => *b,
        None | Some(Value::Null) => true,
        Some(_) => return Err(ApiError::bad_field("approve", "approve must be true or false")),
    };
    Ok(HttpResponse::json(200, &decide(ctx, raw, &user, approve).await?))
}

/// The tenant a user code belongs to, for `totp/device-approve` to find the approver.
pub async fn code_tenant<P: Platform>(ctx: &Ctx<'_, P>, raw: &str) -> Result<String, ApiError> {
    Ok(lookup(ctx, raw).await?.2.tenant_id)
}

/// `POST auth/totp/device-approve` (J; P where the tenant set `totp_only_login`)
/// `{user_code, totp_code, email?}`: approves a device code as `factors::device_approver`.
pub async fn approve_by_totp<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = json_object(req)?;
    let raw = required_string(&body, "user_code")?;
    let code = required_string(&body, "totp_code")?;
    factors::admit_code_attempt(ctx, req, code).await?;
    let tenant_id = code_tenant(ctx, raw).await?;
    let user = factors::device_approver(ctx, req, &body, &tenant_id, code).await?;
    Ok(HttpResponse::json(200, &decide(ctx, raw, &user, true).await?))
}
