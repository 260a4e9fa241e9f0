//! Native tests of the identity core: one binary, fast, no network, no clock.

mod account_contract;
mod api_accounts;
mod api_clients;
mod api_cors;
mod api_device;
mod api_endusers;
mod api_errors;
mod api_invitations;
mod api_rbac;
mod api_tenant_admin;
mod api_tokens;
mod api_totp;
mod api_webauthn;
mod api_wellknown;
mod config;
mod keys;
mod mfa_contract;
mod postgres_contract;
mod rbac_contract;
mod signature_vectors;
mod soft_authenticator;
mod state_contract;
mod store_contract;
mod support;
mod tokens;
mod verify_cache;
