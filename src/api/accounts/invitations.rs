//! Invitations (api.md "Tenant administration"): an admin invites an email with a role;
//! the invitee gets a single-use token by mail (stored as a keyed hash, valid 7 days) and
//! accepts it (ours: `POST uflow/auth/admin/invite/accept`) by choosing a password.

use super::admin_auth::new_password_field;
use super::mailbox::deliver;
use crate::accounts::password::hash_password;
use crate::api::auth::{authenticate_admin, client_ip, rate_limit};
use crate::api::body::{json_object, optional_text, required_string};
use crate::api::issue::{random_token, uuid_like};
use crate::api::validate;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::ids::TenantId;
use crate::secret::keyed_hash;
use crate::store::accounts::{AccountStore, User, UserKind};
use crate::store::invitations::{Invitation, InvitationStore, INVITATION_TTL_SECS};
use crate::store::TenantStore;
use serde_json::{json, Value};

fn invitation_json(i: &Invitation) -> Value {
    json!({"id": i.id, "invitation_id": i.id, "email": i.email, "role": i.role, "status": i.status,
           "invited_by": i.invited_by, "created_at": i.created_at, "expires_at": i.expires_at})
}

fn token_hash<P: Platform>(ctx: &Ctx<'_, P>, token: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["invitation", token]))
}

/// Mails a fresh token for `invitation` and returns it with the new hash and expiry set.
async fn send_invitation<P: Platform>(ctx: &Ctx<'_, P>, mut invitation: Invitation) -> Result<Invitation, ApiError> {
    let token = random_token(ctx)?;
    invitation.token_hash = token_hash(ctx, &token)?;
    invitation.expires_at = ctx.now_secs() + INVITATION_TTL_SECS;
    let domain = ctx.platform.store().tenant_by_id(&invitation.tenant_id).await?.map(|t| t.domain).unwrap_or_default();
    let issuer = &ctx.config()?.issuer;
    let text = format!(
        "You are invited to administer {domain} on AuthSec with the role {role}.\n\n\
         Accept within 7 days with this token: {token}\n\
         (POST {issuer}/authsec/uflow/auth/admin/invite/accept with {{\"token\", \"password\"}}, or paste it in the console).",
        role = invitation.role
    );
    deliver(ctx, &invitation.email, &format!("Invitation to {domain}"), text).await?;
    Ok(invitation)
}

/// `POST uflow/admin/invite` `{email, role}`.
pub async fn invite<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let email = validate::email("email", required_string(&body, "email")?)?;
    let role = required_string(&body, "role")?.trim().to_string();
    rate_limit(ctx, &format!("invite:{}", caller.tenant_id), 30, 60).await?;
    let store = ctx.platform.store();
    if store.role_id(TenantId::new(&caller.tenant_id), &role).await?.is_none() {
        return Err(ApiError::bad_field("role", "no such role in this tenant"));
    }
    if store.user_by_email(TenantId::new(&caller.tenant_id), &email).await?.is_some()
        || store.admin_by_email(&email).await?.is_some()
    {
        return Err(ApiError::Conflict("this email already has a console account".into()));
    }
    let pending = store.pending_invitations(TenantId::new(&caller.tenant_id)).await?;
    if pending.iter().any(|i| i.email == email) {
        return Err(ApiError::Conflict("this email is already invited; resend the invitation instead".into()));
    }
    let invitation = Invitation {
        id: uuid_like(ctx)?,
        tenant_id: caller.tenant_id.clone(),
        email,
        role,
        token_hash: String::new(),
        invited_by: caller.user_id.clone(),
        status: crate::store::invitations::InvitationStatus::Pending,
        created_at: ctx.now_secs(),
        expires_at: 0,
    };
    let invitation = send_invitation(ctx, invitation).await?;
    store.create_invitation(&invitation).await?;
    let mut body = invitation_json(&invitation);
    body["message"] = json!("invitation sent");
    Ok(HttpResponse::json(201, &body))
}

/// `GET uflow/admin/invite/pending`.
pub async fn pending<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let pending = ctx.platform.store().pending_invitations(TenantId::new(&caller.tenant_id)).await?;
    let invitations: Vec<Value> = pending.iter().map(invitation_json).collect();
    Ok(HttpResponse::json(200, &json!({"invitations": invitations, "total": invitations.len()})))
}

/// `POST uflow/admin/invite/cancel` and `…/resend` `{invitation_id | email}`.
pub async fn cancel_or_resend<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    resend: bool,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(ctx, req).await?;
    let body = json_object(req)?;
    let id = optional_text(&body, "invitation_id", 64)?;
    let email = optional_text(&body, "email", 254)?.to_lowercase();
    if id.is_empty() && email.is_empty() {
        return Err(ApiError::bad_field("invitation_id", "invitation_id or email is required"));
    }
    let store = ctx.platform.store();
    let pending = store.pending_invitations(TenantId::new(&caller.tenant_id)).await?;
    let invitation = pending
        .into_iter()
        .find(|i| (!id.is_empty() && i.id == id) || (!email.is_empty() && i.email == email))
        .ok_or(ApiError::NotFound)?;
    let updated = if resend {
        send_invitation(ctx, invitation).await?
    } else {
        Invitation { status: crate::store::invitations::InvitationStatus::Cancelled, ..invitation }
    };
    store.update_invitation(&updated).await?;
    let mut body = invitation_json(&updated);
    body["success"] = json!(true);
    Ok(HttpResponse::json(200, &body))
}

/// `POST uflow/auth/admin/invite/accept` `{token, password, name?}` (public: the token
/// is the credential).
pub async fn accept<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    rate_limit(ctx, &format!("invite-accept:ip:{}", client_ip(req)), 10, 60).await?;
    let body = json_object(req)?;
    let token = required_string(&body, "token")?;
    let password = new_password_field(&body, "password")?;
    let name = optional_text(&body, "name", 128)?;
    let store = ctx.platform.store();
    let now = ctx.now_secs();
    let invitation = store.invitation_by_token_hash(&token_hash(ctx, token)?).await?;
    let invitation = invitation
        .filter(|i| i.is_open(now))
        .ok_or_else(|| ApiError::InvalidGrant("the invitation is unknown, used, cancelled or expired".into()))?;
    let role_id = store
        .role_id(TenantId::new(&invitation.tenant_id), &invitation.role)
        .await?
        .ok_or_else(|| ApiError::InvalidGrant("the invited role no longer exists".into()))?;
    let user = User {
        id: uuid_like(ctx)?,
        tenant_id: invitation.tenant_id.clone(),
        email: invitation.email.clone(),
        name,
        kind: UserKind::Admin,
        status: crate::store::accounts::UserStatus::Active,
        password_hash: hash_password(password, ctx.random_id()?, ctx.config()?.password_hashing)
            .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?,
        email_verified: 1,
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        last_login_at: None,
    };
    store.accept_invitation(&invitation.id, &user, &role_id, &uuid_like(ctx)?).await?;
    Ok(HttpResponse::json(
        201,
        &json!({"message": "invitation accepted; sign in", "email": user.email, "tenant_id": user.tenant_id,
                "user_id": user.id, "role": invitation.role}),
    ))
}
