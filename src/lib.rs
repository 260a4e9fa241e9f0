//! AuthSec Edge: the AuthSec identity API as a Cloudflare Worker.
//!
//! Everything outside `edge` (and the Durable Object classes in `durable/`) is the pure
//! identity core: it does no I/O of its own, reads no clock, randomness or environment,
//! and builds and tests natively. The caller passes `now`, random bytes and typed config.
//! `edge` is the thin wasm32-only shell that binds the core to workerd.

pub mod accounts;
pub mod api;
pub mod authz;
pub mod b64;
pub mod branding;
pub mod cast;
pub mod config;
pub mod durable_protocol;
pub mod error;
pub mod flows;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod mail;
pub mod metrics;
pub mod oauth;
pub mod push;
pub mod rate_limit;
pub mod secret;
pub mod store;
pub mod tokens;
pub mod webauthn;

#[cfg(target_arch = "wasm32")]
pub mod edge;

#[cfg(target_arch = "wasm32")]
#[path = "../durable/mod.rs"]
pub mod durable;
