//! The provider's pages: sign-in, second factor, consent (`steps`), errors, the
//! `form_post` response and the signed-out page. Rendered here with every value
//! HTML-escaped, in the locale of the request (`crate::i18n`) and with the tenant's
//! branding (`crate::branding`), under the pages' strict CSP: no inline script or style,
//! no framing, same-origin assets. A page widens that CSP by exactly what it needs: the
//! client's origin as a form target (`form_post` and the forms whose answer redirects
//! there), and the tenant's logo origin as an image source.
//!
//! The accent colour reaches CSS through a same-origin stylesheet named by the colour
//! (`/authsec/assets/accent/rrggbb.css`), never through a `style` attribute.

mod steps;

pub use steps::{consent, second_factor, sign_in};

use crate::api::foundation::CONTENT_SECURITY_POLICY;
use crate::branding::{Branding, LogoUrl};
use crate::http::HttpResponse;
use crate::i18n::{fill, Locale, Text};

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

static NO_BRANDING: Branding = Branding { display_name: None, logo_url: None, accent_color: None };

/// How a page looks: its language, and the branding of the tenant it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    pub locale: Locale,
    pub branding: &'a Branding,
}

impl Look<'static> {
    /// The service's own look, for pages that belong to no tenant.
    pub fn plain(locale: Locale) -> Self {
        Look { locale, branding: &NO_BRANDING }
    }
}

impl Look<'_> {
    /// A string of the page, escaped.
    fn text(&self, key: Text) -> String {
        escape(self.locale.text(key))
    }

    /// A template of the page, escaped, with each `{name}` replaced by an HTML fragment
    /// (already escaped by the caller).
    fn html(&self, key: Text, fragments: &[(&str, &str)]) -> String {
        fill(&escape(self.locale.text(key)), fragments)
    }
}

/// A message shown above a form: why the last step was refused. `field` marks the
/// form's inputs as the ones in error (`aria-invalid`, described by the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub field: bool,
}

fn status_line(notice: Option<&Notice>) -> String {
    match notice {
        Some(n) => format!("<p id=\"status\" class=\"alert\" role=\"alert\">{}</p>", escape(&n.text)),
        None => "<p id=\"status\" class=\"notice\" role=\"status\" aria-live=\"polite\"></p>".into(),
    }
}

/// The attributes of an input in error.
fn invalid(notice: Option<&Notice>) -> &'static str {
    if notice.is_some_and(|n| n.field) {
        " aria-invalid=\"true\" aria-describedby=\"status\""
    } else {
        ""
    }
}

