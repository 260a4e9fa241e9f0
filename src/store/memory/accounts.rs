//! The in-memory account store: the reference the SQL implementations are held to
//! (the contract tests run against all of them).

use super::MemoryStore;
use crate::ids::{ClientId, TenantId, UserId};
use crate::store::accounts::{
    after_failure, AccountStore, Client, DevOutbox, LoginCounters, NewTenant, OutboxMail, User, UserKind, UserStatus,
};
use crate::store::admin::{Project, TenantAdminStore};
use crate::store::clients::{ClientStore, Page};
use crate::store::invitations::{Invitation, InvitationStatus, InvitationStore};
use crate::store::StoreError;

#[derive(Debug, Default)]
pub struct Accounts {
    users: Vec<User>,
    invitations: Vec<Invitation>,
    projects: Vec<Project>,
    clients: Vec<Client>,
    outbox: Vec<OutboxMail>,
}

impl AccountStore for MemoryStore {
    async fn register_tenant(&self, new: &NewTenant) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let mut tenants = self.tenants.borrow_mut();
        if tenants.iter().any(|t| t.id == new.tenant.id || t.domain == new.tenant.domain) {
            return Err(StoreError::Conflict("tenant domain".into()));
        }
        if accounts.users.iter().any(|u| u.kind == UserKind::Admin && u.email == new.admin.email) {
            return Err(StoreError::Conflict("admin email".into()));
        }
        let mut rbac = self.rbac.borrow_mut();
        if !rbac.can_register(new) {
            return Err(StoreError::Conflict("admin role or binding id".into()));
        }
        rbac.register(new);
        tenants.push(new.tenant.clone());
        accounts.users.push(new.admin.clone());
        accounts.projects.push(Project {
            id: new.project_id.clone(),
            tenant_id: new.tenant.id.clone(),
            name: "Default project".into(),
            description: String::new(),
            is_default: 1,
            created_at: new.tenant.created_at,
        });
        accounts.clients.push(Client {
            name: "Default client".into(),
            email: new.admin.email.clone(),
            client_type: "public".into(),
            is_default: 1,
            ..Client::new(
                new.client_row_id.clone(),
                new.client_id.clone(),
                new.tenant.id.clone(),
                new.project_id.clone(),
                new.tenant.created_at,
            )
        });
        Ok(())
    }

    async fn admin_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        Ok(accounts.users.iter().find(|u| u.kind == UserKind::Admin && u.email == email).cloned())
    }

    async fn user_by_email(&self, tenant_id: TenantId<'_>, email: &str) -> Result<Option<User>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        Ok(accounts.users.iter().find(|u| u.tenant_id == tenant_id && u.email == email).cloned())
    }

    async fn user_by_id(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Option<User>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        Ok(accounts.users.iter().find(|u| u.tenant_id == tenant_id && u.id == user_id).cloned())
    }

    async fn record_login_failure(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<LoginCounters, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let user = accounts
            .users
            .iter_mut()
            .find(|u| u.tenant_id == tenant_id && u.id == user_id)
            .ok_or_else(|| StoreError::Corrupt("no such user".into()))?;
        let next = after_failure(
            LoginCounters { failed_logins: user.failed_logins, locked_until: user.locked_until },
            now,
            max,
            lock_secs,
        );
        user.failed_logins = next.failed_logins;
        user.locked_until = next.locked_until;
        Ok(next)
    }

    async fn record_login_success(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        rehashed: Option<&str>,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        if let Some(user) = accounts.users.iter_mut().find(|u| u.tenant_id == tenant_id && u.id == user_id) {
            user.failed_logins = 0;
            user.locked_until = None;
            user.last_login_at = Some(now);
            if let Some(hash) = rehashed {
                user.password_hash = hash.to_string();
            }
        }
        Ok(())
    }

    async fn tenant_roles(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.check_up()?;
        Ok(self.rbac.borrow().tenant_roles(&tenant_id, &user_id, now))
    }

    async fn tenant_defaults(&self, tenant_id: TenantId<'_>) -> Result<Option<(String, String)>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let default = accounts.clients.iter().find(|c| c.tenant_id == tenant_id && c.is_default == 1);
        Ok(default.map(|c| (c.client_id.clone(), c.project_id.clone())))
    }

    async fn client_by_client_id(&self, client_id: ClientId<'_>) -> Result<Option<Client>, StoreError> {
        self.check_up()?;
        Ok(self.accounts.borrow().clients.iter().find(|c| c.client_id == client_id).cloned())
    }

    async fn create_user(&self, user: &User) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let taken = accounts.users.iter().any(|u| {
            u.id == user.id
                || (u.tenant_id == user.tenant_id && u.email == user.email)
                || (user.kind == UserKind::Admin && u.kind == UserKind::Admin && u.email == user.email)
        });
        if taken {
            return Err(StoreError::Conflict("user email".into()));
        }
        accounts.users.push(user.clone());
        Ok(())
    }

    async fn set_password(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        if let Some(user) = accounts.users.iter_mut().find(|u| u.tenant_id == tenant_id && u.id == user_id) {
            user.password_hash = password_hash.to_string();
            user.failed_logins = 0;
            user.locked_until = None;
        }
        Ok(())
    }
}

