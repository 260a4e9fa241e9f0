//! Second factors (api.md "MFA"): TOTP devices and backup codes, passkeys (WebAuthn),
//! and what they share: which factors a user has, the `mfa_token` of a pending password
//! login, and checking a code through the per-user guard.
//!
//! Depends on `clients` (end-user passkey sign-in names a client). `accounts` uses the
//! re-exports below to hand out and finish the second step of a password login.

mod mfa;
mod notices;
mod passkeys;
mod status;
mod step_up;
mod totp;
mod webauthn;

pub use mfa::{factors, issue_mfa_token, pending_body, Factors};
pub use notices::reset_mail_note;
pub use totp::{admit_code_attempt, check_second_step, device_approver};
pub use webauthn::{tenant_sign_in_options, verify_tenant_sign_in};

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform, Who};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TotpRegister,
    TotpConfirm,
    TotpVerify,
    TotpLogin,
    TotpDevices,
    TotpDeleteDevice,
    TotpPrimaryDevice,
    TotpRegenerateBackupCodes,
    PasskeyBeginRegistration(Who),
    PasskeyFinishRegistration(Who),
    PasskeyBeginAuthentication(Who),
    PasskeyFinishAuthentication(Who),
    /// `mfa/status` and `mfa/loginStatus`: for the route's kind of account, or (`None`)
    /// whichever kind the named tenant has.
    MfaStatus(Option<Who>),
    PasskeyList(Who),
    PasskeyRename(Who),
    PasskeyDelete(Who),
    StepUp,
    StepUpPasskey,
}

use Action::*;

/// `/authsec/uflow/auth/{,tenant/,workspace/}totp`: the tenant spellings carry a
/// `client_id` that the handlers check against the caller's tenant.
const TOTP: Table<Action> = &[
    (Post, "/register", TotpRegister),
    (Post, "/confirm", TotpConfirm),
    (Post, "/verify", TotpVerify),
    (Post, "/login", TotpLogin),
    (Get, "/devices", TotpDevices),
    (Post, "/devices", TotpDevices),
    (Post, "/device/delete", TotpDeleteDevice),
    (Post, "/device/primary", TotpPrimaryDevice),
    (Post, "/backup/regenerate", TotpRegenerateBackupCodes),
];

/// `/authsec/webauthn/admin`
const ADMIN_PASSKEYS: Table<Action> = &[
    (Post, "/beginRegistration", PasskeyBeginRegistration(Who::Admin)),
    (Post, "/finishRegistration", PasskeyFinishRegistration(Who::Admin)),
    (Post, "/beginAuthentication", PasskeyBeginAuthentication(Who::Admin)),
    (Post, "/finishAuthentication", PasskeyFinishAuthentication(Who::Admin)),
    (Post, "/mfa/status", MfaStatus(Some(Who::Admin))),
    (Post, "/mfa/loginStatus", MfaStatus(Some(Who::Admin))),
    (Get, "/mfa/loginStatus", MfaStatus(Some(Who::Admin))),
    (Get, "/credentials", PasskeyList(Who::Admin)),
    (Patch, "/credentials/:id", PasskeyRename(Who::Admin)),
    (Delete, "/credentials/:id", PasskeyDelete(Who::Admin)),
];

/// `/authsec/webauthn/enduser`
const ENDUSER_PASSKEYS: Table<Action> = &[
    (Post, "/beginRegistration", PasskeyBeginRegistration(Who::Enduser)),
    (Post, "/finishRegistration", PasskeyFinishRegistration(Who::Enduser)),
    (Post, "/beginAuthentication", PasskeyBeginAuthentication(Who::Enduser)),
    (Post, "/finishAuthentication", PasskeyFinishAuthentication(Who::Enduser)),
    (Post, "/mfa/status", MfaStatus(Some(Who::Enduser))),
    (Post, "/mfa/loginStatus", MfaStatus(Some(Who::Enduser))),
    (Get, "/mfa/loginStatus", MfaStatus(Some(Who::Enduser))),
    (Get, "/credentials", PasskeyList(Who::Enduser)),
    (Patch, "/credentials/:id", PasskeyRename(Who::Enduser)),
    (Delete, "/credentials/:id", PasskeyDelete(Who::Enduser)),
];

/// `/authsec/webauthn`, and the bare root `/webauthn` AuthSec's SDK calls when its base
/// URL is localhost (upstream keeps that alias for old webauthn-service clients).
const WEBAUTHN: Table<Action> =
    &[(Post, "/mfa/loginStatus", MfaStatus(None)), (Get, "/mfa/loginStatus", MfaStatus(None))];

/// `/authsec/uflow/auth/step-up` (ours): fresh proof before a factor changes.
const STEP_UP: Table<Action> = &[(Post, "", StepUp), (Post, "/passkey", StepUpPasskey)];

pub const MOUNTS: Mounts<Action> = &[
    ("/authsec/uflow/auth/totp", TOTP),
    ("/authsec/uflow/auth/tenant/totp", TOTP),
    ("/authsec/uflow/auth/workspace/totp", TOTP),
    ("/authsec/uflow/auth/step-up", STEP_UP),
    ("/authsec/webauthn/admin", ADMIN_PASSKEYS),
    ("/authsec/webauthn/enduser", ENDUSER_PASSKEYS),
    ("/authsec/webauthn", WEBAUTHN),
    ("/webauthn", WEBAUTHN),
];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        TotpRegister => totp::register(ctx, req).await,
        TotpConfirm => totp::confirm(ctx, req).await,
        TotpVerify => totp::verify(ctx, req).await,
        TotpLogin => totp::login(ctx, req).await,
        TotpDevices => totp::list(ctx, req).await,
        TotpDeleteDevice => totp::delete(ctx, req).await,
        TotpPrimaryDevice => totp::primary(ctx, req).await,
        TotpRegenerateBackupCodes => totp::regenerate_backup(ctx, req).await,
        PasskeyBeginRegistration(who) => webauthn::begin_registration(ctx, req, who).await,
        PasskeyFinishRegistration(who) => webauthn::finish_registration(ctx, req, who).await,
        PasskeyBeginAuthentication(who) => webauthn::begin_authentication(ctx, req, who).await,
        PasskeyFinishAuthentication(who) => webauthn::finish_authentication(ctx, req, who).await,
        MfaStatus(audience) => status::login_status(ctx, req, audience).await,
        PasskeyList(who) => passkeys::list(ctx, req, who).await,
        PasskeyRename(who) => passkeys::rename(ctx, req, who, params.get("id")).await,
        PasskeyDelete(who) => passkeys::delete(ctx, req, who, params.get("id")).await,
        StepUp => step_up::step_up(ctx, req).await,
        StepUpPasskey => step_up::begin_passkey(ctx, req).await,
    }
}
