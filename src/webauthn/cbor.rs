//! A minimal, strict CBOR decoder (RFC 8949) for the structures WebAuthn carries:
//! attestation objects, COSE keys and authenticator extensions.
//!
//! Invariants: only definite-length items of major types 0-5 and the simple values
//! false, true and null are accepted; tags, floats, `undefined` and indefinite lengths
//! are refused. Map keys are integers or text, and unique. Nesting is limited to
//! [`MAX_DEPTH`], every length is checked against the bytes that remain before anything
//! is allocated, and maps hold at most [`MAX_MAP_ENTRIES`] entries, so hostile input
//! costs time and memory linear in its size and can never panic.

use super::WebauthnError;

/// Deepest nesting accepted; a top-level scalar is depth 1.
pub const MAX_DEPTH: usize = 16;

/// Most entries accepted in one map; WebAuthn maps have a handful.
pub const MAX_MAP_ENTRIES: usize = 256;

/// A decoded CBOR data item (RFC 8949 §3.1). Integers of major types 0 and 1 both fit
/// an `i128`; maps keep their entries in encoded order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Int(i128),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Bool(bool),
    Null,
}

impl Value {
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under integer key `key`, if this is a map that has it.
    pub fn get_int(&self, key: i64) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| *k == Value::Int(i128::from(key))).map(|(_, v)| v)
    }

    /// The value under text key `key`, if this is a map that has it.
    pub fn get_text(&self, key: &str) -> Option<&Value> {
        self.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
    }
}

/// Decodes exactly one data item that must span all of `input` (RFC 8949 §5.1).
pub fn decode(input: &[u8]) -> Result<Value, WebauthnError> {
    let (value, used) = decode_prefix(input)?;
    if used != input.len() {
        return Err(WebauthnError::TrailingBytes);
    }
    Ok(value)
}

/// Decodes the data item at the start of `input` and returns it with the number of
/// bytes it took; authenticator data needs this to find where a COSE key ends.
pub fn decode_prefix(input: &[u8]) -> Result<(Value, usize), WebauthnError> {
    let mut decoder = Decoder { input, pos: 0 };
    let value = decoder.item(1)?;
    Ok((value, decoder.pos))
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn remaining(&self) -> usize {
        self.input.len().saturating_sub(self.pos)
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], WebauthnError> {
        let len = usize::try_from(len).map_err(|_| WebauthnError::CborTruncated)?;
        if len > self.remaining() {
            return Err(WebauthnError::CborTruncated);
        }
        let bytes = self.input.get(self.pos..self.pos + len).ok_or(WebauthnError::CborTruncated)?;
        self.pos += len;
        Ok(bytes)
    }

    fn uint(&mut self, width: u64) -> Result<u64, WebauthnError> {
        Ok(self.take(width)?.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// The argument of an initial byte (RFC 8949 §3): `None` for the indefinite marker.
    fn argument(&mut self, info: u8) -> Result<Option<u64>, WebauthnError> {
        match info {
            0..=23 => Ok(Some(u64::from(info))),
            24 => self.uint(1).map(Some),
            25 => self.uint(2).map(Some),
            26 => self.uint(4).map(Some),
            27 => self.uint(8).map(Some),
            28..=30 => Err(WebauthnError::CborMalformed("reserved additional information")),
            _ => Ok(None),
        }
    }

    /// A count of items that each take at least `min_bytes`, checked against the input.
    fn count(&self, n: u64, min_bytes: usize) -> Result<usize, WebauthnError> {
        let n = usize::try_from(n).map_err(|_| WebauthnError::CborTruncated)?;
        if n.checked_mul(min_bytes).is_none_or(|need| need > self.remaining()) {
            return Err(WebauthnError::CborTruncated);
        }
        Ok(n)
    }

    fn item(&mut self, depth: usize) -> Result<Value, WebauthnError> {
        if depth > MAX_DEPTH {
            return Err(WebauthnError::CborTooDeep);
        }
        let initial = *self.take(1)?.first().ok_or(WebauthnError::CborTruncated)?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        if major == 7 {
            return simple(info);
        }
        if major == 6 {
            return Err(WebauthnError::CborTag);
        }
        let Some(arg) = self.argument(info)? else {
            return Err(match major {
                2..=5 => WebauthnError::CborIndefiniteLength,
                _ => WebauthnError::CborMalformed("indefinite marker on an integer"),
            });
        };
        match major {
            0 => Ok(Value::Int(i128::from(arg))),
            1 => Ok(Value::Int(-1 - i128::from(arg))),
            2 => Ok(Value::Bytes(self.take(arg)?.to_vec())),
            3 => {
                let bytes = self.take(arg)?;
                let text = std::str::from_utf8(bytes).map_err(|_| WebauthnError::CborMalformed("invalid UTF-8"))?;
                Ok(Value::Text(text.to_owned()))
            }
            4 => {
                let n = self.count(arg, 1)?;
                let mut items = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            _ => self.map(arg, depth),
        }
    }

    fn map(&mut self, arg: u64, depth: usize) -> Result<Value, WebauthnError> {
        let n = self.count(arg, 2)?;
        if n > MAX_MAP_ENTRIES {
            return Err(WebauthnError::CborMalformed("map has too many entries"));
        }
        let mut entries: Vec<(Value, Value)> = Vec::with_capacity(n);
        for _ in 0..n {
            let key = self.item(depth + 1)?;
            if !matches!(key, Value::Int(_) | Value::Text(_)) {
                return Err(WebauthnError::CborMalformed("map key is not an integer or text"));
            }
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(WebauthnError::CborMalformed("duplicate map key"));
            }
            let value = self.item(depth + 1)?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// Major type 7 (RFC 8949 §3.3): only false, true and null occur in WebAuthn.
fn simple(info: u8) -> Result<Value, WebauthnError> {
    match info {
        20 => Ok(Value::Bool(false)),
        21 => Ok(Value::Bool(true)),
        22 => Ok(Value::Null),
        25..=27 => Err(WebauthnError::CborMalformed("floating-point values are not allowed")),
        31 => Err(WebauthnError::CborMalformed("break outside an indefinite-length item")),
        _ => Err(WebauthnError::CborMalformed("unsupported simple value")),
    }
}
