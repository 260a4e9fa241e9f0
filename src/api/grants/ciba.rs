//! Client-initiated backchannel authentication, poll mode (CIBA Core 1.0; api.md
//! "Device grant and CIBA"): a client asks for a user by `login_hint` (or `email`), the
//! user's registered devices get a push, the user approves with their own token, and the
//! client polls for tokens under the same single-use and slow_down rules as the device
//! grant. Requests live in the user's `FlowStore` object; a ticket maps the hashed
//! `auth_req_id` to it.

use super::client_auth::{authenticate_client, require_grant};
use super::CIBA_GRANT;
use crate::api::auth::{authenticated_user, client_ip, rate_limit};
use crate::api::body::{form_or_json, json_object, optional_text, present_text, required_string, scope_list};
use crate::api::issue::{random_token, start_delegated_session, uuid_like, Delegation, CIBA_GRANT_NAME};
use crate::api::{Ctx, Platform};
use crate::error::{conflict_as, ApiError};
use crate::flows::{CibaAuthorization, CibaEvent, CibaOutcome, CibaState};
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{DeviceId, TenantId, UserId};
use crate::push::{PushMessage, PushTransport};
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, Client, User, UserKind};
use crate::store::flows::{CibaDevice, CibaDeviceStore, FlowStore};
use crate::store::state::ChallengeStore;
use crate::tokens::claims::TokenType;
use serde_json::{json, Value};

const INITIATE_PER_MINUTE: u32 = 20;
/// Requests per user per ten minutes: each one pushes to the user's devices, and a flood
/// of prompts is how push-fatigue attacks wear users down.
const INITIATE_PER_USER: u32 = 5;
const INITIATE_PER_USER_WINDOW_SECS: i64 = 600;
/// Requests from public CIBA clients per client IP per ten minutes (besides the limits
/// above): no secret stands behind them, so the IP is what can be throttled.
const PUBLIC_INITIATE_PER_IP: u32 = 10;
const MAX_DEVICES: usize = 10;
/// How long the index from `auth_req_id` outlives the request, so late polls hear
/// `expired_token` rather than `invalid_grant`.
const INDEX_GRACE_SECS: i64 = 600;

fn request_key<P: Platform>(ctx: &Ctx<'_, P>, auth_req_id: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["ciba-request", auth_req_id]))
}

fn group_of(tenant_id: &str, user_id: &str) -> String {
    format!("{tenant_id}:{user_id}")
}

/// `POST auth/ciba/initiate` (P) `{login_hint|email, binding_message?, client_id?, scopes?}`.
pub async fn initiate<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("ciba-initiate:ip:{}", client_ip(req)), INITIATE_PER_MINUTE, 60).await?;
    let body = form_or_json(req)?;
    let hint = ["login_hint", "email"]
        .iter()
        .find_map(|f| body.get(*f).and_then(Value::as_str).filter(|s| !s.trim().is_empty()))
        .ok_or_else(|| ApiError::bad_field("login_hint", "login_hint (or email) is required"))?;
    let email = crate::api::validate::email("login_hint", hint)?;
    let binding_message = optional_text(&body, "binding_message", 256)?;
    let scopes = scope_list(&body)?;
    let client = ciba_client(ctx, req, &body).await?;
    if client.secret_hash.is_none() {
        // A public CIBA client (ours, api.md "Device grant and CIBA"): the user must be
        // able to match the prompt to what they started, and the IP is throttled.
        if binding_message.is_empty() {
            return Err(ApiError::oauth("invalid_request", "a public CIBA client must send a binding_message"));
        }
        let bucket = format!("ciba-initiate:public-ip:{}", client_ip(req));
        rate_limit(ctx, &bucket, PUBLIC_INITIATE_PER_IP, INITIATE_PER_USER_WINDOW_SECS).await?;
    }
    let client_id = client.client_id.clone();
    let user = ctx.platform.store().user_by_email(TenantId::new(&client.tenant_id), &email).await?;
    let user = user
        .filter(User::is_active)
        .ok_or_else(|| ApiError::oauth("unknown_user_id", "no active user matches the login_hint"))?;
    let per_user = format!("ciba-initiate:user:{}:{}", user.tenant_id, user.id);
    rate_limit(ctx, &per_user, INITIATE_PER_USER, INITIATE_PER_USER_WINDOW_SECS).await?;
    let now = ctx.now_secs();
    let auth_req_id = format!("ciba1.{}", random_token(ctx)?);
    let key = request_key(ctx, &auth_req_id)?;
    let group = group_of(&user.tenant_id, &user.id);
    let message = (!binding_message.is_empty()).then(|| binding_message.clone());
    let mut state = CibaState::new(client_id.clone(), user.tenant_id.clone(), user.id.clone(), scopes, message, now);
    state.client_name = client.name.clone();
    ctx.platform.flows().start_ciba(&group, &key, &state).await?;
    let index = json!({"group": group, "client_id": client_id});
    let challenges = ctx.platform.challenges();
    challenges.put_ticket(&key, &index, state.expires_at + INDEX_GRACE_SECS).await?;
    notify(ctx, &user, &key, &client, &binding_message, state.expires_at).await;
    Ok(HttpResponse::json(200, &CibaAuthorization::new(auth_req_id)))
}

