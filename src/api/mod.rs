//! The HTTP API, independent of workerd: route, decode, call the domain, encode.
//!
//! `handle` is the single entry point; it never panics on input and always answers.
//! Everything it needs from the outside world comes through `Platform` (stores, crypto,
//! randomness, config) and `Isolate` (per-isolate memory), and `now_ms` is an argument.

mod abac;
mod admin_auth;
mod auth;
mod authz_cache;
mod body;
mod ciba;
mod clients;
mod codes;
mod cors;
mod dev;
mod device;
mod enduser_auth;
mod health;
mod invitations;
mod issue;
mod mailbox;
mod mfa;
mod migrations;
mod oauth_client;
mod oauth_token;
pub mod pages;
mod password_login;
mod rbac_bindings;
pub mod rbac_checks;
mod rbac_roles;
mod recovery;
mod sessions;
mod tenant_admin;
mod token;
mod totp;
mod unavailable;
mod validate;
mod webauthn;
mod wellknown;

use crate::accounts::password::{hash_password, HashParams};
use crate::config::{Config, ConfigError};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method, MAX_BODY_BYTES};
use crate::mail::MailTransport;
use crate::metrics::Metrics;
use crate::push::PushTransport;
use crate::router::{self, CibaAction, RbacRoute, Route, TotpAction, WebauthnAction};
use crate::store::accounts::{AccountStore, DevOutbox, UserKind};
use crate::store::admin::TenantAdminStore;
use crate::store::clients::ClientStore;
use crate::store::flows::{CibaDeviceStore, FlowStore};
use crate::store::invitations::InvitationStore;
use crate::store::mfa::MfaStore;
use crate::store::migrations::MigrationStore;
use crate::store::rbac::RbacStore;
use crate::store::state::{ChallengeStore, SessionStore};
use crate::store::{DocumentCache, Ping, RateLimiter, SigningKeyStore, TenantStore};
use crate::tokens::cache::VerificationCache;
use crate::tokens::crypto::Es256;
use std::cell::RefCell;
use std::collections::HashMap;

/// What the API needs from the world. The Worker implements it over D1, KV, Durable
/// Objects and Web Crypto; native tests over the in-memory store and RustCrypto.
pub trait Platform {
    type Crypto: Es256;
    type Store: TenantStore
        + SigningKeyStore
        + AccountStore
        + ClientStore
        + TenantAdminStore
        + InvitationStore
        + MigrationStore
        + MfaStore
        + CibaDeviceStore
        + RbacStore
        + DevOutbox
        + Ping;
    type Cache: DocumentCache;
    type Limiter: RateLimiter;
    type Sessions: SessionStore;
    type Challenges: ChallengeStore;
    type Mail: MailTransport;
    type Flows: FlowStore;
    type Push: PushTransport;

    /// The configuration, or the first problem with it (validated at first use).
    fn config(&self) -> Result<&Config, ConfigError>;
    fn crypto(&self) -> &Self::Crypto;
    fn store(&self) -> &Self::Store;
    fn cache(&self) -> &Self::Cache;
    fn limiter(&self) -> &Self::Limiter;
    fn sessions(&self) -> &Self::Sessions;
    fn challenges(&self) -> &Self::Challenges;
    /// The configured mail transport, if any (see `mail`).
    fn mail_transport(&self) -> Option<&Self::Mail>;
    fn flows(&self) -> &Self::Flows;
    /// The configured CIBA push transport, if any (see `push`).
    fn push_transport(&self) -> Option<&Self::Push>;
    /// 16 bytes from a CSPRNG.
    fn random_id(&self) -> [u8; 16];
}

/// State that lives as long as the isolate: metrics and memoized documents.
#[derive(Debug, Default)]
pub struct Isolate {
    pub metrics: RefCell<Metrics>,
    /// Successful token verifications, re-checked against the clock on every hit.
    pub verified_tokens: RefCell<VerificationCache>,
    /// name -> (fingerprint, document, expires_at_ms)
    documents: RefCell<HashMap<String, (String, String, i64)>>,
    /// A password hash with the configured parameters, verified against when a login
    /// names no account, so unknown emails cost the same time as known ones.
    dummy_hash: RefCell<Option<(HashParams, String)>>,
    /// Compiled permission sets and policies, by tenant RBAC version.
    pub authz: RefCell<authz_cache::AuthzCache>,
}

