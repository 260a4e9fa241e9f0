//! The CBOR decoder against RFC 8949 Appendix A examples, and its refusals.

use super::cbor_encode::{bytes, encode, int, map, text};
use crate::webauthn::cbor::{decode, decode_prefix, Value, MAX_DEPTH};
use crate::webauthn::WebauthnError;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn dec(s: &str) -> Result<Value, WebauthnError> {
    decode(&hex(s))
}

#[test]
fn rfc8949_appendix_a_integers() {
    for (h, n) in [
        ("00", 0i128),
        ("17", 23),
        ("1818", 24),
        ("1903e8", 1000),
        ("1a000f4240", 1_000_000),
        ("1b000000e8d4a51000", 1_000_000_000_000),
        ("1bffffffffffffffff", 18_446_744_073_709_551_615),
        ("3bffffffffffffffff", -18_446_744_073_709_551_616),
        ("20", -1),
        ("29", -10),
        ("3863", -100),
        ("3903e7", -1000),
    ] {
        assert_eq!(dec(h), Ok(Value::Int(n)), "{h}");
    }
}

#[test]
fn rfc8949_appendix_a_strings_and_simple_values() {
    assert_eq!(dec("40"), Ok(Value::Bytes(vec![])));
    assert_eq!(dec("4401020304"), Ok(Value::Bytes(vec![1, 2, 3, 4])));
    for (h, s) in [("60", ""), ("6161", "a"), ("6449455446", "IETF"), ("62225c", "\"\\"), ("62c3bc", "\u{fc}")] {
        assert_eq!(dec(h), Ok(Value::Text(s.to_owned())), "{h}");
    }
    assert_eq!(dec("63e6b0b4"), Ok(Value::Text("\u{6c34}".to_owned())));
    assert_eq!(dec("64f0908591"), Ok(Value::Text("\u{10151}".to_owned())));
    assert_eq!(dec("f4"), Ok(Value::Bool(false)));
    assert_eq!(dec("f5"), Ok(Value::Bool(true)));
    assert_eq!(dec("f6"), Ok(Value::Null));
}

#[test]
fn rfc8949_appendix_a_arrays_and_maps() {
    assert_eq!(dec("80"), Ok(Value::Array(vec![])));
    assert_eq!(dec("83010203"), Ok(Value::Array(vec![int(1), int(2), int(3)])));
    assert_eq!(
        dec("8301820203820405"),
        Ok(Value::Array(vec![int(1), Value::Array(vec![int(2), int(3)]), Value::Array(vec![int(4), int(5)])]))
    );
    let twenty_five = dec("98190102030405060708090a0b0c0d0e0f101112131415161718181819").unwrap();
    assert_eq!(twenty_five, Value::Array((1..=25).map(int).collect()));
    assert_eq!(dec("a0"), Ok(map(vec![])));
    assert_eq!(dec("a201020304"), Ok(map(vec![(int(1), int(2)), (int(3), int(4))])));
    assert_eq!(
        dec("a26161016162820203"),
        Ok(map(vec![(text("a"), int(1)), (text("b"), Value::Array(vec![int(2), int(3)]))]))
    );
    assert_eq!(dec("826161a161626163"), Ok(Value::Array(vec![text("a"), map(vec![(text("b"), text("c"))])])));
    let five = dec("a56161614161626142616361436164614461656145").unwrap();
    assert_eq!(five.get_text("e"), Some(&text("E")));
}

#[test]
fn refuses_rfc8949_items_webauthn_never_sends() {
    // Floats (A: 0.0, 1.5, 100000.0), undefined, other simple values.
    for h in ["f90000", "f93e00", "fa47c35000", "fb3ff199999999999a", "f7", "f0", "f8ff"] {
        assert!(matches!(dec(h), Err(WebauthnError::CborMalformed(_))), "{h}");
    }
    // Tags: 0("2013-03-21T20:04:00Z"), 1(1363896240), 23(h'01020304').
    for h in ["c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0", "d74401020304"] {
        assert_eq!(dec(h), Err(WebauthnError::CborTag), "{h}");
    }
}

#[test]
fn refuses_indefinite_lengths() {
    // A: (_ h'0102', h'030405'), (_ "strea", "ming"), [_ ], {_ "a": 1, "b": [_ 2, 3]}.
    for h in ["5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "bf61610161629f0203ffff"] {
        assert_eq!(dec(h), Err(WebauthnError::CborIndefiniteLength), "{h}");
    }
    assert!(matches!(dec("1f"), Err(WebauthnError::CborMalformed(_))));
    assert!(matches!(dec("ff"), Err(WebauthnError::CborMalformed(_))));
}

#[test]
fn refuses_malformed_items() {
    assert_eq!(dec("1c"), Err(WebauthnError::CborMalformed("reserved additional information")));
    assert_eq!(dec("62c328"), Err(WebauthnError::CborMalformed("invalid UTF-8")));
    assert_eq!(dec("a1810102"), Err(WebauthnError::CborMalformed("map key is not an integer or text")));
    assert_eq!(dec("a201020103"), Err(WebauthnError::CborMalformed("duplicate map key")));
}

#[test]
fn truncation_is_detected_before_allocation() {
    for h in ["", "19", "1903", "1b00000000", "440102", "44010203", "6261", "830102", "a2010203", "a201"] {
        assert_eq!(dec(h), Err(WebauthnError::CborTruncated), "{h}");
    }
    // Lengths claiming up to 2^64 - 1 items or bytes.
    for h in ["5bffffffffffffffff", "7b7fffffffffffffff00", "9bffffffffffffffff00", "bb4000000000000000"] {
        assert_eq!(dec(h), Err(WebauthnError::CborTruncated), "{h}");
    }
}

#[test]
fn depth_is_limited() {
    let nested = |levels: usize| {
        let mut bytes = vec![0x81; levels];
        bytes.push(0x00);
        bytes
    };
    // MAX_DEPTH - 1 arrays around a scalar are MAX_DEPTH levels.
    assert!(decode(&nested(MAX_DEPTH - 1)).is_ok());
    assert_eq!(decode(&nested(MAX_DEPTH)), Err(WebauthnError::CborTooDeep));
    assert_eq!(decode(&nested(100_000)), Err(WebauthnError::CborTooDeep));
    let mut maps = vec![];
    for _ in 0..MAX_DEPTH {
        maps.extend_from_slice(&[0xa1, 0x01]);
    }
    maps.push(0x00);
    assert_eq!(decode(&maps), Err(WebauthnError::CborTooDeep));
}

#[test]
fn big_maps_are_refused() {
    let entries = (0..300).map(|i| (int(i), int(0))).collect();
    assert!(matches!(decode(&encode(&map(entries))), Err(WebauthnError::CborMalformed(_))));
}

#[test]
fn prefix_decoding_reports_bytes_used() {
    let bytes = hex("a10102a0ff");
    assert_eq!(decode_prefix(&bytes), Ok((map(vec![(int(1), int(2))]), 3)));
    assert_eq!(decode(&bytes), Err(WebauthnError::TrailingBytes));
    // Non-shortest argument encodings are well formed and accepted.
    assert_eq!(dec("1800"), Ok(int(0)));
}

#[test]
fn encoder_round_trips() {
    let value = map(vec![
        (int(-257), Value::Array(vec![Value::Bool(true), Value::Null, bytes(&[0; 300])])),
        (text("k"), Value::Int(i128::from(u64::MAX))),
        (int(70_000), Value::Int(-1 - i128::from(u64::MAX))),
    ]);
    assert_eq!(decode(&encode(&value)), Ok(value));
}
