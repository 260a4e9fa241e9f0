//! Per-tenant branding of the sign-in pages (issue 14, "The pages are a product"): a
//! display name, a logo URL and an accent colour, set by the tenant's admin.
//!
//! Each value has a type that only validation makes, so what reaches a page is always
//! one of three shapes: plain text (escaped where it is rendered), an https URL whose
//! origin can be named in a CSP `img-src` source, or a `#rrggbb` colour that the accent
//! stylesheet route turns into CSS (`colour`). Nothing a tenant types reaches a page as
//! markup, as style, or as a CSP source of another shape. Values read back from storage
//! are validated again, and one that fails is treated as unset: a page never shows it.

mod colour;
mod logo;

pub use colour::{accent_stylesheet, contrast, AccentColor};
pub use logo::LogoUrl;

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the pages call the service when the tenant chose no display name.
pub const DEFAULT_NAME: &str = "AuthSec";

/// At most this many characters in a display name.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a branding value was refused; `field` names the JSON field for the 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandingError {
    pub field: &'static str,
    pub message: &'static str,
}

impl fmt::Display for BrandingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The name the pages show in their header: 1 to 64 characters after trimming, with no
/// control or bidirectional-override characters (which could make the name read as
/// something else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, BrandingError> {
        let refuse = |message| BrandingError { field: "display_name", message };
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(refuse("display_name must have 1 to 64 characters"));
        }
        if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return Err(refuse("display_name must not contain control or bidirectional-override characters"));
        }
        Ok(DisplayName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl TryFrom<String> for DisplayName {
    type Error = BrandingError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        DisplayName::parse(&raw)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> String {
        name.0
    }
}

/// A tenant's branding; every part is optional, and the pages fall back to the service's
/// own look for what is unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    #[serde(default)]
    pub display_name: Option<DisplayName>,
    #[serde(default)]
    pub logo_url: Option<LogoUrl>,
    #[serde(default)]
    pub accent_color: Option<AccentColor>,
}

impl Branding {
    /// Branding as stored: each value validated again, an invalid one dropped.
    pub fn from_stored(display_name: Option<&str>, logo_url: Option<&str>, accent_color: Option<&str>) -> Self {
        Branding {
            display_name: display_name.and_then(|v| DisplayName::parse(v).ok()),
            logo_url: logo_url.and_then(|v| LogoUrl::parse(v).ok()),
            accent_color: accent_color.and_then(|v| AccentColor::parse(v).ok()),
        }
    }

    /// The name for the header and the page title.
    pub fn name(&self) -> &str {
        self.display_name.as_ref().map_or(DEFAULT_NAME, DisplayName::as_str)
    }

    /// This branding with `change` applied.
    pub fn with(&self, change: &BrandingChange) -> Branding {
        Branding {
            display_name: change.display_name.applied_to(&self.display_name),
            logo_url: change.logo_url.applied_to(&self.logo_url),
            accent_color: change.accent_color.applied_to(&self.accent_color),
        }
    }
}

/// What an update does to one value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Set(T),
    Clear,
}

impl<T: Clone> Change<T> {
    pub fn applied_to(&self, current: &Option<T>) -> Option<T> {
        match self {
            Change::Keep => current.clone(),
            Change::Set(value) => Some(value.clone()),
            Change::Clear => None,
        }
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Change::Keep)
    }
}

/// An update to a tenant's branding, each value already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandingChange {
    pub display_name: Change<DisplayName>,
    pub logo_url: Change<LogoUrl>,
    pub accent_color: Change<AccentColor>,
}

impl BrandingChange {
    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.display_name.is_keep() && self.logo_url.is_keep() && self.accent_color.is_keep()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Acme Rockets ").unwrap().as_str(), "Acme Rockets");
        assert_eq!(DisplayName::parse(&"é".repeat(64)).unwrap().as_str().chars().count(), 64);
        for bad in ["", "   ", &"x".repeat(65), "tab\tname", "new\nline", "rtl\u{202e}lanimre", "\u{2066}iso"] {
            let refused = DisplayName::parse(bad).unwrap_err();
            assert_eq!(refused.field, "display_name", "{bad:?}");
        }
    }

    #[test]
    fn markup_in_a_display_name_is_kept_as_text() {
        // It is text: the pages escape it (api::oauth::pages tests that).
        assert_eq!(DisplayName::parse("<b>Acme</b> & \"Co\"").unwrap().as_str(), "<b>Acme</b> & \"Co\"");
    }

    #[test]
    fn stored_values_are_validated_again() {
        let branding = Branding::from_stored(Some("Acme"), Some("javascript:alert(1)"), Some("red"));
        assert_eq!(branding.name(), "Acme");
        assert_eq!((branding.logo_url, branding.accent_color), (None, None));
        assert_eq!(Branding::default().name(), DEFAULT_NAME);
    }

    #[test]
    fn changes_keep_set_or_clear_each_value() {
        let current = Branding::from_stored(Some("Acme"), Some("https://cdn.acme.test/logo.svg"), Some("#0a7d5a"));
        let change = BrandingChange {
            display_name: Change::Set(DisplayName::parse("Acme Rockets").unwrap()),
            logo_url: Change::Clear,
            accent_color: Change::Keep,
        };
        let next = current.with(&change);
        assert_eq!(next.name(), "Acme Rockets");
        assert_eq!(next.logo_url, None);
        assert_eq!(next.accent_color, current.accent_color);
        assert!(BrandingChange::default().is_empty() && !change.is_empty());
    }

    #[test]
    fn branding_survives_a_round_trip_through_json_and_refuses_bad_json() {
        let branding = Branding::from_stored(Some("Acme"), Some("https://cdn.acme.test/l.png"), Some("#0A7D5A"));
        let json = serde_json::to_value(&branding).unwrap();
        assert_eq!(json["accent_color"], "#0a7d5a", "stored lower-case");
        assert_eq!(serde_json::from_value::<Branding>(json).unwrap(), branding);
        let forged = serde_json::json!({"logo_url": "http://plain.test/l.png"});
        assert!(serde_json::from_value::<Branding>(forged).is_err());
        assert_eq!(serde_json::from_value::<Branding>(serde_json::json!({})).unwrap(), Branding::default());
    }
}
