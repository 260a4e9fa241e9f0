//! Tests of the authorization core: RBAC compilation, ABAC policy validation and
//! evaluation (against an independent reference evaluator on generated cases), and the
//! monotonicity properties that make deny rules and binding removal safe.

mod abac_gen;
mod conditions;
mod decision_table;
mod gen;
mod patterns;
mod policy;
mod properties;
mod rbac;