/// Pushes the request to the user's devices; a failed push is logged, never fatal (the
/// user can still answer from the app's request list). The push names the request by
/// its `request_id` (the hash `respond` accepts), never by the `auth_req_id` that
/// redeems tokens: whoever sees the push cannot take the client's tokens.
async fn notify<P: Platform>(
    ctx: &Ctx<'_, P>,
    user: &User,
    request_id: &str,
    client: &Client,
    message: &str,
    expires_at: i64,
) {
    let Some(push) = ctx.platform.push_transport() else { return };
    let devices = match ctx.platform.store().ciba_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await {
        Ok(devices) => devices,
        Err(e) => return ctx.warn(format!("listing CIBA devices: {e}")),
    };
    if devices.is_empty() {
        return;
    }
    let body = if message.is_empty() { "Approve or deny a sign-in request".to_string() } else { message.to_string() };
    let messages: Vec<PushMessage> = devices
        .into_iter()
        .map(|d| PushMessage {
            to: d.device_token,
            title: format!("Sign-in request from {}", client.name),
            body: body.clone(),
            data: json!({"request_id": request_id, "client_id": client.client_id, "client_name": client.name,
                         "expires_at": expires_at}),
        })
        .collect();
    if let Err(e) = push.push(&messages).await {
        ctx.warn(format!("CIBA push: {}", e.0));
    }
}

/// Polls a request for `client_id` (`None`: the request's own client).
pub async fn poll<P: Platform>(
    ctx: &Ctx<'_, P>,
    auth_req_id: &str,
    client_id: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let unknown = || ApiError::oauth("invalid_grant", "unknown auth_req_id");
    let key = request_key(ctx, auth_req_id)?;
    let now = ctx.now_secs();
    let index = ctx.platform.challenges().peek_ticket(&key, now).await?.ok_or_else(unknown)?;
    let group = index["group"].as_str().ok_or_else(unknown)?;
    let client_id = client_id.map(str::to_string).or_else(|| index["client_id"].as_str().map(str::to_string));
    let event = CibaEvent::Poll { client_id: client_id.unwrap_or_default() };
    let (outcome, _) = ctx.platform.flows().advance_ciba(group, &key, &event, now).await?.ok_or_else(unknown)?;
    let CibaOutcome::Issue { user_id, tenant_id, scopes, client_id } = outcome else {
        let error = outcome.oauth_error().unwrap_or("invalid_grant");
        let interval = match outcome {
            CibaOutcome::SlowDown { interval } => Some(interval),
            _ => None,
        };
        return Err(ApiError::OAuth { status: 400, error, description: describe(&outcome).into(), interval });
    };
    let user = ctx.platform.store().user_by_id(TenantId::new(&tenant_id), UserId::new(&user_id)).await?;
    let user = user.filter(User::is_active).ok_or_else(|| ApiError::oauth("access_denied", "the account is gone"))?;
    let token_type = if user.kind == UserKind::Admin { TokenType::Admin } else { TokenType::Enduser };
    let delegation = Delegation {
        client_id,
        scopes: scopes.clone(),
        token_type,
        grant: CIBA_GRANT_NAME.into(),
        signed_in_at: 0,
        methods: Vec::new(),
        dpop_jkt: String::new(),
    };
    let issued = start_delegated_session(ctx, &user, "ciba", Some(&delegation)).await?;
    Ok(HttpResponse::json(
        200,
        &json!({"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in,
                "refresh_token": issued.refresh_token, "scope": scopes.join(" ")}),
    ))
}

