//! The steps of an interaction after the sign-in page: the password, a second factor
//! (a TOTP or backup code, or a passkey), and the consent decision. Each is a form post
//! that must come from the browser that began the interaction (`interaction`), and each
//! answers with the next page, or the redirect back to the client.
//!
//! The checks are the same as the JSON sign-in routes': the password lockout, the
//! second-factor guard and its lockout, and passkey verification.

use super::authorize::{consent_page, error_to_client, issue_code, page_locale, proceed};
use super::interaction::{csrf, Interaction, PendingFactor, SignedIn};
use super::pages::{self, Look, Notice};
use crate::api::accounts::{check_password, record_success};
use crate::api::body::form_or_json;
use crate::api::factors::{check_second_step, factors, tenant_sign_in_options, verify_tenant_sign_in};
use crate::api::issue::start_browser_session;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::i18n::{fill, Locale, Text};
use crate::ids::{ClientId, TenantId, UserId};
use crate::oauth::id_token::AuthMethod;
use crate::store::accounts::{AccountStore, User};
use crate::store::consents::ConsentStore;
use serde_json::{json, Map, Value};

type Form = Map<String, Value>;

fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).and_then(Value::as_str).unwrap_or("")
}

/// The interaction a form post names, from the browser that began it.
async fn resume<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest, form: &Form) -> Result<Interaction, ApiError> {
    Interaction::resume(ctx, req, Some(field(form, "tx")), Some(field(form, "csrf"))).await
}

/// What a refused step says when its page is shown again, and the answer's status.
fn notice(locale: Locale, error: &ApiError) -> (u16, Notice) {
    let say = |key: Text, field: bool| Notice { text: locale.text(key).to_string(), field };
    let count = |key: Text, n: String| Notice { text: fill(locale.text(key), &[("n", &n)]), field: true };
    match error {
        ApiError::InvalidCredentials { remaining_attempts } => {
            (401, count(Text::WrongPassword, remaining_attempts.to_string()))
        }
        ApiError::Locked { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60).to_string();
            (423, Notice { field: false, ..count(Text::Locked, minutes) })
        }
        ApiError::Forbidden(_) => (403, say(Text::AccountDisabled, false)),
        ApiError::InvalidOtp { remaining_attempts: Some(n), .. } => (401, count(Text::WrongCodeLeft, n.to_string())),
        ApiError::InvalidOtp { .. } => (401, say(Text::WrongCode, true)),
        ApiError::BadRequest { .. } => (400, say(Text::CheckInput, true)),
        ApiError::CeremonyFailed(_) => (401, say(Text::PasskeyFailed, false)),
        _ => (500, say(Text::ErrGeneric, false)),
    }
}

/// A refused step shown on its page again, with the reason.
fn again<P: Platform>(
    ctx: &Ctx<'_, P>,
    interaction: &Interaction,
    error: &ApiError,
    email: &str,
) -> Result<HttpResponse, ApiError> {
    let (status, notice) = notice(interaction.state.locale, error);
    let token = csrf(ctx, interaction)?;
    Ok(match &interaction.state.pending {
        Some(p) => pages::second_factor(interaction, &token, p.totp, p.passkey, Some(&notice), status),
        None => pages::sign_in(interaction, &token, email, Some(&notice), status),
    })
}

/// A form post or page load whose interaction cannot go on (expired, used, or begun in
/// another browser): a page that says so, in the browser's language.
fn interrupted(req: &HttpRequest, error: ApiError) -> Result<HttpResponse, ApiError> {
    let look = Look::plain(page_locale(req, None));
    match error {
        ApiError::BadRequest { message, .. } => {
            Ok(pages::trouble(look, 400, Text::ErrExpired, "invalid_request", &message))
        }
        ApiError::Forbidden(message) => Ok(pages::trouble(look, 403, Text::ErrForeign, "access_denied", &message)),
        other => Err(other),
    }
}

