//! Accounts: passwords, one-time codes, sessions and second factors (api.md "Accounts", "MFA").
//!
//! Each submodule is a pure set of rules and state transitions; the stores and Durable
//! Objects that hold the state only load, call these, and persist.

pub mod backup_codes;
pub mod mfa_guard;
pub mod otp;
pub mod password;
pub mod sealed;
pub mod sessions;
pub mod totp;
