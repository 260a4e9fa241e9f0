//! `GET|POST /authsec/oauth/authorize` (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2):
//! validates the request, reuses the browser's sign-in when the request allows, and
//! otherwise shows the sign-in page of an interaction (`interaction`). Also how every
//! step ends: the consent screen, or a code sent back to the client (`respond`).

use super::code::{self, CodeGrant};
use super::interaction::{browser_cookie, cookie, csrf, Interaction, SignedIn, SsoCookie, SSO_COOKIE};
use super::pages::{self, Look};
use super::par;
use crate::accounts::sessions::SessionState;
use crate::api::session_shards;
use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{form_encode, form_pairs, HttpRequest, HttpResponse, Method};
use crate::i18n::{self, Locale};
use crate::ids::{ClientId, SessionId, TenantId, UserId};
use crate::oauth::authorize::{
    self, consent_needed, sign_in_need, AuthorizationRequest, ExistingSignIn, Params, RedirectError, Refusal,
    RegisteredClient, ResponseMode, SignInNeed,
};
use crate::oauth::{redirect, scopes, AUTHORIZATION_CODE_GRANT};
use crate::store::accounts::{AccountStore, Client, User};
use crate::store::consents::ConsentStore;
use crate::store::rbac::RbacStore;
use crate::store::TenantStore;

/// The redirect URIs a client registered.
pub fn registered_uris(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The parameters of a front-channel request (authorize, logout): the query of a GET,
/// the form body of a POST; `None` when they are not valid form encoding or UTF-8.
pub fn front_channel_params(req: &HttpRequest) -> Option<Params> {
    let raw = if req.method == Method::Post { std::str::from_utf8(&req.body).ok()? } else { &req.query };
    form_pairs(raw).map(Params::from_pairs)
}

/// `GET|POST authorize`.
pub async fn authorize<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(params) = front_channel_params(req) else {
        let look = Look::plain(page_locale(req, None));
        return Ok(pages::error(look, 400, "invalid_request", "the request parameters are not valid encoding"));
    };
    let locale = page_locale(req, Some(&params));
    let client_id = match authorize::client_id(&params) {
        Ok(id) => id,
        Err(refusal) => return refusal_response(ctx, refusal, locale),
    };
    // The tenant's branding comes with the client, in parallel: no round trip of its own.
    let store = ctx.platform.store();
    let (client, branding) = futures_util::future::join(
        store.client_by_client_id(ClientId::new(client_id)),
        store.branding_of_client(ClientId::new(client_id)),
    )
    .await;
    let Some(client) = client?.filter(Client::is_usable) else {
        let description = "the client is not registered here, or it is disabled";
        return Ok(pages::error(Look::plain(locale), 400, "invalid_client", description));
    };
    let request = match params.get("request_uri") {
        // RFC 9126 §4: a pushed request stands for every other parameter.
        Some(request_uri) => match par::take(ctx, &client, request_uri).await? {
            Some(request) => request,
            None => {
                return Ok(pages::error(
                    Look::plain(locale),
                    400,
                    "invalid_request_uri",
                    "the request_uri is unknown, expired or was already used",
                ))
            }
        },
        None => {
            let uris = registered_uris(&client.redirect_uris);
            let registered = RegisteredClient {
                client_id: &client.client_id,
                redirect_uris: &uris,
                code_grant: client.has_grant(AUTHORIZATION_CODE_GRANT),
            };
            let request = match authorize::validate(&params, &registered) {
                Ok(request) => request,
                Err(refusal) => return refusal_response(ctx, refusal, locale),
            };
            if client.require_par == 1 {
                let why = "this client must push its authorization requests (PAR, RFC 9126)";
                return error_to_client(ctx, &request, "invalid_request", why);
            }
            request
        }
    };
    let (browser, new_browser_cookie) = browser_cookie(ctx, req)?;
    let existing = existing_sign_in(ctx, req, &client.tenant_id).await?;
    let need =
        sign_in_need(&request, existing.as_ref().map(|s| ExistingSignIn { auth_time: s.auth_time }), ctx.now_secs());
    let mut interaction = Interaction::begin(ctx, request, &client.tenant_id, &client.name, &browser)?;
    // The request's own ui_locales: a pushed request (PAR) carries them in its body.
    interaction.state.locale = i18n::negotiate(&interaction.state.request.ui_locales, req.header("accept-language"));
    interaction.state.branding = branding?;
    let response = match (need, existing) {
        (SignInNeed::Reuse, Some(sso)) => {
            interaction.state.signed_in = Some(SignedIn {
                user_id: sso.user_id,
                auth_time: sso.auth_time,
                methods: sso.methods,
                session_id: sso.session_id,
            });
            proceed(ctx, interaction).await?
        }
        (SignInNeed::LoginRequired, _) => {
            error_to_client(ctx, &interaction.state.request, "login_required", "the user is not signed in")?
        }
        (SignInNeed::SignIn | SignInNeed::Reuse, _) => {
            interaction.save(ctx).await?;
            let hint = interaction.state.request.login_hint.clone().unwrap_or_default();
            pages::sign_in(&interaction, &csrf(ctx, &interaction)?, &hint, None, 200)
        }
    };
    Ok(match new_browser_cookie {
        Some(set) => response.with_header("set-cookie", &set),
        None => response,
    })
}

