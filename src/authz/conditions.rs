//! ABAC rule conditions: tests on the clock and on the request's `context` object.
//!
//! A condition is compiled once with the policy (timestamps parsed, regexes built, keys
//! split) and evaluated against `now` and the context with no further allocation.
//!
//! Semantics (every one is a documented choice):
//! - `time` conditions compare the caller's `now` (unix seconds) with `value`, an RFC 3339
//!   timestamp string or a number of unix seconds: `after` holds when `now > value`,
//!   `before` when `now < value` (both strict). Their `key` is ignored.
//! - `attribute` conditions read `key`, a dot path through nested objects of the context
//!   (`"device.trusted"` is `context.device.trusted`; arrays are not indexed, so a key
//!   cannot name a field whose own name contains a dot).
//! - **A missing attribute makes every operator false, `ne` included.** A deny rule
//!   conditioned on an attribute therefore does not fire on absent data, and an allow rule
//!   does not grant on it. A context that is not an object has no attributes.
//! - `eq`/`ne`: JSON equality of scalars, numbers compared by value (`1 == 1.0`); the
//!   condition value must be a string, number or boolean. An attribute that is an array or
//!   object is never `eq` a scalar (so it is `ne`). `in`: the value is a non-empty array of
//!   such scalars and the attribute must `eq` one of them. `regex`: the attribute must be a
//!   string fully matching the pattern. `before`/`after`: both sides are numbers (unix
//!   seconds) or RFC 3339 strings, compared as instants; anything else is false.

use super::patterns::{compile_regex, PatternError};
use super::rfc3339::parse_rfc3339;
use regex_lite::Regex;
use serde_json::Value;
use std::fmt;

/// The most elements of an `in` list.
pub const MAX_IN_VALUES: usize = 50;
/// The longest string in a condition's key or value, in characters.
pub const MAX_CONDITION_STRING: usize = 256;
/// The most dot-separated segments in an attribute key.
pub const MAX_KEY_DEPTH: usize = 16;

/// Why a condition was refused. Messages are safe to return to API clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionError {
    /// `type` is not "time" or "attribute".
    UnknownType,
    /// `operator` is not one this type supports.
    UnknownOperator,
    /// An attribute condition without a key, or with an empty path segment.
    InvalidKey,
    /// A string longer than [`MAX_CONDITION_STRING`], or a key deeper than [`MAX_KEY_DEPTH`].
    TooLong,
    /// A value of the wrong JSON type for the operator.
    InvalidValue(&'static str),
    /// An `in` list that is empty or longer than [`MAX_IN_VALUES`].
    InvalidList,
    /// A timestamp string that is not RFC 3339.
    InvalidTimestamp,
    /// A regex value that was refused.
    Pattern(PatternError),
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionError::UnknownType => f.write_str("condition type must be \"time\" or \"attribute\""),
            ConditionError::UnknownOperator => f.write_str("operator is not supported for this condition type"),
            ConditionError::InvalidKey => f.write_str("attribute key must be a dot path of non-empty names"),
            ConditionError::TooLong => f.write_str("too long"),
            ConditionError::InvalidValue(what) => write!(f, "value must be {what}"),
            ConditionError::InvalidList => f.write_str("value must be a non-empty array of at most 50 items"),
            ConditionError::InvalidTimestamp => f.write_str("value is not an RFC 3339 timestamp"),
            ConditionError::Pattern(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ConditionError {}

/// Which field of a condition document an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionField {
    /// `type`.
    Type,
    /// `operator`.
    Operator,
    /// `key`.
    Key,
    /// `value`.
    Value,
}

impl ConditionField {
    /// The field's JSON name.
    pub fn name(self) -> &'static str {
        match self {
            ConditionField::Type => "type",
            ConditionField::Operator => "operator",
            ConditionField::Key => "key",
            ConditionField::Value => "value",
        }
    }
}

/// The test an attribute condition applies.
#[derive(Debug, Clone)]
enum AttributeTest {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    Regex(Regex),
    After(f64),
    Before(f64),
}

/// A compiled condition; see the module docs for its semantics.
#[derive(Debug, Clone)]
pub struct Condition(ConditionKind);

#[derive(Debug, Clone)]
enum ConditionKind {
    TimeAfter(f64),
    TimeBefore(f64),
    Attribute { path: Vec<String>, test: AttributeTest },
}

type Refusal = (ConditionField, ConditionError);

