//! Accounts over the API: administrators, end users, invitations, tenant administration.

mod admins;
pub mod branding;
mod endusers;
mod invitations;
mod tenant_admin;