/// The browser's sign-in at this provider for `tenant_id`, if its cookie is genuine and
/// its session is still live (logout and revocation end it at once).
async fn existing_sign_in<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    tenant_id: &str,
) -> Result<Option<SsoCookie>, ApiError> {
    let Some(sso) = cookie(req, SSO_COOKIE).and_then(|v| SsoCookie::decode(ctx, v)) else {
        return Ok(None);
    };
    if sso.tenant_id != tenant_id {
        return Ok(None);
    }
    let state = session_shards::session_state(
        ctx,
        TenantId::new(&sso.tenant_id),
        UserId::new(&sso.user_id),
        SessionId::new(&sso.session_id),
    )
    .await?;
    Ok(matches!(state, SessionState::Live { .. }).then_some(sso))
}

/// After a sign-in: the consent screen when the user has not granted these scopes to
/// this client, else a code back to the client.
pub async fn proceed<P: Platform>(ctx: &Ctx<'_, P>, interaction: Interaction) -> Result<HttpResponse, ApiError> {
    let signed_in = interaction.state.signed_in.clone().ok_or_else(|| ApiError::Internal("not signed in".into()))?;
    let (tenant, user_id) = (TenantId::new(&interaction.state.tenant_id), UserId::new(&signed_in.user_id));
    let client_id = ClientId::new(&interaction.state.request.client_id);
    let store = ctx.platform.store();
    let (user, granted) =
        futures_util::future::join(store.user_by_id(tenant, user_id), store.consent(tenant, user_id, client_id)).await;
    let request = &interaction.state.request;
    let Some(user) = user?.filter(User::is_active) else {
        interaction.finish(ctx).await?;
        return error_to_client(ctx, request, "access_denied", "the account is disabled");
    };
    if consent_needed(request, granted?.as_deref()) {
        if request.prompt.none {
            interaction.finish(ctx).await?;
            return error_to_client(ctx, request, "consent_required", "the user has not consented to these scopes");
        }
        interaction.save(ctx).await?;
        return consent_page(ctx, &interaction, &user).await;
    }
    issue_code(ctx, &interaction, &signed_in).await
}

/// The consent screen, with each scope in words (the tenant's own words for its scopes).
pub async fn consent_page<P: Platform>(
    ctx: &Ctx<'_, P>,
    interaction: &Interaction,
    user: &User,
) -> Result<HttpResponse, ApiError> {
    let own = ctx.platform.store().scopes(TenantId::new(&interaction.state.tenant_id), "scope").await?;
    let described: Vec<(String, String)> = interaction
        .state
        .request
        .scopes
        .iter()
        .map(|s| {
            let words = own
                .iter()
                .find(|o| &o.name == s && !o.description.is_empty())
                .map_or_else(|| scopes::describe(s, interaction.state.locale), |o| o.description.clone());
            (s.clone(), words)
        })
        .collect();
    Ok(pages::consent(interaction, &csrf(ctx, interaction)?, &user.email, &described))
}

