//! Accounts (api.md "Accounts"): admin onboarding and sign-in, end-user registration and
//! sign-in, password recovery, sessions, tenant administration and invitations.
//!
//! Depends on `factors` (a password login asks which second factors are pending) and
//! `clients` (end users sign in through a client); `oauth` uses its password check and
//! refresh rotation.

mod admin_auth;
mod codes;
mod enduser_auth;
mod invitations;
mod mailbox;
mod password_login;
mod recovery;
mod sessions;
mod tenant_admin;
mod tenant_settings;

pub use password_login::{check_password, record_success};
pub use sessions::rotate_refresh_token;

use super::body::ListForm;
use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform, Who};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};
use crate::store::accounts::{User, UserKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AdminBootstrap,
    AdminRegister,
    AdminCompleteRegistration,
    AdminPrecheck,
    AdminChallenge,
    AdminLogin,
    TokenRefresh,
    Logout,
    ListSessions,
    RevokeSession,
    RevokeUserSessions,
    EnduserRegister,
    EnduserCompleteRegistration,
    EnduserLogin,
    EnduserPrecheck,
    ForgotPassword(Who),
    ForgotPasswordVerify(Who),
    ForgotPasswordReset(Who),
    ListUsers(UserKind, ListForm),
    DeleteUser,
    SetUserStatus,
    ListProjects,
    CreateProject,
    GetProject,
    UpdateProject,
    DeleteProject,
    ListTenants,
    GetTenant,
    RenameTenant,
    RevokeTenantSessions,
    Invite,
    PendingInvites,
    CancelInvite,
    ResendInvite,
    AcceptInvite,
}

use Action::*;

/// `/authsec/uflow/auth/admin`
const ADMIN_AUTH: Table<Action> = &[
    (Post, "/login/bootstrap", AdminBootstrap),
    (Post, "/register", AdminRegister),
    (Post, "/complete-registration", AdminCompleteRegistration),
    (Post, "/login/precheck", AdminPrecheck),
    (Get, "/challenge", AdminChallenge),
    (Post, "/login", AdminLogin),
    (Post, "/forgot-password", ForgotPassword(Who::Admin)),
    (Post, "/forgot-password/verify-otp", ForgotPasswordVerify(Who::Admin)),
    (Post, "/forgot-password/reset", ForgotPasswordReset(Who::Admin)),
    (Post, "/invite/accept", AcceptInvite),
];

/// `/authsec/uflow/auth`
const AUTH: Table<Action> = &[
    (Post, "/token/refresh", TokenRefresh),
    (Post, "/logout", Logout),
    (Get, "/sessions", ListSessions),
    (Delete, "/sessions/:id", RevokeSession),
    (Post, "/enduser/initiate-registration", EnduserRegister),
    (Post, "/enduser/verify-otp", EnduserCompleteRegistration),
    (Post, "/enduser/login", EnduserLogin),
    (Post, "/enduser/login/precheck", EnduserPrecheck),
];

/// `/authsec/uflow/user`
const USER: Table<Action> = &[
    (Post, "/register/initiate", EnduserRegister),
    (Post, "/register/complete", EnduserCompleteRegistration),
    (Post, "/login", EnduserLogin),
    (Post, "/forgot-password", ForgotPassword(Who::Enduser)),
    (Post, "/forgot-password/verify-otp", ForgotPasswordVerify(Who::Enduser)),
    (Post, "/forgot-password/reset", ForgotPasswordReset(Who::Enduser)),
    (Put, "/enduser/:tenant_id/:user_id/status", SetUserStatus),
];

/// `/authsec/uflow/admin`
const ADMIN: Table<Action> = &[
    (Post, "/users/:user_id/revoke-sessions", RevokeUserSessions),
    (Get, "/users/list", ListUsers(UserKind::Admin, ListForm::Query)),
    (Post, "/users/list", ListUsers(UserKind::Admin, ListForm::Body)),
    (Get, "/enduser/list", ListUsers(UserKind::Enduser, ListForm::Query)),
    (Post, "/enduser/list", ListUsers(UserKind::Enduser, ListForm::Body)),
    (Delete, "/users/:user_id", DeleteUser),
    (Get, "/projects", ListProjects),
    (Post, "/projects", CreateProject),
    (Get, "/projects/:id", GetProject),
    (Put, "/projects/:id", UpdateProject),
    (Delete, "/projects/:id", DeleteProject),
    (Get, "/tenants", ListTenants),
    (Get, "/tenants/:tenant_id", GetTenant),
    (Put, "/tenants/:tenant_id", RenameTenant),
    (Post, "/tenants/:tenant_id/revoke-sessions", RevokeTenantSessions),
    (Post, "/invite", Invite),
    (Get, "/invite/pending", PendingInvites),
    (Post, "/invite/cancel", CancelInvite),
    (Post, "/invite/resend", ResendInvite),
];

