//! `/authsec/migration/migrations/master/{status,run}`: report and apply the schema
//! migrations of the active backend. Only platform administrators may (ours: an admin
//! whose email is listed in `PLATFORM_ADMIN_EMAILS`; nobody when it is unset).

use crate::api::auth::authenticate_admin;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::store::migrations::{MigrationStore, MIGRATIONS};
use serde_json::json;

async fn platform_admin<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<(), ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    if ctx.config()?.platform_admins.contains(&caller.email_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only platform administrators manage migrations".into()))
    }
}

async fn report<P: Platform>(ctx: &Ctx<'_, P>, applied_now: Vec<&str>) -> Result<HttpResponse, ApiError> {
    let store = ctx.platform.store();
    let applied = store.applied_migrations().await?;
    let pending: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).filter(|n| !applied.iter().any(|a| a == n)).collect();
    Ok(HttpResponse::json(
        200,
        &json!({"backend": store.backend(), "applied": applied, "pending": pending, "applied_now": applied_now,
                "latest": MIGRATIONS.last().map(|m| m.name)}),
    ))
}

/// `GET …/master/status`.
pub async fn status<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    platform_admin(ctx, req).await?;
    report(ctx, Vec::new()).await
}

/// `POST …/master/run`: applies every pending migration in order, each atomically.
pub async fn run<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    platform_admin(ctx, req).await?;
    let store = ctx.platform.store();
    let applied = store.applied_migrations().await?;
    let mut applied_now = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !applied.iter().any(|a| a == m.name)) {
        store
            .apply_migration(migration)
            .await
            .map_err(|e| ApiError::Internal(format!("migration {} failed: {e}", migration.name)))?;
        applied_now.push(migration.name);
    }
    report(ctx, applied_now).await
}
