//! Delegated grants (api.md "Device grant and CIBA"): the device authorization grant
//! (RFC 8628) and CIBA poll mode, their grants at the standard token endpoint (served by
//! `oauth`), and the client authentication they share with it.
//!
//! Depends on `factors` (a device code can be approved with a TOTP code).

mod ciba;
pub mod client_auth;
mod device;
mod oauth_token;

pub use oauth_token::delegated_grant;

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};

/// RFC 8628 §3.4.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// CIBA Core §10.1.
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    DeviceCode,
    DeviceToken,
    DeviceInfo,
    DeviceVerify,
    DeviceApproveByTotp,
    CibaInitiate,
    CibaToken,
    CibaRespond,
    CibaRegisterDevice,
    CibaDevices,
    CibaDeleteDevice,
    CibaRequests,
}

use Action::*;

/// `/authsec/uflow/auth/device`
const DEVICE: Table<Action> = &[
    (Post, "/code", DeviceCode),
    (Post, "/token", DeviceToken),
    (Get, "/activate/info", DeviceInfo),
    (Post, "/verify", DeviceVerify),
];

/// `/authsec/uflow/auth/{,tenant/,workspace/}totp`
const TOTP_APPROVAL: Table<Action> = &[(Post, "/device-approve", DeviceApproveByTotp)];

/// `/authsec/uflow/auth/{,tenant/,workspace/}ciba`: older clients call the `tenant`
/// spelling, newer ones `workspace` (api.md "Conventions"); the handlers check the
/// `client_id` they carry.
const CIBA: Table<Action> = &[
    (Post, "/initiate", CibaInitiate),
    (Post, "/token", CibaToken),
    (Post, "/respond", CibaRespond),
    (Post, "/register-device", CibaRegisterDevice),
    (Get, "/devices", CibaDevices),
    (Delete, "/devices/:device_id", CibaDeleteDevice),
    (Get, "/requests", CibaRequests),
];

pub const MOUNTS: Mounts<Action> = &[
    ("/authsec/uflow/auth/device", DEVICE),
    ("/authsec/uflow/auth/totp", TOTP_APPROVAL),
    ("/authsec/uflow/auth/tenant/totp", TOTP_APPROVAL),
    ("/authsec/uflow/auth/workspace/totp", TOTP_APPROVAL),
    ("/authsec/uflow/auth/ciba", CIBA),
    ("/authsec/uflow/auth/tenant/ciba", CIBA),
    ("/authsec/uflow/auth/workspace/ciba", CIBA),
];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        DeviceCode => device::code(ctx, req).await,
        DeviceToken => device::token(ctx, req).await,
        DeviceInfo => device::info(ctx, req).await,
        DeviceVerify => device::verify(ctx, req).await,
        DeviceApproveByTotp => device::approve_by_totp(ctx, req).await,
        CibaInitiate => ciba::initiate(ctx, req).await,
        CibaToken => ciba::token(ctx, req).await,
        CibaRespond => ciba::respond(ctx, req).await,
        CibaRegisterDevice => ciba::register_device(ctx, req).await,
        CibaDevices => ciba::devices(ctx, req).await,
        CibaDeleteDevice => ciba::delete_device(ctx, req, params.get("device_id")).await,
        CibaRequests => ciba::requests(ctx, req).await,
    }
}
