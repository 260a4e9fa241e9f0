//! Authorization: RBAC (roles and scoped bindings) and ABAC (attribute policies).
//!
//! This is pure core: no I/O and no clock. Callers load roles and bindings from the
//! store, pass `now` (unix seconds), and cache the compiled form as they like:
//! [`rbac::EffectivePermissions`] is plain serializable data that stays correct as time
//! passes.
//!
//! Layout: [`permission`] parses `"resource:action"`; [`rbac`] compiles one principal's
//! grants.

pub mod permission;
pub mod rbac;

#[cfg(test)]
mod tests;

pub use permission::{Permission, PermissionError};
pub use rbac::{compile, BindingDef, EffectivePermissions, RoleDef, Scope, Subject};
