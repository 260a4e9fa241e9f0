//! Accounts in D1's SQLite dialect (see `sql`): one statement or one batch per method.

use super::{SqlExecutor, SqlStore, SqlValue};
use crate::ids::{ClientId, TenantId, UserId};
use crate::store::accounts::{
    AccountStore, Client, DevOutbox, LoginCounters, NewTenant, OutboxMail, User, UserKind, UserStatus,
};
use crate::store::admin::{Project, TenantAdminStore};
use crate::store::clients::{ClientStore, Page};
use crate::store::invitations::{Invitation, InvitationStore};
use crate::store::StoreError;
use serde::Deserialize;

const CLIENT_COLUMNS: &str = "id, client_id, tenant_id, project_id, name, email, client_type, platform, \
                              react_app_url, redirect_uris, grant_types, secret_hash, active, is_default, \
                              deleted_at, created_at, updated_at, post_logout_redirect_uris, \
                              token_endpoint_auth_method, jwks, require_par, dpop_bound, introspect_any, \
                              registration_token_hash";

const USER_COLUMNS: &str = "id, tenant_id, email, name, kind, status, password_hash, email_verified, \
                            failed_logins, locked_until, created_at, last_login_at";

impl<E: SqlExecutor> AccountStore for SqlStore<E> {
    async fn register_tenant(&self, new: &NewTenant) -> Result<(), StoreError> {
        let t = &new.tenant;
        let a = &new.admin;
        let now = t.created_at;
        let all = crate::store::rbac::all_permission_id(&t.id);
        let statements: Vec<(&str, Vec<SqlValue>)> = vec![
            (
                "INSERT INTO tenants (id, domain, name, status, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                vec![t.id.as_str().into(), t.domain.as_str().into(), t.name.as_str().into(), t.status.as_str().into(), now.into()],
            ),
            (
                "INSERT INTO projects (id, tenant_id, name, description, is_default, created_at) \
                 VALUES (?1, ?2, 'Default project', '', 1, ?3)",
                vec![new.project_id.as_str().into(), t.id.as_str().into(), now.into()],
            ),
            insert_user(a),
            (
                "INSERT INTO clients (id, client_id, tenant_id, project_id, name, email, is_default, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, 'Default client', ?5, 1, ?6, ?6)",
                vec![
                    new.client_row_id.as_str().into(),
                    new.client_id.as_str().into(),
                    t.id.as_str().into(),
                    new.project_id.as_str().into(),
                    a.email.as_str().into(),
                    now.into(),
                ],
            ),
            (
                "INSERT INTO roles (id, tenant_id, name, description, created_at) \
                 VALUES (?1, ?2, 'admin', 'Full access to the tenant', ?3)",
                vec![new.admin_role_id.as_str().into(), t.id.as_str().into(), now.into()],
            ),
            (
                "INSERT INTO role_bindings (id, tenant_id, user_id, role_id, scope_type, scope_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, '*', '*', ?5)",
                vec![
                    new.binding_id.as_str().into(),
                    t.id.as_str().into(),
                    a.id.as_str().into(),
                    new.admin_role_id.as_str().into(),
                    now.into(),
                ],
            ),
            // The admin role grants everything: `*:*`.
            (
                "INSERT INTO permissions (id, tenant_id, resource, action, description, created_at) \
                 VALUES (?1, ?2, '*', '*', ?3, ?4)",
                vec![all.as_str().into(), t.id.as_str().into(), crate::store::rbac::ALL_PERMISSION_DESCRIPTION.into(), now.into()],
            ),
            (
                "INSERT INTO role_permissions (tenant_id, role_id, permission_id) VALUES (?1, ?2, ?3)",
                vec![t.id.as_str().into(), new.admin_role_id.as_str().into(), all.as_str().into()],
            ),
        ];
        self.executor.batch(&statements).await
    }

