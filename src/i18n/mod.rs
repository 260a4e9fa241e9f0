//! The words of the sign-in pages, per locale (issue 14: "localisable strings (English
//! shipped; one more locale proves the mechanism)").
//!
//! Every user-visible string of the OAuth provider's pages is a `Text` key; each locale
//! is one file with an exhaustive `match` over the keys, so a key missing from a locale
//! does not compile. Templates name their values in braces (`{client}`); `fill`
//! substitutes them in one pass, so a value is never read as a template. The caller
//! escapes: pages escape the template and the values, scope descriptions are plain text.
//!
//! The locale comes from the authorization request's `ui_locales` (OpenID Connect Core
//! §3.1.2.1), then the browser's `Accept-Language` (RFC 9110 §12.5.4), then English.

mod de;
mod en;

use serde::{Deserialize, Serialize};

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    De,
}

impl Locale {
    pub const ALL: &'static [Locale] = &[Locale::En, Locale::De];

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    /// The locale of a BCP 47 language tag, by its primary subtag (`de-CH` is German).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        Locale::ALL.iter().copied().find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The string `key` in this locale.
    pub fn text(self, key: Text) -> &'static str {
        match self {
            Locale::En => en::text(key),
            Locale::De => de::text(key),
        }
    }
}

/// The first supported locale of `ui_locales`, else of `Accept-Language`, else English.
pub fn negotiate(ui_locales: &[String], accept_language: Option<&str>) -> Locale {
    ui_locales
        .iter()
        .find_map(|tag| Locale::from_tag(tag))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or_default()
}

/// A quality value (`q=0.8`) in thousandths; `None` if malformed.
fn quality(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The supported locale the browser prefers most (at most 32 entries are read).
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranked: Vec<(u16, usize, Locale)> = header
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                Some(raw) => quality(raw.trim())?,
                None => 1000,
            };
            (q > 0).then_some(())?;
            Some((q, position, Locale::from_tag(tag)?))
        })
        .collect();
    ranked.sort_by_key(|&(q, position, _)| (std::cmp::Reverse(q), position));
    ranked.first().map(|&(_, _, locale)| locale)
}

/// `template` with each `{name}` replaced by its value; unknown names stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        out.push_str(before);
        let close = from_brace.find('}');
        let name = close.and_then(|c| from_brace.get(1..c));
        match (close, name.and_then(|n| values.iter().find(|(k, _)| *k == n))) {
            (Some(c), Some((_, value))) => {
                out.push_str(value);
                rest = from_brace.get(c + 1..).unwrap_or("");
            }
            _ => {
                out.push('{');
                rest = from_brace.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a template uses, sorted.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> =
        template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name)).collect();
    names.sort_unstable();
    names
}

macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        /// A user-visible string of the pages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text { $($key),* }

        impl Text {
            /// Every key, for the tests that check each locale.
            pub const ALL: &'static [Text] = &[$(Text::$key),*];
        }
    };
}

keys! {
    SignInTitle, SignInLead, EmailLabel, PasswordLabel, SignInButton, Or, PasskeySignIn,
    SecondFactorTitle, SecondFactorLead, CodeLabel, ContinueButton, PasskeyUse,
    ConsentTitle, ConsentLead, AllowButton, DenyButton,
    ErrorTitle, ErrorAdvice, ErrorDetails, ErrorCode,
    ErrInvalidClient, ErrInvalidRequest, ErrExpired, ErrForeign, ErrGeneric,
    WrongPassword, Locked, WrongCode, WrongCodeLeft, AccountDisabled, CheckInput,
    PasskeyFailed, PasskeyCancelled,
    FormPostTitle, SignedOutTitle, SignedOutBody,
    ScopeOpenid, ScopeProfile, ScopeEmail, ScopeOfflineAccess, ScopeRoles, ScopeGroups,
    ScopeRole, ScopeAction, ScopeOther,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_written_in_every_locale_with_the_same_placeholders() {
        for &key in Text::ALL {
            let english = Locale::En.text(key);
            for &locale in Locale::ALL {
                let text = locale.text(key);
                assert!(!text.trim().is_empty(), "{key:?} in {locale:?}");
                assert_eq!(placeholders(text), placeholders(english), "{key:?} in {locale:?}");
                assert!(!text.contains('<') && !text.contains('>'), "{key:?} in {locale:?}: text, not markup");
            }
        }
    }

    #[test]
    fn the_second_locale_is_a_translation() {
        let same = Text::ALL.iter().filter(|&&k| Locale::De.text(k) == Locale::En.text(k)).count();
        assert!(same * 10 < Text::ALL.len(), "{same} German strings are English");
    }

    #[test]
    fn ui_locales_come_first_then_accept_language_then_english() {
        let ui = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(negotiate(&ui(&["fr-CA", "de-CH"]), Some("en")), Locale::De);
        assert_eq!(negotiate(&ui(&["fr"]), Some("fr;q=1, de;q=0.5, en;q=0.4")), Locale::De);
        assert_eq!(negotiate(&ui(&[]), Some("en-GB,en;q=0.9,de;q=0.8")), Locale::En);
        assert_eq!(negotiate(&ui(&[]), Some("de-DE")), Locale::De);
        assert_eq!(negotiate(&ui(&[]), Some("fr, it")), Locale::En);
        assert_eq!(negotiate(&ui(&[]), None), Locale::En);
        assert_eq!(negotiate(&ui(&["EN"]), Some("de")), Locale::En, "case-insensitive");
    }

    #[test]
    fn accept_language_honours_quality_values() {
        assert_eq!(from_accept_language("en;q=0.5, de;q=0.9"), Some(Locale::De));
        assert_eq!(from_accept_language("de;q=0, en;q=0.1"), Some(Locale::En), "q=0 means not acceptable");
        assert_eq!(from_accept_language("de;q=0.900, en;q=0.9"), Some(Locale::De), "ties keep the order");
        assert_eq!(from_accept_language("*"), None);
        for bad in ["de;q=2", "de;q=1.5", "de;q=0.1234", "de;q=abc", "de;q=-1", "de;q="] {
            assert_eq!(from_accept_language(bad), None, "{bad}");
        }
        let long = format!("{}de", "fr,".repeat(40));
        assert_eq!(from_accept_language(&long), None, "only the first 32 entries are read");
    }

    #[test]
    fn fill_substitutes_once_and_leaves_the_rest() {
        assert_eq!(fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]), "{b} and x");
        assert_eq!(fill("{unknown} {a", &[("a", "1")]), "{unknown} {a");
        assert_eq!(fill("{n} attempts", &[("n", "4")]), "4 attempts");
        assert_eq!(placeholders("{role} and {client}"), vec!["client", "role"]);
    }
}
