//! `evaluate` against an independent brute-force reference on generated cases.
//!
//! The reference reads the policy documents directly (no compiled form), matches globs by
//! plain recursion, collects every matching rule, sorts them by (priority descending, deny
//! first, policy order, rule order) and takes the first.

use super::abac_gen;
use super::gen::Rng;
use crate::authz::{evaluate, CompiledPolicy, DecisionEffect, MatcherDoc, PolicyDoc, Request, RuleDoc};

fn glob_matches(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| glob_matches(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && glob_matches(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && glob_matches(rest, &t[1..]),
    }
}

fn value_matches(m: &MatcherDoc, text: &str) -> bool {
    match m.pattern.as_deref() {
        Some("glob") => glob_matches(&m.value.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>()),
        _ => m.value == "*" || m.value == text,
    }
}

fn reference_rule_matches(rule: &RuleDoc, req: &Request) -> bool {
    let action = rule.actions.iter().any(|a| a == "*" || *a == req.action);
    let subject = rule.subjects.iter().any(|m| match m.kind.as_str() {
        "role" => req.subject.roles.iter().any(|r| value_matches(m, r)),
        "group" => req.subject.groups.iter().any(|g| value_matches(m, g)),
        "*" => value_matches(m, &req.subject.id),
        kind => kind == req.subject.kind && value_matches(m, &req.subject.id),
    });
    let resource = rule
        .resources
        .iter()
        .any(|m| (m.kind == "*" || m.kind == req.resource.kind) && value_matches(m, &req.resource.id));
    let conditions = rule.conditions.iter().all(|c| req.context.get(&c.key).is_some_and(|v| *v == c.value));
    action && subject && resource && conditions
}

/// (allowed, effect, policy, rule) by brute force.
fn reference(docs: &[PolicyDoc], req: &Request) -> (bool, DecisionEffect, Option<String>, Option<String>) {
    let mut matching: Vec<(i64, bool, usize, usize)> = Vec::new();
    for (pi, doc) in docs.iter().enumerate() {
        for (ri, rule) in doc.rules.iter().enumerate() {
            if reference_rule_matches(rule, req) {
                matching.push((rule.priority, rule.effect == "deny", pi, ri));
            }
        }
    }
    matching.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    match matching.first() {
        None => (false, DecisionEffect::DefaultDeny, None, None),
        Some(&(_, deny, pi, ri)) => {
            let effect = if deny { DecisionEffect::Deny } else { DecisionEffect::Allow };
            (!deny, effect, Some(docs[pi].name.clone()), Some(docs[pi].rules[ri].name.clone()))
        }
    }
}

#[test]
fn evaluate_agrees_with_the_reference() {
    let mut outcomes = [0usize; 3];
    for seed in 0..400u64 {
        let mut rng = Rng::new(seed);
        let docs = abac_gen::policy_set(&mut rng);
        let compiled: Vec<CompiledPolicy> =
            docs.iter().map(|d| CompiledPolicy::compile(d).expect("generated policies are valid")).collect();
        for case in 0..8 {
            let req = abac_gen::request(&mut rng);
            let got = evaluate(&compiled, &req, 0);
            let want = reference(&docs, &req);
            let got_tuple = (got.allowed, got.effect, got.matched_policy.clone(), got.matched_rule.clone());
            assert_eq!(got_tuple, want, "seed {seed} case {case}\npolicies: {docs:#?}\nrequest: {req:#?}");
            outcomes[match got.effect {
                DecisionEffect::Allow => 0,
                DecisionEffect::Deny => 1,
                DecisionEffect::DefaultDeny => 2,
            }] += 1;
        }
    }
    assert!(outcomes.iter().all(|&n| n >= 300), "every outcome is well represented: {outcomes:?}");
}
