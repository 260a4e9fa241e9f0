//! Strict base64url without padding (RFC 7515 §2): the only encoding JWS allows.
//! Non-canonical input (padding, stray bits, the standard alphabet) is rejected, so one
//! token has exactly one encoding and tampering cannot hide in trailing bits.

use base64ct::{Base64UrlUnpadded, Encoding};

pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40u64 {
            let bytes: Vec<u8> = (0..len).map(|i| crate::cast::low_byte(i * 37 + 11)).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_padding_standard_alphabet_and_stray_bits() {
        assert!(decode("YQ==").is_none());
        assert!(decode("a+b/").is_none());
        // "YR" decodes to 'a' only if the unused low bits are ignored; they must be zero.
        assert!(decode("YR").is_none());
        assert_eq!(decode("YQ").unwrap(), b"a");
    }
}
