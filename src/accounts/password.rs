//! Password rules and hashing (Argon2id, RFC 9106), with the PHC string format so that
//! parameters travel with each hash and can be raised without a migration: a login with
//! an old-parameter hash re-hashes it (`needs_rehash`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fmt;

/// api.md "Accounts": new passwords have at least 10 characters.
pub const MIN_LEN: usize = 10;

/// Long enough for passphrases and managers; bounded so hashing cost stays bounded.
pub const MAX_LEN: usize = 128;

const COMMON: &str = include_str!("../../data/common-passwords.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
    TooCommon,
    ConfirmationMismatch,
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordError::TooShort => {
                write!(f, "password must have at least {MIN_LEN} characters")
            }
            PasswordError::TooLong => write!(f, "password must have at most {MAX_LEN} characters"),
            PasswordError::TooCommon => f.write_str("password is too common; choose another"),
            PasswordError::ConfirmationMismatch => f.write_str("passwords do not match"),
        }
    }
}

/// Checks a new password against the rules (NIST SP 800-63B §5.1.1.2: length, and a
/// list of commonly used passwords; no composition rules).
pub fn check_new_password(password: &str, confirmation: Option<&str>) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    if confirmation.is_some_and(|c| c != password) {
        return Err(PasswordError::ConfirmationMismatch);
    }
    if is_common(password) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

/// Case-insensitive membership in `data/common-passwords.txt` (sorted, so a binary
/// search over its lines needs no set built at start-up).
pub fn is_common(password: &str) -> bool {
    let wanted = password.to_lowercase();
    let lines: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
    lines.binary_search(&wanted.as_str()).is_ok()
}

fn hasher(params: HashParams) -> Result<Argon2<'static>, String> {
    let params =
        Params::new(params.memory_kib, params.iterations, params.parallelism, None).map_err(|e| e.to_string())?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes with a caller-supplied random salt (the caller owns the RNG).
pub fn hash_password(password: &str, salt: [u8; 16], params: HashParams) -> Result<String, String> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    hasher(params)?.hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|e| e.to_string())
}

/// Verifies against a stored PHC string, with the parameters recorded in it.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &hash).is_ok()
}

/// Whether a stored hash was made with other parameters than the configured ones.
pub fn needs_rehash(phc: &str, params: HashParams) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return true;
    };
    let Ok(stored) = Params::try_from(&hash) else {
        return true;
    };
    hash.algorithm.as_str() != "argon2id"
        || stored.m_cost() != params.memory_kib
        || stored.t_cost() != params.iterations
        || stored.p_cost() != params.parallelism
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortest entry of the common-password list (it holds 8+ character passwords).
    const COMMON_LIST_MIN_LEN: usize = 8;

    const FAST: HashParams = HashParams { memory_kib: 256, iterations: 1, parallelism: 1 };

    #[test]
    fn length_and_common_password_rules() {
        assert_eq!(check_new_password("short", None), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("nine char", None), Err(PasswordError::TooShort), "the contract says 10");
        assert_eq!(check_new_password("ten chars!", None), Ok(()));
        assert_eq!(check_new_password(&"x".repeat(129), None), Err(PasswordError::TooLong));
        assert_eq!(check_new_password("password1", None), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("1234567890", None), Err(PasswordError::TooCommon));
        assert_eq!(check_new_password("QWERTYUIOP", None), Err(PasswordError::TooCommon));
        assert_eq!(check_new_password("qwertyuiop", None), Err(PasswordError::TooCommon));
        assert_eq!(
            check_new_password("a sturdy passphrase", Some("another")),
            Err(PasswordError::ConfirmationMismatch)
        );
        assert_eq!(check_new_password("a sturdy passphrase", Some("a sturdy passphrase")), Ok(()));
        // Characters, not bytes: ten multibyte characters are enough.
        assert_eq!(check_new_password("ééééééééé€", None), Ok(()));
    }

    #[test]
    fn the_list_has_a_thousand_sorted_entries() {
        let lines: Vec<&str> = COMMON.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(lines.len(), 1000);
        assert!(lines.windows(2).all(|w| w[0] < w[1]));
        assert!(lines.iter().all(|l| l.chars().count() >= COMMON_LIST_MIN_LEN && *l == l.to_lowercase()));
    }

    #[test]
    fn hashes_verify_and_record_their_parameters() {
        let phc = hash_password("correct horse battery", [9; 16], FAST).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(!verify_password("x", "not a phc string"));
        assert!(!needs_rehash(&phc, FAST));
        assert!(needs_rehash(&phc, HashParams { memory_kib: 512, ..FAST }));
        assert!(needs_rehash("garbage", FAST));
    }

    #[test]
    fn hashing_is_deterministic_per_salt() {
        // Same password, salt and parameters give the same hash; another salt does not.
        let a = hash_password("pw-known-answer", [1; 16], FAST).unwrap();
        let b = hash_password("pw-known-answer", [1; 16], FAST).unwrap();
        let c = hash_password("pw-known-answer", [2; 16], FAST).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
