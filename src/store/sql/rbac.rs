//! `RbacStore` in SQL (D1 dialect, rewritten for Postgres by the executor). Each mutation
//! is one statement or one batch; a method that answers "false if absent" and needs a
//! batch looks the row up first, and every statement of the batch is scoped to the
//! tenant, so an id of another tenant changes nothing.

use super::{SqlExecutor, SqlStore, SqlValue};
use crate::authz::{Permission, RoleDef};
use crate::ids::{TenantId, UserId};
use crate::store::rbac::{
    binding_def, is_unconditional, BindingRow, GroupRow, PermissionRow, PolicyRow, PrincipalAuthz, RbacStore, RoleRow,
    RoleSummary, ScopeRow,
};
use crate::store::StoreError;
use serde::Deserialize;
use std::collections::BTreeSet;

const PERMISSION_COLUMNS: &str = "p.id, p.tenant_id, p.resource, p.action, p.description, p.created_at";
const BINDING_COLUMNS: &str =
    "id, tenant_id, user_id, group_id, role_id, scope_type, scope_id, conditions, expires_at, created_at";

/// Links a permission of the role's tenant to the role (?1 tenant, ?2 role, ?3 permission);
/// a permission id of another tenant, or a role that is not there, links nothing.
const LINK_PERMISSION: &str = "INSERT INTO role_permissions (tenant_id, role_id, permission_id) \
     SELECT p.tenant_id, r.id, p.id FROM permissions p JOIN roles r ON r.tenant_id = p.tenant_id \
     WHERE p.tenant_id = ?1 AND r.id = ?2 AND p.id = ?3";

/// The ids once each, in their first order (a repeated id would collide on the link's key).
fn distinct(ids: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    ids.iter().map(String::as_str).filter(|id| seen.insert(*id)).collect()
}

fn link_statements<'a>(tenant_id: &str, role_id: &str, ids: &[String]) -> Vec<(&'a str, Vec<SqlValue>)> {
    distinct(ids).into_iter().map(|id| (LINK_PERMISSION, vec![tenant_id.into(), role_id.into(), id.into()])).collect()
}

impl<E: SqlExecutor> SqlStore<E> {
    async fn exists(&self, sql: &str, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        Ok(!self.executor.query(sql, &[tenant_id.into(), id.into()]).await?.is_empty())
    }

    async fn changed(&self, sql: &str, params: &[SqlValue]) -> Result<bool, StoreError> {
        Ok(self.executor.execute(sql, params).await? > 0)
    }

    /// Roles of the tenant (only `role_id` when given) with permissions and user counts.
    async fn summaries(&self, tenant_id: TenantId<'_>, role_id: Option<&str>) -> Result<Vec<RoleSummary>, StoreError> {
        #[derive(Deserialize)]
        struct Role {
            id: String,
            tenant_id: String,
            name: String,
            description: String,
            created_at: i64,
            users_assigned: i64,
        }
        #[derive(Deserialize)]
        struct Link {
            role_id: String,
            #[serde(flatten)]
            permission: PermissionRow,
        }
        let (only_role, only_link, params): (&str, &str, Vec<SqlValue>) = match role_id {
            Some(id) => (" AND r.id = ?2", " AND rp.role_id = ?2", vec![tenant_id.into(), id.into()]),
            None => ("", "", vec![tenant_id.into()]),
        };
        let roles: Vec<Role> = self
            .rows(
                &format!(
                    "SELECT r.id, r.tenant_id, r.name, r.description, r.created_at, \
                     (SELECT COUNT(DISTINCT b.user_id) FROM role_bindings b WHERE b.tenant_id = r.tenant_id \
                     AND b.role_id = r.id AND b.user_id <> '') AS users_assigned \
                     FROM roles r WHERE r.tenant_id = ?1{only_role} ORDER BY r.name, r.id"
                ),
                &params,
            )
            .await?;
        let links: Vec<Link> = self
            .rows(
                &format!(
                    "SELECT rp.role_id, {PERMISSION_COLUMNS} FROM role_permissions rp \
                     JOIN permissions p ON p.id = rp.permission_id AND p.tenant_id = rp.tenant_id \
                     WHERE rp.tenant_id = ?1{only_link} ORDER BY p.resource, p.action, p.id"
                ),
                &params,
            )
            .await?;
        Ok(roles
            .into_iter()
            .map(|r| RoleSummary {
                permissions: links.iter().filter(|l| l.role_id == r.id).map(|l| l.permission.clone()).collect(),
                users_assigned: u64::try_from(r.users_assigned).unwrap_or(0),
                role: RoleRow {
                    id: r.id,
                    tenant_id: r.tenant_id,
                    name: r.name,
                    description: r.description,
                    created_at: r.created_at,
                },
            })
            .collect())
    }
}

