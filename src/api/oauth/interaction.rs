//! The state of one sign-in at the authorize endpoint, and the browser it belongs to.
//!
//! An *interaction* is a validated authorization request waiting for the user: it lives
//! as a ticket in the ChallengeStore Durable Object under a keyed hash of its random
//! handle, for 10 minutes, and is taken (deleted) when its code is issued.
//!
//! Every form post names the interaction and must come from the browser that began it:
//! the `authsec_browser` cookie (HttpOnly, SameSite=Lax, so a cross-site form post does
//! not carry it) must hash to the interaction's binding, and the form's `csrf` field
//! must be the keyed hash of both. A forged form from another site has neither.
//!
//! The browser's sign-in at the provider (single sign-on) is the `authsec_sso` cookie:
//! tenant, user, session, sign-in time and methods, with a keyed MAC. It is honoured only
//! while its session is live in the session store, so logout and revocation end it.

use crate::api::issue::random_token;
use crate::api::{Ctx, Platform};
use crate::branding::Branding;
use crate::error::ApiError;
use crate::http::HttpRequest;
use crate::i18n::Locale;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::id_token::AuthMethod;
use crate::secret::{constant_time_eq, keyed_hash};
use crate::store::state::ChallengeStore;
use serde::{Deserialize, Serialize};

pub const BROWSER_COOKIE: &str = "authsec_browser";
pub const SSO_COOKIE: &str = "authsec_sso";
/// Cookies are sent to the provider's own routes only.
const COOKIE_PATH: &str = "/authsec/oauth";

/// A password that checked out, waiting for the user's second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFactor {
    pub user_id: String,
    pub totp: bool,
    pub passkey: bool,
}

/// A finished sign-in: who, when, how, and the provider session it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: String,
    pub auth_time: i64,
    pub methods: Vec<AuthMethod>,
    pub session_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionState {
    pub request: AuthorizationRequest,
    pub tenant_id: String,
    pub client_name: String,
    /// Keyed hash of the browser cookie that began it.
    pub browser: String,
    pub expires_at: i64,
    #[serde(default)]
    pub pending: Option<PendingFactor>,
    #[serde(default)]
    pub signed_in: Option<SignedIn>,
    /// The language of its pages, chosen once from `ui_locales` and `Accept-Language`.
    #[serde(default)]
    pub locale: Locale,
    /// The tenant's branding, read with the client, so no later page asks for it again.
    #[serde(default)]
    pub branding: Branding,
}

/// An interaction with its handle (the value forms carry as `tx`).
#[derive(Debug, Clone)]
pub struct Interaction {
    pub handle: String,
    pub state: InteractionState,
}

fn ticket_key<P: Platform>(ctx: &Ctx<'_, P>, handle: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-interaction", handle]))
}

fn browser_binding<P: Platform>(ctx: &Ctx<'_, P>, cookie: &str) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-browser", cookie]))
}

/// The `csrf` form field of an interaction's pages.
pub fn csrf<P: Platform>(ctx: &Ctx<'_, P>, interaction: &Interaction) -> Result<String, ApiError> {
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &["oauth-csrf", &interaction.handle, &interaction.state.browser]))
}

impl Interaction {
    /// A new interaction for `browser_cookie` (not stored yet: `save`), in English and
    /// unbranded until the caller sets `locale` and `branding`.
    pub fn begin<P: Platform>(
        ctx: &Ctx<'_, P>,
        request: AuthorizationRequest,
        tenant_id: &str,
        client_name: &str,
        browser_cookie: &str,
    ) -> Result<Self, ApiError> {
        let state = InteractionState {
            request,
            tenant_id: tenant_id.to_string(),
            client_name: client_name.to_string(),
            browser: browser_binding(ctx, browser_cookie)?,
            expires_at: ctx.now_secs() + crate::oauth::INTERACTION_TTL_SECS,
            pending: None,
            signed_in: None,
            locale: Locale::default(),
            branding: Branding::default(),
        };
        Ok(Interaction { handle: random_token(ctx)?, state })
    }

    pub async fn save<P: Platform>(&self, ctx: &Ctx<'_, P>) -> Result<(), ApiError> {
        let payload = serde_json::to_value(&self.state).map_err(|e| ApiError::Internal(e.to_string()))?;
        let key = ticket_key(ctx, &self.handle)?;
        Ok(ctx.platform.challenges().put_ticket(&key, &payload, self.state.expires_at).await?)
    }

    /// Ends the interaction: its code has been issued or the user refused.
    pub async fn finish<P: Platform>(&self, ctx: &Ctx<'_, P>) -> Result<(), ApiError> {
        ctx.platform.challenges().take_ticket(&ticket_key(ctx, &self.handle)?, ctx.now_secs()).await?;
        Ok(())
    }

    /// What the live interaction `handle` asks for, with no browser check: for a tenant
    /// admin's read-only lookup (`hydra_compat`), which checks the tenant itself. Only the
    /// state comes back, never an `Interaction` that could be continued.
    pub async fn peek<P: Platform>(ctx: &Ctx<'_, P>, handle: &str) -> Result<Option<InteractionState>, ApiError> {
        let payload = ctx.platform.challenges().peek_ticket(&ticket_key(ctx, handle)?, ctx.now_secs()).await?;
        Ok(payload.and_then(|p| serde_json::from_value(p).ok()))
    }

