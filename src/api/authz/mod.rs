//! Authorization (api.md "RBAC and ABAC"): permissions, roles, bindings, groups and
//! scopes under `uflow/admin`, the authmgr checks any resource server calls, the
//! caller's own view under `uflow/user`, and ABAC policies under `spire/policy`.
//!
//! Depends only on the cross-cutting helpers (`auth`, `authz_cache`, `body`, `issue`).

mod abac;
mod bindings;
mod checks;
mod roles;

use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};
use checks::Check;

/// Which kind of scope a scope route manages (`scopes` or `api_scopes`).
const SCOPE: &str = "scope";
const API_SCOPE: &str = "api_scope";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ListPermissions,
    CreatePermission,
    DeletePermission,
    Resources,
    ListRoles,
    CreateRole,
    GetRole,
    UpdateRole,
    DeleteRole,
    ListBindings,
    CreateBinding,
    DeleteBinding,
    ListGroups,
    CreateGroup,
    GetGroup,
    UpdateGroup,
    DeleteGroup,
    ListMembers,
    AddMembers,
    RemoveMember,
    ListScopes(&'static str),
    CreateScope(&'static str),
    UpdateScope(&'static str),
    DeleteScope(&'static str),
    ListMappings,
    SetMapping,
    PolicyCheck,
    MyRolesPermissions,
    UserCheck,
    Mine(&'static str),
    Check(Check),
    ListPolicies,
    CreatePolicy,
    GetPolicy,
    UpdatePolicy,
    DeletePolicy,
    Evaluate,
    BatchEvaluate,
    TestPolicy,
}

use Action::*;

/// `/authsec/uflow/admin`
const ADMIN: Table<Action> = &[
    (Get, "/permissions", ListPermissions),
    (Post, "/permissions", CreatePermission),
    (Get, "/permissions/resources", Resources),
    (Delete, "/permissions/:id", DeletePermission),
    (Get, "/roles", ListRoles),
    (Post, "/roles", CreateRole),
    (Get, "/roles/:id", GetRole),
    (Put, "/roles/:id", UpdateRole),
    (Delete, "/roles/:id", DeleteRole),
    (Get, "/bindings", ListBindings),
    (Post, "/bindings", CreateBinding),
    (Delete, "/bindings/:id", DeleteBinding),
    (Get, "/scopes", ListScopes(SCOPE)),
    (Post, "/scopes", CreateScope(SCOPE)),
    (Get, "/scopes/mappings", ListMappings),
    (Post, "/scopes/mappings", SetMapping),
    (Put, "/scopes/:id", UpdateScope(SCOPE)),
    (Delete, "/scopes/:id", DeleteScope(SCOPE)),
    (Get, "/api_scopes", ListScopes(API_SCOPE)),
    (Post, "/api_scopes", CreateScope(API_SCOPE)),
    (Put, "/api_scopes/:id", UpdateScope(API_SCOPE)),
    (Delete, "/api_scopes/:id", DeleteScope(API_SCOPE)),
    (Post, "/policy/check", PolicyCheck),
    (Get, "/me/roles-permissions", MyRolesPermissions),
];

/// `/authsec/uflow/admin` and `/authsec/authmgr/admin`
const GROUPS: Table<Action> = &[
    (Get, "/groups", ListGroups),
    (Post, "/groups", CreateGroup),
    (Get, "/groups/:id", GetGroup),
    (Put, "/groups/:id", UpdateGroup),
    (Delete, "/groups/:id", DeleteGroup),
    (Get, "/groups/:id/members", ListMembers),
    (Post, "/groups/:id/members", AddMembers),
    (Delete, "/groups/:id/members/:user_id", RemoveMember),
];

/// `/authsec/uflow/user`
const USER: Table<Action> = &[
    (Get, "/permissions/check", UserCheck),
    (Get, "/rbac/roles", Mine("roles")),
    (Get, "/rbac/permissions", Mine("permissions")),
    (Get, "/rbac/bindings", Mine("bindings")),
    (Get, "/rbac/groups", Mine("groups")),
];

/// `/authsec/authmgr/admin` and `/authsec/authmgr/user`: the same checks for both.
const CHECKS: Table<Action> = &[
    (Get, "/profile", Check(Check::Profile)),
    (Get, "/auth-status", Check(Check::AuthStatus)),
    (Get, "/validate/token", Check(Check::ValidateToken)),
    (Get, "/validate/scope", Check(Check::ValidateScope)),
    (Get, "/validate/resource", Check(Check::ValidateResource)),
    (Get, "/check/permission", Check(Check::Permission)),
    (Get, "/check/role", Check(Check::Role)),
    (Get, "/check/role-resource", Check(Check::RoleResource)),
    (Get, "/check/permission-scoped", Check(Check::PermissionScoped)),
    (Get, "/check/oauth-scope", Check(Check::OAuthScope)),
    (Get, "/permissions", Check(Check::Permissions)),
];

/// `/authsec/spire/policy`
const POLICIES: Table<Action> = &[
    (Get, "", ListPolicies),
    (Post, "", CreatePolicy),
    (Post, "/evaluate", Evaluate),
    (Post, "/batch-evaluate", BatchEvaluate),
    (Post, "/test", TestPolicy),
    (Get, "/:id", GetPolicy),
    (Put, "/:id", UpdatePolicy),
    (Delete, "/:id", DeletePolicy),
];

pub const MOUNTS: Mounts<Action> = &[
    ("/authsec/uflow/admin", ADMIN),
    ("/authsec/uflow/admin", GROUPS),
    ("/authsec/authmgr/admin", GROUPS),
    ("/authsec/uflow/user", USER),
    ("/authsec/authmgr/admin", CHECKS),
    ("/authsec/authmgr/user", CHECKS),
    ("/authsec/spire/policy", POLICIES),
];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let id = params.get("id");
    match action {
        ListPermissions => roles::list_permissions(ctx, req).await,
        CreatePermission => roles::create_permission(ctx, req).await,
        DeletePermission => roles::delete_permission(ctx, req, id).await,
        Resources => roles::resources(ctx, req).await,
        ListRoles => roles::list_roles(ctx, req).await,
        CreateRole => roles::create_role(ctx, req).await,
        GetRole => roles::get_role(ctx, req, id).await,
        UpdateRole => roles::update_role(ctx, req, id).await,
        DeleteRole => roles::delete_role(ctx, req, id).await,
        ListBindings => bindings::list_bindings(ctx, req).await,
        CreateBinding => bindings::create_binding(ctx, req).await,
        DeleteBinding => bindings::delete_binding(ctx, req, id).await,
        ListGroups => bindings::list_groups(ctx, req).await,
        CreateGroup => bindings::create_group(ctx, req).await,
        GetGroup => bindings::get_group(ctx, req, id).await,
        UpdateGroup => bindings::update_group(ctx, req, id).await,
        DeleteGroup => bindings::delete_group(ctx, req, id).await,
        ListMembers => bindings::list_members(ctx, req, id).await,
        AddMembers => bindings::add_members(ctx, req, id).await,
        RemoveMember => bindings::remove_member(ctx, req, id, params.get("user_id")).await,
        ListScopes(kind) => bindings::list_scopes(ctx, req, kind).await,
        CreateScope(kind) => bindings::create_scope(ctx, req, kind).await,
        UpdateScope(kind) => bindings::update_scope(ctx, req, kind, id).await,
        DeleteScope(kind) => bindings::delete_scope(ctx, req, kind, id).await,
        ListMappings => bindings::list_mappings(ctx, req).await,
        SetMapping => bindings::set_mapping(ctx, req).await,
        PolicyCheck => checks::policy_check(ctx, req).await,
        MyRolesPermissions => checks::mine(ctx, req, "me").await,
        UserCheck => checks::user_check(ctx, req).await,
        Mine(what) => checks::mine(ctx, req, what).await,
        Check(check) => checks::check(ctx, req, check).await,
        ListPolicies => abac::list_policies(ctx, req).await,
        CreatePolicy => abac::create_policy(ctx, req).await,
        GetPolicy => abac::get_policy(ctx, req, id).await,
        UpdatePolicy => abac::update_policy(ctx, req, id).await,
        DeletePolicy => abac::delete_policy(ctx, req, id).await,
        Evaluate => abac::evaluate_one(ctx, req).await,
        BatchEvaluate => abac::evaluate_batch(ctx, req).await,
        TestPolicy => abac::test(ctx, req).await,
    }
}