    async fn admin_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1 AND kind = 'admin'");
        self.optional(&sql, &[email.into()]).await
    }

    async fn user_by_email(&self, tenant_id: TenantId<'_>, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ?1 AND email = ?2");
        self.optional(&sql, &[tenant_id.into(), email.into()]).await
    }

    async fn user_by_id(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ?1 AND id = ?2");
        self.optional(&sql, &[tenant_id.into(), user_id.into()]).await
    }

    async fn record_login_failure(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<LoginCounters, StoreError> {
        // One statement, so concurrent failures cannot lose counts. The expressions read
        // the row as it was: the same rule as accounts::after_failure.
        let sql = "UPDATE users SET \
             failed_logins = CASE \
                 WHEN locked_until IS NOT NULL AND locked_until > ?3 THEN failed_logins + 1 \
                 WHEN locked_until IS NOT NULL THEN 1 \
                 ELSE failed_logins + 1 END, \
             locked_until = CASE \
                 WHEN locked_until IS NOT NULL AND locked_until > ?3 THEN locked_until \
                 WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END) >= ?4 \
                     THEN CAST(?3 AS BIGINT) + CAST(?5 AS BIGINT) \
                 ELSE NULL END \
             WHERE tenant_id = ?1 AND id = ?2 \
             RETURNING failed_logins, locked_until";
        self.optional(sql, &[tenant_id.into(), user_id.into(), now.into(), max.into(), lock_secs.into()])
            .await?
            .ok_or_else(|| StoreError::Corrupt("no such user".into()))
    }

    async fn record_login_success(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        rehashed: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash = rehashed.map_or(SqlValue::Null, SqlValue::from);
        self.executor
            .execute(
                "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ?3, \
                 password_hash = COALESCE(?4, password_hash) WHERE tenant_id = ?1 AND id = ?2",
                &[tenant_id.into(), user_id.into(), now.into(), hash],
            )
            .await
            .map(|_| ())
    }

    async fn tenant_roles(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            name: String,
        }
        let rows: Vec<Row> = self
            .rows(
                "SELECT DISTINCT r.name AS name FROM role_bindings b JOIN roles r ON r.id = b.role_id AND r.tenant_id = b.tenant_id \
                 WHERE b.tenant_id = ?1 AND b.user_id = ?2 AND b.group_id = '' AND b.scope_type = '*' AND b.scope_id = '*' \
                 AND (b.expires_at IS NULL OR b.expires_at > ?3) AND b.conditions IN ('', '{}', '[]', 'null') ORDER BY r.name",
                &[tenant_id.into(), user_id.into(), now.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    async fn tenant_defaults(&self, tenant_id: TenantId<'_>) -> Result<Option<(String, String)>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            client_id: String,
            project_id: String,
        }
        let row: Option<Row> = self
            .optional(
                "SELECT client_id, project_id FROM clients WHERE tenant_id = ?1 AND is_default = 1 LIMIT 1",
                &[tenant_id.into()],
            )
            .await?;
        Ok(row.map(|r| (r.client_id, r.project_id)))
    }

    async fn client_by_client_id(&self, client_id: ClientId<'_>) -> Result<Option<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE client_id = ?1");
        self.optional(&sql, &[client_id.into()]).await
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        let (sql, params) = insert_user(user);
        self.executor.execute(sql, &params).await.map(|_| ())
    }

    async fn set_password(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.executor
            .execute(
                "UPDATE users SET password_hash = ?3, failed_logins = 0, locked_until = NULL WHERE tenant_id = ?1 AND id = ?2",
                &[tenant_id.into(), user_id.into(), password_hash.into()],
            )
            .await
            .map(|_| ())
    }
}

impl<E: SqlExecutor> DevOutbox for SqlStore<E> {
    async fn put_mail(&self, mail: &OutboxMail) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO dev_outbox (id, recipient, subject, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    mail.id.as_str().into(),
                    mail.recipient.as_str().into(),
                    mail.subject.as_str().into(),
                    mail.body.as_str().into(),
                    mail.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn mail_for(&self, recipient: &str) -> Result<Vec<OutboxMail>, StoreError> {
        self.rows(
            "SELECT id, recipient, subject, body, created_at FROM dev_outbox WHERE recipient = ?1 \
             ORDER BY created_at DESC, id DESC LIMIT 50",
            &[recipient.into()],
        )
        .await
    }
}

impl<E: SqlExecutor> ClientStore for SqlStore<E> {
    async fn create_client(&self, c: &Client) -> Result<(), StoreError> {
        let mut params = client_params(c);
        params.extend([c.client_id.as_str().into(), c.is_default.into(), c.created_at.into()]);
        self.executor
            .execute(
                "INSERT INTO clients (tenant_id, id, project_id, name, email, client_type, platform, react_app_url, \
                 redirect_uris, grant_types, secret_hash, active, deleted_at, updated_at, post_logout_redirect_uris, \
                 token_endpoint_auth_method, jwks, require_par, dpop_bound, introspect_any, registration_token_hash, \
                 client_id, is_default, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, \
                 ?21, ?22, ?23, ?24)",
                &params,
            )
            .await
            .map(|_| ())
    }

    async fn list_clients(&self, tenant_id: TenantId<'_>, offset: u64, limit: u64) -> Result<Page<Client>, StoreError> {
        #[derive(Deserialize)]
        struct Count {
            total: i64,
        }
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM clients WHERE tenant_id = ?1 AND deleted_at IS NULL \
             ORDER BY created_at, id LIMIT ?2 OFFSET ?3"
        );
        let items = self
            .rows(&sql, &[tenant_id.into(), super::sql_count(limit).into(), super::sql_count(offset).into()])
            .await?;
        let count: Option<Count> = self
            .optional(
                "SELECT COUNT(*) AS total FROM clients WHERE tenant_id = ?1 AND deleted_at IS NULL",
                &[tenant_id.into()],
            )
            .await?;
        Ok(Page { items, total: count.map_or(0, |c| u64::try_from(c.total).unwrap_or(0)) })
    }

    async fn tenant_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<Client>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE tenant_id = ?1 AND (id = ?2 OR client_id = ?2)");
        self.optional(&sql, &[tenant_id.into(), id.into()]).await
    }

    async fn update_client(&self, c: &Client) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE clients SET project_id = ?3, name = ?4, email = ?5, client_type = ?6, platform = ?7, \
                 react_app_url = ?8, redirect_uris = ?9, grant_types = ?10, secret_hash = ?11, active = ?12, \
                 deleted_at = ?13, updated_at = ?14, post_logout_redirect_uris = ?15, token_endpoint_auth_method = ?16, \
                 jwks = ?17, require_par = ?18, dpop_bound = ?19, introspect_any = ?20, registration_token_hash = ?21 \
                 WHERE tenant_id = ?1 AND id = ?2",
                &client_params(c),
            )
            .await?;
        Ok(changed > 0)
    }

    async fn delete_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute("DELETE FROM clients WHERE tenant_id = ?1 AND id = ?2", &[tenant_id.into(), id.into()])
            .await?;
        Ok(changed > 0)
    }
}

