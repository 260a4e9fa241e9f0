//! ABAC evaluation: one request against a set of compiled policies, default deny.
//!
//! A rule matches a request when all four hold:
//! - **subject**: any subject matcher matches. A matcher of type `role` (or `group`)
//!   matches when its value matches any of the subject's `roles` (or `groups`); type `*`
//!   matches any subject whose id matches; any other type must equal the subject's type,
//!   with the value matched against the subject's id;
//! - **resource**: any resource matcher whose type is the resource's type or `*` has a
//!   value matching the resource's id;
//! - **action**: the action is listed, or `*` is;
//! - **conditions**: every condition holds (see `conditions`).
//!
//! Among all matching rules of all policies, the highest priority decides; at equal
//! priority a deny beats an allow; between rules still tied, the first in policy order and
//! then rule order is the one named. Nothing matching is `default_deny`. Evaluation reads
//! no clock: the caller passes `now`. Names and types compare case-sensitively.
//!
//! The request types accept unknown fields (clients may send more attributes than the
//! engine reads); policy documents, which an administrator stores, do not.

use super::policy::{CompiledPolicy, Effect, Matcher, Rule};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who is acting, with the attributes that `role` and `group` matchers read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubjectRef {
    /// The subject's kind ("user", "service"…).
    #[serde(rename = "type")]
    pub kind: String,
    /// The subject's id.
    pub id: String,
    /// The subject's role names.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The subject's group ids (or names, as the policy's matchers use them).
    #[serde(default)]
    pub groups: Vec<String>,
}

/// What is acted upon.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The resource's type ("document", "project"…).
    #[serde(rename = "type")]
    pub kind: String,
    /// The resource's id.
    pub id: String,
}

/// One authorization question.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Who.
    pub subject: SubjectRef,
    /// On what.
    pub resource: ResourceRef,
    /// Doing what.
    pub action: String,
    /// Attributes that conditions read (an object; anything else has no attributes).
    #[serde(default)]
    pub context: Value,
}

/// How a decision was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionEffect {
    /// An allow rule decided.
    Allow,
    /// A deny rule decided.
    Deny,
    /// No rule matched.
    DefaultDeny,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// Which kind of rule (or none) decided.
    pub effect: DecisionEffect,
    /// The deciding rule's policy.
    pub matched_policy: Option<String>,
    /// The deciding rule.
    pub matched_rule: Option<String>,
    /// A short human explanation.
    pub reason: String,
}

impl Decision {
    fn default_deny() -> Decision {
        Decision {
            allowed: false,
            effect: DecisionEffect::DefaultDeny,
            matched_policy: None,
            matched_rule: None,
            reason: "no policy rule matched".to_string(),
        }
    }
}

/// Evaluates `request` at `now` against every rule of `policies`.
pub fn evaluate(policies: &[CompiledPolicy], request: &Request, now: i64) -> Decision {
    let mut best: Option<(&CompiledPolicy, &Rule)> = None;
    for policy in policies {
        for rule in &policy.rules {
            if best.is_some_and(|(_, b)| !outranks(rule, b)) || !rule_matches(rule, request, now) {
                continue;
            }
            best = Some((policy, rule));
        }
    }
    let Some((policy, rule)) = best else {
        return Decision::default_deny();
    };
    let (allowed, effect, verb) = match rule.effect {
        Effect::Allow => (true, DecisionEffect::Allow, "allowed"),
        Effect::Deny => (false, DecisionEffect::Deny, "denied"),
    };
    Decision {
        allowed,
        effect,
        matched_policy: Some(policy.doc.name.clone()),
        matched_rule: Some(rule.name.clone()),
        reason: format!("{verb} by rule \"{}\" of policy \"{}\"", rule.name, policy.doc.name),
    }
}

/// Whether `rule` decides ahead of `current`: a higher priority, or a deny over an allow
/// at the same priority. Ties keep the earlier rule.
fn outranks(rule: &Rule, current: &Rule) -> bool {
    rule.priority > current.priority
        || (rule.priority == current.priority && rule.effect == Effect::Deny && current.effect == Effect::Allow)
}

fn rule_matches(rule: &Rule, request: &Request, now: i64) -> bool {
    let action_ok = match &rule.actions {
        None => true,
        Some(actions) => actions.contains(&request.action),
    };
    action_ok
        && rule.subjects.iter().any(|m| subject_matches(m, &request.subject))
        && rule.resources.iter().any(|m| resource_matches(m, &request.resource))
        && rule.conditions.iter().all(|c| c.holds(&request.context, now))
}

fn subject_matches(matcher: &Matcher, subject: &SubjectRef) -> bool {
    match matcher.kind.as_str() {
        "role" => subject.roles.iter().any(|r| matcher.value.is_match(r)),
        "group" => subject.groups.iter().any(|g| matcher.value.is_match(g)),
        "*" => matcher.value.is_match(&subject.id),
        kind => kind == subject.kind && matcher.value.is_match(&subject.id),
    }
}

fn resource_matches(matcher: &Matcher, resource: &ResourceRef) -> bool {
    (matcher.kind == "*" || matcher.kind == resource.kind) && matcher.value.is_match(&resource.id)
}
