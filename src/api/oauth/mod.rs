//! The OAuth 2.0 / OpenID Connect provider (api.md "OAuth 2.0 / OIDC provider"): the
//! authorize endpoint with the Worker's own sign-in and consent pages, the token
//! endpoint for every grant, userinfo, introspection, revocation and RP-initiated
//! logout. The rules themselves are in the pure `crate::oauth`; this module does I/O.
//!
//! Depends on `accounts` (password check, refresh rotation), `factors` (second factors,
//! passkeys) and `grants` (client authentication; the device and CIBA grants).

mod authorize;
mod client_credentials;
mod code;
mod dpop_binding;
mod id_token;
mod interaction;
mod introspection;
mod logout;
mod pages;
mod par;
mod register;
mod registration_metadata;
mod settings;
mod signin;
mod token;
mod token_exchange;
mod userinfo;

pub(crate) use interaction::{Interaction, InteractionState};

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Authorize,
    SignInPassword,
    SignInOtp,
    PasskeyOptions,
    SignInPasskey,
    Continue,
    Consent,
    Token,
    Userinfo,
    Introspect,
    Revoke,
    Logout,
    PushedRequest,
    Register,
    RegistrationRead,
    RegistrationUpdate,
    RegistrationDelete,
    SettingsRead,
    SettingsUpdate,
    InitialAccessToken,
}

use Action::*;

/// `/authsec/oauth`
const OAUTH: Table<Action> = &[
    (Get, "/authorize", Authorize),
    (Post, "/authorize", Authorize),
    (Post, "/authorize/password", SignInPassword),
    (Post, "/authorize/otp", SignInOtp),
    (Post, "/authorize/passkey/options", PasskeyOptions),
    (Post, "/authorize/passkey", SignInPasskey),
    (Get, "/authorize/continue", Continue),
    (Post, "/authorize/consent", Consent),
    (Post, "/token", Token),
    (Get, "/userinfo", Userinfo),
    (Post, "/userinfo", Userinfo),
    (Post, "/introspect", Introspect),
    (Post, "/revoke", Revoke),
    (Get, "/logout", Logout),
    (Post, "/logout", Logout),
    (Post, "/par", PushedRequest),
    (Post, "/register", Register),
    (Get, "/register/:client_id", RegistrationRead),
    (Put, "/register/:client_id", RegistrationUpdate),
    (Delete, "/register/:client_id", RegistrationDelete),
];

/// `/authsec/uflow/admin/oauth`: the tenant's provider settings, for its admins.
const ADMIN: Table<Action> = &[
    (Get, "/settings", SettingsRead),
    (Put, "/settings", SettingsUpdate),
    (Post, "/initial-access-tokens", InitialAccessToken),
];

pub const MOUNTS: Mounts<Action> = &[("/authsec/oauth", OAUTH), ("/authsec/uflow/admin/oauth", ADMIN)];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        Authorize => authorize::authorize(ctx, req).await,
        SignInPassword => signin::password(ctx, req).await,
        SignInOtp => signin::otp(ctx, req).await,
        PasskeyOptions => signin::passkey_options(ctx, req).await,
        SignInPasskey => signin::passkey(ctx, req).await,
        Continue => signin::resume_page(ctx, req).await,
        Consent => signin::consent(ctx, req).await,
        Token => token::token(ctx, req).await,
        Userinfo => userinfo::userinfo(ctx, req).await,
        Introspect => introspection::introspect(ctx, req).await,
        Revoke => introspection::revoke(ctx, req).await,
        Logout => logout::logout(ctx, req).await,
        PushedRequest => par::push(ctx, req).await,
        Register => register::register(ctx, req).await,
        RegistrationRead => register::read(ctx, req, params.get("client_id")).await,
        RegistrationUpdate => register::update(ctx, req, params.get("client_id")).await,
        RegistrationDelete => register::delete(ctx, req, params.get("client_id")).await,
        SettingsRead => settings::read(ctx, req).await,
        SettingsUpdate => settings::update(ctx, req).await,
        InitialAccessToken => settings::initial_token(ctx, req).await,
    }
}