impl DevOutbox for MemoryStore {
    async fn put_mail(&self, mail: &OutboxMail) -> Result<(), StoreError> {
        self.check_up()?;
        self.accounts.borrow_mut().outbox.push(mail.clone());
        Ok(())
    }

    async fn mail_for(&self, recipient: &str) -> Result<Vec<OutboxMail>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let mut mail: Vec<OutboxMail> = accounts.outbox.iter().filter(|m| m.recipient == recipient).cloned().collect();
        mail.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        Ok(mail)
    }
}

impl ClientStore for MemoryStore {
    async fn create_client(&self, client: &Client) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        if accounts.clients.iter().any(|c| c.id == client.id || c.client_id == client.client_id) {
            return Err(StoreError::Conflict("client id".into()));
        }
        accounts.clients.push(client.clone());
        Ok(())
    }

    async fn list_clients(&self, tenant_id: TenantId<'_>, offset: u64, limit: u64) -> Result<Page<Client>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let mut live: Vec<&Client> =
            accounts.clients.iter().filter(|c| c.tenant_id == tenant_id && c.deleted_at.is_none()).collect();
        live.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let items = live
            .iter()
            .skip(super::saturating_usize(offset))
            .take(super::saturating_usize(limit))
            .map(|c| (*c).clone())
            .collect();
        Ok(Page { items, total: crate::cast::usize_to_u64(live.len()) })
    }

    async fn tenant_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<Client>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        Ok(accounts.clients.iter().find(|c| c.tenant_id == tenant_id && (c.id == id || c.client_id == id)).cloned())
    }

    async fn update_client(&self, client: &Client) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        match accounts.clients.iter_mut().find(|c| c.tenant_id == client.tenant_id && c.id == client.id) {
            Some(stored) => {
                *stored =
                    Client { client_id: stored.client_id.clone(), is_default: stored.is_default, ..client.clone() };
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let before = accounts.clients.len();
        accounts.clients.retain(|c| !(c.tenant_id == tenant_id && c.id == id));
        Ok(accounts.clients.len() != before)
    }
}

