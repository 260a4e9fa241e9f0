//! The browser pages (api.md "MFA", the "The browser"): sign-in, the signed-in
//! account view that registers passkeys, and device activation. Static, dependency-free
//! HTML with one script and one stylesheet from the same origin, so the Content Security
//! Policy can forbid everything else: no inline script, no framing, no foreign requests.
//! Also the accent stylesheets of branded pages: a colour's CSS at a URL named by the
//! colour, which no inline style could carry under that policy.

use crate::branding::{accent_stylesheet, AccentColor};
use crate::error::ApiError;
use crate::http::HttpResponse;

const LOGIN_HTML: &str = include_str!("../../pages/login.html");
const ACTIVATE_HTML: &str = include_str!("../../pages/activate.html");
const APP_JS: &str = include_str!("../../pages/app.js");
const APP_CSS: &str = include_str!("../../pages/app.css");
const WEBAUTHN_JS: &str = include_str!("../../pages/webauthn.js");
const OAUTH_JS: &str = include_str!("../../pages/oauth.js");

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Login,
    Activate,
    Script,
    /// The WebAuthn JSON helpers both scripts use.
    WebauthnScript,
    /// The OAuth provider's pages' script (`api::oauth::pages`).
    OAuthScript,
    Stylesheet,
}

fn asset_headers(response: HttpResponse, cache: &str) -> HttpResponse {
    response
        .with_header("cache-control", cache)
        .with_header("content-security-policy", CONTENT_SECURITY_POLICY)
        .with_header("x-frame-options", "DENY")
        .with_header("cross-origin-opener-policy", "same-origin")
        .with_header("x-content-type-options", "nosniff")
}

/// `GET /authsec/assets/accent/rrggbb.css`: the stylesheet of an accent colour. Its
/// content depends on the path alone (no tenant, no store), so it caches for a day;
/// anything but six hexadecimal digits and `.css` is 404.
pub fn accent(file: &str) -> Result<HttpResponse, ApiError> {
    let colour = file.strip_suffix(".css").and_then(AccentColor::from_hex).ok_or(ApiError::NotFound)?;
    let css = HttpResponse::text(200, "text/css; charset=utf-8", accent_stylesheet(colour));
    Ok(asset_headers(css, "public, max-age=86400"))
}

pub fn serve(page: Page) -> Result<HttpResponse, ApiError> {
    let (content_type, body, cache) = match page {
        Page::Login => ("text/html; charset=utf-8", LOGIN_HTML, "no-store"),
        Page::Activate => ("text/html; charset=utf-8", ACTIVATE_HTML, "no-store"),
        // Assets hold no secrets; a short cache keeps a deploy's new version close.
        Page::Script => ("text/javascript; charset=utf-8", APP_JS, "public, max-age=300"),
        Page::WebauthnScript => ("text/javascript; charset=utf-8", WEBAUTHN_JS, "public, max-age=300"),
        Page::OAuthScript => ("text/javascript; charset=utf-8", OAUTH_JS, "public, max-age=300"),
        Page::Stylesheet => ("text/css; charset=utf-8", APP_CSS, "public, max-age=300"),
    };
    Ok(asset_headers(HttpResponse::text(200, content_type, body.to_string()), cache))
}