    /// The interaction a form names, if it is live and this browser began it. A form post
    /// passes its `csrf` field (`Some("")` when the form had none, which fails); a page
    /// load passes `None`, and only the cookie counts.
    pub async fn resume<P: Platform>(
        ctx: &Ctx<'_, P>,
        req: &HttpRequest,
        handle: Option<&str>,
        csrf_field: Option<&str>,
    ) -> Result<Self, ApiError> {
        let expired =
            || ApiError::bad_request("this sign-in has expired or was already used; start again from the application");
        let handle = handle.filter(|h| !h.is_empty() && h.len() <= 64).ok_or_else(expired)?;
        let payload = ctx.platform.challenges().peek_ticket(&ticket_key(ctx, handle)?, ctx.now_secs()).await?;
        let state: InteractionState = payload.and_then(|p| serde_json::from_value(p).ok()).ok_or_else(expired)?;
        let interaction = Interaction { handle: handle.to_string(), state };
        let foreign =
            || ApiError::Forbidden("this sign-in was begun in another browser or the form was not ours".into());
        let cookie = cookie(req, BROWSER_COOKIE).ok_or_else(foreign)?;
        let binding = browser_binding(ctx, cookie)?;
        if !constant_time_eq(binding.as_bytes(), interaction.state.browser.as_bytes()) {
            return Err(foreign());
        }
        if let Some(field) = csrf_field {
            let expected = csrf(ctx, &interaction)?;
            if !constant_time_eq(field.as_bytes(), expected.as_bytes()) {
                return Err(foreign());
            }
        }
        Ok(interaction)
    }
}

/// A cookie's value from the `Cookie` header.
pub fn cookie<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.header("cookie")?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 512)
}

/// A `Set-Cookie` value for the provider's cookies: HttpOnly, SameSite=Lax (sent on the
/// top-level redirect back from an application, never on a cross-site post), Secure
/// when the deployment is https.
pub fn set_cookie<P: Platform>(
    ctx: &Ctx<'_, P>,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> Result<String, ApiError> {
    let secure = if ctx.config()?.issuer.starts_with("https://") { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    Ok(format!("{name}={value}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax{secure}{age}"))
}

/// The browser cookie of `req`, or a new one to set.
pub fn browser_cookie<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<(String, Option<String>), ApiError> {
    match cookie(req, BROWSER_COOKIE) {
        Some(existing) => Ok((existing.to_string(), None)),
        None => {
            let fresh = random_token(ctx)?;
            let header = set_cookie(ctx, BROWSER_COOKIE, &fresh, None)?;
            Ok((fresh, Some(header)))
        }
    }
}

/// What the SSO cookie says, once its MAC checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoCookie {
    pub tenant_id: String,
    pub user_id: String,
    pub session_id: String,
    pub auth_time: i64,
    pub methods: Vec<AuthMethod>,
}

fn methods_text(methods: &[AuthMethod]) -> String {
    let names: Vec<String> =
        methods.iter().filter_map(|m| serde_json::to_value(m).ok()?.as_str().map(str::to_string)).collect();
    names.join("+")
}

fn sso_mac<P: Platform>(ctx: &Ctx<'_, P>, parts: &[&str]) -> Result<String, ApiError> {
    let mut all = vec!["oauth-sso"];
    all.extend_from_slice(parts);
    Ok(keyed_hash(ctx.config()?.pepper.expose(), &all))
}

impl SsoCookie {
    pub fn of(tenant_id: &str, signed_in: &SignedIn) -> Self {
        SsoCookie {
            tenant_id: tenant_id.to_string(),
            user_id: signed_in.user_id.clone(),
            session_id: signed_in.session_id.clone(),
            auth_time: signed_in.auth_time,
            methods: signed_in.methods.clone(),
        }
    }

    pub fn encode<P: Platform>(&self, ctx: &Ctx<'_, P>) -> Result<String, ApiError> {
        let time = self.auth_time.to_string();
        let methods = methods_text(&self.methods);
        let parts = [self.tenant_id.as_str(), &self.user_id, &self.session_id, &time, &methods];
        let mac = sso_mac(ctx, &parts)?;
        Ok(format!("{}.{}", parts.join("."), mac))
    }

    pub fn decode<P: Platform>(ctx: &Ctx<'_, P>, value: &str) -> Option<Self> {
        let parts: Vec<&str> = value.split('.').collect();
        let [tenant, user, session, time, methods, mac] = parts.as_slice() else {
            return None;
        };
        let expected = sso_mac(ctx, &[tenant, user, session, time, methods]).ok()?;
        if !constant_time_eq(expected.as_bytes(), mac.as_bytes()) {
            return None;
        }
        let methods = methods
            .split('+')
            .filter(|m| !m.is_empty())
            .map(|m| serde_json::from_value(serde_json::Value::String(m.to_string())).ok())
            .collect::<Option<Vec<AuthMethod>>>()?;
        Some(SsoCookie {
            tenant_id: tenant.to_string(),
            user_id: user.to_string(),
            session_id: session.to_string(),
            auth_time: time.parse().ok()?,
            methods,
        })
    }
}
