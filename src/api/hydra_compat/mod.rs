//! AuthSec's Ory Hydra manager (`/authsec/hmgr`) and OIDC configuration manager
//! (`/authsec/oocmgr`), mapped onto this service's own OAuth provider (issue 14).
//!
//! Upstream these two services sit in front of an Ory Hydra: Hydra sends the browser to
//! `hmgr/login?login_challenge=…`, a login UI reads the challenge and accepts it, Hydra
//! sends it on to `hmgr/consent?consent_challenge=…`, and `oocmgr` keeps each tenant's
//! "main" Hydra client and its upstream OIDC/SAML providers. Here the Worker is the
//! provider: `/authsec/oauth/authorize` shows its own sign-in and consent pages and
//! keeps each sign-in as an *interaction* (`api::oauth`), and clients live in the
//! clients store (`api::clients`). So:
//!
//! - **A challenge is an interaction handle.** `login_challenge` and `consent_challenge`
//!   are both the `tx` of the interaction. `GET hmgr/login` and `GET hmgr/consent` send
//!   the browser to that interaction's page (`authorize/continue`), where the browser
//!   binding, the password, the second factor and the consent form's CSRF check still
//!   apply; nothing is accepted by visiting them (upstream's consent GET accepts every
//!   requested scope, a cross-site request away from a grant). `GET hmgr/challenge` and
//!   `GET hmgr/login/page-data` describe the interaction's client, read-only, to an admin
//!   of the interaction's tenant (another tenant's handle is 404, as if unknown).
//! - **No API accepts a sign-in.** Upstream's `hmgr/login/complete-local` turns any
//!   end-user access token into an accepted login for any pending challenge. Here an
//!   access token is not a sign-in: a leaked token, or a delegated one a client obtained
//!   through a grant, would become codes and refresh tokens for any client, outliving the
//!   token and skipping the second factor and the browser binding. An admin-only variant
//!   would be worse (sign in as any user). So it answers 501 with that reason, as do
//!   `hmgr/consent` posts (the consent form is the Worker's, with its CSRF field).
//! - **oocmgr reads the provider's real settings.** The tenant's "main client" is its
//!   default client; "Hydra clients" are the tenant's clients (never a secret: only
//!   hashes are kept); OIDC config adds the discovery endpoints and `totp_only_login`;
//!   `tenant/update-complete` edits the tenant name and a client through the clients
//!   module's own validation. Every such route needs the tenant's admin (api.md **ours:**
//!   upstream leaves them open, and its raw Hydra dump leaks across workspaces); a body
//!   naming another tenant is 404.
//! - **What has no counterpart answers 501 and names what to use:** upstream OIDC
//!   federation providers, SAML, Hydra code exchange and PKCE storage (the client does
//!   both at `/authsec/oauth/token`), caller-chosen client ids and secrets, and
//!   upstream's placeholder `hmgr/admin/*` routes (the `uflow/admin` routes are real).
//!   Paths under the two prefixes that upstream never had fall to the router's 501.

mod challenges;
mod clients;
mod refusals;
mod shared;
mod tenant;

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};
pub use refusals::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    HmgrHealth,
    LoginRedirect,
    ConsentRedirect,
    LoginChallenge,
    LoginPageData,
    OocmgrHealth,
    TenantExists,
    TenantList,
    TenantUpdate,
    TenantLoginPage,
    OidcConfig,
    AuthProviders,
    RawDump,
    HydraClients,
    HydraClientsByTenant,
    HydraClientsSync,
    TestFlow,
    TenantStats,
    ClientIds,
    /// An upstream route answered with 501 and the reason.
    Refused(Refusal),
}

use Action::*;
use Refusal::*;

/// `/authsec/hmgr`: Hydra's login and consent hooks, federation, SAML, and upstream's
/// placeholder admin routes.
const HMGR: Table<Action> = &[
    (Get, "/health", HmgrHealth),
    (Get, "/login", LoginRedirect),
    (Get, "/consent", ConsentRedirect),
    (Post, "/consent", Refused(ConsentForm)),
    (Get, "/challenge", LoginChallenge),
    (Get, "/login/page-data", LoginPageData),
    (Post, "/login/complete-local", Refused(CompleteLocal)),
    (Post, "/auth/initiate/:provider", Refused(Federation)),
    (Post, "/auth/callback", Refused(Federation)),
    (Post, "/auth/exchange-token", Refused(ExchangeToken)),
    (Post, "/pkce/store", Refused(PkceStore)),
    (Post, "/saml/initiate/:provider", Refused(Saml)),
    (Post, "/saml/acs", Refused(Saml)),
    (Post, "/saml/acs/:tenant_id", Refused(Saml)),
    (Post, "/saml/acs/:tenant_id/:client_id", Refused(Saml)),
    (Get, "/saml/metadata/:tenant_id", Refused(Saml)),
    (Get, "/saml/metadata/:tenant_id/:client_id", Refused(Saml)),
    (Post, "/saml/test-provider", Refused(Saml)),
    (Get, "/dev/saml-providers", Refused(Saml)),
    (Post, "/dev/saml-providers", Refused(Saml)),
    (Put, "/dev/saml-providers/:id", Refused(Saml)),
    (Delete, "/dev/saml-providers/:id", Refused(Saml)),
    (Get, "/admin/saml-providers", Refused(Saml)),
    (Post, "/admin/saml-providers", Refused(Saml)),
    (Put, "/admin/saml-providers/:id", Refused(Saml)),
    (Delete, "/admin/saml-providers/:id", Refused(Saml)),
    (Get, "/admin/users", Refused(AdminUsers)),
    (Post, "/admin/users", Refused(AdminUsers)),
    (Put, "/admin/users/:id", Refused(AdminUsers)),
    (Delete, "/admin/users/:id", Refused(AdminUsers)),
    (Post, "/admin/users/:id/roles", Refused(AdminUserRoles)),
    (Delete, "/admin/users/:id/roles/:role_id", Refused(AdminUserRoles)),
    (Get, "/admin/tenants", Refused(AdminTenants)),
    (Post, "/admin/tenants", Refused(AdminTenants)),
    (Put, "/admin/tenants/:id", Refused(AdminTenants)),
    (Delete, "/admin/tenants/:id", Refused(AdminTenants)),
    (Get, "/admin/roles", Refused(AdminRoles)),
    (Post, "/admin/roles", Refused(AdminRoles)),
    (Put, "/admin/roles/:id", Refused(AdminRoles)),
    (Delete, "/admin/roles/:id", Refused(AdminRoles)),
    (Get, "/admin/permissions", Refused(AdminRoles)),
    (Post, "/admin/permissions", Refused(AdminRoles)),
    (Get, "/admin/profile", Refused(AdminProfile)),
    (Put, "/admin/profile", Refused(AdminProfile)),
];