impl Condition {
    /// Compiles a condition from its document fields; an error names the offending field.
    pub fn compile(kind: &str, operator: &str, key: &str, value: &Value) -> Result<Condition, Refusal> {
        use ConditionField as F;
        let compiled = match kind {
            "time" => match operator {
                "after" => instant_value(value).map(ConditionKind::TimeAfter).map_err(|e| (F::Value, e)),
                "before" => instant_value(value).map(ConditionKind::TimeBefore).map_err(|e| (F::Value, e)),
                _ => Err((F::Operator, ConditionError::UnknownOperator)),
            },
            "attribute" => {
                let path = split_key(key).map_err(|e| (F::Key, e))?;
                let test = match operator {
                    "eq" => AttributeTest::Eq(scalar_value(value)?),
                    "ne" => AttributeTest::Ne(scalar_value(value)?),
                    "in" => AttributeTest::In(list_value(value)?),
                    "regex" => AttributeTest::Regex(regex_value(value)?),
                    "after" => AttributeTest::After(instant_value(value).map_err(|e| (F::Value, e))?),
                    "before" => AttributeTest::Before(instant_value(value).map_err(|e| (F::Value, e))?),
                    _ => return Err((F::Operator, ConditionError::UnknownOperator)),
                };
                Ok(ConditionKind::Attribute { path, test })
            }
            _ => Err((F::Type, ConditionError::UnknownType)),
        };
        compiled.map(Condition)
    }

    /// Whether the condition holds at `now` for this request `context`.
    pub fn holds(&self, context: &Value, now: i64) -> bool {
        match &self.0 {
            ConditionKind::TimeAfter(t) => crate::cast::i64_to_f64(now) > *t,
            ConditionKind::TimeBefore(t) => crate::cast::i64_to_f64(now) < *t,
            ConditionKind::Attribute { path, test } => {
                let Some(attribute) = lookup(context, path) else {
                    return false;
                };
                match test {
                    AttributeTest::Eq(v) => scalar_eq(attribute, v),
                    AttributeTest::Ne(v) => !scalar_eq(attribute, v),
                    AttributeTest::In(vs) => vs.iter().any(|v| scalar_eq(attribute, v)),
                    AttributeTest::Regex(re) => attribute.as_str().is_some_and(|s| re.is_match(s)),
                    AttributeTest::After(t) => as_instant(attribute).is_some_and(|a| a > *t),
                    AttributeTest::Before(t) => as_instant(attribute).is_some_and(|a| a < *t),
                }
            }
        }
    }
}

fn split_key(key: &str) -> Result<Vec<String>, ConditionError> {
    if key.chars().count() > MAX_CONDITION_STRING {
        return Err(ConditionError::TooLong);
    }
    let path: Vec<String> = key.split('.').map(str::to_string).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConditionError::InvalidKey);
    }
    if path.len() > MAX_KEY_DEPTH {
        return Err(ConditionError::TooLong);
    }
    Ok(path)
}

fn scalar_value(value: &Value) -> Result<Value, Refusal> {
    match value {
        Value::String(s) if s.chars().count() > MAX_CONDITION_STRING => {
            Err((ConditionField::Value, ConditionError::TooLong))
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(value.clone()),
        _ => Err((ConditionField::Value, ConditionError::InvalidValue("a string, number or boolean"))),
    }
}

fn list_value(value: &Value) -> Result<Vec<Value>, Refusal> {
    match value {
        Value::Array(items) if !items.is_empty() && items.len() <= MAX_IN_VALUES => {
            items.iter().map(scalar_value).collect()
        }
        Value::Array(_) => Err((ConditionField::Value, ConditionError::InvalidList)),
        _ => Err((ConditionField::Value, ConditionError::InvalidValue("an array"))),
    }
}

fn regex_value(value: &Value) -> Result<Regex, Refusal> {
    let source = value.as_str().ok_or((ConditionField::Value, ConditionError::InvalidValue("a string")))?;
    compile_regex(source).map_err(|e| (ConditionField::Value, ConditionError::Pattern(e)))
}

/// A condition value that names an instant: unix seconds or an RFC 3339 string.
fn instant_value(value: &Value) -> Result<f64, ConditionError> {
    match value {
        Value::Number(n) => n.as_f64().ok_or(ConditionError::InvalidValue("a number or an RFC 3339 timestamp")),
        Value::String(s) => parse_rfc3339(s).ok_or(ConditionError::InvalidTimestamp),
        _ => Err(ConditionError::InvalidValue("a number or an RFC 3339 timestamp")),
    }
}

fn as_instant(attribute: &Value) -> Option<f64> {
    match attribute {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_rfc3339(s),
        _ => None,
    }
}

fn lookup<'a>(context: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(context, |node, name| node.as_object()?.get(name))
}

/// JSON equality of scalars, with numbers compared by value; arrays and objects never match.
pub fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y)
            }
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}