/// Errors a page shows rather than failing the request.
fn shown(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::InvalidCredentials { .. }
            | ApiError::Locked { .. }
            | ApiError::Forbidden(_)
            | ApiError::InvalidOtp { .. }
            | ApiError::BadRequest { .. }
            | ApiError::CeremonyFailed(_)
    )
}

/// `POST authorize/password` (form: `tx`, `csrf`, `email`, `password`).
pub async fn password<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let form = form_or_json(req)?;
    let mut interaction = match resume(ctx, req, &form).await {
        Ok(interaction) => interaction,
        Err(e) => return interrupted(req, e),
    };
    let email = field(&form, "email").trim().to_lowercase();
    let tenant = TenantId::new(&interaction.state.tenant_id);
    let user = match crate::api::validate::email("email", &email) {
        Ok(email) => ctx.platform.store().user_by_email(tenant, &email).await?,
        Err(_) => None,
    };
    let unknown_key = format!("oauth:{}:{email}", interaction.state.tenant_id);
    let checked = match check_password(ctx, user, &unknown_key, field(&form, "password")).await {
        Ok(checked) => checked,
        Err(e) if shown(&e) => return again(ctx, &interaction, &e, &email),
        Err(e) => return Err(e),
    };
    let user = checked.user.clone();
    let (recorded, enrolled) =
        futures_util::future::join(record_success(ctx, &checked), factors(ctx, &user.tenant_id, &user.id)).await;
    recorded?;
    let enrolled = enrolled?;
    if enrolled.any() {
        interaction.state.pending =
            Some(PendingFactor { user_id: user.id.clone(), totp: enrolled.totp, passkey: enrolled.passkey });
        interaction.save(ctx).await?;
        let token = csrf(ctx, &interaction)?;
        return Ok(pages::second_factor(&interaction, &token, enrolled.totp, enrolled.passkey, None, 200));
    }
    signed_in(ctx, req, interaction, &user, vec![AuthMethod::Pwd]).await
}

/// `POST authorize/otp` (form: `tx`, `csrf`, `totp_code`): the second step by code.
pub async fn otp<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let form = form_or_json(req)?;
    let interaction = match resume(ctx, req, &form).await {
        Ok(interaction) => interaction,
        Err(e) => return interrupted(req, e),
    };
    let user = pending_user(ctx, &interaction).await?;
    if let Err(e) = check_second_step(ctx, &user, field(&form, "totp_code")).await {
        return if shown(&e) { again(ctx, &interaction, &e, "") } else { Err(e) };
    }
    signed_in(ctx, req, interaction, &user, vec![AuthMethod::Pwd, AuthMethod::Otp]).await
}

/// The user whose password checked out and whose second factor is awaited.
async fn pending_user<P: Platform>(ctx: &Ctx<'_, P>, interaction: &Interaction) -> Result<User, ApiError> {
    let pending =
        interaction.state.pending.as_ref().ok_or_else(|| ApiError::bad_request("sign in with your password first"))?;
    let tenant = TenantId::new(&interaction.state.tenant_id);
    let user = ctx.platform.store().user_by_id(tenant, UserId::new(&pending.user_id)).await?;
    user.filter(User::is_active).ok_or_else(|| ApiError::Forbidden("this account is disabled".into()))
}

/// `POST authorize/passkey/options` (JSON `{tx, csrf}`) → `{publicKey}`: any passkey of
/// the client's tenant, or only the pending user's after a password.
pub async fn passkey_options<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let form = form_or_json(req)?;
    let interaction = resume(ctx, req, &form).await?;
    let pending = match interaction.state.pending {
        Some(_) => Some(pending_user(ctx, &interaction).await?),
        None => None,
    };
    let options = tenant_sign_in_options(ctx, req, &interaction.state.tenant_id, pending.as_ref()).await?;
    Ok(HttpResponse::json(200, &json!({"publicKey": options})))
}