/// `/authsec/oocmgr`: the tenant's OIDC configuration and its "Hydra" clients.
const OOCMGR: Table<Action> = &[
    (Get, "/health", OocmgrHealth),
    (Post, "/configure-complete-oidc", Refused(ConfigureComplete)),
    (Post, "/tenant/create-base-client", Refused(CreateBaseClient)),
    (Post, "/tenant/check-exists", TenantExists),
    (Post, "/tenant/list-all", TenantList),
    (Post, "/tenant/delete-complete", Refused(TenantDelete)),
    (Post, "/tenant/update-complete", TenantUpdate),
    (Post, "/tenant/login-page-data", TenantLoginPage),
    (Post, "/config/edit", Refused(ConfigEdit)),
    (Post, "/oidc/add-provider", Refused(Federation)),
    (Post, "/oidc/get-config", OidcConfig),
    (Post, "/oidc/get-provider", Refused(Federation)),
    (Post, "/oidc/get-provider-secret", Refused(Federation)),
    (Post, "/oidc/update-provider", Refused(Federation)),
    (Post, "/oidc/delete-provider", Refused(Federation)),
    (Post, "/oidc/templates", Refused(Federation)),
    (Post, "/oidc/validate", Refused(Federation)),
    (Get, "/oidc/show-auth-providers", AuthProviders),
    (Post, "/oidc/show-auth-providers", AuthProviders),
    (Post, "/oidc/raw-hydra-dump", RawDump),
    (Post, "/oidc/edit-client-auth-provider", Refused(Federation)),
    (Post, "/saml/add-provider", Refused(Saml)),
    (Post, "/saml/list-providers", Refused(Saml)),
    (Post, "/saml/get-provider", Refused(Saml)),
    (Post, "/saml/update-provider", Refused(Saml)),
    (Post, "/saml/delete-provider", Refused(Saml)),
    (Post, "/saml/templates", Refused(Saml)),
    (Post, "/hydra-clients/list", HydraClients),
    (Post, "/hydra-clients/get-by-tenant", HydraClientsByTenant),
    (Post, "/hydra-clients/sync", HydraClientsSync),
    (Post, "/test/oidc-flow", TestFlow),
    (Post, "/stats/tenant", TenantStats),
    (Post, "/clients/getClients", ClientIds),
];

pub const MOUNTS: Mounts<Action> = &[("/authsec/hmgr", HMGR), ("/authsec/oocmgr", OOCMGR)];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    _params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        HmgrHealth => Ok(shared::health(ctx, "oauth-login-service-api")),
        LoginRedirect => challenges::to_interaction(req, "login_challenge"),
        ConsentRedirect => challenges::to_interaction(req, "consent_challenge"),
        LoginChallenge => challenges::client_of(ctx, req).await,
        LoginPageData => challenges::page_data(ctx, req).await,
        OocmgrHealth => Ok(shared::health(ctx, "oidc-config-manager")),
        TenantExists => tenant::check_exists(ctx, req).await,
        TenantList => tenant::list_all(ctx, req).await,
        TenantUpdate => tenant::update_complete(ctx, req).await,
        TenantLoginPage => tenant::login_page_data(ctx, req).await,
        OidcConfig => tenant::oidc_config(ctx, req).await,
        AuthProviders => tenant::auth_providers(ctx, req).await,
        TestFlow => tenant::test_flow(ctx, req).await,
        TenantStats => tenant::stats(ctx, req).await,
        RawDump => clients::raw_dump(ctx, req).await,
        HydraClients => clients::list(ctx, req).await,
        HydraClientsByTenant => clients::by_tenant(ctx, req).await,
        HydraClientsSync => clients::sync(ctx, req).await,
        ClientIds => clients::client_ids(ctx, req).await,
        Refused(refusal) => Err(refusal.into()),
    }
}
