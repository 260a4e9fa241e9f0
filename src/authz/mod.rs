//! Authorization: RBAC (roles and scoped bindings) and ABAC (attribute policies).
//!
//! This is pure core: no I/O and no clock. Callers load roles, bindings and policies from
//! the store, pass `now` (unix seconds), and cache the compiled forms as they like:
//! [`rbac::EffectivePermissions`] is plain serializable data that stays correct as time
//! passes, and [`policy::CompiledPolicy`] holds the policy's regexes compiled once.
//!
//! Layout: [`permission`] parses `"resource:action"`; [`rbac`] compiles one principal's
//! grants; [`policy`] validates and compiles ABAC documents, using [`patterns`] for
//! subject and resource values, [`conditions`] for context tests and [`rfc3339`] for
//! timestamps; [`evaluate`](mod@evaluate) decides a request. [`combine`] joins the two models.

pub mod conditions;
pub mod delegation;
pub mod evaluate;
pub mod patterns;
pub mod permission;
pub mod policy;
pub mod rbac;
pub mod rfc3339;

#[cfg(test)]
mod tests;

pub use evaluate::{evaluate, Decision, DecisionEffect, Request, ResourceRef, SubjectRef};
pub use permission::{Permission, PermissionError};
pub use policy::{CompiledPolicy, ConditionDoc, Effect, MatcherDoc, PolicyDoc, PolicyError, RuleDoc};
pub use rbac::{compile, BindingDef, EffectivePermissions, RoleDef, Scope, Subject};

/// Joins an RBAC answer with an ABAC decision: allowed only when RBAC grants and no ABAC
/// rule denies. An ABAC `default_deny` (no rule matched) does not block an RBAC grant, and
/// an ABAC allow never grants without RBAC. Returns the outcome and a short reason; an
/// explicit policy deny is reported ahead of a missing role.
pub fn combine(rbac_allows: bool, abac: &Decision) -> (bool, &'static str) {
    match (rbac_allows, abac.effect) {
        (_, DecisionEffect::Deny) => (false, "denied by policy"),
        (false, _) => (false, "no role grants this permission"),
        (true, DecisionEffect::Allow) => (true, "granted by role and allowed by policy"),
        (true, DecisionEffect::DefaultDeny) => (true, "granted by role"),
    }
}