impl<E: SqlExecutor> RbacStore for SqlStore<E> {
    async fn create_permission(&self, p: &PermissionRow) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO permissions (id, tenant_id, resource, action, description, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    p.id.as_str().into(),
                    p.tenant_id.as_str().into(),
                    p.resource.as_str().into(),
                    p.action.as_str().into(),
                    p.description.as_str().into(),
                    p.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn permissions(&self, tenant_id: TenantId<'_>) -> Result<Vec<PermissionRow>, StoreError> {
        let sql = format!(
            "SELECT {PERMISSION_COLUMNS} FROM permissions p WHERE p.tenant_id = ?1 ORDER BY p.resource, p.action, p.id"
        );
        self.rows(&sql, &[tenant_id.into()]).await
    }

    async fn delete_permission(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        if !self.exists("SELECT id FROM permissions WHERE tenant_id = ?1 AND id = ?2", tenant_id, id).await? {
            return Ok(false);
        }
        self.executor
            .batch(&[
                (
                    "DELETE FROM role_permissions WHERE tenant_id = ?1 AND permission_id = ?2",
                    vec![tenant_id.into(), id.into()],
                ),
                ("DELETE FROM permissions WHERE tenant_id = ?1 AND id = ?2", vec![tenant_id.into(), id.into()]),
            ])
            .await?;
        Ok(true)
    }

    async fn create_role(&self, role: &RoleRow, permission_ids: &[String]) -> Result<(), StoreError> {
        let mut statements: Vec<(&str, Vec<SqlValue>)> = vec![(
            "INSERT INTO roles (id, tenant_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            vec![
                role.id.as_str().into(),
                role.tenant_id.as_str().into(),
                role.name.as_str().into(),
                role.description.as_str().into(),
                role.created_at.into(),
            ],
        )];
        statements.extend(link_statements(&role.tenant_id, &role.id, permission_ids));
        self.executor.batch(&statements).await
    }

    async fn roles(&self, tenant_id: TenantId<'_>) -> Result<Vec<RoleSummary>, StoreError> {
        self.summaries(tenant_id, None).await
    }

    async fn role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<RoleSummary>, StoreError> {
        Ok(self.summaries(tenant_id, Some(id)).await?.into_iter().next())
    }

    async fn update_role(&self, role: &RoleRow, permission_ids: Option<&[String]>) -> Result<bool, StoreError> {
        let update = "UPDATE roles SET name = ?3, description = ?4 WHERE tenant_id = ?1 AND id = ?2";
        let params: Vec<SqlValue> = vec![
            role.tenant_id.as_str().into(),
            role.id.as_str().into(),
            role.name.as_str().into(),
            role.description.as_str().into(),
        ];
        let Some(ids) = permission_ids else {
            return self.changed(update, &params).await;
        };
        if !self
            .exists("SELECT id FROM roles WHERE tenant_id = ?1 AND id = ?2", TenantId::new(&role.tenant_id), &role.id)
            .await?
        {
            return Ok(false);
        }
        let mut statements: Vec<(&str, Vec<SqlValue>)> = vec![
            (update, params),
            (
                "DELETE FROM role_permissions WHERE tenant_id = ?1 AND role_id = ?2",
                vec![role.tenant_id.as_str().into(), role.id.as_str().into()],
            ),
        ];
        statements.extend(link_statements(&role.tenant_id, &role.id, ids));
        self.executor.batch(&statements).await?;
        Ok(true)
    }

    async fn delete_role(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        if !self.exists("SELECT id FROM roles WHERE tenant_id = ?1 AND id = ?2", tenant_id, id).await? {
            return Ok(false);
        }
        self.executor
            .batch(&[
                (
                    "DELETE FROM role_permissions WHERE tenant_id = ?1 AND role_id = ?2",
                    vec![tenant_id.into(), id.into()],
                ),
                ("DELETE FROM role_bindings WHERE tenant_id = ?1 AND role_id = ?2", vec![tenant_id.into(), id.into()]),
                ("DELETE FROM roles WHERE tenant_id = ?1 AND id = ?2", vec![tenant_id.into(), id.into()]),
            ])
            .await?;
        Ok(true)
    }

