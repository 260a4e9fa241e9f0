//! ABAC policy documents and their validation and compilation.
//!
//! A [`PolicyDoc`] is the JSON an administrator stores; [`CompiledPolicy::compile`]
//! validates all of it up front and builds everything evaluation needs (patterns,
//! regexes, parsed timestamps), so a stored policy can never fail or become slow at
//! request time. Every refusal is a [`PolicyError`] naming the field path, e.g.
//! `rules[2].conditions[0].operator`.
//!
//! Limits: at most [`MAX_RULES`] rules per policy; at most [`MAX_PER_RULE`] subjects,
//! resources, actions and conditions each per rule; names, types, values and actions at
//! most [`MAX_STRING`] characters (the description, which is never evaluated, at most
//! [`MAX_DESCRIPTION`]). Rule names are unique within a policy, since a decision names
//! the rule that made it. A rule must list at least one subject, resource and action (an
//! empty list could never match, which is almost certainly a mistake); conditions may
//! be empty.

use super::conditions::{Condition, ConditionError};
use super::patterns::{PatternError, ValuePattern};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The most rules in one policy.
pub const MAX_RULES: usize = 100;
/// The most subjects, resources, actions or conditions (each) in one rule.
pub const MAX_PER_RULE: usize = 50;
/// The longest name, type, value or action, in characters.
pub const MAX_STRING: usize = 256;
/// The longest policy description, in characters.
pub const MAX_DESCRIPTION: usize = 1024;

/// A policy as stored and sent by administrators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// The policy's name; decisions name it.
    #[serde(default)]
    pub name: String,
    /// Free text for administrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rules, in order; order only breaks ties (see `evaluate`).
    #[serde(default)]
    pub rules: Vec<RuleDoc>,
}

/// One rule of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// The rule's name, unique within its policy.
    #[serde(default)]
    pub name: String,
    /// "allow" or "deny".
    #[serde(default)]
    pub effect: String,
    /// Higher priorities decide first; 0 when absent.
    #[serde(default)]
    pub priority: i64,
    /// The rule applies when any of these matches the subject.
    #[serde(default)]
    pub subjects: Vec<MatcherDoc>,
    /// The rule applies when any of these matches the resource.
    #[serde(default)]
    pub resources: Vec<MatcherDoc>,
    /// The rule applies to these actions; "*" is any action.
    #[serde(default)]
    pub actions: Vec<String>,
    /// The rule applies only when all of these hold.
    #[serde(default)]
    pub conditions: Vec<ConditionDoc>,
}

/// A subject or resource matcher: `type` must match the kind, `value` the id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatcherDoc {
    /// The kind matched ("user", "group", "role", "service", a resource type…) or "*".
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The value matched, read according to `pattern`.
    #[serde(default)]
    pub value: String,
    /// "exact" (the default), "glob" or "regex".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// A condition on the clock or on the request context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDoc {
    /// "time" or "attribute".
    #[serde(rename = "type", default)]
    pub kind: String,
    /// after, before, eq, ne, regex or in.
    #[serde(default)]
    pub operator: String,
    /// The context attribute's dot path (attribute conditions only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The operand.
    #[serde(default)]
    pub value: Value,
}

/// Why a policy was refused. `Display` is `"<field path>: <reason>"`, safe for clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The body is not JSON of the policy shape (serde's message, which names no secrets).
    Malformed(String),
    /// A required string or list is empty.
    Empty(String),
    /// A string is longer than its limit.
    TooLong(String),
    /// A list has more entries than allowed.
    TooMany { path: String, max: usize },
    /// `effect` is not "allow" or "deny".
    InvalidEffect(String),
    /// Two rules share a name.
    DuplicateRule(String),
    /// A subject or resource pattern was refused.
    Pattern { path: String, error: PatternError },
    /// A condition was refused.
    Condition { path: String, error: ConditionError },
}

