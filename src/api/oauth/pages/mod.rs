//! The provider's pages: sign-in, second factor, consent, errors, the `form_post`
//! response and the signed-out page. Rendered here, with every value HTML-escaped, one
//! same-origin stylesheet and one script (passkeys), under the pages' strict CSP: no
//! inline script, no framing, forms posting only to this origin (and, for `form_post`,
//! to the client's redirect origin).

use super::interaction::Interaction;
use crate::api::foundation::CONTENT_SECURITY_POLICY;
use crate::http::HttpResponse;
use crate::oauth::redirect;

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

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · AuthSec</title>\n<link rel=\"stylesheet\" href=\"/authsec/assets/app.css\">\n\
         <script src=\"/authsec/assets/webauthn.js\" defer></script>\n\
         <script src=\"/authsec/assets/oauth.js\" defer></script>\n</head>\n<body>\n<main>\n{}\n</main>\n</body>\n</html>\n",
        escape(title),
        body
    )
}

/// A page answer with the pages' security headers.
pub fn html(status: u16, title: &str, body: &str) -> HttpResponse {
    html_with_csp(status, title, body, CONTENT_SECURITY_POLICY)
}

fn html_with_csp(status: u16, title: &str, body: &str, csp: &str) -> HttpResponse {
    HttpResponse::text(status, "text/html; charset=utf-8", layout(title, body))
        .with_header("content-security-policy", csp)
        .with_header("x-frame-options", "DENY")
        .with_header("cross-origin-opener-policy", "same-origin")
}

/// An interaction page: its forms post here, and the answer may be a redirect to the
/// client's redirect URI, which the CSP's `form-action` must allow too (browsers check
/// it on a form's redirects).
fn interaction_page(interaction: &Interaction, status: u16, title: &str, body: &str) -> HttpResponse {
    let origin = redirect::origin(&interaction.state.request.redirect_uri).unwrap_or_default();
    html_with_csp(status, title, body, &csp_with_form_target(&origin))
}

fn csp_with_form_target(origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replace("form-action 'self'", &format!("form-action 'self' {origin}"))
}

/// The hidden fields every interaction form carries.
fn hidden(interaction: &Interaction, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"tx\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(&interaction.handle),
        escape(csrf)
    )
}

fn status_line(message: Option<&str>) -> String {
    match message {
        Some(m) => format!("<p id=\"status\" class=\"error\" role=\"alert\">{}</p>", escape(m)),
        None => "<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>".into(),
    }
}

/// Data the passkey script reads (no inline script: attributes only).
fn passkey_hooks(interaction: &Interaction, csrf: &str) -> String {
    format!(
        "<div id=\"oauth-passkey\" data-tx=\"{}\" data-csrf=\"{}\" hidden></div>",
        escape(&interaction.handle),
        escape(csrf)
    )
}

/// The sign-in page: email and password, or a passkey.
pub fn sign_in(interaction: &Interaction, csrf: &str, email: &str, message: Option<&str>, status: u16) -> HttpResponse {
    let body = format!(
        "<h1>Sign in</h1>\n<p>to continue to <strong>{client}</strong></p>\n{status_line}\n\
         <form method=\"post\" action=\"/authsec/oauth/authorize/password\" id=\"password-form\">{hidden}\n\
         <label for=\"email\">Email</label>\n\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username webauthn\" required value=\"{email}\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n\
         <button id=\"passkey-button\" type=\"button\">Sign in with a passkey</button>\n{hooks}",
        client = escape(&interaction.state.client_name),
        status_line = status_line(message),
        hidden = hidden(interaction, csrf),
        email = escape(email),
        hooks = passkey_hooks(interaction, csrf),
    );
    interaction_page(interaction, status, "Sign in", &body)
}

/// The second step: a code from the authenticator app (or a backup code), or a passkey.
pub fn second_factor(
    interaction: &Interaction,
    csrf: &str,
    totp: bool,
    passkey: bool,
    message: Option<&str>,
    status: u16,
) -> HttpResponse {
    let code_form = if totp {
        format!(
            "<form method=\"post\" action=\"/authsec/oauth/authorize/otp\" id=\"otp-form\">{}\n\
             <label for=\"totp_code\">Code from your authenticator app, or a backup code</label>\n\
             <input id=\"totp_code\" name=\"totp_code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\n\
             <button type=\"submit\">Continue</button>\n</form>",
            hidden(interaction, csrf)
        )
    } else {
        String::new()
    };
    let passkey_button = if passkey {
        format!(
            "<button id=\"passkey-button\" type=\"button\">Use your passkey</button>\n{}",
            passkey_hooks(interaction, csrf)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>Confirm it is you</h1>\n<p>Your account has a second factor.</p>\n{}\n{}\n{}",
        status_line(message),
        code_form,
        passkey_button
    );
    interaction_page(interaction, status, "Confirm it is you", &body)
}

/// The consent screen: the application, and each scope in words.
pub fn consent(interaction: &Interaction, csrf: &str, email: &str, described: &[(String, String)]) -> HttpResponse {
    let items: String = described
        .iter()
        .map(|(scope, words)| format!("<li>{} <code>{}</code></li>", escape(words), escape(scope)))
        .collect();
    let body = format!(
        "<h1>Allow access?</h1>\n<p><strong>{client}</strong> asks to use your account <strong>{email}</strong>:</p>\n\
         <ul id=\"scopes\">{items}</ul>\n\
         <form method=\"post\" action=\"/authsec/oauth/authorize/consent\" id=\"consent-form\">{hidden}\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button>\n</form>",
        client = escape(&interaction.state.client_name),
        email = escape(email),
        items = items,
        hidden = hidden(interaction, csrf),
    );
    interaction_page(interaction, 200, "Allow access", &body)
}

/// An error shown to the user, never redirected (an unknown client or redirect URI).
pub fn error(status: u16, error: &str, description: &str) -> HttpResponse {
    let body = format!(
        "<h1>This sign-in cannot continue</h1>\n<p id=\"status\" class=\"error\" role=\"alert\">{}</p>\n\
         <p>Error code: <code id=\"error-code\">{}</code></p>\n<p>Return to the application and try again.</p>",
        escape(description),
        escape(error)
    );
    html(status, "Sign-in error", &body)
}

/// The `form_post` response mode: a form that the page script submits on load to the
/// client's redirect URI (the CSP allows that one origin as a form target).
pub fn form_post(redirect_uri: &str, origin: &str, fields: &[(&str, &str)]) -> HttpResponse {
    let inputs: String = fields
        .iter()
        .map(|(n, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(n), escape(v)))
        .collect();
    let body = format!(
        "<h1>Returning to the application…</h1>\n\
         <form method=\"post\" action=\"{}\" id=\"form-post\">{}<noscript><button type=\"submit\">Continue</button></noscript></form>",
        escape(redirect_uri),
        inputs
    );
    html_with_csp(200, "Returning to the application", &body, &csp_with_form_target(origin))
}

/// After RP-initiated logout without a redirect.
pub fn signed_out() -> HttpResponse {
    html(
        200,
        "Signed out",
        "<h1>You are signed out</h1>\n<p id=\"status\" role=\"status\">You can close this window.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn form_post_allows_only_the_client_origin_as_a_form_target() {
        let page = form_post("https://app.example/cb", "https://app.example", &[("code", "c\"1"), ("state", "<s>")]);
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("form-action 'self' https://app.example;"), "{csp}");
        let body = String::from_utf8(page.body).unwrap();
        assert!(body.contains("value=\"c&quot;1\"") && body.contains("value=\"&lt;s&gt;\""));
        assert!(!body.contains("<script>"), "no inline script");
    }
}
