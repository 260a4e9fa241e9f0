//! The store contracts: one suite per store trait (the files mirror `src/store/`), run by
//! `contract` against the in-memory store and D1's SQL on SQLite, and by `postgres`
//! against PostgreSQL.

mod accounts;
mod branding;
mod consents;
mod contract;
mod mfa;
mod postgres;
mod rbac;
mod state;