fn layout(look: &Look, title: &str, body: &str) -> String {
    let branding = look.branding;
    let accent = branding.accent_color.map_or_else(String::new, |c| {
        format!("<link rel=\"stylesheet\" href=\"/authsec/assets/accent/{}.css\">\n", c.hex())
    });
    // Decorative: the name beside it says whose page this is. No referrer: the logo's
    // host does not learn the authorization request.
    let logo = branding.logo_url.as_ref().map_or_else(String::new, |url| {
        format!(
            "<img class=\"brand-logo\" src=\"{}\" alt=\"\" referrerpolicy=\"no-referrer\" width=\"40\" height=\"40\">",
            escape(url.as_str())
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title} · {name}</title>\n<link rel=\"stylesheet\" href=\"/authsec/assets/app.css\">\n{accent}\
         <script src=\"/authsec/assets/webauthn.js\" defer></script>\n\
         <script src=\"/authsec/assets/oauth.js\" defer></script>\n</head>\n<body>\n<main class=\"shell\">\n\
         <div class=\"card\">\n<div class=\"brand\">{logo}<span class=\"brand-name\">{name}</span></div>\n{body}\n\
         </div>\n</main>\n</body>\n</html>\n",
        lang = look.locale.tag(),
        title = escape(title),
        name = escape(branding.name()),
    )
}

/// The pages' CSP widened by what one page needs: `form_target` as a form destination
/// (browsers check `form-action` on a form's redirects too) and the logo's origin as an
/// image source. Both are origins of validated URLs: `scheme://host[:port]`.
fn csp(form_target: Option<&str>, logo: Option<&LogoUrl>) -> String {
    let mut csp = CONTENT_SECURITY_POLICY.to_string();
    if let Some(origin) = form_target.filter(|o| !o.is_empty()) {
        csp = csp.replace("form-action 'self'", &format!("form-action 'self' {origin}"));
    }
    if let Some(logo) = logo {
        csp = csp.replace("img-src 'self' data:", &format!("img-src 'self' data: {}", logo.origin()));
    }
    csp
}

fn page(status: u16, look: &Look, title: &str, body: &str, csp: &str) -> HttpResponse {
    HttpResponse::text(status, "text/html; charset=utf-8", layout(look, title, body))
        .with_header("content-security-policy", csp)
        .with_header("x-frame-options", "DENY")
        .with_header("cross-origin-opener-policy", "same-origin")
        .with_header("cache-control", "no-store")
}

/// What the error page says to the user about `error` (an OAuth error code).
fn explanation(error: &str) -> Text {
    match error {
        "invalid_client" => Text::ErrInvalidClient,
        "invalid_request" => Text::ErrInvalidRequest,
        "invalid_request_uri" => Text::ErrExpired,
        _ => Text::ErrGeneric,
    }
}

/// An error shown to the user, never redirected (an unknown client or redirect URI).
/// The user reads an explanation in their language; the OAuth error code and its
/// description (protocol text, for the application's developer) are under "Details".
pub fn error(look: Look, status: u16, error: &str, description: &str) -> HttpResponse {
    trouble(look, status, explanation(error), error, description)
}

/// An error page that says `what` to the user.
pub fn trouble(look: Look, status: u16, what: Text, error: &str, description: &str) -> HttpResponse {
    let body = format!(
        "<h1>{title}</h1>\n<p id=\"status\" class=\"alert\" role=\"alert\">{what}</p>\n<p>{advice}</p>\n\
         <details class=\"details\"><summary>{details}</summary>\n\
         <p>{code_label} <code id=\"error-code\">{code}</code></p>\n<p>{description}</p></details>",
        title = look.text(Text::ErrorTitle),
        what = look.text(what),
        advice = look.text(Text::ErrorAdvice),
        details = look.text(Text::ErrorDetails),
        code_label = look.text(Text::ErrorCode),
        code = escape(error),
        description = escape(description),
    );
    page(status, &look, look.locale.text(Text::ErrorTitle), &body, CONTENT_SECURITY_POLICY)
}

/// The `form_post` response mode: a form that the page script submits on load to the
/// client's redirect URI (the CSP allows that one origin as a form target).
pub fn form_post(locale: Locale, redirect_uri: &str, origin: &str, fields: &[(&str, &str)]) -> HttpResponse {
    let look = Look::plain(locale);
    let inputs: String = fields
        .iter()
        .map(|(n, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(n), escape(v)))
        .collect();
    let body = format!(
        "<h1>{title}</h1>\n<form method=\"post\" action=\"{action}\" id=\"form-post\">{inputs}\
         <noscript><button type=\"submit\" class=\"primary\">{continue_}</button></noscript></form>",
        title = look.text(Text::FormPostTitle),
        action = escape(redirect_uri),
        continue_ = look.text(Text::ContinueButton),
    );
    page(200, &look, locale.text(Text::FormPostTitle), &body, &csp(Some(origin), None))
}

/// After RP-initiated logout without a redirect.
pub fn signed_out(locale: Locale) -> HttpResponse {
    let look = Look::plain(locale);
    let body = format!(
        "<h1>{}</h1>\n<p id=\"status\" role=\"status\">{}</p>",
        look.text(Text::SignedOutTitle),
        look.text(Text::SignedOutBody)
    );
    page(200, &look, locale.text(Text::SignedOutTitle), &body, CONTENT_SECURITY_POLICY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branding::{AccentColor, DisplayName};

    fn body(page: &HttpResponse) -> String {
        String::from_utf8(page.body.clone()).unwrap()
    }

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn form_post_allows_only_the_client_origin_as_a_form_target() {
        let page = form_post(
            Locale::En,
            "https://app.example/cb",
            "https://app.example",
            &[("code", "c\"1"), ("state", "<s>")],
        );
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("form-action 'self' https://app.example;"), "{csp}");
        let body = body(&page);
        assert!(body.contains("value=\"c&quot;1\"") && body.contains("value=\"&lt;s&gt;\""));
        assert!(!body.contains("<script>"), "no inline script");
        assert!(!body.contains("style="), "no inline style");
    }

    #[test]
    fn the_logo_origin_and_nothing_else_joins_img_src() {
        let logo = LogoUrl::parse("https://cdn.acme.test/brand/logo.svg?v=1").unwrap();
        let csp = csp(Some("http://127.0.0.1:4000"), Some(&logo));
        assert!(csp.contains("img-src 'self' data: https://cdn.acme.test;"), "{csp}");
        assert!(csp.contains("form-action 'self' http://127.0.0.1:4000;"), "{csp}");
        assert!(csp.contains("script-src 'self';") && csp.contains("style-src 'self';"), "{csp}");
        assert_eq!(super::csp(None, None), CONTENT_SECURITY_POLICY);
    }

    #[test]
    fn branded_values_are_escaped_and_the_accent_is_a_stylesheet() {
        let branding = Branding {
            display_name: Some(DisplayName::parse("<img src=x onerror=alert(1)> & \"Co\"").unwrap()),
            logo_url: Some(LogoUrl::parse("https://cdn.acme.test/l.svg?a=1&b='2'").unwrap()),
            accent_color: Some(AccentColor::parse("#0A7D5A").unwrap()),
        };
        let look = Look { locale: Locale::En, branding: &branding };
        let html = layout(&look, "Sign in", "<h1>x</h1>");
        assert!(
            html.contains("<span class=\"brand-name\">&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;</span>")
        );
        assert!(html.contains("<title>Sign in · &lt;img src=x"), "{html}");
        assert!(html.contains("src=\"https://cdn.acme.test/l.svg?a=1&amp;b=&#39;2&#39;\""), "{html}");
        assert!(html.contains("href=\"/authsec/assets/accent/0a7d5a.css\""), "{html}");
        assert!(!html.contains("<img src=x") && !html.contains("style="), "{html}");
    }

    #[test]
    fn an_unbranded_page_names_the_service_and_loads_no_accent() {
        let html = layout(&Look::plain(Locale::En), "Sign in", "");
        assert!(html.contains("<span class=\"brand-name\">AuthSec</span>"));
        assert!(!html.contains("/assets/accent/") && !html.contains("brand-logo"));
    }

    #[test]
    fn pages_speak_the_locale_and_say_so() {
        let page = signed_out(Locale::De);
        let html = body(&page);
        assert!(html.contains("<html lang=\"de\">") && html.contains("Sie sind abgemeldet"), "{html}");
        let error = error(Look::plain(Locale::En), 400, "invalid_client", "client <unknown>");
        let html = body(&error);
        assert!(html.contains("<html lang=\"en\">") && html.contains("not registered here"), "{html}");
        assert!(
            html.contains("<code id=\"error-code\">invalid_client</code>") && html.contains("client &lt;unknown&gt;")
        );
        assert_eq!(error.status, 400);
    }
}
