//! The authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1) and the
//! decisions taken on it before and after the user signs in.
//!
//! Errors come in two kinds (RFC 6749 §4.1.2.1): while the client or its redirect URI
//! is in doubt the error is shown to the user and never redirected, so an attacker
//! cannot use the endpoint as an open redirector; afterwards it is redirected with
//! `error`, `state` and `iss` (RFC 9207).

use super::{pkce, redirect, scopes};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const MAX_STATE_LEN: usize = 1024;
const MAX_NONCE_LEN: usize = 512;
const MAX_HINT_LEN: usize = 320;

/// How the response travels back (OAuth 2.0 Multiple Response Types §2.1, Form Post
/// Response Mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    Query,
    FormPost,
}

/// The `prompt` values (OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
    pub select_account: bool,
}

/// What this deployment knows of the client named by `client_id`.
#[derive(Debug, Clone)]
pub struct RegisteredClient<'a> {
    pub client_id: &'a str,
    pub redirect_uris: &'a [String],
    /// Whether the client holds the `authorization_code` grant.
    pub code_grant: bool,
}

/// A validated authorization request, kept while the user signs in and consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub response_mode: ResponseMode,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub acr_values: Vec<String>,
    pub ui_locales: Vec<String>,
}

/// Why a request was refused, and how the refusal must travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The client or the redirect URI is in doubt: an error page, no redirect.
    Page { error: &'static str, description: String },
    /// Everything else: back to the client's verified redirect URI.
    Redirect(RedirectError),
}

/// An error response to send to a verified redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
    pub error: &'static str,
    pub description: String,
}

/// Request parameters, from the query (GET) or the form body (POST). A repeated
/// parameter is an error (RFC 6749 §3.1), recorded as such.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: HashMap<String, String>,
    repeated: Option<String>,
}

impl Params {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut params = Params::default();
        for (name, value) in pairs {
            match params.values.entry(name) {
                std::collections::hash_map::Entry::Occupied(taken) => {
                    params.repeated.get_or_insert(taken.key().clone());
                }
                std::collections::hash_map::Entry::Vacant(free) => {
                    free.insert(value);
                }
            }
        }
        params
    }

    /// A parameter, treating an empty value as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

fn page(error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal::Page { error, description: description.into() }
}

/// The `client_id` the request names, or an error page.
pub fn client_id(params: &Params) -> Result<&str, Refusal> {
    params.get("client_id").ok_or_else(|| page("invalid_request", "client_id is required"))
}

