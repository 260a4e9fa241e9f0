//! The pages of an interaction: sign-in (password or passkey, with passkey autofill on
//! the email field), the second factor, and consent. Each carries the interaction's
//! hidden `tx` and `csrf` fields, speaks the locale chosen when the interaction began,
//! and wears its tenant's branding.

use super::{csp, escape, invalid, page, status_line, Look, Notice};
use crate::api::oauth::interaction::Interaction;
use crate::http::HttpResponse;
use crate::i18n::Text;
use crate::oauth::redirect;

fn look(interaction: &Interaction) -> Look<'_> {
    Look { locale: interaction.state.locale, branding: &interaction.state.branding }
}

/// An interaction page: its forms post here, and the answer may be a redirect to the
/// client's redirect URI, which the CSP's `form-action` must allow too.
fn interaction_page(interaction: &Interaction, status: u16, title: Text, body: &str) -> HttpResponse {
    let look = look(interaction);
    let origin = redirect::origin(&interaction.state.request.redirect_uri);
    let policy = csp(origin.as_deref(), interaction.state.branding.logo_url.as_ref());
    page(status, &look, look.locale.text(title), body, &policy)
}

/// The hidden fields every interaction form carries.
fn hidden(interaction: &Interaction, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"tx\" value=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(&interaction.handle),
        escape(csrf)
    )
}

/// Data the passkey script reads (no inline script: attributes only), with the words it
/// shows when a ceremony fails.
fn passkey_hooks(interaction: &Interaction, csrf: &str) -> String {
    let look = look(interaction);
    format!(
        "<div id=\"oauth-passkey\" data-tx=\"{}\" data-csrf=\"{}\" data-msg-cancelled=\"{}\" data-msg-failed=\"{}\" hidden></div>",
        escape(&interaction.handle),
        escape(csrf),
        look.text(Text::PasskeyCancelled),
        look.text(Text::PasskeyFailed),
    )
}

/// The sign-in page: email and password, or a passkey.
pub fn sign_in(
    interaction: &Interaction,
    csrf: &str,
    email: &str,
    notice: Option<&Notice>,
    status: u16,
) -> HttpResponse {
    let look = look(interaction);
    let client = format!("<strong>{}</strong>", escape(&interaction.state.client_name));
    let body = format!(
        "<h1>{title}</h1>\n<p class=\"lead\">{lead}</p>\n{status_line}\n\
         <form method=\"post\" action=\"/authsec/oauth/authorize/password\" id=\"password-form\" class=\"stack\">{hidden}\n\
         <div class=\"field\"><label for=\"email\">{email_label}</label>\n\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username webauthn\" required \
         value=\"{email}\"{invalid}></div>\n\
         <div class=\"field\"><label for=\"password\">{password_label}</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{invalid}></div>\n\
         <button type=\"submit\" class=\"primary\">{sign_in}</button>\n</form>\n\
         <p class=\"divider\"><span>{or}</span></p>\n\
         <button id=\"passkey-button\" type=\"button\" class=\"secondary\">{passkey}</button>\n{hooks}",
        title = look.text(Text::SignInTitle),
        lead = look.html(Text::SignInLead, &[("client", &client)]),
        status_line = status_line(notice),
        hidden = hidden(interaction, csrf),
        email_label = look.text(Text::EmailLabel),
        email = escape(email),
        invalid = invalid(notice),
        password_label = look.text(Text::PasswordLabel),
        sign_in = look.text(Text::SignInButton),
        or = look.text(Text::Or),
        passkey = look.text(Text::PasskeySignIn),
        hooks = passkey_hooks(interaction, csrf),
    );
    interaction_page(interaction, status, Text::SignInTitle, &body)
}

/// The second step: a code from the authenticator app (or a backup code), or a passkey.
pub fn second_factor(
    interaction: &Interaction,
    csrf: &str,
    totp: bool,
    passkey: bool,
    notice: Option<&Notice>,
    status: u16,
) -> HttpResponse {
    let look = look(interaction);
    let code_form = if totp {
        // No numeric keypad: backup codes have letters.
        format!(
            "<form method=\"post\" action=\"/authsec/oauth/authorize/otp\" id=\"otp-form\" class=\"stack\">{}\n\
             <div class=\"field\"><label for=\"totp_code\">{}</label>\n\
             <input id=\"totp_code\" name=\"totp_code\" autocomplete=\"one-time-code\" autocapitalize=\"off\" \
             spellcheck=\"false\" required{}></div>\n\
             <button type=\"submit\" class=\"primary\">{}</button>\n</form>",
            hidden(interaction, csrf),
            look.text(Text::CodeLabel),
            invalid(notice),
            look.text(Text::ContinueButton),
        )
    } else {
        String::new()
    };
    let passkey_button = match (passkey, totp) {
        (false, _) => String::new(),
        (true, with_code) => format!(
            "{}<button id=\"passkey-button\" type=\"button\" class=\"{}\">{}</button>\n{}",
            if with_code {
                format!("<p class=\"divider\"><span>{}</span></p>\n", look.text(Text::Or))
            } else {
                String::new()
            },
            if with_code { "secondary" } else { "primary" },
            look.text(Text::PasskeyUse),
            passkey_hooks(interaction, csrf)
        ),
    };
    let body = format!(
        "<h1>{}</h1>\n<p class=\"lead\">{}</p>\n{}\n{}\n{}",
        look.text(Text::SecondFactorTitle),
        look.text(Text::SecondFactorLead),
        status_line(notice),
        code_form,
        passkey_button
    );
    interaction_page(interaction, status, Text::SecondFactorTitle, &body)
}

/// The consent screen: the application, and each scope in words.
pub fn consent(interaction: &Interaction, csrf: &str, email: &str, described: &[(String, String)]) -> HttpResponse {
    let look = look(interaction);
    let items: String = described
        .iter()
        .map(|(scope, words)| {
            format!("<li><span class=\"scope-words\">{}</span> <code>{}</code></li>", escape(words), escape(scope))
        })
        .collect();
    let client = format!("<strong>{}</strong>", escape(&interaction.state.client_name));
    let account = format!("<strong>{}</strong>", escape(email));
    let body = format!(
        "<h1>{title}</h1>\n<p class=\"lead\">{lead}</p>\n\
         <ul id=\"scopes\" class=\"scopes\">{items}</ul>\n\
         <form method=\"post\" action=\"/authsec/oauth/authorize/consent\" id=\"consent-form\" class=\"actions\">{hidden}\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">{deny}</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\" class=\"primary\">{allow}</button>\n</form>",
        title = look.text(Text::ConsentTitle),
        lead = look.html(Text::ConsentLead, &[("client", &client), ("email", &account)]),
        hidden = hidden(interaction, csrf),
        deny = look.text(Text::DenyButton),
        allow = look.text(Text::AllowButton),
    );
    interaction_page(interaction, 200, Text::ConsentTitle, &body)
}
