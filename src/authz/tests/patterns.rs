//! Value patterns: glob edge cases and bounded cost, regex anchoring and size limits.

use super::gen::Rng;
use crate::authz::patterns::{compile_regex, Glob, PatternError, ValuePattern, MAX_PATTERN_LEN};

fn glob(p: &str) -> Glob {
    Glob::new(p).expect("valid glob")
}

#[test]
fn glob_edge_cases() {
    let cases: &[(&str, &str, bool)] = &[
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("*", "anything", true),
        ("**", "", true),
        ("?", "", false),
        ("?", "a", true),
        ("?", "ab", false),
        ("?", "é", true),
        ("??", "é", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXXbYYbZZc", true),
        ("a*b*c", "acb", false),
        ("a*b*c", "abcd", false),
        ("a*b*c", "ab", false),
        ("a*a", "a", false),
        ("a*a", "aa", true),
        ("*a*", "bab", true),
        ("*a*", "bbb", false),
        ("doc-*", "doc-", true),
        ("doc-*", "doc-42", true),
        ("doc-*", "docs-42", false),
        ("*.pdf", "report.pdf", true),
        ("*.pdf", "report.pdf.exe", false),
        ("a?c*", "abcdef", true),
        ("a?c*", "acdef", false),
        ("*?", "", false),
        ("*?", "x", true),
        ("?*?", "x", false),
        ("?*?", "xy", true),
        ("ab*ba", "aba", false),
        ("ab*ba", "abba", true),
        ("*ab*ab*", "abab", true),
        ("*ab*ab*", "aab", false),
        ("[abc]", "a", false),
        ("[abc]", "[abc]", true),
        ("a.b", "axb", false),
    ];
    for &(pattern, text, want) in cases {
        assert_eq!(glob(pattern).is_match(text), want, "{pattern:?} vs {text:?}");
    }
}

/// A backtracking-free reference: dynamic programming over (pattern, text) prefixes.
fn reference_glob(pattern: &[char], text: &[char]) -> bool {
    let mut row = vec![false; text.len() + 1];
    row[0] = true;
    for &p in pattern {
        let mut next = vec![false; text.len() + 1];
        for j in 0..=text.len() {
            next[j] = match p {
                '*' => row[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && row[j - 1],
                c => j > 0 && row[j - 1] && text[j - 1] == c,
            };
        }
        row = next;
    }
    row[text.len()]
}

#[test]
fn glob_agrees_with_a_dynamic_programming_reference() {
    let pattern_chars = ['a', 'b', '*', '?'];
    let text_chars = ['a', 'b', 'c'];
    for seed in 0..3000u64 {
        let mut rng = Rng::new(seed);
        let pattern = rng.string(&pattern_chars, 7);
        let text = rng.string(&text_chars, 9);
        let want = reference_glob(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>());
        assert_eq!(glob(&pattern).is_match(&text), want, "seed {seed}: {pattern:?} vs {text:?}");
    }
}

#[test]
fn glob_has_no_exponential_blowup() {
    let pattern = format!("{}b", "a*".repeat(100));
    let text = "a".repeat(100_000);
    let g = glob(&pattern);
    assert!(!g.is_match(&text));
    assert!(g.is_match(&format!("{text}b")));
    let middle = format!("*{}*", "a?".repeat(60));
    assert!(!glob(&format!("{middle}b")).is_match(&text));
}

#[test]
fn value_patterns() {
    let exact = ValuePattern::compile(None, "doc-1").expect("exact");
    assert!(exact.is_match("doc-1") && !exact.is_match("doc-12") && !exact.is_match("DOC-1"));
    let literal = ValuePattern::compile(Some("exact"), "a*").expect("exact");
    assert!(literal.is_match("a*") && !literal.is_match("ab"), "only a whole * is a wildcard in exact");
    for (kind, value) in [(None, "*"), (Some("exact"), "*"), (Some("glob"), "*"), (Some("glob"), "***")] {
        let any = ValuePattern::compile(kind, value).expect("any");
        assert!(any.is_match("") && any.is_match("x"), "{kind:?} {value:?}");
    }
    let re = ValuePattern::compile(Some("regex"), "doc-[0-9]+").expect("regex");
    assert!(re.is_match("doc-42"));
    assert!(!re.is_match("xdoc-42") && !re.is_match("doc-42x"), "regex is anchored");
    let alt = ValuePattern::compile(Some("regex"), "a|b").expect("regex");
    assert!(alt.is_match("a") && alt.is_match("b") && !alt.is_match("ab"), "anchoring wraps alternation");
    // Classes and case folding are ASCII (api.md): other scripts match only literally.
    let folded = ValuePattern::compile(Some("regex"), "(?i)doc-été").expect("ascii case");
    assert!(folded.is_match("DOC-été") && !folded.is_match("DOC-ÉTÉ"), "(?i) folds ASCII only");
    let word = ValuePattern::compile(Some("regex"), "\\w+").expect("ascii word");
    assert!(word.is_match("abc_9") && !word.is_match("été"), "\\w is [0-9A-Za-z_]");
    let digits = ValuePattern::compile(Some("regex"), "\\d+").expect("ascii digits");
    assert!(digits.is_match("42") && !digits.is_match("٤٢"), "\\d is [0-9]");
    assert!(ValuePattern::compile(Some("regex"), "été+").expect("literal").is_match("étéé"), "literals are any text");
    assert_eq!(ValuePattern::compile(Some("fuzzy"), "x").err(), Some(PatternError::UnknownKind));
    assert_eq!(ValuePattern::compile(Some("Exact"), "x").err(), Some(PatternError::UnknownKind));
    assert_eq!(ValuePattern::compile(None, "").err(), Some(PatternError::Empty));
    assert_eq!(ValuePattern::compile(Some("glob"), &"x".repeat(257)).err(), Some(PatternError::TooLong));
}

#[test]
fn regex_refusals() {
    assert_eq!(compile_regex("").err(), Some(PatternError::Empty));
    assert_eq!(compile_regex(&"a".repeat(MAX_PATTERN_LEN + 1)).err(), Some(PatternError::TooLong));
    assert!(compile_regex(&"é".repeat(MAX_PATTERN_LEN)).is_ok(), "the limit counts characters");
    // Unicode classes are refused, not silently narrowed to ASCII.
    for bad in ["(", "[a-", "a{2,1}", "(?P<x>a)(?P<x>b)", "\\p{NoSuchClass}", "\\p{L}+", "\\pN", "a)"] {
        assert_eq!(compile_regex(bad).err(), Some(PatternError::InvalidRegex), "{bad:?}");
    }
    for huge in ["(\\w{100}){100}", "\\w{1000}", "((a{100}){100}){100}", "[\\s\\S]{5000}"] {
        assert_eq!(compile_regex(huge).err(), Some(PatternError::RegexTooLarge), "{huge:?}");
    }
    let deep = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(compile_regex(&deep).err(), Some(PatternError::RegexTooLarge));
    assert!(compile_regex("[a-z0-9-]+\\.example\\.com").is_ok());
    assert!(compile_regex("\\w+@\\w+").is_ok());
    let evil = compile_regex("(a+)+b").expect("compiles");
    assert!(!evil.is_match(&"a".repeat(50_000)), "automata, not backtracking");
}
