//! `GET|POST /authsec/oauth/userinfo` (OpenID Connect Core §5.3): the signed-in user's
//! claims, released by the access token's scopes (§5.4), plus our `roles` and `groups`.

use crate::api::auth::authenticate_allowing_delegated;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::{TenantId, UserId};
use crate::oauth::scopes::OPENID;
use crate::store::accounts::{AccountStore, User};
use crate::store::rbac::RbacStore;
use serde_json::json;

pub async fn userinfo<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_allowing_delegated(ctx, req).await?;
    let has = |scope: &str| caller.scope.iter().any(|s| s == scope);
    if !has(OPENID) {
        return Err(ApiError::Forbidden("userinfo needs an access token with the openid scope".into()));
    }
    let tenant = TenantId::new(&caller.tenant_id);
    let store = ctx.platform.store();
    let user = store.user_by_id(tenant, UserId::new(&caller.user_id)).await?;
    let user = user.filter(User::is_active).ok_or_else(|| ApiError::InvalidToken("the account is gone".into()))?;
    let mut claims = json!({"sub": user.id});
    if has("profile") {
        claims["name"] = json!(user.name);
        claims["preferred_username"] = json!(user.email);
    }
    if has("email") {
        claims["email"] = json!(user.email);
        claims["email_verified"] = json!(user.email_verified != 0);
    }
    if has("roles") {
        claims["roles"] = json!(caller.roles);
    }
    if has("groups") {
        let inputs = store.principal_authz(tenant, UserId::new(&user.id)).await?;
        claims["groups"] = json!(inputs.groups);
    }
    Ok(HttpResponse::json(200, &claims))
}
