//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` sends the verifier in the
//! clear through the front channel, so it is refused (RFC 9700 §2.1.1).

use crate::b64;
use sha2::{Digest, Sha256};

/// Why a PKCE parameter was refused, as the `error_description` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkceError {
    MissingChallenge,
    UnsupportedMethod,
    MalformedChallenge,
    MalformedVerifier,
    Mismatch,
}

impl PkceError {
    pub fn description(&self) -> &'static str {
        match self {
            PkceError::MissingChallenge => "code_challenge is required (PKCE with S256)",
            PkceError::UnsupportedMethod => "code_challenge_method must be S256",
            PkceError::MalformedChallenge => "code_challenge must be 43 base64url characters",
            PkceError::MalformedVerifier => "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]",
            PkceError::Mismatch => "code_verifier does not match the code_challenge",
        }
    }
}

/// Checks the authorization request's challenge: present, S256 (an absent method means
/// `plain` per RFC 7636 §4.3, so it is refused too), and the shape of a SHA-256 digest.
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<String, PkceError> {
    let challenge = challenge.filter(|c| !c.is_empty()).ok_or(PkceError::MissingChallenge)?;
    if method != Some("S256") {
        return Err(PkceError::UnsupportedMethod);
    }
    let decoded = b64::decode(challenge).filter(|d| d.len() == 32 && challenge.len() == 43);
    decoded.map(|_| challenge.to_string()).ok_or(PkceError::MalformedChallenge)
}

/// RFC 7636 §4.1 and §4.6: the verifier's syntax, then BASE64URL(SHA256(verifier)).
pub fn verify(verifier: &str, challenge: &str) -> Result<(), PkceError> {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !well_formed {
        return Err(PkceError::MalformedVerifier);
    }
    let computed = b64::encode(&Sha256::digest(verifier.as_bytes()));
    if crate::secret::constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
        Ok(())
    } else {
        Err(PkceError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_7636_appendix_b_pair_verifies() {
        assert_eq!(verify(VERIFIER, CHALLENGE), Ok(()));
    }

    #[test]
    fn a_wrong_verifier_is_a_mismatch() {
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXz";
        assert_eq!(verify(other, CHALLENGE), Err(PkceError::Mismatch));
    }

    #[test]
    fn short_long_and_odd_verifiers_are_refused_before_hashing() {
        assert_eq!(verify("short", CHALLENGE), Err(PkceError::MalformedVerifier));
        assert_eq!(verify(&"a".repeat(129), CHALLENGE), Err(PkceError::MalformedVerifier));
        let with_space = format!("{} ", &VERIFIER[..43]);
        assert_eq!(verify(&with_space, CHALLENGE), Err(PkceError::MalformedVerifier));
    }

    #[test]
    fn challenges_must_be_s256_and_present() {
        assert_eq!(check_challenge(None, Some("S256")), Err(PkceError::MissingChallenge));
        assert_eq!(check_challenge(Some(CHALLENGE), None), Err(PkceError::UnsupportedMethod));
        assert_eq!(check_challenge(Some(CHALLENGE), Some("plain")), Err(PkceError::UnsupportedMethod));
        assert_eq!(check_challenge(Some("abc"), Some("S256")), Err(PkceError::MalformedChallenge));
        assert_eq!(check_challenge(Some(CHALLENGE), Some("S256")), Ok(CHALLENGE.to_string()));
    }
}
