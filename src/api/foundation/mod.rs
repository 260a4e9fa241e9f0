//! The service's own routes (api.md "Foundation"): health, discovery, JWKS, metrics,
//! token verification and narrowing, the development outbox, migrations, and the
//! browser pages. Their handlers are the files of this folder.

mod dev;
mod health;
mod metrics;
mod migrations;
mod pages;
pub use pages::CONTENT_SECURITY_POLICY;
mod token;
mod wellknown;
pub(crate) use wellknown::discovery;

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};
use pages::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Health,
    OpenIdConfiguration,
    OAuthServerMetadata,
    Jwks,
    Metrics,
    TokenVerify,
    TokenGenerate,
    DevOutbox,
    DevLegacySession,
    DevPasskeySignature,
    MigrationStatus,
    MigrationRun,
    Page(Page),
    /// A tenant's accent colour as a stylesheet (`crate::branding`).
    AccentStylesheet,
}

use Action::*;

const WELL_KNOWN: Table<Action> = &[
    (Get, "/openid-configuration", OpenIdConfiguration),
    (Get, "/oauth-authorization-server", OAuthServerMetadata),
    (Get, "/jwks.json", Jwks),
];

const ROOT: Table<Action> = &[(Get, "/metrics", Metrics)];

/// `/authsec`
const AUTHSEC: Table<Action> = &[
    (Get, "/uflow/health", Health),
    (Post, "/authmgr/token/verify", TokenVerify),
    (Post, "/authmgr/token/generate", TokenGenerate),
    (Get, "/dev/outbox", DevOutbox),
    (Post, "/dev/legacy-session", DevLegacySession),
    (Post, "/dev/webauthn/signature", DevPasskeySignature),
    (Get, "/migration/migrations/master/status", MigrationStatus),
    (Post, "/migration/migrations/master/run", MigrationRun),
    (Get, "/login", Page(Page::Login)),
    (Get, "/account", Page(Page::Login)),
    (Get, "/uflow/activate", Page(Page::Activate)),
    (Get, "/assets/app.js", Page(Page::Script)),
    (Get, "/assets/webauthn.js", Page(Page::WebauthnScript)),
    (Get, "/assets/oauth.js", Page(Page::OAuthScript)),
    (Get, "/assets/app.css", Page(Page::Stylesheet)),
    (Get, "/assets/accent/:colour", AccentStylesheet),
];

pub const MOUNTS: Mounts<Action> = &[("/.well-known", WELL_KNOWN), ("", ROOT), ("/authsec", AUTHSEC)];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    match action {
        Health => health::health(ctx).await,
        OpenIdConfiguration => wellknown::openid_configuration(ctx).await,
        OAuthServerMetadata => wellknown::oauth_server_metadata(ctx).await,
        Jwks => wellknown::jwks(ctx).await,
        Metrics => metrics::metrics(ctx, req),
        TokenVerify => token::verify(ctx, req).await,
        TokenGenerate => token::generate(ctx, req).await,
        DevOutbox => dev::outbox(ctx, req).await,
        DevLegacySession => dev::legacy_session(ctx, req).await,
        DevPasskeySignature => dev::passkey_signature(ctx, req).await,
        MigrationStatus => migrations::status(ctx, req).await,
        MigrationRun => migrations::run(ctx, req).await,
        Page(page) => pages::serve(page),
        AccentStylesheet => pages::accent(params.get("colour")),
    }
}
