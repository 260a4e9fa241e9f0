//! Route table and matching: a path and method become a `Route` with its captured
//! parameters, a 405 with the allowed methods, a 501 for AuthSec routes this deployment
//! does not serve yet, or a 404.
//!
//! Route templates double as metric labels, so metrics never carry raw ids.

use crate::api::pages::Page;
use crate::api::rbac_checks::Check;
use crate::error::ApiError;
use crate::http::Method;

/// Whose account a route acts on, where admins and end users share a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Admin,
    Enduser,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Health,
    OpenIdConfiguration,
    OAuthServerMetadata,
    Jwks,
    Metrics,
    TokenVerify,
    TokenGenerate,
    AdminBootstrap,
    AdminRegister,
    AdminCompleteRegistration,
    AdminPrecheck,
    AdminChallenge,
    AdminLogin,
    TokenRefresh,
    Logout,
    SessionsList,
    SessionRevoke,
    AdminRevokeUserSessions,
    DevOutbox,
    EnduserRegister,
    EnduserCompleteRegistration,
    EnduserLogin,
    EnduserPrecheck,
    ForgotPassword(Who),
    ForgotPasswordVerify(Who),
    ForgotPasswordReset(Who),
    ClientCreate,
    ClientList,
    ClientGet,
    ClientUpdate,
    ClientChange(ClientChange),
    ClientDeleteComplete,
    ClientSetStatus,
    AdminUsersList,
    EndusersList,
    AdminDeleteUser,
    UserStatus,
    Projects,
    Project,
    Tenants,
    Tenant,
    Invite,
    InvitesPending,
    InviteCancel,
    InviteResend,
    InviteAccept,
    MigrationStatus,
    MigrationRun,
    Totp(TotpAction),
    Page(crate::api::pages::Page),
    Webauthn(Who, WebauthnAction),
    DeviceCode,
    DeviceToken,
    DeviceInfo,
    DeviceVerify,
    TotpDeviceApprove,
    OAuthToken,
    Ciba(CibaAction),
    Rbac(RbacRoute),
}

/// The RBAC and ABAC routes (api.md "RBAC and ABAC").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RbacRoute {
    Permissions,
    Permission,
    Resources,
    Roles,
    Role,
    Bindings,
    Binding,
    Groups,
    Group,
    Members,
    Member,
    Scopes,
    Scope,
    Mappings,
    ApiScopes,
    ApiScope,
    PolicyCheck,
    MyRolesPermissions,
    UserCheck,
    Mine(&'static str),
    Check(Check),
    Policies,
    Policy,
    Evaluate,
    BatchEvaluate,
    PolicyTest,
}

/// The CIBA routes (api.md "Device grant and CIBA") under `auth/ciba/` and its tenant
/// variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CibaAction {
    Initiate,
    Token,
    Respond,
    RegisterDevice,
    Devices,
    DeleteDevice,
    Requests,
}

/// The passkey routes (api.md "MFA", Passkeys) under `webauthn/{admin,enduser}/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebauthnAction {
    BeginRegistration,
    FinishRegistration,
    BeginAuthentication,
    FinishAuthentication,
    MfaStatus,
}

/// The TOTP routes (api.md "MFA"), served under `auth/totp/` and its tenant variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TotpAction {
    Register,
    Confirm,
    Verify,
    Login,
    Devices,
    DeviceDelete,
    DevicePrimary,
    BackupRegenerate,
}

/// The status routes of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientChange {
    Activate,
    Deactivate,
    SoftDelete,
    Delete,
}

