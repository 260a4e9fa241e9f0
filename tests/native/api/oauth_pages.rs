//! The OAuth provider's pages as a product (issue 14): the sign-in page wears its
//! tenant's branding (escaped; the accent as a same-origin stylesheet; the logo origin,
//! and only it, added to `img-src`) and no other tenant's; it speaks the locale of
//! `ui_locales`, then `Accept-Language`, then English; a form whose interaction is gone
//! answers with a page that says so.

use super::accounts::branding::put_tenant;
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::json;

const REDIRECT: &str = "https://app.example.test/cb";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A tenant with a code-flow client: (admin token, tenant id, client_id).
fn tenant_with_client(p: &TestPlatform, i: &Isolate, email: &str, domain: &str) -> (String, String, String) {
    let login = onboard(p, i, email, domain);
    let (token, tenant) = (login["token"].as_str().unwrap(), login["tenant_id"].as_str().unwrap());
    let req = post_json(
        &format!("/authsec/clientms/tenants/{tenant}/clients/create"),
        json!({"name": "Example <App>", "client_type": "confidential", "grant_types": ["authorization_code"],
               "redirect_uris": [REDIRECT]}),
    )
    .with_header("authorization", &format!("Bearer {token}"));
    let created = send_at(p, i, req, NOW + 3).response;
    assert_eq!(created.status, 201, "{}", created.json_body());
    (token.to_string(), tenant.to_string(), created.json_body()["client_id"].as_str().unwrap().to_string())
}

fn authorize(
    p: &TestPlatform,
    i: &Isolate,
    client_id: &str,
    extra: &str,
    accept_language: Option<&str>,
) -> HttpResponse {
    let path = format!(
        "/authsec/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid%20email\
         &state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
        authsec_edge::http::percent_encode(REDIRECT)
    );
    let mut req = HttpRequest::new(Method::Get, &path);
    if let Some(language) = accept_language {
        req = req.with_header("accept-language", language);
    }
    send_at(p, i, req, NOW + 10).response
}

fn html(res: &HttpResponse) -> String {
    String::from_utf8(res.body.clone()).unwrap()
}

#[test]
fn the_sign_in_page_wears_its_tenants_branding_and_no_other() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (token, tenant, acme_client) = tenant_with_client(&p, &i, "ada@acme.test", "acme");
    let (_, _, globex_client) = tenant_with_client(&p, &i, "bob@globex.test", "globex");
    let branding = json!({"display_name": "Acme <Rockets> & \"Co\"", "logo_url": "https://cdn.acme.test/logo.svg?v=1&x=2",
                          "accent_color": "#0a7d5a"});
    assert_eq!(put_tenant(&p, &i, &token, &tenant, json!({"branding": branding})).status, 200);

    let page = authorize(&p, &i, &acme_client, "", None);
    assert_eq!(page.status, 200);
    let body = html(&page);
    assert!(body.contains("<span class=\"brand-name\">Acme &lt;Rockets&gt; &amp; &quot;Co&quot;</span>"), "{body}");
    assert!(body.contains("<title>Sign in · Acme &lt;Rockets&gt;"), "{body}");
    assert!(body.contains("<link rel=\"stylesheet\" href=\"/authsec/assets/accent/0a7d5a.css\">"), "{body}");
    assert!(body.contains("src=\"https://cdn.acme.test/logo.svg?v=1&amp;x=2\""), "{body}");
    assert!(body.contains("to continue to <strong>Example &lt;App&gt;</strong>"), "{body}");
    assert!(body.contains("autocomplete=\"username webauthn\""), "passkey autofill stays");
    assert!(!body.contains("style=") && !body.contains("<script>"), "no inline style or script");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("img-src 'self' data: https://cdn.acme.test;"), "{csp}");
    assert!(csp.contains("style-src 'self';") && csp.contains("script-src 'self';"), "{csp}");

    let other = authorize(&p, &i, &globex_client, "", None);
    let body = html(&other);
    assert!(!body.contains("Acme") && !body.contains("/assets/accent/") && !body.contains("cdn.acme.test"), "{body}");
    assert!(body.contains("<span class=\"brand-name\">AuthSec</span>"));
    assert!(!other.header("content-security-policy").unwrap().contains("cdn.acme.test"));
}

#[test]
fn pages_speak_ui_locales_then_accept_language_then_english() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let (_, _, client) = tenant_with_client(&p, &i, "ada@acme.test", "acme");
    for (extra, language, lang, words) in [
        ("&ui_locales=fr%20de-CH", Some("en"), "de", "Anmelden"),
        ("", Some("fr-FR, de;q=0.8, en;q=0.5"), "de", "E-Mail-Adresse"),
        ("&ui_locales=en", Some("de"), "en", "Sign in with a passkey"),
        ("", Some("ja"), "en", "Password"),
        ("", None, "en", "to continue to"),
    ] {
        let body = html(&authorize(&p, &i, &client, extra, language));
        assert!(body.contains(&format!("<html lang=\"{lang}\">")), "{extra} {language:?}");
        assert!(body.contains(words), "{extra} {language:?}: {words}");
    }
    let discovery = send(&p, &i, get("/.well-known/openid-configuration")).response.json_body();
    assert_eq!(discovery["ui_locales_supported"], json!(["en", "de"]), "discovery lists what the pages speak");
    let unknown = authorize(&p, &i, "no-such-client", "&ui_locales=de", None);
    assert_eq!(unknown.status, 400);
    let body = html(&unknown);
    assert!(body.contains("<html lang=\"de\">") && body.contains("nicht registriert"), "{body}");
}

#[test]
fn a_form_whose_interaction_is_gone_answers_with_a_page() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let form = "tx=unknown&csrf=x&email=a%40b.test&password=p";
    let req = HttpRequest::new(Method::Post, "/authsec/oauth/authorize/password")
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_header("accept-language", "de")
        .with_body(form);
    let res = send_at(&p, &i, req, NOW).response;
    assert_eq!(res.status, 400);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(html(&res).contains("abgelaufen"), "{}", html(&res));
}

#[test]
fn accent_stylesheets_are_named_by_their_colour_only() {
    let (p, i) = (TestPlatform::new(), Isolate::default());
    let res = send(&p, &i, get("/authsec/assets/accent/0a7d5a.css")).response;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(res.header("cache-control").unwrap().contains("max-age"));
    assert!(html(&res).contains("--accent: #0a7d5a;"));
    for bad in ["0a7d5a", "0a7d5.css", "zz7d5a.css", "0a7d5a0.css", "0a7d5a.css.map", "%230a7d5a.css"] {
        let res = send(&p, &i, get(&format!("/authsec/assets/accent/{bad}"))).response;
        assert_eq!(res.status, 404, "{bad}");
    }
}