impl<E: SqlExecutor> TenantAdminStore for SqlStore<E> {
    async fn list_users(
        &self,
        tenant_id: TenantId<'_>,
        kind: UserKind,
        offset: u64,
        limit: u64,
    ) -> Result<Page<User>, StoreError> {
        #[derive(Deserialize)]
        struct Count {
            total: i64,
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ?1 AND kind = ?2 ORDER BY created_at, id LIMIT ?3 OFFSET ?4"
        );
        let items = self
            .rows(
                &sql,
                &[
                    tenant_id.into(),
                    kind.as_str().into(),
                    super::sql_count(limit).into(),
                    super::sql_count(offset).into(),
                ],
            )
            .await?;
        let count: Option<Count> = self
            .optional(
                "SELECT COUNT(*) AS total FROM users WHERE tenant_id = ?1 AND kind = ?2",
                &[tenant_id.into(), kind.as_str().into()],
            )
            .await?;
        Ok(Page { items, total: count.map_or(0, |c| u64::try_from(c.total).unwrap_or(0)) })
    }

    async fn set_user_status(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        status: UserStatus,
    ) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE users SET status = ?3 WHERE tenant_id = ?1 AND id = ?2",
                &[tenant_id.into(), user_id.into(), status.as_str().into()],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn delete_user(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<bool, StoreError> {
        if self.user_by_id(tenant_id, user_id).await?.is_none() {
            return Ok(false);
        }
        self.executor
            .batch(&[
                (
                    "DELETE FROM role_bindings WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                (
                    "DELETE FROM group_members WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                // The schema cascades too; explicit deletes keep this true where foreign
                // keys are not enforced.
                (
                    "DELETE FROM totp_devices WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                (
                    "DELETE FROM backup_codes WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                ("DELETE FROM passkeys WHERE tenant_id = ?1 AND user_id = ?2", vec![tenant_id.into(), user_id.into()]),
                (
                    "DELETE FROM ciba_devices WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                (
                    "DELETE FROM oauth_consents WHERE tenant_id = ?1 AND user_id = ?2",
                    vec![tenant_id.into(), user_id.into()],
                ),
                ("DELETE FROM users WHERE tenant_id = ?1 AND id = ?2", vec![tenant_id.into(), user_id.into()]),
            ])
            .await?;
        Ok(true)
    }

    async fn list_projects(&self, tenant_id: TenantId<'_>) -> Result<Vec<Project>, StoreError> {
        self.rows(
            "SELECT id, tenant_id, name, description, is_default, created_at FROM projects WHERE tenant_id = ?1 ORDER BY created_at, id",
            &[tenant_id.into()],
        )
        .await
    }

    async fn create_project(&self, p: &Project) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO projects (id, tenant_id, name, description, is_default, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    p.id.as_str().into(),
                    p.tenant_id.as_str().into(),
                    p.name.as_str().into(),
                    p.description.as_str().into(),
                    p.is_default.into(),
                    p.created_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn update_project(&self, p: &Project) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE projects SET name = ?3, description = ?4 WHERE tenant_id = ?1 AND id = ?2",
                &[
                    p.tenant_id.as_str().into(),
                    p.id.as_str().into(),
                    p.name.as_str().into(),
                    p.description.as_str().into(),
                ],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn delete_project(&self, tenant_id: TenantId<'_>, project_id: &str) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "DELETE FROM projects WHERE tenant_id = ?1 AND id = ?2 AND is_default = 0",
                &[tenant_id.into(), project_id.into()],
            )
            .await?;
        Ok(changed > 0)
    }
}

const INVITATION_COLUMNS: &str = "id, tenant_id, email, role, token_hash, invited_by, status, created_at, expires_at";

impl<E: SqlExecutor> InvitationStore for SqlStore<E> {
    async fn create_invitation(&self, i: &Invitation) -> Result<(), StoreError> {
        self.executor
            .execute(
                "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, status, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    i.id.as_str().into(),
                    i.tenant_id.as_str().into(),
                    i.email.as_str().into(),
                    i.role.as_str().into(),
                    i.token_hash.as_str().into(),
                    i.invited_by.as_str().into(),
                    i.status.as_str().into(),
                    i.created_at.into(),
                    i.expires_at.into(),
                ],
            )
            .await
            .map(|_| ())
    }

    async fn pending_invitations(&self, tenant_id: TenantId<'_>) -> Result<Vec<Invitation>, StoreError> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE tenant_id = ?1 AND status = 'pending' ORDER BY created_at, id"
        );
        self.rows(&sql, &[tenant_id.into()]).await
    }

    async fn invitation_by_token_hash(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?1");
        self.optional(&sql, &[token_hash.into()]).await
    }

    async fn update_invitation(&self, i: &Invitation) -> Result<bool, StoreError> {
        let changed = self
            .executor
            .execute(
                "UPDATE invitations SET status = ?3, token_hash = ?4, expires_at = ?5 WHERE tenant_id = ?1 AND id = ?2",
                &[
                    i.tenant_id.as_str().into(),
                    i.id.as_str().into(),
                    i.status.as_str().into(),
                    i.token_hash.as_str().into(),
                    i.expires_at.into(),
                ],
            )
            .await?;
        Ok(changed > 0)
    }

    async fn role_id(&self, tenant_id: TenantId<'_>, name: &str) -> Result<Option<String>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
        }
        let row: Option<Row> = self
            .optional("SELECT id FROM roles WHERE tenant_id = ?1 AND name = ?2", &[tenant_id.into(), name.into()])
            .await?;
        Ok(row.map(|r| r.id))
    }

