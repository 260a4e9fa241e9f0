//! Accounts: passwords, one-time codes and sessions (api.md "Accounts").
//!
//! Each submodule is a pure set of rules and state transitions; the stores and Durable
//! Objects that hold the state only load, call these, and persist.

pub mod otp;
pub mod password;
pub mod sealed;
pub mod sessions;
pub mod totp;
