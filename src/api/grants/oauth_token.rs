//! `POST /authsec/oauth/token` (RFC 6749 §3.2), form-encoded or JSON, for the grants this
//! deployment serves so far: the device code (RFC 8628 §3.4) and CIBA poll mode (CIBA
//! Core §10.1), so unmodified standards clients complete those flows. Other grant types
//! answer `unsupported_grant_type` until the OAuth provider lands.

use super::client_auth::authenticate_client;
use super::{ciba, device, CIBA_GRANT, DEVICE_CODE_GRANT};
use crate::api::body::{form_or_json, required_string};
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};

pub async fn token<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let body = form_or_json(req)?;
    let grant = required_string(&body, "grant_type")
        .map_err(|_| ApiError::oauth("invalid_request", "grant_type is required"))?;
    match grant {
        DEVICE_CODE_GRANT => {
            let client = authenticate_client(ctx, req, &body).await?;
            let code = required_string(&body, "device_code")
                .map_err(|_| ApiError::oauth("invalid_request", "device_code is required"))?;
            device::poll(ctx, code, Some(&client)).await
        }
        CIBA_GRANT => {
            let client = ciba::ciba_client(ctx, req, &body).await?;
            let id = required_string(&body, "auth_req_id")
                .map_err(|_| ApiError::oauth("invalid_request", "auth_req_id is required"))?;
            ciba::poll(ctx, id, Some(&client.client_id)).await
        }
        _ => Err(ApiError::oauth("unsupported_grant_type", "this deployment serves the device_code and ciba grants")),
    }
}
