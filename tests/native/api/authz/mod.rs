//! Authorization over the API: RBAC administration and the permission checks.

mod rbac;