    async fn create_binding(&self, b: &BindingRow) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO role_bindings ({BINDING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        let params = [
            b.id.as_str().into(),
            b.tenant_id.as_str().into(),
            b.user_id.as_str().into(),
            b.group_id.as_str().into(),
            b.role_id.as_str().into(),
            b.scope_type.as_str().into(),
            b.scope_id.as_str().into(),
            b.conditions.as_str().into(),
            b.expires_at.into(),
            b.created_at.into(),
        ];
        self.executor.execute(&sql, &params).await.map(|_| ())
    }

    async fn bindings(&self, tenant_id: TenantId<'_>) -> Result<Vec<BindingRow>, StoreError> {
        let sql = format!("SELECT {BINDING_COLUMNS} FROM role_bindings WHERE tenant_id = ?1 ORDER BY created_at, id");
        self.rows(&sql, &[tenant_id.into()]).await
    }

    async fn delete_binding(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.changed("DELETE FROM role_bindings WHERE tenant_id = ?1 AND id = ?2", &[tenant_id.into(), id.into()]).await
    }

    async fn create_group(&self, g: &GroupRow) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO rbac_groups (id, tenant_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    g.id.as_str().into(),
                    g.tenant_id.as_str().into(),
                    g.name.as_str().into(),
                    g.description.as_str().into(),
                    g.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn groups(&self, tenant_id: TenantId<'_>) -> Result<Vec<GroupRow>, StoreError> {
        self.rows(
            "SELECT id, tenant_id, name, description, created_at FROM rbac_groups WHERE tenant_id = ?1 ORDER BY name, id",
            &[tenant_id.into()],
        )
        .await
    }

    async fn update_group(&self, g: &GroupRow) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE rbac_groups SET name = ?3, description = ?4 WHERE tenant_id = ?1 AND id = ?2",
            &[g.tenant_id.as_str().into(), g.id.as_str().into(), g.name.as_str().into(), g.description.as_str().into()],
        )
        .await
    }

    async fn delete_group(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        if !self.exists("SELECT id FROM rbac_groups WHERE tenant_id = ?1 AND id = ?2", tenant_id, id).await? {
            return Ok(false);
        }
        self.executor
            .batch(&[
                ("DELETE FROM group_members WHERE tenant_id = ?1 AND group_id = ?2", vec![tenant_id.into(), id.into()]),
                ("DELETE FROM role_bindings WHERE tenant_id = ?1 AND group_id = ?2", vec![tenant_id.into(), id.into()]),
                ("DELETE FROM rbac_groups WHERE tenant_id = ?1 AND id = ?2", vec![tenant_id.into(), id.into()]),
            ])
            .await?;
        Ok(true)
    }

    async fn add_group_members(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<(), StoreError> {
        // Only into a group of this tenant; a member already there stays as it is.
        let statements: Vec<(&str, Vec<SqlValue>)> = distinct(user_ids)
            .into_iter()
            .map(|user_id| -> (&str, Vec<SqlValue>) {
                (
                    "INSERT INTO group_members (tenant_id, group_id, user_id) \
                     SELECT g.tenant_id, g.id, ?3 FROM rbac_groups g WHERE g.tenant_id = ?1 AND g.id = ?2 \
                     ON CONFLICT (group_id, user_id) DO NOTHING",
                    vec![tenant_id.into(), group_id.into(), user_id.into()],
                )
            })
            .collect();
        if statements.is_empty() {
            return Ok(());
        }
        self.executor.batch(&statements).await
    }

    async fn remove_group_member(
        &self,
        tenant_id: TenantId<'_>,
        group_id: &str,
        user_id: UserId<'_>,
    ) -> Result<bool, StoreError> {
        self.changed(
            "DELETE FROM group_members WHERE tenant_id = ?1 AND group_id = ?2 AND user_id = ?3",
            &[tenant_id.into(), group_id.into(), user_id.into()],
        )
        .await
    }

    async fn group_members(&self, tenant_id: TenantId<'_>, group_id: &str) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            user_id: String,
        }
        let rows: Vec<Row> = self
            .rows(
                "SELECT user_id FROM group_members WHERE tenant_id = ?1 AND group_id = ?2 ORDER BY user_id",
                &[tenant_id.into(), group_id.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.user_id).collect())
    }