fn describe(outcome: &CibaOutcome) -> &'static str {
    match outcome {
        CibaOutcome::Pending => "the user has not answered yet",
        CibaOutcome::SlowDown { .. } => "polling too fast: wait the interval",
        CibaOutcome::Expired => "the request expired",
        CibaOutcome::Denied => "the user denied the request",
        CibaOutcome::WrongClient => "the request belongs to another client",
        _ => "the request was already redeemed",
    }
}

/// `POST auth/{,tenant/,workspace/}ciba/token` `{auth_req_id, client_id?, client_secret?}`
/// (or HTTP Basic). AuthSec's SDK polls this route and stops only on a token, `error`
/// `access_denied` or `expired_token`; anything else keeps it polling for five minutes.
/// So every final answer here is one of those (400): a refused client is
/// `access_denied`, an unknown, used or expired request `expired_token`. The standard
/// token endpoint keeps RFC 6749's errors.
pub async fn token<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let Some(id) = present_text(&body, "auth_req_id") else {
        return Err(ApiError::oauth("expired_token", "auth_req_id is missing: start a new request"));
    };
    let client = ciba_client(ctx, req, &body).await.map_err(final_for_sdk)?;
    poll(ctx, id, Some(&client.client_id)).await.map_err(final_for_sdk)
}

/// Maps a refusal to the two errors AuthSec's SDK stops on (see `token`).
fn final_for_sdk(error: ApiError) -> ApiError {
    match error {
        ApiError::OAuth {
            error: "authorization_pending" | "slow_down" | "access_denied" | "expired_token", ..
        } => error,
        ApiError::OAuth { error: "invalid_client" | "unauthorized_client", description, .. } => {
            ApiError::oauth("access_denied", description)
        }
        ApiError::OAuth { description, .. } => ApiError::oauth("expired_token", description),
        other => other,
    }
}

/// CIBA clients authenticate (CIBA Core §7.1): a confidential client proves its secret.
/// A public client (no secret: `token_endpoint_auth_method` `none`) is accepted only when
/// an admin registered it with the CIBA grant, the per-client opt-in (ours); a public
/// client id alone is guessable. Either way the client must hold the CIBA grant.
pub async fn ciba_client<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &serde_json::Map<String, Value>,
) -> Result<Client, ApiError> {
    let client = authenticate_client(ctx, req, body).await?;
    if client.secret_hash.is_none() && !client.has_grant(CIBA_GRANT) {
        return Err(ApiError::OAuth {
            status: 401,
            error: "unauthorized_client",
            description: "CIBA needs a confidential client, or a public client an admin opted in \
                          (the CIBA grant with token_endpoint_auth_method none)"
                .into(),
            interval: None,
        });
    }
    require_grant(&client, CIBA_GRANT)?;
    Ok(client)
}

async fn caller<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<User, ApiError> {
    Ok(authenticated_user(ctx, req).await?.1)
}

