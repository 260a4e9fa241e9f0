//! Conditions: time windows from RFC 3339 strings and numbers, every attribute operator,
//! and the missing-attribute rule.

use crate::authz::conditions::{Condition, ConditionError, ConditionField};
use crate::authz::patterns::PatternError;
use serde_json::{json, Value};

/// 2026-11-28T10:00:00Z.
const T: i64 = 1_795_860_000;

fn cond(kind: &str, operator: &str, key: &str, value: Value) -> Condition {
    Condition::compile(kind, operator, key, &value).expect("valid condition")
}

fn refusal(kind: &str, operator: &str, key: &str, value: Value) -> (ConditionField, ConditionError) {
    Condition::compile(kind, operator, key, &value).expect_err("refused")
}

#[test]
fn time_conditions_with_rfc3339_strings_and_numbers() {
    let ctx = json!({});
    for value in
        [json!("2026-11-28T10:00:00Z"), json!("2026-11-28T11:00:00+01:00"), json!(T), json!(crate::cast::i64_to_f64(T))]
    {
        let after = cond("time", "after", "", value.clone());
        let before = cond("time", "before", "", value.clone());
        assert!(!after.holds(&ctx, T - 1) && !after.holds(&ctx, T) && after.holds(&ctx, T + 1), "{value}");
        assert!(before.holds(&ctx, T - 1) && !before.holds(&ctx, T) && !before.holds(&ctx, T + 1), "{value}");
    }
    let half = cond("time", "before", "", json!("2026-11-28T10:00:00.5Z"));
    assert!(half.holds(&ctx, T) && !half.holds(&ctx, T + 1), "fractional seconds count");
    let half_num = cond("time", "after", "", json!(crate::cast::i64_to_f64(T) + 0.5));
    assert!(!half_num.holds(&ctx, T) && half_num.holds(&ctx, T + 1));
    assert!(cond("time", "after", "ignored.key", json!(0)).holds(&Value::Null, T), "key is ignored");
}

#[test]
fn time_condition_refusals() {
    use ConditionError::*;
    use ConditionField as F;
    assert_eq!(refusal("time", "eq", "", json!(T)), (F::Operator, UnknownOperator));
    assert_eq!(refusal("time", "after", "", json!("tomorrow")), (F::Value, InvalidTimestamp));
    assert_eq!(refusal("time", "after", "", json!("2026-11-28")), (F::Value, InvalidTimestamp));
    assert!(matches!(refusal("time", "before", "", json!(true)), (F::Value, InvalidValue(_))));
    assert!(matches!(refusal("time", "before", "", Value::Null), (F::Value, InvalidValue(_))));
    assert_eq!(refusal("clock", "after", "", json!(T)), (F::Type, UnknownType));
}

#[test]
fn attribute_equality_and_membership() {
    let ctx = json!({"ip": "10.0.0.1", "level": 3, "ratio": 0.5, "device": {"trusted": true, "os": "linux"}});
    assert!(cond("attribute", "eq", "ip", json!("10.0.0.1")).holds(&ctx, T));
    assert!(!cond("attribute", "eq", "ip", json!("10.0.0.2")).holds(&ctx, T));
    assert!(cond("attribute", "eq", "level", json!(3.0)).holds(&ctx, T), "numbers compare by value");
    assert!(cond("attribute", "eq", "ratio", json!(0.5)).holds(&ctx, T));
    assert!(!cond("attribute", "eq", "level", json!("3")).holds(&ctx, T), "no string/number coercion");
    assert!(cond("attribute", "eq", "device.trusted", json!(true)).holds(&ctx, T));
    assert!(cond("attribute", "ne", "device.os", json!("windows")).holds(&ctx, T));
    assert!(!cond("attribute", "ne", "device.os", json!("linux")).holds(&ctx, T));
    assert!(cond("attribute", "ne", "device", json!("linux")).holds(&ctx, T), "an object is ne any scalar");
    assert!(!cond("attribute", "eq", "device", json!("linux")).holds(&ctx, T));
    let inside = cond("attribute", "in", "device.os", json!(["mac", "linux"]));
    assert!(inside.holds(&ctx, T));
    assert!(!cond("attribute", "in", "device.os", json!(["mac", "windows"])).holds(&ctx, T));
    assert!(cond("attribute", "in", "level", json!([1, 2, 3.0])).holds(&ctx, T));
    let big = json!({"n": u64::MAX, "m": i64::MIN});
    assert!(cond("attribute", "eq", "n", json!(u64::MAX)).holds(&big, T));
    assert!(!cond("attribute", "eq", "n", json!(i64::MAX)).holds(&big, T));
    assert!(cond("attribute", "eq", "m", json!(i64::MIN)).holds(&big, T));
}

