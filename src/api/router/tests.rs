use super::*;
use crate::api::accounts::Action as Accounts;
use crate::api::factors::Action as Factors;

#[test]
fn matches_exact_routes_and_tolerates_trailing_slash() {
    let m = resolve(Method::Get, "/authsec/uflow/health").unwrap();
    assert_eq!(m.template, "/authsec/uflow/health");
    let m = resolve(Method::Get, "/authsec/uflow/health/").unwrap();
    assert_eq!(m.template, "/authsec/uflow/health");
    assert!(resolve(Method::Get, "/authsec/uflow/health/x").is_err());
    assert!(resolve(Method::Get, "/authsec/uflow//health").is_err());
}

#[test]
fn wrong_method_is_405_with_allow() {
    let (err, label) = resolve(Method::Get, "/authsec/authmgr/token/verify").unwrap_err();
    assert_eq!(err, ApiError::MethodNotAllowed(vec![Method::Post]));
    assert_eq!(label, "method_not_allowed");
}

#[test]
fn unserved_authsec_areas_are_501_and_unknown_paths_404() {
    let (err, _) = resolve(Method::Post, "/authsec/uflow/auth/enduser/webauthn-callback").unwrap_err();
    assert!(matches!(err, ApiError::NotImplemented(_)));
    let (err, _) = resolve(Method::Get, "/authsec/nope").unwrap_err();
    assert_eq!(err, ApiError::NotFound);
    let (err, _) = resolve(Method::Post, "/authsec/authmgr/token/mint").unwrap_err();
    assert_eq!(err, ApiError::NotFound);
}

#[test]
fn a_table_mounted_at_several_prefixes_answers_at_each() {
    for prefix in ["/authsec/uflow/auth/totp", "/authsec/uflow/auth/tenant/totp", "/authsec/uflow/auth/workspace/totp"]
    {
        let m = resolve(Method::Post, &format!("{prefix}/login")).unwrap();
        assert_eq!(m.route, Route::Factors(Factors::TotpLogin));
        assert_eq!(m.template, format!("{prefix}/login"));
    }
    assert!(resolve(Method::Post, "/authsec/uflow/auth/tenant/totpx/login").is_err());
    let admin = resolve(Method::Get, "/authsec/authmgr/admin/check/permission").unwrap();
    let user = resolve(Method::Get, "/authsec/authmgr/user/check/permission").unwrap();
    assert_eq!(admin.route, user.route);
}

#[test]
fn captures_parameters() {
    let params = match_template("/a/:id/b/:other", "/a/42/b/x").unwrap();
    assert_eq!(params, vec![("id", "42".to_string()), ("other", "x".to_string())]);
    assert!(match_template("/a/:id", "/a/").is_none());
    let m = resolve(Method::Delete, "/authsec/uflow/auth/sessions/s-1").unwrap();
    assert_eq!(m.route, Route::Accounts(Accounts::RevokeSession));
    assert_eq!(m.params.get("id"), "s-1");
}

/// Whether every path `later` matches is matched first by `earlier` (same method): then
/// `later` can never be reached. A literal segment in `later` is matched by the same
/// literal or a parameter in `earlier`; a parameter in `later` only by a parameter.
fn shadows(earlier: &str, later: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (earlier.split('/').collect(), later.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            let (x_param, y_param) = (x.starts_with(':'), y.starts_with(':'));
            x_param || (!y_param && x == y)
        })
}

#[test]
fn no_route_collides_with_or_shadows_another() {
    let entries = entries();
    assert!(entries.len() > 200, "the table lost routes: {}", entries.len());
    let mut problems = Vec::new();
    for (i, earlier) in entries.iter().enumerate() {
        for later in &entries[i + 1..] {
            if earlier.method == later.method && shadows(earlier.template, later.template) {
                problems.push(format!("{} {} hides {}", earlier.method.as_str(), earlier.template, later.template));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_shadow_check_would_catch_a_shadowed_route() {
    assert!(shadows("/a/:id", "/a/list"));
    assert!(shadows("/a/b", "/a/b"));
    assert!(!shadows("/a/list", "/a/:id"));
    assert!(!shadows("/a/:id", "/a/:id/x"));
}

#[test]
fn served_routes_never_fall_under_the_501_of_their_own_path() {
    // Every template resolves to itself, whatever unserved prefix it sits under.
    for entry in entries() {
        let path = entry.template.replace(':', "x-");
        let m = resolve(entry.method, &path).unwrap_or_else(|e| panic!("{} {}: {e:?}", entry.method.as_str(), path));
        assert_eq!(m.template, entry.template);
    }
}