/// `POST auth/ciba/respond` (J) `{auth_req_id | request_id, approved}`: only the user the
/// request names may answer.
pub async fn respond<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = caller(ctx, req).await?;
    let body = json_object(req)?;
    let approved = match body.get("approved").or_else(|| body.get("approve")) {
        Some(Value::Bool(b)) => *b,
        _ => return Err(ApiError::bad_field("approved", "approved must be true or false")),
    };
    let key = match body.get("request_id").and_then(Value::as_str) {
        Some(request_id) => request_id.to_string(),
        None => request_key(ctx, required_string(&body, "auth_req_id")?)?,
    };
    let group = group_of(&user.tenant_id, &user.id);
    let event = CibaEvent::Respond { approved, by_user_id: user.id.clone() };
    let answer = ctx.platform.flows().advance_ciba(&group, &key, &event, ctx.now_secs()).await?;
    match answer.map(|(outcome, _)| outcome) {
        Some(CibaOutcome::Approved) => Ok(HttpResponse::json(200, &json!({"success": true, "message": "approved"}))),
        Some(CibaOutcome::DeniedOk) => Ok(HttpResponse::json(200, &json!({"success": true, "message": "denied"}))),
        Some(CibaOutcome::ExpiredOnDecision) => Err(ApiError::bad_field("auth_req_id", "the request expired")),
        Some(CibaOutcome::NotPending) => Err(ApiError::Conflict("this request was already answered".into())),
        // Another user's request is not in this user's object at all.
        _ => Err(ApiError::NotFound),
    }
}

/// `GET auth/workspace/ciba/requests` (J): the caller's pending requests.
pub async fn requests<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = caller(ctx, req).await?;
    let pending = ctx.platform.flows().pending_ciba(&group_of(&user.tenant_id, &user.id), ctx.now_secs()).await;
    let requests: Vec<Value> = pending?
        .into_iter()
        .map(|(key, s)| {
            json!({"request_id": key, "client_id": s.client_id, "client_name": s.client_name,
                   "binding_message": s.binding_message, "scopes": s.scopes, "expires_at": s.expires_at})
        })
        .collect();
    Ok(HttpResponse::json(200, &json!({"success": true, "requests": requests})))
}

/// `POST auth/ciba/register-device` (J) `{device_token, platform, device_name?}`.
pub async fn register_device<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = caller(ctx, req).await?;
    let body = json_object(req)?;
    let token = required_string(&body, "device_token")?.trim();
    let platform = required_string(&body, "platform")?.trim().to_lowercase();
    if token.len() > 512 || platform.len() > 32 {
        return Err(ApiError::bad_request("device_token (512) or platform (32) is too long"));
    }
    let store = ctx.platform.store();
    if store.ciba_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?.len() >= MAX_DEVICES {
        return Err(ApiError::Conflict(format!("at most {MAX_DEVICES} devices per account")));
    }
    let device = CibaDevice {
        id: uuid_like(ctx)?,
        tenant_id: user.tenant_id.clone(),
        user_id: user.id.clone(),
        device_token: token.to_string(),
        platform,
        device_name: optional_text(&body, "device_name", 100)?,
        created_at: ctx.now_secs(),
    };
    store.add_ciba_device(&device).await.map_err(conflict_as("this device is already registered"))?;
    Ok(HttpResponse::json(201, &json!({"success": true, "device_id": device.id, "message": "device registered"})))
}

/// `GET auth/ciba/devices` (J).
pub async fn devices<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let user = caller(ctx, req).await?;
    let devices = ctx.platform.store().ciba_devices(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
    let devices: Vec<Value> = devices
        .into_iter()
        .map(|d| json!({"device_id": d.id, "platform": d.platform, "device_name": d.device_name, "created_at": d.created_at}))
        .collect();
    Ok(HttpResponse::json(200, &json!({"success": true, "devices": devices})))
}

/// `DELETE auth/ciba/devices/:device_id` (J).
pub async fn delete_device<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    device_id: &str,
) -> Result<HttpResponse, ApiError> {
    let user = caller(ctx, req).await?;
    if !ctx
        .platform
        .store()
        .remove_ciba_device(TenantId::new(&user.tenant_id), UserId::new(&user.id), DeviceId::new(device_id))
        .await?
    {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::json(200, &json!({"success": true, "message": "device removed"})))
}