/// Validates the request for `client` (already found by `client_id`).
pub fn validate(params: &Params, client: &RegisteredClient<'_>) -> Result<AuthorizationRequest, Refusal> {
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if redirect::matches_registered(uri, client.redirect_uris) => uri.to_string(),
        Some(_) => return Err(page("invalid_request", "redirect_uri is not registered for this client")),
        // OAuth 2.1 §4.1.1: optional only when exactly one is registered.
        None => match client.redirect_uris {
            [only] => only.clone(),
            _ => return Err(page("invalid_request", "redirect_uri is required")),
        },
    };
    if let Some(name) = &params.repeated {
        return Err(page("invalid_request", format!("the parameter {name} is repeated")));
    }
    let response_mode = match params.get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => ResponseMode::Query,
    };
    let state = params.get("state").map(str::to_string);
    let fail = |error: &'static str, description: &str| {
        Refusal::Redirect(RedirectError {
            redirect_uri: redirect_uri.clone(),
            response_mode,
            state: state.clone(),
            error,
            description: description.to_string(),
        })
    };
    if !matches!(params.get("response_mode"), None | Some("query") | Some("form_post")) {
        return Err(fail("invalid_request", "response_mode must be query or form_post"));
    }
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err(fail("invalid_request", "state is too long"));
    }
    if params.get("request").is_some() {
        return Err(fail("request_not_supported", "request objects are not supported"));
    }
    if params.get("request_uri").is_some() {
        return Err(fail("request_uri_not_supported", "request_uri names pushed requests only (RFC 9126)"));
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(fail("invalid_request", "response_type is required")),
        Some(_) => return Err(fail("unsupported_response_type", "only response_type=code is supported")),
    }
    if !client.code_grant {
        return Err(fail("unauthorized_client", "this client is not registered for the authorization_code grant"));
    }
    let code_challenge = pkce::check_challenge(params.get("code_challenge"), params.get("code_challenge_method"))
        .map_err(|e| fail("invalid_request", e.description()))?;
    let scopes = scopes::parse(params.get("scope").unwrap_or(""))
        .ok_or_else(|| fail("invalid_scope", "scope is malformed or names too many scopes"))?;
    let nonce = params.get("nonce").map(str::to_string);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE_LEN) {
        return Err(fail("invalid_request", "nonce is too long"));
    }
    let prompt = parse_prompt(params.get("prompt")).ok_or_else(|| {
        fail("invalid_request", "prompt takes none, login, consent and select_account, and none only alone")
    })?;
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| fail("invalid_request", "max_age must be a non-negative integer"))?,
        ),
    };
    let login_hint = params.get("login_hint").map(str::to_string);
    if login_hint.as_ref().is_some_and(|h| h.len() > MAX_HINT_LEN) {
        return Err(fail("invalid_request", "login_hint is too long"));
    }
    let list = |name: &str| -> Vec<String> {
        let value = params.get(name).unwrap_or("");
        value.split(' ').filter(|s| !s.is_empty()).take(10).map(str::to_string).collect()
    };
    Ok(AuthorizationRequest {
        client_id: client.client_id.to_string(),
        redirect_uri,
        scopes,
        state,
        nonce,
        code_challenge,
        response_mode,
        prompt,
        max_age,
        login_hint,
        acr_values: list("acr_values"),
        ui_locales: list("ui_locales"),
    })
}

fn parse_prompt(value: Option<&str>) -> Option<Prompt> {
    let mut prompt = Prompt::default();
    for word in value.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        match word {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => prompt.select_account = true,
            _ => return None,
        }
    }
    let others = prompt.login || prompt.consent || prompt.select_account;
    (!(prompt.none && others)).then_some(prompt)
}

/// The browser's existing sign-in at this provider, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExistingSignIn {
    pub auth_time: i64,
}

/// Whether the user must sign in (again) before a code is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInNeed {
    /// The existing sign-in serves.
    Reuse,
    /// Show the sign-in page.
    SignIn,
    /// `prompt=none` and no usable sign-in: `login_required`.
    LoginRequired,
}

/// OpenID Connect Core §3.1.2.1: `prompt=login` and `select_account` always ask,
/// `max_age` asks when the sign-in is older (and `max_age=0` always, as relying parties
/// use it to force a fresh sign-in), and `prompt=none` never shows a page.
pub fn sign_in_need(req: &AuthorizationRequest, existing: Option<ExistingSignIn>, now: i64) -> SignInNeed {
    let fresh_enough =
        |s: &ExistingSignIn| req.max_age.is_none_or(|max| max > 0 && now.saturating_sub(s.auth_time) <= max);
    let usable = existing.filter(fresh_enough).filter(|_| !req.prompt.login && !req.prompt.select_account);
    match (usable, req.prompt.none) {
        (Some(_), _) => SignInNeed::Reuse,
        (None, true) => SignInNeed::LoginRequired,
        (None, false) => SignInNeed::SignIn,
    }
}

/// Whether the consent screen must be shown, given what the user granted this client
/// before: always for `prompt=consent`, otherwise only for scopes not yet granted.
pub fn consent_needed(req: &AuthorizationRequest, granted: Option<&[String]>) -> bool {
    req.prompt.consent || !granted.is_some_and(|g| scopes::covers(g, &req.scopes))
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