/// (method, template, route). Segments starting with ':' capture one path segment.
const ROUTES: &[(Method, &str, Route)] = &[
    (Method::Get, "/authsec/uflow/health", Route::Health),
    (Method::Get, "/.well-known/openid-configuration", Route::OpenIdConfiguration),
    (Method::Get, "/.well-known/oauth-authorization-server", Route::OAuthServerMetadata),
    (Method::Get, "/.well-known/jwks.json", Route::Jwks),
    (Method::Get, "/metrics", Route::Metrics),
    (Method::Post, "/authsec/authmgr/token/verify", Route::TokenVerify),
    (Method::Post, "/authsec/authmgr/token/generate", Route::TokenGenerate),
    (Method::Post, "/authsec/uflow/auth/admin/login/bootstrap", Route::AdminBootstrap),
    (Method::Post, "/authsec/uflow/auth/admin/register", Route::AdminRegister),
    (Method::Post, "/authsec/uflow/auth/admin/complete-registration", Route::AdminCompleteRegistration),
    (Method::Post, "/authsec/uflow/auth/admin/login/precheck", Route::AdminPrecheck),
    (Method::Get, "/authsec/uflow/auth/admin/challenge", Route::AdminChallenge),
    (Method::Post, "/authsec/uflow/auth/admin/login", Route::AdminLogin),
    (Method::Post, "/authsec/uflow/auth/token/refresh", Route::TokenRefresh),
    (Method::Post, "/authsec/uflow/auth/logout", Route::Logout),
    (Method::Get, "/authsec/uflow/auth/sessions", Route::SessionsList),
    (Method::Delete, "/authsec/uflow/auth/sessions/:id", Route::SessionRevoke),
    (Method::Post, "/authsec/uflow/admin/users/:user_id/revoke-sessions", Route::AdminRevokeUserSessions),
    (Method::Get, "/authsec/dev/outbox", Route::DevOutbox),
    (Method::Post, "/authsec/uflow/user/register/initiate", Route::EnduserRegister),
    (Method::Post, "/authsec/uflow/auth/enduser/initiate-registration", Route::EnduserRegister),
    (Method::Post, "/authsec/uflow/user/register/complete", Route::EnduserCompleteRegistration),
    (Method::Post, "/authsec/uflow/auth/enduser/verify-otp", Route::EnduserCompleteRegistration),
    (Method::Post, "/authsec/uflow/user/login", Route::EnduserLogin),
    (Method::Post, "/authsec/uflow/auth/enduser/login", Route::EnduserLogin),
    (Method::Post, "/authsec/uflow/auth/enduser/login/precheck", Route::EnduserPrecheck),
    (Method::Post, "/authsec/uflow/auth/admin/forgot-password", Route::ForgotPassword(Who::Admin)),
    (Method::Post, "/authsec/uflow/auth/admin/forgot-password/verify-otp", Route::ForgotPasswordVerify(Who::Admin)),
    (Method::Post, "/authsec/uflow/auth/admin/forgot-password/reset", Route::ForgotPasswordReset(Who::Admin)),
    (Method::Post, "/authsec/uflow/user/forgot-password", Route::ForgotPassword(Who::Enduser)),
    (Method::Post, "/authsec/uflow/user/forgot-password/verify-otp", Route::ForgotPasswordVerify(Who::Enduser)),
    (Method::Post, "/authsec/uflow/user/forgot-password/reset", Route::ForgotPasswordReset(Who::Enduser)),
    (Method::Post, "/authsec/clientms/tenants/:tenant_id/clients/create", Route::ClientCreate),
    (Method::Get, "/authsec/clientms/tenants/:tenant_id/clients/getClients", Route::ClientList),
    (Method::Post, "/authsec/clientms/tenants/:tenant_id/clients/getClients", Route::ClientList),
    (Method::Post, "/authsec/clientms/tenants/:tenant_id/clients/delete-complete", Route::ClientDeleteComplete),
    (Method::Post, "/authsec/clientms/tenants/:tenant_id/clients/set-status", Route::ClientSetStatus),
    (Method::Get, "/authsec/clientms/tenants/:tenant_id/clients/:id", Route::ClientGet),
    (Method::Put, "/authsec/clientms/tenants/:tenant_id/clients/:id", Route::ClientUpdate),
    (Method::Patch, "/authsec/clientms/tenants/:tenant_id/clients/:id", Route::ClientUpdate),
    (Method::Delete, "/authsec/clientms/tenants/:tenant_id/clients/:id", Route::ClientChange(ClientChange::Delete)),
    (
        Method::Patch,
        "/authsec/clientms/tenants/:tenant_id/clients/:id/activate",
        Route::ClientChange(ClientChange::Activate),
    ),
    (
        Method::Patch,
        "/authsec/clientms/tenants/:tenant_id/clients/:id/deactivate",
        Route::ClientChange(ClientChange::Deactivate),
    ),
    (
        Method::Patch,
        "/authsec/clientms/tenants/:tenant_id/clients/:id/soft-delete",
        Route::ClientChange(ClientChange::SoftDelete),
    ),
    (Method::Get, "/authsec/uflow/admin/users/list", Route::AdminUsersList),
    (Method::Post, "/authsec/uflow/admin/users/list", Route::AdminUsersList),
    (Method::Get, "/authsec/uflow/admin/enduser/list", Route::EndusersList),
    (Method::Post, "/authsec/uflow/admin/enduser/list", Route::EndusersList),
    (Method::Delete, "/authsec/uflow/admin/users/:user_id", Route::AdminDeleteUser),
    (Method::Put, "/authsec/uflow/user/enduser/:tenant_id/:user_id/status", Route::UserStatus),
    (Method::Get, "/authsec/uflow/admin/projects", Route::Projects),
    (Method::Post, "/authsec/uflow/admin/projects", Route::Projects),
    (Method::Get, "/authsec/uflow/admin/projects/:id", Route::Project),
    (Method::Put, "/authsec/uflow/admin/projects/:id", Route::Project),
    (Method::Delete, "/authsec/uflow/admin/projects/:id", Route::Project),
    (Method::Get, "/authsec/uflow/admin/tenants", Route::Tenants),
    (Method::Get, "/authsec/uflow/admin/tenants/:tenant_id", Route::Tenant),
    (Method::Put, "/authsec/uflow/admin/tenants/:tenant_id", Route::Tenant),
    (Method::Post, "/authsec/uflow/admin/invite", Route::Invite),
    (Method::Get, "/authsec/uflow/admin/invite/pending", Route::InvitesPending),
    (Method::Post, "/authsec/uflow/admin/invite/cancel", Route::InviteCancel),
    (Method::Post, "/authsec/uflow/admin/invite/resend", Route::InviteResend),
    (Method::Post, "/authsec/uflow/auth/admin/invite/accept", Route::InviteAccept),
    (Method::Get, "/authsec/migration/migrations/master/status", Route::MigrationStatus),
    (Method::Post, "/authsec/migration/migrations/master/run", Route::MigrationRun),
    (Method::Post, "/authsec/uflow/auth/totp/register", Route::Totp(TotpAction::Register)),
    (Method::Post, "/authsec/uflow/auth/totp/confirm", Route::Totp(TotpAction::Confirm)),
    (Method::Post, "/authsec/uflow/auth/totp/verify", Route::Totp(TotpAction::Verify)),
    (Method::Post, "/authsec/uflow/auth/totp/login", Route::Totp(TotpAction::Login)),
    (Method::Get, "/authsec/uflow/auth/totp/devices", Route::Totp(TotpAction::Devices)),
    (Method::Post, "/authsec/uflow/auth/totp/devices", Route::Totp(TotpAction::Devices)),
    (Method::Post, "/authsec/uflow/auth/totp/device/delete", Route::Totp(TotpAction::DeviceDelete)),
    (Method::Post, "/authsec/uflow/auth/totp/device/primary", Route::Totp(TotpAction::DevicePrimary)),
    (Method::Post, "/authsec/uflow/auth/totp/backup/regenerate", Route::Totp(TotpAction::BackupRegenerate)),
    (
        Method::Post,
        "/authsec/webauthn/admin/beginRegistration",
        Route::Webauthn(Who::Admin, WebauthnAction::BeginRegistration),
    ),
    (
        Method::Post,
        "/authsec/webauthn/admin/finishRegistration",
        Route::Webauthn(Who::Admin, WebauthnAction::FinishRegistration),
    ),
    (
        Method::Post,
        "/authsec/webauthn/admin/beginAuthentication",
        Route::Webauthn(Who::Admin, WebauthnAction::BeginAuthentication),
    ),
    (
        Method::Post,
        "/authsec/webauthn/admin/finishAuthentication",
        Route::Webauthn(Who::Admin, WebauthnAction::FinishAuthentication),
    ),
    (Method::Post, "/authsec/webauthn/admin/mfa/status", Route::Webauthn(Who::Admin, WebauthnAction::MfaStatus)),
    (Method::Post, "/authsec/webauthn/mfa/loginStatus", Route::Webauthn(Who::Admin, WebauthnAction::MfaStatus)),
    (
        Method::Post,
        "/authsec/webauthn/enduser/beginRegistration",
        Route::Webauthn(Who::Enduser, WebauthnAction::BeginRegistration),
    ),
    (
        Method::Post,
        "/authsec/webauthn/enduser/finishRegistration",
        Route::Webauthn(Who::Enduser, WebauthnAction::FinishRegistration),
    ),
    (
        Method::Post,
        "/authsec/webauthn/enduser/beginAuthentication",
        Route::Webauthn(Who::Enduser, WebauthnAction::BeginAuthentication),
    ),
    (
        Method::Post,
        "/authsec/webauthn/enduser/finishAuthentication",
        Route::Webauthn(Who::Enduser, WebauthnAction::FinishAuthentication),
    ),
    (Method::Post, "/authsec/webauthn/enduser/mfa/status", Route::Webauthn(Who::Enduser, WebauthnAction::MfaStatus)),
    (
        Method::Post,
        "/authsec/webauthn/enduser/mfa/loginStatus",
        Route::Webauthn(Who::Enduser, WebauthnAction::MfaStatus),
    ),
    (Method::Post, "/authsec/uflow/auth/device/code", Route::DeviceCode),
    (Method::Post, "/authsec/uflow/auth/device/token", Route::DeviceToken),
    (Method::Get, "/authsec/uflow/auth/device/activate/info", Route::DeviceInfo),
    (Method::Post, "/authsec/uflow/auth/device/verify", Route::DeviceVerify),
    (Method::Post, "/authsec/uflow/auth/totp/device-approve", Route::TotpDeviceApprove),
    (Method::Post, "/authsec/oauth/token", Route::OAuthToken),
    (Method::Post, "/authsec/uflow/auth/ciba/initiate", Route::Ciba(CibaAction::Initiate)),
    (Method::Post, "/authsec/uflow/auth/ciba/token", Route::Ciba(CibaAction::Token)),
    (Method::Post, "/authsec/uflow/auth/ciba/respond", Route::Ciba(CibaAction::Respond)),
    (Method::Post, "/authsec/uflow/auth/ciba/register-device", Route::Ciba(CibaAction::RegisterDevice)),
    (Method::Get, "/authsec/uflow/auth/ciba/devices", Route::Ciba(CibaAction::Devices)),
    (Method::Delete, "/authsec/uflow/auth/ciba/devices/:device_id", Route::Ciba(CibaAction::DeleteDevice)),
    (Method::Get, "/authsec/uflow/auth/ciba/requests", Route::Ciba(CibaAction::Requests)),
    (Method::Get, "/authsec/uflow/admin/permissions", Route::Rbac(RbacRoute::Permissions)),
    (Method::Post, "/authsec/uflow/admin/permissions", Route::Rbac(RbacRoute::Permissions)),
    (Method::Get, "/authsec/uflow/admin/permissions/resources", Route::Rbac(RbacRoute::Resources)),
    (Method::Delete, "/authsec/uflow/admin/permissions/:id", Route::Rbac(RbacRoute::Permission)),
    (Method::Get, "/authsec/uflow/admin/roles", Route::Rbac(RbacRoute::Roles)),
    (Method::Post, "/authsec/uflow/admin/roles", Route::Rbac(RbacRoute::Roles)),
    (Method::Get, "/authsec/uflow/admin/roles/:id", Route::Rbac(RbacRoute::Role)),
    (Method::Put, "/authsec/uflow/admin/roles/:id", Route::Rbac(RbacRoute::Role)),
    (Method::Delete, "/authsec/uflow/admin/roles/:id", Route::Rbac(RbacRoute::Role)),
    (Method::Get, "/authsec/uflow/admin/bindings", Route::Rbac(RbacRoute::Bindings)),
    (Method::Post, "/authsec/uflow/admin/bindings", Route::Rbac(RbacRoute::Bindings)),
    (Method::Delete, "/authsec/uflow/admin/bindings/:id", Route::Rbac(RbacRoute::Binding)),
    (Method::Get, "/authsec/uflow/admin/groups", Route::Rbac(RbacRoute::Groups)),
    (Method::Post, "/authsec/uflow/admin/groups", Route::Rbac(RbacRoute::Groups)),
    (Method::Get, "/authsec/uflow/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Put, "/authsec/uflow/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Delete, "/authsec/uflow/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Get, "/authsec/uflow/admin/groups/:id/members", Route::Rbac(RbacRoute::Members)),
    (Method::Post, "/authsec/uflow/admin/groups/:id/members", Route::Rbac(RbacRoute::Members)),
    (Method::Delete, "/authsec/uflow/admin/groups/:id/members/:user_id", Route::Rbac(RbacRoute::Member)),
    (Method::Get, "/authsec/authmgr/admin/groups", Route::Rbac(RbacRoute::Groups)),
    (Method::Post, "/authsec/authmgr/admin/groups", Route::Rbac(RbacRoute::Groups)),
    (Method::Get, "/authsec/authmgr/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Put, "/authsec/authmgr/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Delete, "/authsec/authmgr/admin/groups/:id", Route::Rbac(RbacRoute::Group)),
    (Method::Get, "/authsec/authmgr/admin/groups/:id/members", Route::Rbac(RbacRoute::Members)),
    (Method::Post, "/authsec/authmgr/admin/groups/:id/members", Route::Rbac(RbacRoute::Members)),
    (Method::Delete, "/authsec/authmgr/admin/groups/:id/members/:user_id", Route::Rbac(RbacRoute::Member)),
    (Method::Get, "/authsec/uflow/admin/scopes", Route::Rbac(RbacRoute::Scopes)),
    (Method::Post, "/authsec/uflow/admin/scopes", Route::Rbac(RbacRoute::Scopes)),
    (Method::Get, "/authsec/uflow/admin/scopes/mappings", Route::Rbac(RbacRoute::Mappings)),
    (Method::Post, "/authsec/uflow/admin/scopes/mappings", Route::Rbac(RbacRoute::Mappings)),
    (Method::Put, "/authsec/uflow/admin/scopes/:id", Route::Rbac(RbacRoute::Scope)),
    (Method::Delete, "/authsec/uflow/admin/scopes/:id", Route::Rbac(RbacRoute::Scope)),
    (Method::Get, "/authsec/uflow/admin/api_scopes", Route::Rbac(RbacRoute::ApiScopes)),
    (Method::Post, "/authsec/uflow/admin/api_scopes", Route::Rbac(RbacRoute::ApiScopes)),
    (Method::Put, "/authsec/uflow/admin/api_scopes/:id", Route::Rbac(RbacRoute::ApiScope)),
    (Method::Delete, "/authsec/uflow/admin/api_scopes/:id", Route::Rbac(RbacRoute::ApiScope)),
    (Method::Post, "/authsec/uflow/admin/policy/check", Route::Rbac(RbacRoute::PolicyCheck)),
    (Method::Get, "/authsec/uflow/admin/me/roles-permissions", Route::Rbac(RbacRoute::MyRolesPermissions)),
    (Method::Get, "/authsec/uflow/user/permissions/check", Route::Rbac(RbacRoute::UserCheck)),
    (Method::Get, "/authsec/uflow/user/rbac/roles", Route::Rbac(RbacRoute::Mine("roles"))),
    (Method::Get, "/authsec/uflow/user/rbac/permissions", Route::Rbac(RbacRoute::Mine("permissions"))),
    (Method::Get, "/authsec/uflow/user/rbac/bindings", Route::Rbac(RbacRoute::Mine("bindings"))),
    (Method::Get, "/authsec/uflow/user/rbac/groups", Route::Rbac(RbacRoute::Mine("groups"))),
    (Method::Get, "/authsec/authmgr/admin/profile", Route::Rbac(RbacRoute::Check(Check::Profile))),
    (Method::Get, "/authsec/authmgr/admin/auth-status", Route::Rbac(RbacRoute::Check(Check::AuthStatus))),
    (Method::Get, "/authsec/authmgr/admin/validate/token", Route::Rbac(RbacRoute::Check(Check::ValidateToken))),
    (Method::Get, "/authsec/authmgr/admin/validate/scope", Route::Rbac(RbacRoute::Check(Check::ValidateScope))),
    (Method::Get, "/authsec/authmgr/admin/validate/resource", Route::Rbac(RbacRoute::Check(Check::ValidateResource))),
    (Method::Get, "/authsec/authmgr/admin/check/permission", Route::Rbac(RbacRoute::Check(Check::Permission))),
    (Method::Get, "/authsec/authmgr/admin/check/role", Route::Rbac(RbacRoute::Check(Check::Role))),
    (Method::Get, "/authsec/authmgr/admin/check/role-resource", Route::Rbac(RbacRoute::Check(Check::RoleResource))),
    (
        Method::Get,
        "/authsec/authmgr/admin/check/permission-scoped",
        Route::Rbac(RbacRoute::Check(Check::PermissionScoped)),
    ),
    (Method::Get, "/authsec/authmgr/admin/check/oauth-scope", Route::Rbac(RbacRoute::Check(Check::OAuthScope))),
    (Method::Get, "/authsec/authmgr/admin/permissions", Route::Rbac(RbacRoute::Check(Check::Permissions))),
    (Method::Get, "/authsec/authmgr/user/profile", Route::Rbac(RbacRoute::Check(Check::Profile))),
    (Method::Get, "/authsec/authmgr/user/auth-status", Route::Rbac(RbacRoute::Check(Check::AuthStatus))),
    (Method::Get, "/authsec/authmgr/user/validate/token", Route::Rbac(RbacRoute::Check(Check::ValidateToken))),
    (Method::Get, "/authsec/authmgr/user/validate/scope", Route::Rbac(RbacRoute::Check(Check::ValidateScope))),
    (Method::Get, "/authsec/authmgr/user/validate/resource", Route::Rbac(RbacRoute::Check(Check::ValidateResource))),
    (Method::Get, "/authsec/authmgr/user/check/permission", Route::Rbac(RbacRoute::Check(Check::Permission))),
    (Method::Get, "/authsec/authmgr/user/check/role", Route::Rbac(RbacRoute::Check(Check::Role))),
    (Method::Get, "/authsec/authmgr/user/check/role-resource", Route::Rbac(RbacRoute::Check(Check::RoleResource))),
    (
        Method::Get,
        "/authsec/authmgr/user/check/permission-scoped",
        Route::Rbac(RbacRoute::Check(Check::PermissionScoped)),
    ),
    (Method::Get, "/authsec/authmgr/user/check/oauth-scope", Route::Rbac(RbacRoute::Check(Check::OAuthScope))),
    (Method::Get, "/authsec/authmgr/user/permissions", Route::Rbac(RbacRoute::Check(Check::Permissions))),
    (Method::Get, "/authsec/spire/policy", Route::Rbac(RbacRoute::Policies)),
    (Method::Post, "/authsec/spire/policy", Route::Rbac(RbacRoute::Policies)),
    (Method::Post, "/authsec/spire/policy/evaluate", Route::Rbac(RbacRoute::Evaluate)),
    (Method::Post, "/authsec/spire/policy/batch-evaluate", Route::Rbac(RbacRoute::BatchEvaluate)),
    (Method::Post, "/authsec/spire/policy/test", Route::Rbac(RbacRoute::PolicyTest)),
    (Method::Get, "/authsec/spire/policy/:id", Route::Rbac(RbacRoute::Policy)),
    (Method::Put, "/authsec/spire/policy/:id", Route::Rbac(RbacRoute::Policy)),
    (Method::Delete, "/authsec/spire/policy/:id", Route::Rbac(RbacRoute::Policy)),
    (Method::Get, "/authsec/login", Route::Page(Page::Login)),
    (Method::Get, "/authsec/account", Route::Page(Page::Login)),
    (Method::Get, "/authsec/uflow/activate", Route::Page(Page::Activate)),
    (Method::Get, "/authsec/assets/app.js", Route::Page(Page::Script)),
    (Method::Get, "/authsec/assets/app.css", Route::Page(Page::Stylesheet)),
];

/// Tenant-scoped spellings of routes (api.md "Conventions"): older clients call
/// `auth/tenant/...`, newer ones `auth/workspace/...`; both reach the plain route, and
/// the handler checks the `client_id` they carry.
const TENANT_VARIANTS: &[(&str, &str)] = &[
    ("/authsec/uflow/auth/tenant/totp/", "/authsec/uflow/auth/totp/"),
    ("/authsec/uflow/auth/workspace/totp/", "/authsec/uflow/auth/totp/"),
    ("/authsec/uflow/auth/tenant/ciba/", "/authsec/uflow/auth/ciba/"),
    ("/authsec/uflow/auth/workspace/ciba/", "/authsec/uflow/auth/ciba/"),
];

/// AuthSec API areas (api.md "Module map") not served yet, by path prefix, with the
/// capability named in the 501 body. Each entry goes away when its capability lands.
const NOT_YET_SERVED: &[(&str, &str)] = &[
    ("/authsec/uflow/auth/", "accounts, MFA, device grant and CIBA"),
    ("/authsec/uflow/user/", "end-user accounts and RBAC"),
    ("/authsec/uflow/admin/", "tenant administration and RBAC"),
    ("/authsec/uflow/scim/", "SCIM 2.0"),
    ("/authsec/uflow/oidc/", "upstream OIDC federation"),
    ("/authsec/uflow/sdk/", "workload delegation"),
    ("/authsec/authmgr/admin/", "RBAC checks"),
    ("/authsec/authmgr/user/", "RBAC checks"),
    ("/authsec/oauth/", "the OAuth 2.0 / OIDC provider"),
    ("/authsec/hmgr/", "the OAuth 2.0 / OIDC provider"),
    ("/authsec/oocmgr/", "the OAuth 2.0 / OIDC provider"),
    ("/authsec/exsvc/", "external-service credentials"),
    ("/authsec/spire/", "SPIFFE workload identity"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub route: Route,
    pub template: &'static str,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    /// A captured path parameter; templates guarantee the names they declare.
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Resolves a request. On failure the error carries the label to count it under.
pub fn resolve(method: Method, path: &str) -> Result<Matched, (ApiError, &'static str)> {
    let plain = TENANT_VARIANTS
        .iter()
        .find_map(|(variant, plain)| path.strip_prefix(variant).map(|rest| format!("{plain}{rest}")));
    let path = plain.as_deref().unwrap_or(path);
    let mut allowed = Vec::new();
    for &(route_method, template, route) in ROUTES {
        if let Some(params) = match_template(template, path) {
            if route_method == method {
                return Ok(Matched { route, template, params });
            }
            allowed.push(route_method);
        }
    }
    if !allowed.is_empty() {
        return Err((ApiError::MethodNotAllowed(allowed), "method_not_allowed"));
    }
    if let Some(&(_, capability)) = NOT_YET_SERVED.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        return Err((ApiError::NotImplemented(capability), "not_implemented"));
    }
    Err((ApiError::NotFound, "not_found"))
}

/// Matches a path against a template, capturing `:name` segments. A trailing slash is
/// tolerated (AuthSec's SDKs are not consistent about it); empty segments are not.
fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let mut params = Vec::new();
    let mut path_segments = path.split('/');
    for template_segment in template.split('/') {
        let segment = path_segments.next()?;
        if let Some(name) = template_segment.strip_prefix(':') {
            if segment.is_empty() {
                return None;
            }
            params.push((name, segment.to_string()));
        } else if segment != template_segment {
            return None;
        }
    }
    path_segments.next().is_none().then_some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_routes_and_tolerates_trailing_slash() {
        let m = resolve(Method::Get, "/authsec/uflow/health").unwrap();
        assert_eq!(m.route, Route::Health);
        let m = resolve(Method::Get, "/authsec/uflow/health/").unwrap();
        assert_eq!(m.route, Route::Health);
        assert!(resolve(Method::Get, "/authsec/uflow/health/x").is_err());
        assert!(resolve(Method::Get, "/authsec/uflow//health").is_err());
    }

    #[test]
    fn wrong_method_is_405_with_allow() {
        let (err, label) = resolve(Method::Get, "/authsec/authmgr/token/verify").unwrap_err();
        assert_eq!(err, ApiError::MethodNotAllowed(vec![Method::Post]));
        assert_eq!(label, "method_not_allowed");
    }

    #[test]
    fn unserved_authsec_areas_are_501_and_unknown_paths_404() {
        let (err, _) = resolve(Method::Post, "/authsec/uflow/auth/enduser/webauthn-callback").unwrap_err();
        assert!(matches!(err, ApiError::NotImplemented(_)));
        let (err, _) = resolve(Method::Get, "/authsec/nope").unwrap_err();
        assert_eq!(err, ApiError::NotFound);
        let (err, _) = resolve(Method::Post, "/authsec/authmgr/token/mint").unwrap_err();
        assert_eq!(err, ApiError::NotFound);
    }

    #[test]
    fn tenant_variants_reach_the_plain_route() {
        for path in ["/authsec/uflow/auth/tenant/totp/login", "/authsec/uflow/auth/workspace/totp/login"] {
            let m = resolve(Method::Post, path).unwrap();
            assert_eq!((m.route, m.template), (Route::Totp(TotpAction::Login), "/authsec/uflow/auth/totp/login"));
        }
        assert!(resolve(Method::Post, "/authsec/uflow/auth/tenant/totpx/login").is_err());
    }

    #[test]
    fn captures_parameters() {
        let params = match_template("/a/:id/b/:other", "/a/42/b/x").unwrap();
        assert_eq!(params, vec![("id", "42".to_string()), ("other", "x".to_string())]);
        assert!(match_template("/a/:id", "/a/").is_none());
    }
}
