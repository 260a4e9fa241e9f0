//! The device code (RFC 8628 §3.4) and CIBA poll mode (CIBA Core §10.1) at the standard
//! token endpoint, which the OAuth provider (`api::oauth::token`) serves and hands these
//! two grants to, so unmodified standards clients complete those flows.

use super::client_auth::authenticate_client;
use super::{ciba, device, CIBA_GRANT, DEVICE_CODE_GRANT};
use crate::api::body::required_string;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};

/// Answers `grant` if it is one of this module's, else `None`.
pub async fn delegated_grant<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
    grant: &str,
) -> Option<Result<HttpResponse, ApiError>> {
    match grant {
        DEVICE_CODE_GRANT => Some(device_code(ctx, req, body).await),
        CIBA_GRANT => Some(ciba_poll(ctx, req, body).await),
        _ => None,
    }
}

async fn device_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate_client(ctx, req, body).await?;
    let code = required_string(body, "device_code")
        .map_err(|_| ApiError::oauth("invalid_request", "device_code is required"))?;
    device::poll(ctx, code, Some(&client)).await
}

async fn ciba_poll<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    body: &Map<String, Value>,
) -> Result<HttpResponse, ApiError> {
    let client = ciba::ciba_client(ctx, req, body).await?;
    let id = required_string(body, "auth_req_id")
        .map_err(|_| ApiError::oauth("invalid_request", "auth_req_id is required"))?;
    ciba::poll(ctx, id, Some(&client.client_id)).await
}