/// Issues the code, ends the interaction and sends the browser back to the client.
pub async fn issue_code<P: Platform>(
    ctx: &Ctx<'_, P>,
    interaction: &Interaction,
    signed_in: &SignedIn,
) -> Result<HttpResponse, ApiError> {
    let request = &interaction.state.request;
    let grant = CodeGrant {
        client_id: request.client_id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        scopes: request.scopes.clone(),
        tenant_id: interaction.state.tenant_id.clone(),
        user_id: signed_in.user_id.clone(),
        auth_time: signed_in.auth_time,
        methods: signed_in.methods.clone(),
    };
    let (code, finished) = futures_util::future::join(code::issue(ctx, &grant), interaction.finish(ctx)).await;
    finished?;
    let code = code?;
    let mut fields = vec![("code", code.as_str())];
    if let Some(state) = &request.state {
        fields.push(("state", state));
    }
    let issuer = ctx.config()?.issuer.clone();
    fields.push(("iss", &issuer));
    let response = respond(&request.redirect_uri, request.response_mode, &fields, interaction.state.locale);
    with_sso_cookie(ctx, response, &interaction.state.tenant_id, signed_in)
}

/// Sets (or refreshes) the single sign-on cookie for `signed_in`.
fn with_sso_cookie<P: Platform>(
    ctx: &Ctx<'_, P>,
    response: HttpResponse,
    tenant_id: &str,
    signed_in: &SignedIn,
) -> Result<HttpResponse, ApiError> {
    let value = SsoCookie::of(tenant_id, signed_in).encode(ctx)?;
    Ok(response.with_header("set-cookie", &super::interaction::set_cookie(ctx, SSO_COOKIE, &value, None)?))
}

/// Sends `fields` to the client's redirect URI as the response mode says (`form_post`
/// shows a page for a moment, in `locale`).
fn respond(redirect_uri: &str, mode: ResponseMode, fields: &[(&str, &str)], locale: Locale) -> HttpResponse {
    match mode {
        ResponseMode::Query => {
            let separator = if redirect_uri.contains('?') { '&' } else { '?' };
            HttpResponse::see_other(&format!("{redirect_uri}{separator}{}", form_encode(fields)))
        }
        ResponseMode::FormPost => {
            let origin = redirect::origin(redirect_uri).unwrap_or_default();
            pages::form_post(locale, redirect_uri, &origin, fields)
        }
    }
}

/// An error sent back to the client (RFC 6749 §4.1.2.1, with `iss`: RFC 9207).
pub fn error_to_client<P: Platform>(
    ctx: &Ctx<'_, P>,
    request: &AuthorizationRequest,
    error: &'static str,
    description: &str,
) -> Result<HttpResponse, ApiError> {
    redirect_error(
        ctx,
        &RedirectError {
            redirect_uri: request.redirect_uri.clone(),
            response_mode: request.response_mode,
            state: request.state.clone(),
            error,
            description: description.to_string(),
        },
        i18n::negotiate(&request.ui_locales, None),
    )
}

fn redirect_error<P: Platform>(ctx: &Ctx<'_, P>, e: &RedirectError, locale: Locale) -> Result<HttpResponse, ApiError> {
    let issuer = ctx.config()?.issuer.clone();
    let mut fields = vec![("error", e.error), ("error_description", e.description.as_str())];
    if let Some(state) = &e.state {
        fields.push(("state", state));
    }
    fields.push(("iss", &issuer));
    Ok(respond(&e.redirect_uri, e.response_mode, &fields, locale))
}

fn refusal_response<P: Platform>(ctx: &Ctx<'_, P>, refusal: Refusal, locale: Locale) -> Result<HttpResponse, ApiError> {
    match refusal {
        Refusal::Page { error, description } => Ok(pages::error(Look::plain(locale), 400, error, &description)),
        Refusal::Redirect(e) => redirect_error(ctx, &e, locale),
    }
}

/// The language of a page for this request: the request's `ui_locales` (read even when
/// the rest of the request is refused), then the browser's `Accept-Language`.
pub fn page_locale(req: &HttpRequest, params: Option<&Params>) -> Locale {
    let ui_locales: Vec<String> = params
        .and_then(|p| p.get("ui_locales"))
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    i18n::negotiate(&ui_locales, req.header("accept-language"))
}
