//! Policy documents: validation errors that name the field, and evaluation of a realistic
//! policy set, including priorities, deny-overrides, subject kinds and `combine`.

use crate::authz::{combine, evaluate, CompiledPolicy, Decision, DecisionEffect, PolicyError, Request};
use serde_json::{json, Value};

const NOW: i64 = 1_795_860_000;

fn compile(doc: Value) -> Result<CompiledPolicy, PolicyError> {
    CompiledPolicy::from_json(&doc.to_string())
}

fn rule(extra: Value) -> Value {
    let mut base = json!({
        "name": "r", "effect": "allow", "priority": 1,
        "subjects": [{"type": "user", "value": "alice"}],
        "resources": [{"type": "document", "value": "*"}],
        "actions": ["read"],
    });
    if let (Some(obj), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        obj.extend(extra.clone());
    }
    base
}

fn error_of(doc: Value) -> String {
    compile(doc).err().map(|e| e.to_string()).unwrap_or_else(|| "accepted".to_string())
}

#[test]
fn validation_errors_name_the_field() {
    let policy = |rules: Vec<Value>| json!({"name": "p", "rules": rules});
    let ok = rule(json!({}));
    let cases: Vec<(Value, &str)> = vec![
        (json!({"rules": []}), "name: must not be empty"),
        (json!({"name": "x".repeat(257)}), "name: too long"),
        (json!({"name": "p", "description": "d".repeat(1025)}), "description: too long"),
        (policy(vec![ok.clone(); 101]), "rules: at most 100 entries"),
        (policy(vec![rule(json!({"effect": "permit"}))]), "rules[0].effect: must be \"allow\" or \"deny\""),
        (policy(vec![rule(json!({"name": ""}))]), "rules[0].name: must not be empty"),
        (policy(vec![ok.clone(), ok.clone()]), "rules[1].name: another rule has this name"),
        (policy(vec![rule(json!({"subjects": []}))]), "rules[0].subjects: must not be empty"),
        (policy(vec![rule(json!({"actions": []}))]), "rules[0].actions: must not be empty"),
        (policy(vec![rule(json!({"actions": ["read", ""]}))]), "rules[0].actions[1]: must not be empty"),
        (policy(vec![rule(json!({"actions": vec!["a"; 51]}))]), "rules[0].actions: at most 50 entries"),
        (
            policy(vec![ok.clone(), rule(json!({"name": "r2", "resources": [{"type": "", "value": "x"}]}))]),
            "rules[1].resources[0].type: must not be empty",
        ),
        (
            policy(vec![rule(
                json!({"subjects": [{"type": "user", "value": "a"}, {"type": "user", "value": "a", "pattern": "wild"}]}),
            )]),
            "rules[0].subjects[1].pattern: pattern must be \"exact\", \"glob\" or \"regex\"",
        ),
        (
            policy(vec![rule(json!({"subjects": [{"type": "user", "value": "(a", "pattern": "regex"}]}))]),
            "rules[0].subjects[0].value: invalid regular expression",
        ),
        (
            policy(vec![rule(json!({"subjects": [{"type": "user", "value": "\\w{500}", "pattern": "regex"}]}))]),
            "rules[0].subjects[0].value: regular expression is too large or too deeply nested",
        ),
        (
            policy(vec![rule(
                json!({"conditions": [{"type": "time", "operator": "after", "value": 0}, {"type": "attribute", "operator": "like", "key": "ip", "value": "x"}]}),
            )]),
            "rules[0].conditions[1].operator: operator is not supported for this condition type",
        ),
        (
            policy(vec![rule(json!({"conditions": [{"type": "attribute", "operator": "eq", "value": "x"}]}))]),
            "rules[0].conditions[0].key: attribute key must be a dot path of non-empty names",
        ),
        (
            policy(vec![rule(
                json!({"conditions": vec![json!({"type": "time", "operator": "after", "value": 0}); 51]}),
            )]),
            "rules[0].conditions: at most 50 entries",
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(error_of(doc.clone()), want, "{doc}");
    }
    let unknown = error_of(policy(vec![rule(json!({"prority": 3}))]));
    assert!(unknown.starts_with("invalid policy: unknown field `prority`"), "{unknown}");
    let fractional = error_of(policy(vec![rule(json!({"priority": 1.5}))]));
    assert!(fractional.starts_with("invalid policy: invalid type"), "{fractional}");
    let err = compile(policy(vec![rule(json!({"effect": "x"}))])).expect_err("refused");
    assert_eq!(err.path(), Some("rules[0].effect"));
    assert!(compile(policy(vec![ok; 100])).is_err(), "duplicate names are still refused at the limit");
}

#[test]
fn a_valid_policy_round_trips_its_document() {
    let doc = json!({"name": "p", "description": "d", "rules": [rule(json!({"conditions": [{"type": "attribute", "operator": "in", "key": "ip", "value": ["a"]}]}))]});
    let compiled = compile(doc.clone()).expect("valid");
    assert_eq!(compiled.name(), "p");
    assert_eq!(
        serde_json::to_value(compiled.doc()).expect("serialize")["rules"][0]["conditions"],
        doc["rules"][0]["conditions"]
    );
}

fn policies() -> Vec<CompiledPolicy> {
    let base = json!({"name": "documents", "rules": [
        {"name": "staff-read", "effect": "allow", "priority": 10,
         "subjects": [{"type": "group", "value": "staff"}], "resources": [{"type": "document", "value": "*"}],
         "actions": ["read", "list"]},
        {"name": "owners-write", "effect": "allow", "priority": 10,
         "subjects": [{"type": "user", "value": "u-*", "pattern": "glob"}], "resources": [{"type": "document", "value": "doc-[0-9]+", "pattern": "regex"}],
         "actions": ["*"], "conditions": [{"type": "attribute", "operator": "eq", "key": "device.trusted", "value": true}]},
        {"name": "no-untrusted-network", "effect": "deny", "priority": 10,
         "subjects": [{"type": "*", "value": "*"}], "resources": [{"type": "*", "value": "*"}],
         "actions": ["*"], "conditions": [{"type": "attribute", "operator": "regex", "key": "ip", "value": "192\\.0\\.2\\..*"}]},
    ]});
    let emergency = json!({"name": "break-glass", "rules": [
        {"name": "oncall", "effect": "allow", "priority": 100,
         "subjects": [{"type": "role", "value": "oncall"}], "resources": [{"type": "*", "value": "*"}],
         "actions": ["*"], "conditions": [{"type": "time", "operator": "before", "value": "2026-11-28T12:00:00Z"}]},
    ]});
    vec![compile(base).expect("valid"), compile(emergency).expect("valid")]
}

fn request(subject: Value, resource: Value, action: &str, context: Value) -> Request {
    serde_json::from_value(json!({"subject": subject, "resource": resource, "action": action, "context": context}))
        .expect("request")
}

fn decide(req: &Request, now: i64) -> Decision {
    evaluate(&policies(), req, now)
}

#[test]
fn evaluates_a_realistic_policy_set() {
    let doc1 = json!({"type": "document", "id": "doc-1"});
    let staff = json!({"type": "user", "id": "x", "groups": ["staff"]});
    let d = decide(&request(staff.clone(), doc1.clone(), "read", json!({})), NOW);
    assert_eq!((d.allowed, d.effect, d.matched_rule.as_deref()), (true, DecisionEffect::Allow, Some("staff-read")));
    assert_eq!(d.matched_policy.as_deref(), Some("documents"));
    assert_eq!(d.reason, "allowed by rule \"staff-read\" of policy \"documents\"");

    let d = decide(&request(staff.clone(), doc1.clone(), "delete", json!({})), NOW);
    assert_eq!((d.allowed, d.effect, d.matched_rule), (false, DecisionEffect::DefaultDeny, None));
    assert_eq!(d.reason, "no policy rule matched");

    let d = decide(&request(staff.clone(), doc1.clone(), "read", json!({"ip": "192.0.2.9"})), NOW);
    assert_eq!((d.allowed, d.matched_rule.as_deref()), (false, Some("no-untrusted-network")), "deny wins the tie");

    let owner = json!({"type": "user", "id": "u-17"});
    let trusted = json!({"device": {"trusted": true}});
    assert!(decide(&request(owner.clone(), doc1.clone(), "delete", trusted.clone()), NOW).allowed);
    assert!(!decide(&request(owner.clone(), doc1.clone(), "delete", json!({})), NOW).allowed, "missing attribute");
    let report = json!({"type": "document", "id": "doc-1a"});
    assert!(!decide(&request(owner.clone(), report, "delete", trusted.clone()), NOW).allowed, "anchored regex");
    let service = json!({"type": "service", "id": "u-17"});
    assert!(!decide(&request(service, doc1.clone(), "delete", trusted), NOW).allowed, "subject type must match");

    let oncall = json!({"type": "user", "id": "o", "roles": ["oncall"]});
    let hostile = json!({"ip": "192.0.2.1"});
    let d = decide(&request(oncall.clone(), doc1.clone(), "delete", hostile.clone()), NOW);
    assert_eq!((d.allowed, d.matched_policy.as_deref()), (true, Some("break-glass")), "higher priority decides");
    let d = decide(&request(oncall, doc1, "delete", hostile), NOW + 7200);
    assert_eq!((d.allowed, d.matched_rule.as_deref()), (false, Some("no-untrusted-network")), "window closed");
}

#[test]
fn no_policies_and_odd_requests_default_deny() {
    let req = request(json!({"type": "user", "id": "a"}), json!({"type": "document", "id": "d"}), "read", json!(null));
    assert_eq!(evaluate(&[], &req, NOW).effect, DecisionEffect::DefaultDeny);
    let parsed: Request = serde_json::from_value(
        json!({"subject": {"type": "user", "id": "a"}, "resource": {"type": "t", "id": "i"}, "action": "x"}),
    )
    .expect("context is optional");
    assert_eq!(parsed.context, Value::Null);
    assert_eq!(evaluate(&policies(), &parsed, NOW).effect, DecisionEffect::DefaultDeny);
    let d = serde_json::to_value(evaluate(&policies(), &parsed, NOW)).expect("serialize");
    assert_eq!(d["effect"], "default_deny");
}

#[test]
fn combine_lets_only_an_explicit_deny_block_rbac() {
    let with = |effect: DecisionEffect| Decision {
        allowed: effect == DecisionEffect::Allow,
        effect,
        matched_policy: None,
        matched_rule: None,
        reason: String::new(),
    };
    assert!(combine(true, &with(DecisionEffect::DefaultDeny)).0);
    assert!(combine(true, &with(DecisionEffect::Allow)).0);
    assert_eq!(combine(true, &with(DecisionEffect::Deny)), (false, "denied by policy"));
    assert_eq!(combine(false, &with(DecisionEffect::Allow)), (false, "no role grants this permission"));
    assert!(!combine(false, &with(DecisionEffect::DefaultDeny)).0);
    assert_eq!(combine(false, &with(DecisionEffect::Deny)).1, "denied by policy");
}