impl Isolate {
    pub fn dummy_password_hash(&self, params: HashParams) -> String {
        if let Some((p, hash)) = self.dummy_hash.borrow().as_ref() {
            if *p == params {
                return hash.clone();
            }
        }
        let hash = hash_password("no account has this password", [0x5a; 16], params).unwrap_or_default();
        *self.dummy_hash.borrow_mut() = Some((params, hash.clone()));
        hash
    }
}

/// The answer to one request, with what the edge needs for metrics and logs.
#[derive(Debug)]
pub struct Outcome {
    pub response: HttpResponse,
    /// The route template (or a fixed label for unmatched requests) for metrics.
    pub route: &'static str,
    /// Internal detail to log; never part of the response.
    pub log: Option<String>,
}

/// Per-request context handed to every handler.
pub struct Ctx<'a, P: Platform> {
    pub platform: &'a P,
    pub isolate: &'a Isolate,
    pub now_ms: i64,
    /// Problems worth logging that did not fail the request (a cache write, say).
    pub warnings: RefCell<Vec<String>>,
}

impl<P: Platform> Ctx<'_, P> {
    pub fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }

    pub fn config(&self) -> Result<&Config, ApiError> {
        self.platform.config().map_err(ApiError::Config)
    }

    pub fn warn(&self, message: String) {
        self.warnings.borrow_mut().push(message);
    }
}

pub async fn handle<P: Platform>(platform: &P, isolate: &Isolate, req: &HttpRequest, now_ms: i64) -> Outcome {
    let origin = cors::allowed_origin(platform.config().ok(), req);
    let mut outcome = route(platform, isolate, req, now_ms, origin).await;
    outcome.response = cors::decorate(outcome.response, origin);
    outcome
}

