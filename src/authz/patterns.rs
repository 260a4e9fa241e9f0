//! Value patterns for ABAC subject and resource matchers: exact, glob and regex.
//!
//! Patterns are compiled once, when a policy is compiled, and evaluation only runs the
//! compiled form. Matching is bounded on every input:
//! - glob (`*` any run of characters, `?` exactly one) is matched without backtracking:
//!   the text is split at the stars and each literal segment is found leftmost-first, so
//!   the cost is at most O(len(text) × len(pattern)), never exponential;
//! - regex uses the `regex-lite` crate (a Pike VM, linear in the text), always anchored
//!   to the whole value, and its source length, compiled size and nesting are limited so a
//!   pathological pattern is refused when the policy is stored rather than at request time.
//!   Classes are ASCII: `\w`, `\d`, `\s` and `(?i)` know no other script (api.md), and
//!   Unicode class syntax (`\p{..}`) is refused rather than silently narrowed.
//!
//! The exact value `*` matches anything, as `*` does in actions and RBAC permissions.

use regex_lite::{Regex, RegexBuilder};
use std::fmt;

/// The longest accepted pattern source, in characters.
pub const MAX_PATTERN_LEN: usize = 256;
/// The largest compiled regex program, in bytes (`RegexBuilder::size_limit`). A Pike VM's
/// work per character grows with the program, so this bounds each match: 16 KiB holds a
/// few hundred states (`.{200}` fits, `\w{500}` does not), far more than real policies use.
pub const REGEX_SIZE_LIMIT: usize = 16 * 1024;
/// The deepest accepted regex nesting (`RegexBuilder::nest_limit`).
pub const REGEX_NEST_LIMIT: u32 = 32;

/// Why a pattern was refused. Messages are safe to return to API clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern kind is not "exact", "glob" or "regex".
    UnknownKind,
    /// The pattern source is empty.
    Empty,
    /// The pattern source is longer than [`MAX_PATTERN_LEN`].
    TooLong,
    /// The regex does not parse, or uses syntax this build does not support.
    InvalidRegex,
    /// The regex compiles to more than [`REGEX_SIZE_LIMIT`] or nests too deeply.
    RegexTooLarge,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PatternError::UnknownKind => "pattern must be \"exact\", \"glob\" or \"regex\"",
            PatternError::Empty => "pattern must not be empty",
            PatternError::TooLong => "pattern is longer than 256 characters",
            PatternError::InvalidRegex => "invalid regular expression",
            PatternError::RegexTooLarge => "regular expression is too large or too deeply nested",
        })
    }
}

impl std::error::Error for PatternError {}

/// Compiles `source` into a regex that must match a whole value, within the size limits.
pub fn compile_regex(source: &str) -> Result<Regex, PatternError> {
    if source.is_empty() {
        return Err(PatternError::Empty);
    }
    if source.chars().count() > MAX_PATTERN_LEN {
        return Err(PatternError::TooLong);
    }
    RegexBuilder::new(&format!("^(?:{source})$"))
        .size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .map_err(|e| {
            // regex-lite's errors are opaque; only their text tells a limit from a typo.
            let message = e.to_string();
            if message.contains("size limit") || message.contains("nesting") {
                PatternError::RegexTooLarge
            } else {
                PatternError::InvalidRegex
            }
        })
}

/// One element of a glob segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GlobChar {
    Literal(char),
    AnyOne,
}

/// A compiled glob: the literal runs between its stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    /// The pattern split at `*`; `segments.len() == 1` means the pattern has no star.
    segments: Vec<Vec<GlobChar>>,
}

impl Glob {
    /// Compiles a glob (`*` any run, `?` one character, everything else literal).
    pub fn new(source: &str) -> Result<Glob, PatternError> {
        if source.chars().count() > MAX_PATTERN_LEN {
            return Err(PatternError::TooLong);
        }
        let segments = source
            .split('*')
            .map(|seg| seg.chars().map(|c| if c == '?' { GlobChar::AnyOne } else { GlobChar::Literal(c) }).collect())
            .collect();
        Ok(Glob { segments })
    }

    /// Whether the glob matches all of `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (first, rest) = match self.segments.split_first() {
            Some(split) => split,
            None => return text.is_empty(),
        };
        let Some((last, middle)) = rest.split_last() else {
            return segment_at(first, &text, 0) && first.len() == text.len();
        };
        if first.len() + last.len() > text.len() {
            return false;
        }
        let end = text.len() - last.len();
        if !segment_at(first, &text, 0) || !segment_at(last, &text, end) {
            return false;
        }
        let mut cursor = first.len();
        for segment in middle {
            match find_segment(segment, &text[..end], cursor) {
                Some(at) => cursor = at + segment.len(),
                None => return false,
            }
        }
        true
    }
}

/// Whether `segment` matches `text` starting at `at` (and fits).
fn segment_at(segment: &[GlobChar], text: &[char], at: usize) -> bool {
    let Some(window) = text.get(at..at + segment.len()) else {
        return false;
    };
    segment.iter().zip(window).all(|(g, c)| match g {
        GlobChar::AnyOne => true,
        GlobChar::Literal(l) => l == c,
    })
}

/// The leftmost position at or after `from` where `segment` matches inside `text`.
fn find_segment(segment: &[GlobChar], text: &[char], from: usize) -> Option<usize> {
    let last_start = text.len().checked_sub(segment.len())?;
    (from..=last_start).find(|&at| segment_at(segment, text, at))
}

/// A compiled value pattern.
#[derive(Debug, Clone)]
pub enum ValuePattern {
    /// Matches any value (the exact value `*`, or a glob of only stars).
    Any,
    /// Matches one value exactly.
    Exact(String),
    /// Matches a glob.
    Glob(Glob),
    /// Matches an anchored regex.
    Regex(Regex),
}

impl ValuePattern {
    /// Compiles `value` as a pattern of `kind` ("exact" when `None`).
    pub fn compile(kind: Option<&str>, value: &str) -> Result<ValuePattern, PatternError> {
        if value.is_empty() {
            return Err(PatternError::Empty);
        }
        if value.chars().count() > MAX_PATTERN_LEN {
            return Err(PatternError::TooLong);
        }
        match kind.unwrap_or("exact") {
            "exact" if value == "*" => Ok(ValuePattern::Any),
            "exact" => Ok(ValuePattern::Exact(value.to_string())),
            "glob" if value.chars().all(|c| c == '*') => Ok(ValuePattern::Any),
            "glob" => Glob::new(value).map(ValuePattern::Glob),
            "regex" => compile_regex(value).map(ValuePattern::Regex),
            _ => Err(PatternError::UnknownKind),
        }
    }

    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        match self {
            ValuePattern::Any => true,
            ValuePattern::Exact(value) => value == text,
            ValuePattern::Glob(glob) => glob.is_match(text),
            ValuePattern::Regex(regex) => regex.is_match(text),
        }
    }
}