pub const MOUNTS: Mounts<Action> = &[
    ("/authsec/uflow/auth/admin", ADMIN_AUTH),
    ("/authsec/uflow/auth", AUTH),
    ("/authsec/uflow/user", USER),
    ("/authsec/uflow/admin", ADMIN),
];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        AdminBootstrap => admin_auth::begin_registration(ctx, req, true).await,
        AdminRegister => admin_auth::begin_registration(ctx, req, false).await,
        AdminCompleteRegistration => admin_auth::complete_registration(ctx, req).await,
        AdminPrecheck => admin_auth::precheck(ctx, req).await,
        AdminChallenge => admin_auth::challenge(ctx, req).await,
        AdminLogin => admin_auth::login(ctx, req).await,
        TokenRefresh => sessions::refresh(ctx, req).await,
        Logout => sessions::logout(ctx, req).await,
        ListSessions => sessions::list(ctx, req).await,
        RevokeSession => sessions::revoke(ctx, req, params.get("id")).await,
        RevokeUserSessions => sessions::admin_revoke_all(ctx, req, params.get("user_id")).await,
        EnduserRegister => enduser_auth::begin_registration(ctx, req).await,
        EnduserCompleteRegistration => enduser_auth::complete_registration(ctx, req).await,
        EnduserLogin => enduser_auth::login(ctx, req).await,
        EnduserPrecheck => enduser_auth::precheck(ctx, req).await,
        ForgotPassword(who) => recovery::forgot(ctx, req, who).await,
        ForgotPasswordVerify(who) => recovery::verify(ctx, req, who).await,
        ForgotPasswordReset(who) => recovery::reset(ctx, req, who).await,
        ListUsers(kind, form) => tenant_admin::list_users(ctx, req, kind, form).await,
        DeleteUser => tenant_admin::delete_user(ctx, req, params.get("user_id")).await,
        SetUserStatus => tenant_admin::set_status(ctx, req, params.get("tenant_id"), params.get("user_id")).await,
        ListProjects => tenant_admin::list_projects(ctx, req).await,
        CreateProject => tenant_admin::create_project(ctx, req).await,
        GetProject => tenant_admin::get_project(ctx, req, params.get("id")).await,
        UpdateProject => tenant_admin::update_project(ctx, req, params.get("id")).await,
        DeleteProject => tenant_admin::delete_project(ctx, req, params.get("id")).await,
        ListTenants => tenant_admin::tenants(ctx, req).await,
        GetTenant => tenant_settings::get_tenant(ctx, req, params.get("tenant_id")).await,
        RenameTenant => tenant_settings::update_tenant(ctx, req, params.get("tenant_id")).await,
        RevokeTenantSessions => sessions::admin_revoke_tenant(ctx, req, params.get("tenant_id")).await,
        Invite => invitations::invite(ctx, req).await,
        PendingInvites => invitations::pending(ctx, req).await,
        CancelInvite => invitations::cancel_or_resend(ctx, req, false).await,
        ResendInvite => invitations::cancel_or_resend(ctx, req, true).await,
        AcceptInvite => invitations::accept(ctx, req).await,
    }
}

/// Mails `to` a notice about their account (a second factor was added or removed) through
/// the one mail path (dev outbox, transport, or 503).
pub async fn mail_notice<P: Platform>(ctx: &Ctx<'_, P>, to: &str, subject: &str, text: String) -> Result<(), ApiError> {
    mailbox::deliver(ctx, to, subject, text).await
}

/// Checks the signed-in `user`'s own password (a step-up before a factor change), with
/// the login's lockout: failures count towards the same lock.
pub async fn check_own_password<P: Platform>(ctx: &Ctx<'_, P>, user: &User, password: &str) -> Result<(), ApiError> {
    let checked = password_login::check_password(ctx, Some(user.clone()), "", password).await?;
    password_login::record_success(ctx, &checked).await
}