async fn route<P: Platform>(
    platform: &P,
    isolate: &Isolate,
    req: &HttpRequest,
    now_ms: i64,
    origin: Option<&str>,
) -> Outcome {
    if req.method == Method::Options && req.header("access-control-request-method").is_some() {
        return finish(cors::preflight(req, origin), "cors_preflight", Vec::new());
    }
    let matched = match router::resolve(req.method, &req.path) {
        Ok(matched) => matched,
        Err((error, label)) => return finish(Err(error), label, Vec::new()),
    };
    let declared_len = req.header("content-length").and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
    if declared_len > MAX_BODY_BYTES || req.body.len() > MAX_BODY_BYTES {
        return finish(Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES }), matched.template, Vec::new());
    }
    let ctx = Ctx { platform, isolate, now_ms, warnings: RefCell::new(Vec::new()) };
    let result = match matched.route {
        Route::Health => health::health(&ctx).await,
        Route::OpenIdConfiguration => wellknown::openid_configuration(&ctx).await,
        Route::OAuthServerMetadata => wellknown::oauth_server_metadata(&ctx).await,
        Route::Jwks => wellknown::jwks(&ctx).await,
        Route::Metrics => {
            Ok(HttpResponse::text(200, "text/plain; version=0.0.4; charset=utf-8", isolate.metrics.borrow().render()))
        }
        Route::TokenVerify => token::verify(&ctx, req).await,
        Route::TokenGenerate => token::generate(&ctx, req).await,
        Route::AdminBootstrap => admin_auth::begin_registration(&ctx, req, true).await,
        Route::AdminRegister => admin_auth::begin_registration(&ctx, req, false).await,
        Route::AdminCompleteRegistration => admin_auth::complete_registration(&ctx, req).await,
        Route::AdminPrecheck => admin_auth::precheck(&ctx, req).await,
        Route::AdminChallenge => admin_auth::challenge(&ctx, req).await,
        Route::AdminLogin => admin_auth::login(&ctx, req).await,
        Route::TokenRefresh => sessions::refresh(&ctx, req).await,
        Route::Logout => sessions::logout(&ctx, req).await,
        Route::SessionsList => sessions::list(&ctx, req).await,
        Route::SessionRevoke => sessions::revoke(&ctx, req, matched.param("id")).await,
        Route::AdminRevokeUserSessions => sessions::admin_revoke_all(&ctx, req, matched.param("user_id")).await,
        Route::DevOutbox => dev::outbox(&ctx, req).await,
        Route::EnduserRegister => enduser_auth::begin_registration(&ctx, req).await,
        Route::EnduserCompleteRegistration => enduser_auth::complete_registration(&ctx, req).await,
        Route::EnduserLogin => enduser_auth::login(&ctx, req).await,
        Route::EnduserPrecheck => enduser_auth::precheck(&ctx, req).await,
        Route::ForgotPassword(who) => recovery::forgot(&ctx, req, who).await,
        Route::ForgotPasswordVerify(who) => recovery::verify(&ctx, req, who).await,
        Route::ForgotPasswordReset(who) => recovery::reset(&ctx, req, who).await,
        Route::ClientCreate => clients::create(&ctx, req, matched.param("tenant_id")).await,
        Route::ClientList => clients::list(&ctx, req, matched.param("tenant_id")).await,
        Route::ClientGet => clients::get(&ctx, req, matched.param("tenant_id"), matched.param("id")).await,
        Route::ClientUpdate => clients::update(&ctx, req, matched.param("tenant_id"), matched.param("id")).await,
        Route::ClientChange(change) => {
            clients::change(&ctx, req, matched.param("tenant_id"), matched.param("id"), change).await
        }
        Route::ClientDeleteComplete => clients::by_body(&ctx, req, matched.param("tenant_id"), false).await,
        Route::ClientSetStatus => clients::by_body(&ctx, req, matched.param("tenant_id"), true).await,
        Route::AdminUsersList => tenant_admin::list_users(&ctx, req, UserKind::Admin).await,
        Route::EndusersList => tenant_admin::list_users(&ctx, req, UserKind::Enduser).await,
        Route::AdminDeleteUser => tenant_admin::delete_user(&ctx, req, matched.param("user_id")).await,
        Route::UserStatus => {
            tenant_admin::set_status(&ctx, req, matched.param("tenant_id"), matched.param("user_id")).await
        }
        Route::Projects => tenant_admin::projects(&ctx, req).await,
        Route::Project => tenant_admin::project(&ctx, req, matched.param("id")).await,
        Route::Tenants => tenant_admin::tenants(&ctx, req).await,
        Route::Tenant => tenant_admin::tenant(&ctx, req, matched.param("tenant_id")).await,
        Route::Invite => invitations::invite(&ctx, req).await,
        Route::InvitesPending => invitations::pending(&ctx, req).await,
        Route::InviteCancel => invitations::cancel_or_resend(&ctx, req, false).await,
        Route::InviteResend => invitations::cancel_or_resend(&ctx, req, true).await,
        Route::InviteAccept => invitations::accept(&ctx, req).await,
        Route::MigrationStatus => migrations::status(&ctx, req).await,
        Route::MigrationRun => migrations::run(&ctx, req).await,
        Route::Page(page) => pages::serve(page),
        Route::Rbac(rbac) => {
            let id = matched.param("id");
            match rbac {
                RbacRoute::Permissions => rbac_roles::permissions(&ctx, req).await,
                RbacRoute::Permission => rbac_roles::delete_permission(&ctx, req, id).await,
                RbacRoute::Resources => rbac_roles::resources(&ctx, req).await,
                RbacRoute::Roles => rbac_roles::roles(&ctx, req).await,
                RbacRoute::Role => rbac_roles::role(&ctx, req, id).await,
                RbacRoute::Bindings => rbac_bindings::bindings(&ctx, req).await,
                RbacRoute::Binding => rbac_bindings::delete_binding(&ctx, req, id).await,
                RbacRoute::Groups => rbac_bindings::groups(&ctx, req).await,
                RbacRoute::Group => rbac_bindings::group(&ctx, req, id).await,
                RbacRoute::Members => rbac_bindings::members(&ctx, req, id).await,
                RbacRoute::Member => rbac_bindings::remove_member(&ctx, req, id, matched.param("user_id")).await,
                RbacRoute::Scopes => rbac_bindings::scopes(&ctx, req, "scope").await,
                RbacRoute::Scope => rbac_bindings::scope(&ctx, req, "scope", id).await,
                RbacRoute::Mappings => rbac_bindings::mappings(&ctx, req).await,
                RbacRoute::ApiScopes => rbac_bindings::scopes(&ctx, req, "api_scope").await,
                RbacRoute::ApiScope => rbac_bindings::scope(&ctx, req, "api_scope", id).await,
                RbacRoute::PolicyCheck => rbac_checks::policy_check(&ctx, req).await,
                RbacRoute::MyRolesPermissions => rbac_checks::mine(&ctx, req, "me").await,
                RbacRoute::UserCheck => rbac_checks::user_check(&ctx, req).await,
                RbacRoute::Mine(what) => rbac_checks::mine(&ctx, req, what).await,
                RbacRoute::Check(check) => rbac_checks::check(&ctx, req, check).await,
                RbacRoute::Policies => abac::policies(&ctx, req).await,
                RbacRoute::Policy => abac::policy(&ctx, req, id).await,
                RbacRoute::Evaluate => abac::evaluate_one(&ctx, req).await,
                RbacRoute::BatchEvaluate => abac::evaluate_batch(&ctx, req).await,
                RbacRoute::PolicyTest => abac::test(&ctx, req).await,
            }
        }
        Route::DeviceCode => device::code(&ctx, req).await,
        Route::DeviceToken => device::token(&ctx, req).await,
        Route::DeviceInfo => device::info(&ctx, req).await,
        Route::DeviceVerify => device::verify(&ctx, req).await,
        Route::TotpDeviceApprove => totp::device_approve(&ctx, req).await,
        Route::OAuthToken => oauth_token::token(&ctx, req).await,
        Route::Ciba(action) => match action {
            CibaAction::Initiate => ciba::initiate(&ctx, req).await,
            CibaAction::Token => ciba::token(&ctx, req).await,
            CibaAction::Respond => ciba::respond(&ctx, req).await,
            CibaAction::RegisterDevice => ciba::register_device(&ctx, req).await,
            CibaAction::Devices => ciba::devices(&ctx, req).await,
            CibaAction::DeleteDevice => ciba::delete_device(&ctx, req, matched.param("device_id")).await,
            CibaAction::Requests => ciba::requests(&ctx, req).await,
        },
        Route::Webauthn(who, action) => match action {
            WebauthnAction::BeginRegistration => webauthn::begin_registration(&ctx, req, who).await,
            WebauthnAction::FinishRegistration => webauthn::finish_registration(&ctx, req, who).await,
            WebauthnAction::BeginAuthentication => webauthn::begin_authentication(&ctx, req, who).await,
            WebauthnAction::FinishAuthentication => webauthn::finish_authentication(&ctx, req, who).await,
            WebauthnAction::MfaStatus => webauthn::mfa_status(&ctx, req, who).await,
        },
        Route::Totp(action) => match action {
            TotpAction::Register => totp::register(&ctx, req).await,
            TotpAction::Confirm => totp::confirm(&ctx, req).await,
            TotpAction::Verify => totp::verify(&ctx, req).await,
            TotpAction::Login => totp::login(&ctx, req).await,
            TotpAction::Devices => totp::list(&ctx, req).await,
            TotpAction::DeviceDelete => totp::delete(&ctx, req).await,
            TotpAction::DevicePrimary => totp::primary(&ctx, req).await,
            TotpAction::BackupRegenerate => totp::regenerate_backup(&ctx, req).await,
        },
    };
    finish(result, matched.template, ctx.warnings.into_inner())
}

fn finish(result: Result<HttpResponse, ApiError>, route: &'static str, mut logs: Vec<String>) -> Outcome {
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            logs.extend(error.log_detail());
            error.into_response()
        }
    };
    Outcome { response: with_default_headers(response), route, log: (!logs.is_empty()).then(|| logs.join("; ")) }
}

/// Identity responses are private and must not be sniffed or cached unless a handler
/// says otherwise (JWKS and discovery set their own `cache-control`).
fn with_default_headers(mut response: HttpResponse) -> HttpResponse {
    if response.header("cache-control").is_none() {
        response = response.with_header("cache-control", "no-store");
    }
    response.with_header("x-content-type-options", "nosniff").with_header("referrer-policy", "no-referrer")
}
