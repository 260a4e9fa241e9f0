//! User codes for the device grant (RFC 8628 §6.1): 8 letters from a 20-letter alphabet
//! with no vowels (so no words) and no digits (so no 0/O or 1/I confusion), shown as
//! `XXXX-XXXX` and typed in any case, with or without the dash or spaces.
//!
//! Invariants: the canonical form is exactly 8 ASCII letters from [`ALPHABET`], with no
//! dash; `generate` is unbiased (every code equally likely) because it rejects bytes from
//! the incomplete tail instead of reducing them modulo 20.
//!
//! 20^8 ≈ 2.6e10 codes (≈ 34.6 bits) only resists guessing together with the code's short
//! life and a rate limit on verification attempts (RFC 8628 §5.1), which the caller owns.

/// The symbols of a user code, from the example in RFC 8628 §6.1.
pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Characters in a canonical user code.
pub const LEN: usize = 8;
/// The largest multiple of 20 that fits in a byte (12 × 20): bytes at or above it are
/// skipped so each symbol is equally likely.
const UNBIASED_LIMIT: u8 = 240;

/// A canonical (dashless) user code drawn from `random`, one symbol per accepted byte.
/// `None` if the bytes run out before 8 symbols are drawn; the caller then draws again
/// (16 bytes fail with probability below 1e-6).
pub fn generate(random: &[u8]) -> Option<String> {
    let code: String = random
        .iter()
        .filter(|&&b| b < UNBIASED_LIMIT)
        .take(LEN)
        .map(|&b| char::from(ALPHABET[usize::from(b % 20)]))
        .collect();
    (code.len() == LEN).then_some(code)
}

/// The form shown to people (RFC 8628 §6.1: a separator eases transcription): a canonical
/// code becomes `XXXX-XXXX`; anything that is not exactly 8 characters comes back as is.
pub fn display(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != LEN {
        return code.to_string();
    }
    let (head, tail) = chars.split_at(LEN / 2);
    format!("{}-{}", head.iter().collect::<String>(), tail.iter().collect::<String>())
}

/// The canonical form of what a person typed (RFC 8628 §6.1: case-insensitive, separators
/// ignored): uppercased, with dashes and whitespace dropped. `None` unless the rest is
/// exactly 8 characters of [`ALPHABET`]; long input is refused at the ninth symbol.
pub fn normalize(input: &str) -> Option<String> {
    let mut code = String::with_capacity(LEN);
    for c in input.chars().filter(|&c| c != '-' && !c.is_whitespace()) {
        let upper = c.to_ascii_uppercase();
        if code.len() == LEN || !upper.is_ascii() || !u8::try_from(upper).is_ok_and(|b| ALPHABET.contains(&b)) {
            return None;
        }
        code.push(upper);
    }
    (code.len() == LEN).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_byte_below_240_picks_its_symbol_modulo_20() {
        assert_eq!(generate(&[0, 1, 2, 3, 4, 5, 6, 7]).as_deref(), Some("BCDFGHJK"));
        assert_eq!(generate(&[19, 20, 39, 40, 219, 220, 238, 239]).as_deref(), Some("ZBZBZBXZ"));
    }

    #[test]
    fn bytes_from_240_up_are_skipped_and_running_out_is_none() {
        let mut bytes = vec![240, 255, 0, 241, 1, 2, 250, 3, 4, 5, 6, 7];
        assert_eq!(generate(&bytes).as_deref(), Some("BCDFGHJK"));
        bytes.truncate(10);
        assert_eq!(generate(&bytes), None, "only 7 usable bytes");
        assert_eq!(generate(&[]), None);
        assert_eq!(generate(&[255; 64]), None);
        assert_eq!(generate(&[0; 64]).as_deref(), Some("BBBBBBBB"), "extra bytes are left unused");
    }

    #[test]
    fn every_symbol_is_equally_likely_over_the_accepted_bytes() {
        let all: Vec<u8> = (0..=255).collect();
        let mut counts = [0u32; 20];
        for chunk in all.chunks(8) {
            if let Some(code) = generate(chunk) {
                for b in code.bytes() {
                    let i = ALPHABET.iter().position(|&s| s == b).unwrap_or(usize::MAX);
                    assert!(i < 20, "symbol {b} outside the alphabet");
                    counts[i] += 1;
                }
            }
        }
        assert_eq!(counts, [12; 20], "the 240 accepted bytes hit each symbol 12 times");
    }

    #[test]
    fn the_alphabet_has_no_vowels_or_digits() {
        assert_eq!(ALPHABET.len(), 20);
        assert!(ALPHABET.iter().all(|b| b.is_ascii_uppercase() && !b"AEIOUY".contains(b)));
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 20, "no repeated symbol");
    }

    #[test]
    fn display_puts_a_dash_in_the_middle() {
        assert_eq!(display("BCDFGHJK"), "BCDF-GHJK");
        assert_eq!(display("ABC"), "ABC");
        assert_eq!(display(""), "");
        assert_eq!(display("ééééàààà"), "éééé-àààà", "splits on characters, not bytes");
    }

    #[test]
    fn normalize_ignores_case_dashes_and_spaces() {
        for input in ["bcdf-ghjk", " BCDF GHJK ", "BCDFGHJK", "bCdF-gHjK", "b-c-d-f-g-h-j-k", "BCDF\tGHJK\n"] {
            assert_eq!(normalize(input).as_deref(), Some("BCDFGHJK"), "{input:?}");
        }
        assert_eq!(normalize(&display("WXZQ-RSTV")).as_deref(), Some("WXZQRSTV"));
    }

    #[test]
    fn normalize_refuses_vowels_digits_other_symbols_and_wrong_lengths() {
        for input in [
            "ABCD-FGHJ",
            "BCDF-GHJA",
            "BCDF-GHJ1",
            "BCDF-GHJ0",
            "BCDF_GHJK",
            "BCDF-GHJ",
            "BCDF-GHJKL",
            "",
            "--------",
            "BCDF-GHJÉ",
            "BCDF-GHJK\u{0}",
        ] {
            assert_eq!(normalize(input), None, "{input:?}");
        }
        assert_eq!(normalize(&"B".repeat(100_000)), None);
    }

    #[test]
    fn generated_codes_round_trip_through_display_and_normalize() {
        let bytes: Vec<u8> = (0..=255).rev().collect();
        for chunk in bytes.chunks(16) {
            if let Some(code) = generate(chunk) {
                assert_eq!(normalize(&display(&code).to_lowercase()), Some(code));
            }
        }
    }
}