    async fn accept_invitation(
        &self,
        invitation_id: &str,
        u: &User,
        role_id: &str,
        binding_id: &str,
    ) -> Result<(), StoreError> {
        let statements: Vec<(&str, Vec<SqlValue>)> = vec![
            insert_user(u),
            (
                "INSERT INTO role_bindings (id, tenant_id, user_id, role_id, scope_type, scope_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, '*', '*', ?5)",
                vec![
                    binding_id.into(),
                    u.tenant_id.as_str().into(),
                    u.id.as_str().into(),
                    role_id.into(),
                    u.created_at.into(),
                ],
            ),
            (
                "UPDATE invitations SET status = 'accepted' WHERE id = ?1 AND tenant_id = ?2",
                vec![invitation_id.into(), u.tenant_id.as_str().into()],
            ),
        ];
        self.executor.batch(&statements).await
    }
}

/// The one INSERT of a user, shared by registration, sign-up and invitations.
fn insert_user(u: &User) -> (&'static str, Vec<SqlValue>) {
    (
        "INSERT INTO users (id, tenant_id, email, name, kind, status, password_hash, email_verified, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        vec![
            u.id.as_str().into(),
            u.tenant_id.as_str().into(),
            u.email.as_str().into(),
            u.name.as_str().into(),
            u.kind.as_str().into(),
            u.status.as_str().into(),
            u.password_hash.as_str().into(),
            u.email_verified.into(),
            u.created_at.into(),
        ],
    )
}

/// `tenant_id, id`, then the mutable fields, in the order both the INSERT and the UPDATE
/// of a client number them (?1 to ?14).
fn client_params(c: &Client) -> Vec<SqlValue> {
    vec![
        c.tenant_id.as_str().into(),
        c.id.as_str().into(),
        c.project_id.as_str().into(),
        c.name.as_str().into(),
        c.email.as_str().into(),
        c.client_type.as_str().into(),
        c.platform.as_str().into(),
        c.react_app_url.as_str().into(),
        c.redirect_uris.as_str().into(),
        c.grant_types.as_str().into(),
        c.secret_hash.as_deref().map_or(SqlValue::Null, SqlValue::from),
        c.active.into(),
        c.deleted_at.into(),
        c.updated_at.into(),
        c.post_logout_redirect_uris.as_str().into(),
        c.token_endpoint_auth_method.as_str().into(),
        c.jwks.as_str().into(),
        c.require_par.into(),
        c.dpop_bound.into(),
        c.introspect_any.into(),
        c.registration_token_hash.as_deref().map_or(SqlValue::Null, SqlValue::from),
    ]
}
