use super::*;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn params(pairs: &[(&str, &str)]) -> Params {
    Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn good() -> Vec<(&'static str, &'static str)> {
    vec![
        ("client_id", "app"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "s1"),
        ("nonce", "n1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
}

fn with(change: &[(&'static str, &'static str)]) -> Params {
    let mut pairs = good();
    for (name, value) in change {
        pairs.retain(|(n, _)| n != name);
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    params(&pairs)
}

fn uris() -> Vec<String> {
    vec!["https://app.example/cb".into(), "https://app.example/other".into()]
}

fn validate_for(p: &Params) -> Result<AuthorizationRequest, Refusal> {
    let uris = uris();
    validate(p, &RegisteredClient { client_id: "app", redirect_uris: &uris, code_grant: true })
}

fn redirect_error(result: Result<AuthorizationRequest, Refusal>) -> &'static str {
    match result {
        Err(Refusal::Redirect(e)) => {
            assert_eq!(e.redirect_uri, "https://app.example/cb");
            assert_eq!(e.state.as_deref(), Some("s1"), "state travels back with errors");
            e.error
        }
        other => panic!("expected a redirected error, got {other:?}"),
    }
}

#[test]
fn a_good_request_is_kept_whole() {
    let req = validate_for(&with(&[("prompt", "consent"), ("max_age", "60"), ("response_mode", "form_post")])).unwrap();
    assert_eq!(req.scopes, vec!["openid", "email"]);
    assert_eq!(req.nonce.as_deref(), Some("n1"));
    assert_eq!(req.code_challenge, CHALLENGE);
    assert_eq!(req.response_mode, ResponseMode::FormPost);
    assert!(req.prompt.consent && !req.prompt.none);
    assert_eq!(req.max_age, Some(60));
}

#[test]
fn unregistered_redirect_uris_are_never_redirected_to() {
    for uri in ["https://evil.example/cb", "https://APP.example/cb", "https://app.example/cb/x"] {
        let result = validate_for(&with(&[("redirect_uri", uri)]));
        assert!(matches!(result, Err(Refusal::Page { .. })), "{uri}: {result:?}");
    }
}

#[test]
fn a_missing_redirect_uri_is_fine_only_with_one_registered() {
    assert!(matches!(validate_for(&with(&[("redirect_uri", "")])), Err(Refusal::Page { .. })));
    let one = vec!["https://app.example/cb".to_string()];
    let client = RegisteredClient { client_id: "app", redirect_uris: &one, code_grant: true };
    assert_eq!(validate(&with(&[("redirect_uri", "")]), &client).unwrap().redirect_uri, "https://app.example/cb");
}

#[test]
fn pkce_is_required_and_only_s256() {
    assert_eq!(redirect_error(validate_for(&with(&[("code_challenge", "")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("code_challenge_method", "plain")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("code_challenge_method", "")]))), "invalid_request");
}

#[test]
fn other_errors_are_redirected_with_their_codes() {
    assert_eq!(redirect_error(validate_for(&with(&[("response_type", "token")]))), "unsupported_response_type");
    assert_eq!(redirect_error(validate_for(&with(&[("response_type", "")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("scope", "bad\"scope")]))), "invalid_scope");
    assert_eq!(redirect_error(validate_for(&with(&[("prompt", "none login")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("prompt", "sometimes")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("max_age", "-1")]))), "invalid_request");
    assert_eq!(redirect_error(validate_for(&with(&[("request", "eyJ...")]))), "request_not_supported");
    assert_eq!(redirect_error(validate_for(&with(&[("request_uri", "urn:x")]))), "request_uri_not_supported");
    assert_eq!(redirect_error(validate_for(&with(&[("response_mode", "fragment")]))), "invalid_request");
    let uris = uris();
    let no_grant = RegisteredClient { client_id: "app", redirect_uris: &uris, code_grant: false };
    assert_eq!(redirect_error(validate(&with(&[]), &no_grant)), "unauthorized_client");
}

#[test]
fn repeated_parameters_are_refused() {
    let mut pairs = good();
    pairs.push(("scope", "profile"));
    assert!(matches!(validate_for(&params(&pairs)), Err(Refusal::Page { .. })));
}

#[test]
fn sign_in_is_reused_unless_the_request_asks_otherwise() {
    let mut req = validate_for(&with(&[])).unwrap();
    let earlier = Some(ExistingSignIn { auth_time: 1000 });
    assert_eq!(sign_in_need(&req, earlier, 2000), SignInNeed::Reuse);
    assert_eq!(sign_in_need(&req, None, 2000), SignInNeed::SignIn);
    req.max_age = Some(500);
    assert_eq!(sign_in_need(&req, earlier, 2000), SignInNeed::SignIn, "older than max_age");
    assert_eq!(sign_in_need(&req, earlier, 1400), SignInNeed::Reuse);
    req.max_age = Some(0);
    assert_eq!(sign_in_need(&req, earlier, 1000), SignInNeed::SignIn, "max_age=0 forces a sign-in");
    req.max_age = None;
    req.prompt.login = true;
    assert_eq!(sign_in_need(&req, earlier, 2000), SignInNeed::SignIn);
    req.prompt = Prompt { none: true, ..Prompt::default() };
    assert_eq!(sign_in_need(&req, None, 2000), SignInNeed::LoginRequired);
    assert_eq!(sign_in_need(&req, earlier, 2000), SignInNeed::Reuse);
}

#[test]
fn consent_is_asked_for_new_scopes_and_on_prompt_consent() {
    let mut req = validate_for(&with(&[])).unwrap();
    let granted = vec!["openid".to_string(), "email".to_string(), "profile".to_string()];
    assert!(!consent_needed(&req, Some(&granted)));
    assert!(consent_needed(&req, Some(&granted[..1])));
    assert!(consent_needed(&req, None));
    req.prompt.consent = true;
    assert!(consent_needed(&req, Some(&granted)));
}
