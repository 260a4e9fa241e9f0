//! The HTTP API through `api::handle` on the in-memory platform, one folder per area.

pub mod accounts;
mod authz;
mod client_ip;
mod clients;
mod cors;
mod edge_tier;
mod errors;
mod factors;
pub mod grants;
mod hydra_compat;
mod metrics;
mod oauth;
mod oauth_pages;
mod session_shards;
mod tokens;
mod wellknown;
