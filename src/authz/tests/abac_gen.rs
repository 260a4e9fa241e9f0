//! Random ABAC policy sets and requests over small alphabets, so that generated rules
//! and requests collide often (shared priorities, overlapping globs, present and missing
//! attributes) and every branch of evaluation is exercised.

use super::gen::Rng;
use crate::authz::{ConditionDoc, MatcherDoc, PolicyDoc, Request, ResourceRef, RuleDoc, SubjectRef};
use serde_json::{json, Map, Value};

pub const SUBJECT_KINDS: [&str; 2] = ["user", "service"];
pub const SUBJECT_IDS: [&str; 4] = ["alice", "bob", "u-1", "u-2"];
pub const ROLES: [&str; 3] = ["admin", "dev", "ops"];
pub const GROUPS: [&str; 2] = ["eng", "sales"];
pub const RESOURCE_KINDS: [&str; 2] = ["doc", "img"];
pub const RESOURCE_IDS: [&str; 4] = ["d1", "d2", "x-1", "dd"];
pub const ACTIONS: [&str; 3] = ["read", "write", "delete"];
pub const KEYS: [&str; 2] = ["ip", "tier"];
pub const VALUES: [&str; 2] = ["a", "b"];

fn value_pattern(rng: &mut Rng, ids: &[&str]) -> (String, Option<String>) {
    match rng.below(6) {
        0 | 1 => ("*".to_string(), None),
        2 => (rng.pick(&["u-*", "d?", "*1", "*", "?-?", "d*", "*o*"]).to_string(), Some("glob".to_string())),
        3 => (rng.pick(ids).to_string(), Some("exact".to_string())),
        _ => (rng.pick(ids).to_string(), None),
    }
}

fn subject_matcher(rng: &mut Rng) -> MatcherDoc {
    let (kind, ids): (&str, &[&str]) = match rng.below(5) {
        0 => ("role", &ROLES),
        1 => ("group", &GROUPS),
        2 => ("*", &SUBJECT_IDS),
        _ => (rng.pick(&SUBJECT_KINDS), &SUBJECT_IDS),
    };
    let (value, pattern) = value_pattern(rng, ids);
    MatcherDoc { kind: kind.to_string(), value, pattern }
}

fn resource_matcher(rng: &mut Rng) -> MatcherDoc {
    let kind = if rng.chance(25) { "*" } else { rng.pick(&RESOURCE_KINDS) };
    let (value, pattern) = value_pattern(rng, &RESOURCE_IDS);
    MatcherDoc { kind: kind.to_string(), value, pattern }
}

fn some<T>(rng: &mut Rng, max: usize, mut one: impl FnMut(&mut Rng) -> T) -> Vec<T> {
    (0..1 + rng.below(max)).map(|_| one(rng)).collect()
}

/// A random valid rule named `name`.
pub fn rule(rng: &mut Rng, name: String) -> RuleDoc {
    let effect = if rng.chance(40) { "deny" } else { "allow" };
    let actions = if rng.chance(30) { vec!["*".to_string()] } else { some(rng, 2, |r| r.pick(&ACTIONS).to_string()) };
    let conditions = if rng.chance(60) {
        Vec::new()
    } else {
        some(rng, 2, |r| ConditionDoc {
            kind: "attribute".to_string(),
            operator: "eq".to_string(),
            key: r.pick(&KEYS).to_string(),
            value: json!(r.pick(&VALUES)),
        })
    };
    RuleDoc {
        name,
        effect: effect.to_string(),
        priority: i64::try_from(rng.below(4)).unwrap(),
        subjects: some(rng, 2, subject_matcher),
        resources: some(rng, 2, resource_matcher),
        actions,
        conditions,
    }
}

/// A random set of one to three policies, `p0`, `p1`…, each with up to six rules.
pub fn policy_set(rng: &mut Rng) -> Vec<PolicyDoc> {
    (0..1 + rng.below(3))
        .map(|p| PolicyDoc {
            name: format!("p{p}"),
            description: None,
            rules: (0..rng.below(7)).map(|r| rule(rng, format!("r{r}"))).collect(),
        })
        .collect()
}

fn subset(rng: &mut Rng, items: &[&str]) -> Vec<String> {
    items.iter().filter(|_| rng.chance(35)).map(|s| s.to_string()).collect()
}

/// A random request; attributes are present or missing at random.
pub fn request(rng: &mut Rng) -> Request {
    let mut context = Map::new();
    for key in KEYS {
        if rng.chance(70) {
            context.insert(key.to_string(), json!(rng.pick(&VALUES)));
        }
    }
    Request {
        subject: SubjectRef {
            kind: rng.pick(&SUBJECT_KINDS).to_string(),
            id: rng.pick(&SUBJECT_IDS).to_string(),
            roles: subset(rng, &ROLES),
            groups: subset(rng, &GROUPS),
        },
        resource: ResourceRef { kind: rng.pick(&RESOURCE_KINDS).to_string(), id: rng.pick(&RESOURCE_IDS).to_string() },
        action: rng.pick(&ACTIONS).to_string(),
        context: if rng.chance(5) { Value::Null } else { Value::Object(context) },
    }
}