#[test]
fn attribute_regex_and_ordering() {
    let ctx = json!({"ip": "10.0.0.7", "port": 443, "seen": "2026-11-28T09:00:00Z", "n": null});
    let private = cond("attribute", "regex", "ip", json!("10\\.\\d+\\.\\d+\\.\\d+"));
    assert!(private.holds(&ctx, T));
    assert!(!private.holds(&json!({"ip": "110.0.0.7"}), T), "regex is anchored");
    assert!(!private.holds(&json!({"ip": 10}), T), "regex needs a string attribute");
    assert!(cond("attribute", "before", "seen", json!("2026-11-28T10:00:00Z")).holds(&ctx, T));
    assert!(cond("attribute", "before", "seen", json!(T)).holds(&ctx, T), "RFC 3339 attribute vs number");
    assert!(!cond("attribute", "after", "seen", json!(T)).holds(&ctx, T));
    assert!(cond("attribute", "after", "port", json!(80)).holds(&ctx, T));
    assert!(!cond("attribute", "after", "ip", json!(80)).holds(&ctx, T), "a non-timestamp string compares false");
    assert!(!cond("attribute", "before", "n", json!(80)).holds(&ctx, T));
}

#[test]
fn a_missing_attribute_fails_every_operator() {
    let ops: [(&str, Value); 6] = [
        ("eq", json!("x")),
        ("ne", json!("x")),
        ("in", json!(["x"])),
        ("regex", json!(".*")),
        ("before", json!(T)),
        ("after", json!(0)),
    ];
    let contexts =
        [json!({}), json!({"other": 1}), json!({"a": "scalar"}), json!({"a": [{"b": 1}]}), json!(null), json!([1])];
    for (op, value) in ops {
        let c = cond("attribute", op, "a.b", value);
        for ctx in &contexts {
            assert!(!c.holds(ctx, T), "{op} on {ctx}");
        }
    }
    assert!(cond("attribute", "eq", "a.b", Value::Bool(true)).holds(&json!({"a": {"b": true}}), T));
    assert!(cond("attribute", "ne", "a", json!("x")).holds(&json!({"a": null}), T), "null is present");
}

#[test]
fn attribute_refusals() {
    use ConditionError::*;
    use ConditionField as F;
    assert_eq!(refusal("attribute", "eq", "", json!(1)), (F::Key, InvalidKey));
    assert_eq!(refusal("attribute", "eq", "a..b", json!(1)), (F::Key, InvalidKey));
    assert_eq!(refusal("attribute", "eq", ".a", json!(1)), (F::Key, InvalidKey));
    assert_eq!(refusal("attribute", "eq", &["a"; 17].join("."), json!(1)), (F::Key, TooLong));
    assert!(Condition::compile("attribute", "eq", &["a"; 16].join("."), &json!(1)).is_ok());
    assert_eq!(refusal("attribute", "eq", &"k".repeat(257), json!(1)), (F::Key, TooLong));
    assert_eq!(refusal("attribute", "like", "a", json!(1)), (F::Operator, UnknownOperator));
    assert!(matches!(refusal("attribute", "eq", "a", json!(null)), (F::Value, InvalidValue(_))));
    assert!(matches!(refusal("attribute", "eq", "a", json!({"x": 1})), (F::Value, InvalidValue(_))));
    assert!(matches!(refusal("attribute", "ne", "a", json!([1])), (F::Value, InvalidValue(_))));
    assert_eq!(refusal("attribute", "eq", "a", json!("v".repeat(257))), (F::Value, TooLong));
    assert_eq!(refusal("attribute", "in", "a", json!([])), (F::Value, InvalidList));
    assert_eq!(refusal("attribute", "in", "a", json!(vec![1; 51])), (F::Value, InvalidList));
    assert!(matches!(refusal("attribute", "in", "a", json!("x")), (F::Value, InvalidValue(_))));
    assert!(matches!(refusal("attribute", "in", "a", json!([1, [2]])), (F::Value, InvalidValue(_))));
    assert!(matches!(refusal("attribute", "regex", "a", json!(5)), (F::Value, InvalidValue(_))));
    assert_eq!(refusal("attribute", "regex", "a", json!("(")), (F::Value, Pattern(PatternError::InvalidRegex)));
    assert_eq!(
        refusal("attribute", "regex", "a", json!("\\w{1000}")),
        (F::Value, Pattern(PatternError::RegexTooLarge))
    );
    assert_eq!(refusal("attribute", "after", "a", json!("soon")), (F::Value, InvalidTimestamp));
}