impl PolicyError {
    /// The offending field's path, when the error is about one field.
    pub fn path(&self) -> Option<&str> {
        match self {
            PolicyError::Malformed(_) => None,
            PolicyError::Empty(path)
            | PolicyError::TooLong(path)
            | PolicyError::TooMany { path, .. }
            | PolicyError::InvalidEffect(path)
            | PolicyError::DuplicateRule(path)
            | PolicyError::Pattern { path, .. }
            | PolicyError::Condition { path, .. } => Some(path),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Malformed(msg) => write!(f, "invalid policy: {msg}"),
            PolicyError::Empty(path) => write!(f, "{path}: must not be empty"),
            PolicyError::TooLong(path) => write!(f, "{path}: too long"),
            PolicyError::TooMany { path, max } => write!(f, "{path}: at most {max} entries"),
            PolicyError::InvalidEffect(path) => write!(f, "{path}: must be \"allow\" or \"deny\""),
            PolicyError::DuplicateRule(path) => write!(f, "{path}: another rule has this name"),
            PolicyError::Pattern { path, error } => write!(f, "{path}: {error}"),
            PolicyError::Condition { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A rule's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The rule grants.
    Allow,
    /// The rule refuses.
    Deny,
}

/// A compiled subject or resource matcher.
#[derive(Debug, Clone)]
pub(super) struct Matcher {
    pub(super) kind: String,
    pub(super) value: ValuePattern,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub(super) name: String,
    pub(super) effect: Effect,
    pub(super) priority: i64,
    pub(super) subjects: Vec<Matcher>,
    pub(super) resources: Vec<Matcher>,
    /// `None` when the actions include "*".
    pub(super) actions: Option<Vec<String>>,
    pub(super) conditions: Vec<Condition>,
}

/// A validated policy, ready to evaluate; compiled once and reused for every request.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub(super) doc: PolicyDoc,
    pub(super) rules: Vec<Rule>,
}

impl CompiledPolicy {
    /// Validates and compiles a policy document.
    pub fn compile(doc: &PolicyDoc) -> Result<CompiledPolicy, PolicyError> {
        check_str(&doc.name, MAX_STRING, || "name".to_string())?;
        if doc.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
            return Err(PolicyError::TooLong("description".to_string()));
        }
        check_count(doc.rules.len(), MAX_RULES, || "rules".to_string())?;
        let mut rules: Vec<Rule> = Vec::with_capacity(doc.rules.len());
        for (i, rule) in doc.rules.iter().enumerate() {
            let compiled = compile_rule(rule, &format!("rules[{i}]"))?;
            if rules.iter().any(|r| r.name == compiled.name) {
                return Err(PolicyError::DuplicateRule(format!("rules[{i}].name")));
            }
            rules.push(compiled);
        }
        Ok(CompiledPolicy { doc: doc.clone(), rules })
    }

    /// Parses a JSON policy document and compiles it.
    pub fn from_json(json: &str) -> Result<CompiledPolicy, PolicyError> {
        let doc: PolicyDoc = serde_json::from_str(json).map_err(|e| PolicyError::Malformed(e.to_string()))?;
        CompiledPolicy::compile(&doc)
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.doc.name
    }

    /// The document this policy was compiled from.
    pub fn doc(&self) -> &PolicyDoc {
        &self.doc
    }
}

fn check_str(s: &str, max: usize, path: impl Fn() -> String) -> Result<(), PolicyError> {
    if s.is_empty() {
        return Err(PolicyError::Empty(path()));
    }
    if s.chars().count() > max {
        return Err(PolicyError::TooLong(path()));
    }
    Ok(())
}

fn check_count(len: usize, max: usize, path: impl Fn() -> String) -> Result<(), PolicyError> {
    if len > max {
        return Err(PolicyError::TooMany { path: path(), max });
    }
    Ok(())
}

fn check_list<T>(list: &[T], at: &str, field: &str) -> Result<(), PolicyError> {
    if list.is_empty() {
        return Err(PolicyError::Empty(format!("{at}.{field}")));
    }
    check_count(list.len(), MAX_PER_RULE, || format!("{at}.{field}"))
}

fn compile_rule(rule: &RuleDoc, at: &str) -> Result<Rule, PolicyError> {
    check_str(&rule.name, MAX_STRING, || format!("{at}.name"))?;
    let effect = match rule.effect.as_str() {
        "allow" => Effect::Allow,
        "deny" => Effect::Deny,
        _ => return Err(PolicyError::InvalidEffect(format!("{at}.effect"))),
    };
    check_list(&rule.subjects, at, "subjects")?;
    check_list(&rule.resources, at, "resources")?;
    check_list(&rule.actions, at, "actions")?;
    check_count(rule.conditions.len(), MAX_PER_RULE, || format!("{at}.conditions"))?;
    let subjects = compile_matchers(&rule.subjects, &format!("{at}.subjects"))?;
    let resources = compile_matchers(&rule.resources, &format!("{at}.resources"))?;
    for (i, action) in rule.actions.iter().enumerate() {
        check_str(action, MAX_STRING, || format!("{at}.actions[{i}]"))?;
    }
    let actions = (!rule.actions.iter().any(|a| a == "*")).then(|| rule.actions.clone());
    let mut conditions = Vec::with_capacity(rule.conditions.len());
    for (i, c) in rule.conditions.iter().enumerate() {
        let compiled = Condition::compile(&c.kind, &c.operator, &c.key, &c.value).map_err(|(field, error)| {
            PolicyError::Condition { path: format!("{at}.conditions[{i}].{}", field.name()), error }
        })?;
        conditions.push(compiled);
    }
    Ok(Rule { name: rule.name.clone(), effect, priority: rule.priority, subjects, resources, actions, conditions })
}

fn compile_matchers(docs: &[MatcherDoc], at: &str) -> Result<Vec<Matcher>, PolicyError> {
    docs.iter()
        .enumerate()
        .map(|(i, m)| {
            check_str(&m.kind, MAX_STRING, || format!("{at}[{i}].type"))?;
            let value = ValuePattern::compile(m.pattern.as_deref(), &m.value).map_err(|error| {
                let field = if error == PatternError::UnknownKind { "pattern" } else { "value" };
                PolicyError::Pattern { path: format!("{at}[{i}].{field}"), error }
            })?;
            Ok(Matcher { kind: m.kind.clone(), value })
        })
        .collect()
}
