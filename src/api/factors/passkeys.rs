//! Passkey management (ours, api.md "Factors, delegated tokens, step-up"): the signed-in
//! user lists, renames and deletes their own passkeys under
//! `/authsec/webauthn/{admin,enduser}/credentials[/:id]`. Another account's credential
//! id is not found (404). Deleting needs a step-up; the last usable factor of a user
//! stays (409): once a user has enrolled a second factor, they keep one.

use super::notices::{self, Change};
use super::step_up::{self, Inline};
use super::webauthn::registrant;
use crate::api::body::required_string;
use crate::api::{Ctx, Platform, Who};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::store::mfa::{MfaStore, Passkey, PasskeyRemoval};
use serde_json::{json, Value};

/// What a client may see of a passkey: never key material, counters or attestation.
fn passkey_json(p: &Passkey) -> Value {
    json!({"id": p.id, "credential_id": p.id, "name": p.name, "created_at": p.created_at,
           "last_used_at": p.last_used_at, "backup_eligible": p.backup_eligible, "flagged": p.flagged})
}

/// `GET webauthn/{admin,enduser}/credentials` (J).
pub async fn list<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, who: Who) -> Result<HttpResponse, ApiError> {
    let (_, user, _) = registrant(ctx, req, who).await?;
    let passkeys = ctx.platform.store().passkeys(TenantId::new(&user.tenant_id), UserId::new(&user.id)).await?;
    let credentials: Vec<Value> = passkeys.iter().map(passkey_json).collect();
    Ok(HttpResponse::json(200, &json!({"success": true, "credentials": credentials})))
}

async fn own<P: Platform>(ctx: &Ctx<'_, P>, tenant_id: &str, user_id: &str, id: &str) -> Result<Passkey, ApiError> {
    let passkeys = ctx.platform.store().passkeys(TenantId::new(tenant_id), UserId::new(user_id)).await?;
    passkeys.into_iter().find(|p| p.id == id).ok_or(ApiError::NotFound)
}

/// `PATCH webauthn/{admin,enduser}/credentials/:id` (J) `{name}`.
pub async fn rename<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let (_, user, body) = registrant(ctx, req, who).await?;
    let name = required_string(&body, "name")?.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_field("name", "name must be 1 to 100 characters"));
    }
    if !ctx.platform.store().rename_passkey(TenantId::new(&user.tenant_id), UserId::new(&user.id), id, &name).await? {
        return Err(ApiError::NotFound);
    }
    let renamed = own(ctx, &user.tenant_id, &user.id, id).await?;
    Ok(HttpResponse::json(200, &json!({"success": true, "credential": passkey_json(&renamed)})))
}

/// `DELETE webauthn/{admin,enduser}/credentials/:id` (J, step-up).
pub async fn delete<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    who: Who,
    id: &str,
) -> Result<HttpResponse, ApiError> {
    let (caller, user, body) = registrant(ctx, req, who).await?;
    let passkey = own(ctx, &user.tenant_id, &user.id, id).await?;
    step_up::require(ctx, req, &caller, &user, &body, Inline::CodeOrPassword).await?;
    match ctx.platform.store().remove_passkey(TenantId::new(&user.tenant_id), UserId::new(&user.id), id).await? {
        PasskeyRemoval::Removed => {
            let what = format!("the passkey \"{}\"", passkey.name);
            notices::factor_changed(ctx, &user, Change::Removed, &what).await;
            Ok(HttpResponse::json(200, &json!({"success": true, "message": "passkey removed"})))
        }
        PasskeyRemoval::LastFactor => {
            Err(ApiError::Conflict("this is the account's last second factor; enrol another before removing it".into()))
        }
        PasskeyRemoval::Missing => Err(ApiError::NotFound),
    }
}
