//! Monotonicity of ABAC under edits, on generated policy sets and requests: adding a deny
//! rule never widens access (so a deny can always be added safely) and adding an allow
//! rule never narrows it. Both also hold for `combine` with any RBAC answer.

use super::abac_gen;
use super::gen::Rng;
use crate::authz::{combine, evaluate, CompiledPolicy, PolicyDoc};

fn compiled(docs: &[PolicyDoc]) -> Vec<CompiledPolicy> {
    docs.iter().map(|d| CompiledPolicy::compile(d).expect("generated policies are valid")).collect()
}

/// Adds a random rule with `effect` to a random policy of `docs`.
fn with_extra_rule(rng: &mut Rng, docs: &[PolicyDoc], effect: &str) -> Vec<PolicyDoc> {
    let mut edited = docs.to_vec();
    let target = rng.below(edited.len());
    let mut rule = abac_gen::rule(rng, "extra".to_string());
    rule.effect = effect.to_string();
    let rules = &mut edited[target].rules;
    let at = rng.below(rules.len() + 1);
    rules.insert(at, rule);
    edited
}

fn check_monotone(effect: &str, narrows_never: bool) {
    let mut changed = 0;
    for seed in 0..300u64 {
        let mut rng = Rng::new(seed ^ 0xA5A5);
        let docs = abac_gen::policy_set(&mut rng);
        let before_set = compiled(&docs);
        let requests: Vec<_> = (0..10).map(|_| abac_gen::request(&mut rng)).collect();
        for edit in 0..4 {
            let after_set = compiled(&with_extra_rule(&mut rng, &docs, effect));
            for (case, req) in requests.iter().enumerate() {
                let before = evaluate(&before_set, req, 0);
                let after = evaluate(&after_set, req, 0);
                let (lost, gained) = (before.allowed && !after.allowed, !before.allowed && after.allowed);
                let bad = if narrows_never { lost } else { gained };
                let at = format!("seed {seed} edit {edit} case {case}");
                assert!(!bad, "{at}: adding a {effect} rule changed {before:?} to {after:?}");
                changed += usize::from(lost || gained);
                for rbac in [false, true] {
                    let (b, a) = (combine(rbac, &before).0, combine(rbac, &after).0);
                    assert!(if narrows_never { !b || a } else { !a || b }, "{at}: combine({rbac})");
                }
            }
        }
    }
    assert!(changed >= 100, "the edits change enough decisions to mean something: {changed}");
}

#[test]
fn adding_a_deny_rule_never_widens_access() {
    check_monotone("deny", false);
}

#[test]
fn adding_an_allow_rule_never_narrows_access() {
    check_monotone("allow", true);
}
