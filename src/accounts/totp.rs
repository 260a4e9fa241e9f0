//! Time-based one-time passwords (RFC 6238 over RFC 4226): SHA-1, 6 digits, 30-second
//! steps, one step of drift either way. A code is accepted once: the caller keeps the
//! last accepted step per user (in a Durable Object) and passes it in, so a replayed or
//! older code fails even inside its window.

use totp_lite::{totp_custom, Sha1};

pub const STEP_SECS: u64 = 30;
pub const DIGITS: u32 = 6;
/// Steps accepted on either side of now, for clock drift.
pub const DRIFT_STEPS: u64 = 1;
pub const SECRET_BYTES: usize = 20;

/// The code for `secret` at step `step`.
pub fn code_at_step(secret: &[u8], step: u64) -> String {
    // totp_custom computes HOTP(secret, time / step_secs); with a step of 1 the time is
    // the counter itself.
    totp_custom::<Sha1>(1, DIGITS, secret, step)
}

pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// Whether `presented` has the shape of a code: exactly six ASCII digits.
pub fn is_code_shaped(presented: &str) -> bool {
    u32::try_from(presented.len()).is_ok_and(|len| len == DIGITS) && presented.bytes().all(|b| b.is_ascii_digit())
}

/// The step a presented code matches, if any, within the drift window and strictly after
/// `last_accepted_step` (single use). Comparison is constant time per candidate.
pub fn matching_step(secret: &[u8], presented: &str, unix_secs: u64, last_accepted_step: Option<u64>) -> Option<u64> {
    if !is_code_shaped(presented) {
        return None;
    }
    let now = step_of(unix_secs);
    let mut found = None;
    for step in now.saturating_sub(DRIFT_STEPS)..=now + DRIFT_STEPS {
        let fresh = last_accepted_step.is_none_or(|last| step > last);
        if crate::secret::constant_time_eq(code_at_step(secret, step).as_bytes(), presented.as_bytes()) && fresh {
            found = Some(step);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps expect in `otpauth://` URLs.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(char::from(BASE32[usize::from(crate::cast::low_byte(bits >> (35 - i * 5)) & 31)]));
        }
    }
    out
}

/// The `otpauth://` URL that authenticator apps scan (Key Uri Format).
pub fn otpauth_url(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4226_appendix_d_hotp_values() {
        let secret = b"12345678901234567890";
        let expected =
            ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(code_at_step(secret, u64::try_from(counter).unwrap()), *code, "counter {counter}");
        }
    }

    #[test]
    fn rfc6238_appendix_b_sha1_values() {
        // The RFC's table uses 8 digits; the 6-digit code is its last six.
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp_custom::<Sha1>(30, 8, secret, time), eight, "t={time}");
            assert_eq!(code_at_step(secret, step_of(time)), eight[2..], "t={time}");
        }
    }

    #[test]
    fn codes_are_accepted_once_within_one_step_of_drift() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_109;
        let code = code_at_step(secret, step_of(now));
        assert_eq!(matching_step(secret, &code, now, None), Some(step_of(now)));
        assert_eq!(matching_step(secret, &code, now + 30, None), Some(step_of(now)), "one step late");
        assert_eq!(matching_step(secret, &code, now + 60, None), None, "two steps late");
        assert_eq!(matching_step(secret, &code, now, Some(step_of(now))), None, "already used");
        let previous = code_at_step(secret, step_of(now) - 1);
        assert_eq!(matching_step(secret, &previous, now, Some(step_of(now))), None, "older than the last accepted");
        for junk in ["", "12345", "1234567", "12345a", "０１２３４５"] {
            assert_eq!(matching_step(secret, junk, now, None), None, "{junk:?}");
        }
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn otpauth_urls_carry_issuer_account_and_secret() {
        let url = otpauth_url("AuthSec Edge", "ada@acme.test", b"12345678901234567890");
        assert_eq!(
            url,
            "otpauth://totp/AuthSec%20Edge:ada@acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=AuthSec%20Edge&algorithm=SHA1&digits=6&period=30"
        );
    }
}
