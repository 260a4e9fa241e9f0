//! Upstream's hmgr and oocmgr over this provider (issue 14): what each mapped route
//! answers a tenant admin, what end users and other tenants' admins get, and the 501s.

mod challenges;
mod oocmgr;
mod refusals;

use super::grants::device::call;
use crate::support::*;
use authsec_edge::api::Isolate;
use authsec_edge::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

pub const USER_PASSWORD: &str = "a long and private passphrase";
pub const REDIRECT_URI: &str = "http://127.0.0.1:7001/cb";
/// A well-formed S256 challenge (RFC 7636 appendix B).
pub const CODE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Two tenants, each with its admin (login body), and an end user of the first.
pub struct World {
    pub p: TestPlatform,
    pub i: Isolate,
    pub admin: Value,
    pub other: Value,
    pub user_token: String,
    /// The first tenant's code-flow client.
    pub client_id: String,
}

impl World {
    pub fn new() -> Self {
        let (p, i) = (TestPlatform::new(), Isolate::default());
        let admin = onboard(&p, &i, "ada@acme.test", "acme");
        let other = onboard(&p, &i, "bob@beta.test", "beta");
        let created = call(
            &p,
            &i,
            &format!("/authsec/clientms/tenants/{}/clients/create", admin["tenant_id"].as_str().unwrap()),
            admin["token"].as_str(),
            json!({"name": "Example App", "client_type": "public", "grant_types": ["authorization_code"],
                   "redirect_uris": [REDIRECT_URI]}),
            NOW,
        );
        assert_eq!(created.status, 201, "{}", created.json_body());
        let client_id = created.json_body()["client_id"].as_str().unwrap().to_string();
        let user_token = end_user(&p, &i, &client_id, "eve@example.test");
        World { p, i, admin, other, user_token, client_id }
    }

    pub fn tenant(&self) -> &str {
        self.admin["tenant_id"].as_str().unwrap()
    }

    pub fn admin_token(&self) -> &str {
        self.admin["token"].as_str().unwrap()
    }

    pub fn other_token(&self) -> &str {
        self.other["token"].as_str().unwrap()
    }

    /// A POST with a JSON body and, when given, a bearer token.
    pub fn post(&self, path: &str, token: Option<&str>, body: Value) -> HttpResponse {
        call(&self.p, &self.i, path, token, body, NOW)
    }

    /// A GET with, when given, a bearer token and a cookie.
    pub fn get(&self, path: &str, token: Option<&str>, cookie: Option<&str>) -> HttpResponse {
        self.get_at(path, token, cookie, NOW)
    }

    pub fn get_at(&self, path: &str, token: Option<&str>, cookie: Option<&str>, now: i64) -> HttpResponse {
        let mut req = HttpRequest::new(Method::Get, path).with_header("cf-connecting-ip", "10.9.9.9");
        if let Some(token) = token {
            req = req.with_header("authorization", &format!("Bearer {token}"));
        }
        if let Some(cookie) = cookie {
            req = req.with_header("cookie", cookie);
        }
        send_at(&self.p, &self.i, req, now).response
    }

    /// Starts a code flow in a browser: (the interaction handle, the browser's cookie).
    pub fn begin_sign_in(&self) -> (String, String) {
        let path = format!(
            "/authsec/oauth/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid%20email\
             &state=s1&code_challenge={CODE_CHALLENGE}&code_challenge_method=S256",
            self.client_id,
            REDIRECT_URI.replace(':', "%3A").replace('/', "%2F")
        );
        let page = self.get(&path, None, None);
        assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
        let cookie = page.header("set-cookie").expect("a browser cookie").split(';').next().unwrap().to_string();
        (hidden_field(&page, "tx"), cookie)
    }
}

/// The value of a page's hidden form field.
pub fn hidden_field(page: &HttpResponse, name: &str) -> String {
    let html = String::from_utf8_lossy(&page.body);
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} field in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Registers and signs in an end user through `client_id`; returns the access token.
fn end_user(p: &TestPlatform, i: &Isolate, client_id: &str, email: &str) -> String {
    let post = |path: &str, body: Value| {
        send_at(p, i, post_json(path, body).with_header("cf-connecting-ip", "10.3.3.3"), NOW).response
    };
    let body = json!({"client_id": client_id, "email": email, "password": USER_PASSWORD});
    assert_eq!(post("/authsec/uflow/user/register/initiate", body.clone()).status, 200);
    let code = latest_code(p, email);
    let done = post(
        "/authsec/uflow/auth/enduser/verify-otp",
        json!({"client_id": client_id, "email": email, "otp": code, "password": USER_PASSWORD}),
    );
    assert_eq!(done.status, 201, "{}", done.json_body());
    let login = post("/authsec/uflow/auth/enduser/login", body);
    assert_eq!(login.status, 200, "{}", login.json_body());
    login.json_body()["token"].as_str().unwrap().to_string()
}

/// The `(status, error)` of a JSON error answer.
pub fn refusal(response: &HttpResponse) -> (u16, String) {
    (response.status, response.json_body()["error"].as_str().unwrap_or_default().to_string())
}