impl TenantAdminStore for MemoryStore {
    async fn list_users(
        &self,
        tenant_id: TenantId<'_>,
        kind: UserKind,
        offset: u64,
        limit: u64,
    ) -> Result<Page<User>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let mut users: Vec<&User> =
            accounts.users.iter().filter(|u| u.tenant_id == tenant_id && u.kind == kind).collect();
        users.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let items = users
            .iter()
            .skip(super::saturating_usize(offset))
            .take(super::saturating_usize(limit))
            .map(|u| (*u).clone())
            .collect();
        Ok(Page { items, total: crate::cast::usize_to_u64(users.len()) })
    }

    async fn set_user_status(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        status: UserStatus,
    ) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        Ok(match accounts.users.iter_mut().find(|u| u.tenant_id == tenant_id && u.id == user_id) {
            Some(user) => {
                user.status = status;
                true
            }
            None => false,
        })
    }

    async fn delete_user(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let before = accounts.users.len();
        accounts.users.retain(|u| !(u.tenant_id == tenant_id && u.id == user_id));
        let removed = accounts.users.len() != before;
        if removed {
            self.rbac.borrow_mut().forget_user(&tenant_id, &user_id);
            self.mfa.borrow_mut().forget_user(&user_id);
            self.flows.borrow_mut().forget_user(&user_id);
            self.consents.borrow_mut().retain(|(t, u, _), _| !(t == tenant_id.as_str() && u == user_id.as_str()));
        }
        Ok(removed)
    }

    async fn list_projects(&self, tenant_id: TenantId<'_>) -> Result<Vec<Project>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let mut projects: Vec<Project> =
            accounts.projects.iter().filter(|p| p.tenant_id == tenant_id).cloned().collect();
        projects.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(projects)
    }

    async fn create_project(&self, project: &Project) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        if accounts.projects.iter().any(|p| p.id == project.id) {
            return Err(StoreError::Conflict("project id".into()));
        }
        accounts.projects.push(project.clone());
        Ok(())
    }

    async fn update_project(&self, project: &Project) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        Ok(match accounts.projects.iter_mut().find(|p| p.tenant_id == project.tenant_id && p.id == project.id) {
            Some(stored) => {
                stored.name = project.name.clone();
                stored.description = project.description.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_project(&self, tenant_id: TenantId<'_>, project_id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let before = accounts.projects.len();
        accounts.projects.retain(|p| !(p.tenant_id == tenant_id && p.id == project_id && p.is_default == 0));
        Ok(accounts.projects.len() != before)
    }
}

impl InvitationStore for MemoryStore {
    async fn create_invitation(&self, invitation: &Invitation) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        if accounts.invitations.iter().any(|i| i.id == invitation.id || i.token_hash == invitation.token_hash) {
            return Err(StoreError::Conflict("invitation".into()));
        }
        accounts.invitations.push(invitation.clone());
        Ok(())
    }

    async fn pending_invitations(&self, tenant_id: TenantId<'_>) -> Result<Vec<Invitation>, StoreError> {
        self.check_up()?;
        let accounts = self.accounts.borrow();
        let mut pending: Vec<Invitation> = accounts
            .invitations
            .iter()
            .filter(|i| i.tenant_id == tenant_id && i.status == InvitationStatus::Pending)
            .cloned()
            .collect();
        pending.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(pending)
    }

    async fn invitation_by_token_hash(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
        self.check_up()?;
        Ok(self.accounts.borrow().invitations.iter().find(|i| i.token_hash == token_hash).cloned())
    }

    async fn update_invitation(&self, invitation: &Invitation) -> Result<bool, StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        Ok(
            match accounts.invitations.iter_mut().find(|i| i.tenant_id == invitation.tenant_id && i.id == invitation.id)
            {
                Some(stored) => {
                    stored.status = invitation.status;
                    stored.token_hash = invitation.token_hash.clone();
                    stored.expires_at = invitation.expires_at;
                    true
                }
                None => false,
            },
        )
    }

    async fn role_id(&self, tenant_id: TenantId<'_>, name: &str) -> Result<Option<String>, StoreError> {
        self.check_up()?;
        Ok(self.rbac.borrow().role_id(&tenant_id, name))
    }

    async fn accept_invitation(
        &self,
        invitation_id: &str,
        user: &User,
        role_id: &str,
        binding_id: &str,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let mut accounts = self.accounts.borrow_mut();
        let taken = accounts.users.iter().any(|u| {
            (u.tenant_id == user.tenant_id && u.email == user.email)
                || (user.kind == UserKind::Admin && u.kind == UserKind::Admin && u.email == user.email)
        });
        if taken {
            return Err(StoreError::Conflict("user email".into()));
        }
        if !accounts.invitations.iter().any(|i| i.id == invitation_id) {
            return Err(StoreError::Corrupt("no such invitation".into()));
        }
        self.rbac.borrow_mut().bind_user(binding_id, &user.tenant_id, &user.id, role_id, user.created_at)?;
        accounts.users.push(user.clone());
        if let Some(invitation) = accounts.invitations.iter_mut().find(|i| i.id == invitation_id) {
            invitation.status = InvitationStatus::Accepted;
        }
        Ok(())
    }
}