/// `POST authorize/passkey` (JSON `{tx, csrf, credential}`) → `{next}`: the page to load,
/// which continues the interaction.
pub async fn passkey<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let form = form_or_json(req)?;
    let mut interaction = resume(ctx, req, &form).await?;
    let credential =
        form.get("credential").ok_or_else(|| ApiError::bad_field("credential", "credential is required"))?;
    let (user, synced) = verify_tenant_sign_in(ctx, credential, &interaction.state.tenant_id).await?;
    let key = if synced { AuthMethod::Swk } else { AuthMethod::Hwk };
    let methods = match &interaction.state.pending {
        Some(p) if p.user_id != user.id => {
            return Err(ApiError::CeremonyFailed("the passkey belongs to another account than the password".into()))
        }
        Some(_) => vec![AuthMethod::Pwd, key],
        None => vec![key],
    };
    record_sign_in(ctx, req, &mut interaction, &user, methods).await?;
    interaction.save(ctx).await?;
    let next = format!("/authsec/oauth/authorize/continue?tx={}", crate::http::percent_encode(&interaction.handle));
    Ok(HttpResponse::json(200, &json!({"next": next})))
}

/// `GET authorize/continue?tx=`: where the passkey script goes once signed in (a page
/// load from the same browser; no form, so no `csrf`).
pub async fn resume_page<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let handle = req.query_param("tx");
    let interaction = match Interaction::resume(ctx, req, handle.as_deref(), None).await {
        Ok(interaction) => interaction,
        Err(e) => return interrupted(req, e),
    };
    if interaction.state.signed_in.is_none() {
        let token = csrf(ctx, &interaction)?;
        return Ok(pages::sign_in(&interaction, &token, "", None, 200));
    }
    proceed(ctx, interaction).await
}

/// A finished sign-in: a provider session for the browser, then consent or the code.
async fn signed_in<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    mut interaction: Interaction,
    user: &User,
    methods: Vec<AuthMethod>,
) -> Result<HttpResponse, ApiError> {
    record_sign_in(ctx, req, &mut interaction, user, methods).await?;
    proceed(ctx, interaction).await
}

/// Opens the browser's provider session for `user` and records the sign-in (who, when,
/// how) in the interaction, in place of a pending second factor.
async fn record_sign_in<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    interaction: &mut Interaction,
    user: &User,
    methods: Vec<AuthMethod>,
) -> Result<(), ApiError> {
    let session_id = start_browser_session(ctx, user, req.header("user-agent").unwrap_or("")).await?;
    interaction.state.pending = None;
    interaction.state.signed_in =
        Some(SignedIn { user_id: user.id.clone(), auth_time: ctx.now_secs(), methods, session_id });
    Ok(())
}

/// `POST authorize/consent` (form: `tx`, `csrf`, `decision` = `allow` | `deny`).
pub async fn consent<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let form = form_or_json(req)?;
    let interaction = match resume(ctx, req, &form).await {
        Ok(interaction) => interaction,
        Err(e) => return interrupted(req, e),
    };
    let signed_in = interaction
        .state
        .signed_in
        .clone()
        .ok_or_else(|| ApiError::bad_request("sign in before answering the consent screen"))?;
    let request = &interaction.state.request;
    match field(&form, "decision") {
        "allow" => {
            let (tenant, user) = (TenantId::new(&interaction.state.tenant_id), UserId::new(&signed_in.user_id));
            ctx.platform
                .store()
                .record_consent(tenant, user, ClientId::new(&request.client_id), &request.scopes, ctx.now_secs())
                .await?;
            issue_code(ctx, &interaction, &signed_in).await
        }
        "deny" => {
            interaction.finish(ctx).await?;
            error_to_client(ctx, request, "access_denied", "the user denied the request")
        }
        _ => {
            let user = ctx
                .platform
                .store()
                .user_by_id(TenantId::new(&interaction.state.tenant_id), UserId::new(&signed_in.user_id))
                .await?
                .ok_or(ApiError::NotFound)?;
            consent_page(ctx, &interaction, &user).await
        }
    }
}
