//! Scopes as the consent screen says them, and the claims each releases (OpenID Connect
//! Core §5.4), plus our `roles` and `groups`.

use crate::i18n::{fill, Locale, Text};

/// The scope that makes a request an OpenID Connect request.
pub const OPENID: &str = "openid";

/// The scopes this provider knows by name; discovery lists them.
pub const STANDARD: &[&str] = &[OPENID, "profile", "email", "offline_access", "roles", "groups"];

/// At most this many scopes in one request, each at most `MAX_SCOPE_LEN` bytes.
pub const MAX_SCOPES: usize = 50;
pub const MAX_SCOPE_LEN: usize = 128;

/// Splits a `scope` parameter (RFC 6749 §3.3: space-delimited, `%x21 / %x23-5B /
/// %x5D-7E`), dropping duplicates; `None` names a malformed one.
pub fn parse(scope: &str) -> Option<Vec<String>> {
    let mut scopes: Vec<String> = Vec::new();
    for token in scope.split(' ').filter(|s| !s.is_empty()) {
        let valid = token.len() <= MAX_SCOPE_LEN
            && token.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
        if !valid {
            return None;
        }
        if !scopes.iter().any(|s| s == token) {
            scopes.push(token.to_string());
        }
    }
    (scopes.len() <= MAX_SCOPES).then_some(scopes)
}

/// What the consent screen says a scope lets the application do, in `locale` (plain
/// text: the page escapes it). Tenant-defined scopes have their own descriptions; the
/// caller prefers those.
pub fn describe(scope: &str, locale: Locale) -> String {
    let key = match scope {
        OPENID => Text::ScopeOpenid,
        "profile" => Text::ScopeProfile,
        "email" => Text::ScopeEmail,
        "offline_access" => Text::ScopeOfflineAccess,
        "roles" => Text::ScopeRoles,
        "groups" => Text::ScopeGroups,
        s => {
            return match (s.strip_prefix("role:"), s.split_once(':')) {
                (Some(role), _) => fill(locale.text(Text::ScopeRole), &[("role", role)]),
                (None, Some((resource, action))) => {
                    fill(locale.text(Text::ScopeAction), &[("action", action), ("resource", resource)])
                }
                (None, None) => fill(locale.text(Text::ScopeOther), &[("scope", s)]),
            }
        }
    };
    locale.text(key).to_string()
}

/// Joins scopes as the `scope` response parameter (RFC 6749 §5.1).
pub fn join(scopes: &[String]) -> String {
    scopes.join(" ")
}

/// Whether `granted` already covers every scope in `wanted` (a remembered consent).
pub fn covers(granted: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| granted.iter().any(|g| g == w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_on_spaces_and_lose_duplicates() {
        assert_eq!(parse("openid  email openid"), Some(vec!["openid".to_string(), "email".to_string()]));
        assert_eq!(parse(""), Some(vec![]));
    }

    #[test]
    fn characters_outside_rfc_6749_are_refused() {
        assert_eq!(parse("openid \"quoted\""), None);
        assert_eq!(parse("back\\slash"), None);
        assert_eq!(parse("caf\u{e9}"), None);
        assert_eq!(parse(&"s".repeat(MAX_SCOPE_LEN + 1)), None);
        let many: Vec<String> = (0..=MAX_SCOPES).map(|i| format!("s{i}")).collect();
        assert_eq!(parse(&many.join(" ")), None);
    }

    #[test]
    fn consent_covers_subsets_only() {
        let granted = vec!["openid".to_string(), "email".to_string()];
        assert!(covers(&granted, &["email".to_string()]));
        assert!(!covers(&granted, &["email".to_string(), "profile".to_string()]));
    }

    #[test]
    fn scopes_are_described_in_words() {
        assert_eq!(describe("email", Locale::En), "See your email address");
        assert_eq!(describe("documents:read", Locale::En), "read on documents");
        assert_eq!(describe("role:editor", Locale::En), "Act with your role \"editor\"");
        assert_eq!(describe("weird", Locale::En), "Use \"weird\"");
    }

    #[test]
    fn scopes_are_described_in_the_page_locale() {
        assert_eq!(describe("email", Locale::De), "Ihre E-Mail-Adresse sehen");
        assert_eq!(describe("documents:read", Locale::De), "read auf documents");
        assert_eq!(
            describe("role:{client}", Locale::De),
            "Mit Ihrer Rolle „{client}“ handeln",
            "values are not templates"
        );
    }
}
