//! The upstream hmgr/oocmgr routes this deployment answers with 501, each with why and
//! what to use instead (`ApiError::Unsupported`). The module docs give the reasoning for
//! the sign-in routes; the rest have no counterpart here.

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// `hmgr/login/complete-local`: an access token accepted as a sign-in.
    CompleteLocal,
    /// `POST hmgr/consent`: upstream's own consent form.
    ConsentForm,
    /// Upstream OIDC identity providers (`hmgr/auth/*`, `oocmgr/oidc/*` provider routes).
    Federation,
    /// `hmgr/auth/exchange-token`: a code exchanged with Hydra on the client's behalf.
    ExchangeToken,
    /// `hmgr/pkce/store`: verifiers kept for others.
    PkceStore,
    Saml,
    AdminUsers,
    AdminUserRoles,
    AdminTenants,
    AdminRoles,
    AdminProfile,
    /// `oocmgr/configure-complete-oidc`: a main Hydra client plus upstream providers.
    ConfigureComplete,
    /// `oocmgr/tenant/create-base-client`: a client with a caller-chosen id and secret.
    CreateBaseClient,
    /// `oocmgr/tenant/delete-complete`: every Hydra client of a tenant.
    TenantDelete,
    /// `oocmgr/config/edit`: free-form configuration records.
    ConfigEdit,
}

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::CompleteLocal => {
                "completing a sign-in with an access token is refused here: a leaked or delegated token would \
                 become codes and refresh tokens for any client, without the second factor or the browser that \
                 began the sign-in. Users sign in on the Worker's own page (GET /authsec/oauth/authorize)"
            }
            Refusal::ConsentForm => {
                "consent is answered on the Worker's consent page, from the browser that began the sign-in: \
                 POST /authsec/oauth/authorize/consent with its csrf field (GET /authsec/hmgr/consent leads there)"
            }
            Refusal::Federation => {
                "signing in through upstream OIDC identity providers (federation) is not served here: users sign \
                 in with a password, passkey or TOTP on the Worker's page (GET /authsec/oauth/authorize), and \
                 this provider's settings are at POST /authsec/oocmgr/oidc/get-config"
            }
            Refusal::ExchangeToken => {
                "there is no Hydra here to exchange codes with on a client's behalf: the client exchanges its \
                 code itself at POST /authsec/oauth/token (grant_type=authorization_code with its code_verifier)"
            }
            Refusal::PkceStore => {
                "PKCE verifiers stay with the client, which sends its code_verifier to POST /authsec/oauth/token; \
                 this service keeps none for others"
            }
            Refusal::Saml => {
                "SAML single sign-on is not served here; the provider speaks OpenID Connect \
                 (/.well-known/openid-configuration)"
            }
            Refusal::AdminUsers => {
                "upstream's hmgr/admin/users routes are placeholders; users are managed at \
                 /authsec/uflow/admin/users/list, DELETE /authsec/uflow/admin/users/:user_id and \
                 POST /authsec/uflow/admin/invite"
            }
            Refusal::AdminUserRoles => {
                "upstream's hmgr/admin role assignments are placeholders; assign roles with \
                 POST /authsec/uflow/admin/bindings and DELETE /authsec/uflow/admin/bindings/:id"
            }
            Refusal::AdminTenants => {
                "upstream's hmgr/admin/tenants routes are placeholders; tenants are at GET /authsec/uflow/admin/tenants \
                 and GET|PUT /authsec/uflow/admin/tenants/:tenant_id, and are created by admin registration"
            }
            Refusal::AdminRoles => {
                "upstream's hmgr/admin roles and permissions routes are placeholders; use \
                 /authsec/uflow/admin/roles and /authsec/uflow/admin/permissions"
            }
            Refusal::AdminProfile => {
                "upstream's hmgr/admin/profile routes are placeholders; the caller's profile is at \
                 GET /authsec/authmgr/user/profile"
            }
            Refusal::ConfigureComplete => {
                "there is no Hydra client to configure: every tenant gets its default client at registration, \
                 more are registered with POST /authsec/clientms/tenants/:tenant_id/clients/create, and upstream \
                 OIDC providers (federation) are not served"
            }
            Refusal::CreateBaseClient => {
                "every tenant gets its default client at registration; more are registered with \
                 POST /authsec/clientms/tenants/:tenant_id/clients/create, which generates the id and the secret \
                 (never chosen by the caller)"
            }
            Refusal::TenantDelete => {
                "clients are removed one by one with POST /authsec/clientms/tenants/:tenant_id/clients/delete-complete \
                 (the default client stays)"
            }
            Refusal::ConfigEdit => {
                "there are no free-form configuration records here: tenant settings are at \
                 PUT /authsec/uflow/admin/tenants/:tenant_id (name, totp_only_login) and clients at \
                 /authsec/clientms/tenants/:tenant_id/clients/:id"
            }
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        ApiError::Unsupported(refusal.reason())
    }
}
