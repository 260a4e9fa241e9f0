//! RBAC permissions: the `"resource:action"` strings that roles carry.
//!
//! A [`Permission`] is only ever built by [`Permission::parse`], so every value in memory
//! (and every value deserialized from a cache) has passed validation: both parts non-empty,
//! the whole string at most [`MAX_PERMISSION_LEN`] characters, each part drawn from
//! `[A-Za-z0-9_.*/-]`, and `*` appearing only as a whole part (a wildcard), never inside a
//! name. That last rule keeps wildcard semantics unambiguous: `docs*:read` is refused
//! rather than silently treated as a prefix match.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The longest accepted permission string, in bytes (the charset is ASCII).
pub const MAX_PERMISSION_LEN: usize = 128;

/// The wildcard part: `*` as a resource or action matches any name.
pub const WILDCARD: &str = "*";

/// Why a permission string was refused. Messages are safe to return to API clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionError {
    /// There is no `:` separating resource from action.
    MissingSeparator,
    /// The resource or the action is empty.
    EmptyPart,
    /// Longer than [`MAX_PERMISSION_LEN`].
    TooLong,
    /// A character outside `[A-Za-z0-9_.*/-]` (this includes a second `:`).
    InvalidCharacter,
    /// `*` used inside a name instead of as a whole part.
    PartialWildcard,
}

impl fmt::Display for PermissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PermissionError::MissingSeparator => "permission must be \"resource:action\"",
            PermissionError::EmptyPart => "permission resource and action must not be empty",
            PermissionError::TooLong => "permission is longer than 128 characters",
            PermissionError::InvalidCharacter => "permission may only use letters, digits and _ . * / -",
            PermissionError::PartialWildcard => "\"*\" must be a whole resource or action",
        })
    }
}

impl std::error::Error for PermissionError {}

/// One validated `resource:action` permission; either part may be the wildcard `*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    resource: String,
    action: String,
}

impl Permission {
    /// Parses and validates `"resource:action"`.
    pub fn parse(s: &str) -> Result<Permission, PermissionError> {
        if s.len() > MAX_PERMISSION_LEN {
            return Err(PermissionError::TooLong);
        }
        let (resource, action) = s.split_once(':').ok_or(PermissionError::MissingSeparator)?;
        validate_part(resource)?;
        validate_part(action)?;
        Ok(Permission { resource: resource.to_string(), action: action.to_string() })
    }

    /// Builds a permission from its two parts, with the same validation as [`Permission::parse`].
    pub fn new(resource: &str, action: &str) -> Result<Permission, PermissionError> {
        Permission::parse(&format!("{resource}:{action}"))
    }

    /// The resource part (`*` for any resource).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The action part (`*` for any action).
    pub fn action(&self) -> &str {
        &self.action
    }

    /// Whether this permission covers `action` on `resource`: each part matches when it is
    /// `*` or equal to the requested name. A requested `*` is not a wildcard: asking for
    /// `*:read` is granted only by a permission whose resource is itself `*`.
    pub fn grants(&self, resource: &str, action: &str) -> bool {
        part_grants(&self.resource, resource) && part_grants(&self.action, action)
    }
}

fn part_grants(granted: &str, requested: &str) -> bool {
    granted == WILDCARD || granted == requested
}

fn validate_part(part: &str) -> Result<(), PermissionError> {
    if part.is_empty() {
        return Err(PermissionError::EmptyPart);
    }
    if !part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'*' | b'/' | b'-')) {
        return Err(PermissionError::InvalidCharacter);
    }
    if part.contains('*') && part != WILDCARD {
        return Err(PermissionError::PartialWildcard);
    }
    Ok(())
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)
    }
}

impl std::str::FromStr for Permission {
    type Err = PermissionError;

    fn from_str(s: &str) -> Result<Permission, PermissionError> {
        Permission::parse(s)
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Permission, D::Error> {
        let s = String::deserialize(deserializer)?;
        Permission::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Permission {
        Permission::parse(s).expect("valid permission")
    }

    #[test]
    fn parses_and_displays_round_trip() {
        for s in ["docs:read", "billing/invoices:export", "a.b-c_d:x", "*:*", "docs:*", "*:read"] {
            assert_eq!(p(s).to_string(), s);
        }
        let perm = p("users:delete");
        assert_eq!((perm.resource(), perm.action()), ("users", "delete"));
        assert_eq!(Permission::new("users", "delete"), Ok(perm));
        assert_eq!("docs:read".parse::<Permission>(), Ok(p("docs:read")));
    }

    #[test]
    fn refuses_malformed_strings() {
        use PermissionError::*;
        let cases = [
            ("", MissingSeparator),
            ("docs", MissingSeparator),
            (":read", EmptyPart),
            ("docs:", EmptyPart),
            (":", EmptyPart),
            ("docs:read:all", InvalidCharacter),
            ("docs :read", InvalidCharacter),
            ("dócs:read", InvalidCharacter),
            ("docs:re\nad", InvalidCharacter),
            ("docs*:read", PartialWildcard),
            ("docs:**", PartialWildcard),
            ("*a:read", PartialWildcard),
        ];
        for (input, want) in cases {
            assert_eq!(Permission::parse(input), Err(want), "{input:?}");
        }
        let long = format!("{}:{}", "r".repeat(64), "a".repeat(64));
        assert_eq!(Permission::parse(&long), Err(TooLong));
        let max = format!("{}:{}", "r".repeat(64), "a".repeat(63));
        assert!(Permission::parse(&max).is_ok());
    }

    #[test]
    fn wildcards_grant_as_specified() {
        assert!(p("docs:read").grants("docs", "read"));
        assert!(!p("docs:read").grants("docs", "write"));
        assert!(!p("docs:read").grants("doc", "read"));
        assert!(p("docs:*").grants("docs", "write"));
        assert!(!p("docs:*").grants("users", "write"));
        assert!(p("*:read").grants("users", "read"));
        assert!(!p("*:read").grants("users", "write"));
        assert!(p("*:*").grants("anything", "at-all"));
        assert!(!p("docs:read").grants("*", "read"), "a requested * is literal");
        assert!(p("*:read").grants("*", "read"));
    }

    #[test]
    fn serde_uses_the_string_form_and_validates() {
        let json = serde_json::to_string(&p("docs:read")).expect("serialize");
        assert_eq!(json, "\"docs:read\"");
        let back: Permission = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, p("docs:read"));
        assert!(serde_json::from_str::<Permission>("\"docs*:read\"").is_err());
        assert!(serde_json::from_str::<Permission>("{\"resource\":\"a\",\"action\":\"b\"}").is_err());
    }
}
