//! Backup codes for when the authenticator is lost: ten per user, each 10 characters
//! (about 50 bits) shown as `xxxxx-xxxxx`, single use, and stored only as keyed hashes
//! bound to their owner. Input is forgiving: case, spaces and dashes are ignored.

use crate::secret::keyed_hash;

pub const COUNT: usize = 10;
const LEN: usize = 10;
/// 32 symbols, so a random byte maps onto one without bias: lowercase letters and digits
/// without the look-alikes 0/o and 1/l.
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Ten codes drawn from `random` (at least 10 bytes per code).
pub fn generate(random: &[u8]) -> Vec<String> {
    random
        .chunks_exact(LEN)
        .take(COUNT)
        .map(|chunk| {
            let chars: String = chunk.iter().map(|&b| char::from(ALPHABET[usize::from(b) % 32])).collect();
            format!("{}-{}", &chars[..LEN / 2], &chars[LEN / 2..])
        })
        .collect()
}

/// The canonical form of a presented code, or `None` if it cannot be a backup code.
pub fn normalize(presented: &str) -> Option<String> {
    let code: String = presented.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    (code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

/// The stored form: a keyed hash bound to the tenant and user.
pub fn hash(pepper: &[u8], tenant_id: &str, user_id: &str, normalized: &str) -> String {
    keyed_hash(pepper, &["backup-code", tenant_id, user_id, normalized])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_ten_distinct_well_formed_codes() {
        let random: Vec<u8> = (0..100u64).map(|i| crate::cast::low_byte(i * 73 + 19)).collect();
        let codes = generate(&random);
        assert_eq!(codes.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            assert!(normalize(code).is_some(), "{code}");
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), COUNT);
    }

    #[test]
    fn input_ignores_case_spaces_and_dashes_but_not_foreign_characters() {
        assert_eq!(normalize("ABCDE-FGHJK").as_deref(), Some("abcdefghjk"));
        assert_eq!(normalize(" abcde fghjk ").as_deref(), Some("abcdefghjk"));
        for bad in ["", "abcde-fghj", "abcde-fghjkm", "abcde-fghj0", "abcde-fghjl", "abcde_fghjk", "123456"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn hashes_are_bound_to_their_owner() {
        let a = hash(b"pepper", "t", "u1", "abcdefghjk");
        assert_ne!(a, hash(b"pepper", "t", "u2", "abcdefghjk"));
        assert_ne!(a, hash(b"other", "t", "u1", "abcdefghjk"));
        assert!(!a.contains("abcdefghjk"));
    }
}
