//! A CBOR encoder for test fixtures: the software authenticator uses it to build COSE
//! keys, attestation statements and attestation objects, in preferred (shortest) form.

use crate::webauthn::cbor::Value;

pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, value);
    out
}

pub fn int(n: i64) -> Value {
    Value::Int(i128::from(n))
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub fn bytes(b: &[u8]) -> Value {
    Value::Bytes(b.to_vec())
}

pub fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

/// The head of a data item: major type and argument (RFC 8949 §3).
pub fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let major = major << 5;
    if arg < 24 {
        out.push(major | u8::try_from(arg).unwrap());
    } else if arg <= 0xff {
        out.extend_from_slice(&[major | 24, u8::try_from(arg).unwrap()]);
    } else if arg <= 0xffff {
        out.push(major | 25);
        out.extend_from_slice(&u16::try_from(arg).unwrap().to_be_bytes());
    } else if arg <= 0xffff_ffff {
        out.push(major | 26);
        out.extend_from_slice(&u32::try_from(arg).unwrap().to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

fn write(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Int(n) if *n >= 0 => head(out, 0, u64::try_from(*n).unwrap()),
        Value::Int(n) => head(out, 1, u64::try_from(-1 - *n).unwrap()),
        Value::Bytes(b) => {
            head(out, 2, crate::cast::usize_to_u64(b.len()));
            out.extend_from_slice(b);
        }
        Value::Text(t) => {
            head(out, 3, crate::cast::usize_to_u64(t.len()));
            out.extend_from_slice(t.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, crate::cast::usize_to_u64(items.len()));
            items.iter().for_each(|item| write(out, item));
        }
        Value::Map(entries) => {
            head(out, 5, crate::cast::usize_to_u64(entries.len()));
            for (k, v) in entries {
                write(out, k);
                write(out, v);
            }
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
    }
}
