//! Native tests of the identity core: one binary, fast, no network, no clock.
//!
//! The folders mirror the crate's modules: `api/` drives `api::handle` per API area,
//! `store/` holds the store contracts run against every backend, `tokens/` the token
//! and signing-key rules. `support` and `soft_authenticator` are shared helpers.

// Test code may unwrap: clippy.toml's `allow-unwrap-in-tests` covers `#[test]` functions
// only, not the helpers they share.
#![allow(clippy::unwrap_used)]

mod api;
mod config;
mod soft_authenticator;
mod store;
mod support;
mod tokens;