    async fn create_scope(&self, s: &ScopeRow) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO scopes (id, tenant_id, kind, name, description, permissions, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    s.id.as_str().into(),
                    s.tenant_id.as_str().into(),
                    s.kind.as_str().into(),
                    s.name.as_str().into(),
                    s.description.as_str().into(),
                    s.permissions.as_str().into(),
                    s.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn scopes(&self, tenant_id: TenantId<'_>, kind: &str) -> Result<Vec<ScopeRow>, StoreError> {
        self.rows(
            "SELECT id, tenant_id, kind, name, description, permissions, created_at FROM scopes \
             WHERE tenant_id = ?1 AND kind = ?2 ORDER BY name, id",
            &[tenant_id.into(), kind.into()],
        )
        .await
    }

    async fn update_scope(&self, s: &ScopeRow) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE scopes SET name = ?4, description = ?5, permissions = ?6 WHERE tenant_id = ?1 AND kind = ?2 AND id = ?3",
            &[
                s.tenant_id.as_str().into(),
                s.kind.as_str().into(),
                s.id.as_str().into(),
                s.name.as_str().into(),
                s.description.as_str().into(),
                s.permissions.as_str().into(),
            ],
        )
        .await
    }

    async fn delete_scope(&self, tenant_id: TenantId<'_>, kind: &str, id: &str) -> Result<bool, StoreError> {
        self.changed(
            "DELETE FROM scopes WHERE tenant_id = ?1 AND kind = ?2 AND id = ?3",
            &[tenant_id.into(), kind.into(), id.into()],
        )
        .await
    }

    async fn create_policy(&self, p: &PolicyRow) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO abac_policies (id, tenant_id, name, document, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    p.id.as_str().into(),
                    p.tenant_id.as_str().into(),
                    p.name.as_str().into(),
                    p.document.as_str().into(),
                    p.created_at.into(),
                    p.updated_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn policies(&self, tenant_id: TenantId<'_>) -> Result<Vec<PolicyRow>, StoreError> {
        self.rows(
            "SELECT id, tenant_id, name, document, created_at, updated_at FROM abac_policies \
             WHERE tenant_id = ?1 ORDER BY name, id",
            &[tenant_id.into()],
        )
        .await
    }

    async fn update_policy(&self, p: &PolicyRow) -> Result<bool, StoreError> {
        self.changed(
            "UPDATE abac_policies SET name = ?3, document = ?4, updated_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
            &[
                p.tenant_id.as_str().into(),
                p.id.as_str().into(),
                p.name.as_str().into(),
                p.document.as_str().into(),
                p.updated_at.into(),
            ],
        )
        .await
    }

    async fn delete_policy(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.changed("DELETE FROM abac_policies WHERE tenant_id = ?1 AND id = ?2", &[tenant_id.into(), id.into()]).await
    }

    async fn principal_authz(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
    ) -> Result<PrincipalAuthz, StoreError> {
        #[derive(Deserialize)]
        struct Member {
            group_id: String,
        }
        #[derive(Deserialize)]
        struct Grant {
            id: String,
            name: String,
            resource: Option<String>,
            action: Option<String>,
        }
        let principal = [tenant_id.into(), user_id.into()];
        let members: Vec<Member> = self
            .rows(
                "SELECT group_id FROM group_members WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY group_id",
                &principal,
            )
            .await?;
        let grants: Vec<Grant> = self
            .rows(
                "SELECT r.id, r.name, p.resource, p.action FROM roles r \
                 LEFT JOIN role_permissions rp ON rp.role_id = r.id AND rp.tenant_id = r.tenant_id \
                 LEFT JOIN permissions p ON p.id = rp.permission_id AND p.tenant_id = r.tenant_id \
                 WHERE r.tenant_id = ?1 ORDER BY r.name, r.id, p.resource, p.action",
                &[tenant_id.into()],
            )
            .await?;
        let bindings: Vec<BindingRow> = self
            .rows(
                &format!(
                    "SELECT {BINDING_COLUMNS} FROM role_bindings WHERE tenant_id = ?1 AND \
                     ((group_id = '' AND user_id = ?2) OR (group_id <> '' AND group_id IN \
                     (SELECT group_id FROM group_members WHERE tenant_id = ?1 AND user_id = ?2))) \
                     ORDER BY created_at, id"
                ),
                &principal,
            )
            .await?;
        let mut roles: Vec<RoleDef> = Vec::new();
        for grant in grants {
            if roles.last().is_none_or(|r| r.id != grant.id) {
                roles.push(RoleDef { id: grant.id.clone(), name: grant.name.clone(), permissions: Vec::new() });
            }
            let parsed = grant.resource.zip(grant.action).and_then(|(r, a)| Permission::new(&r, &a).ok());
            if let (Some(permission), Some(role)) = (parsed, roles.last_mut()) {
                role.permissions.push(permission);
            }
        }
        Ok(PrincipalAuthz {
            groups: members.into_iter().map(|m| m.group_id).collect(),
            roles,
            bindings: bindings.into_iter().filter(is_unconditional).map(binding_def).collect(),
        })
    }
}
