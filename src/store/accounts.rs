//! Account records and the intent-level operations on them.

use super::StoreError;
use crate::ids::{ClientId, TenantId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    Admin,
    Enduser,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Admin => "admin",
            UserKind::Enduser => "enduser",
        }
    }
}

/// Whether a user may sign in. Stored and sent as `active` / `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub kind: UserKind,
    pub status: UserStatus,
    pub password_hash: String,
    pub email_verified: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }

    pub fn locked_at(&self, now: i64) -> Option<i64> {
        self.locked_until.filter(|&until| until > now)
    }
}

/// Everything `complete-registration` creates, written at once or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTenant {
    pub tenant: super::Tenant,
    pub project_id: String,
    pub admin: User,
    pub client_id: String,
    pub client_row_id: String,
    pub admin_role_id: String,
    pub binding_id: String,
}

/// The failed-login counters after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginCounters {
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
}

/// Lockout rule: `max` consecutive failures lock the account for `lock_secs`; the first
/// failure after a lock expired starts counting afresh.
pub fn after_failure(current: LoginCounters, now: i64, max: i64, lock_secs: i64) -> LoginCounters {
    if current.locked_until.is_some_and(|until| until > now) {
        return LoginCounters { failed_logins: current.failed_logins + 1, ..current };
    }
    let failed = if current.locked_until.is_some() { 1 } else { current.failed_logins + 1 };
    LoginCounters { failed_logins: failed, locked_until: (failed >= max).then_some(now + lock_secs) }
}

/// The stored form of a client secret: a keyed hash bound to the client, compared in
/// constant time, never the secret itself.
pub fn client_secret_hash(pepper: &[u8], client_id: &str, secret: &str) -> String {
    crate::secret::keyed_hash(pepper, &["client-secret", client_id, secret])
}

/// An OAuth client of a tenant (the `clients` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub client_id: String,
    pub tenant_id: String,
    pub project_id: String,
    pub name: String,
    pub email: String,
    pub client_type: String,
    pub platform: String,
    pub react_app_url: String,
    /// JSON array of strings.
    pub redirect_uris: String,
    /// JSON array of strings.
    pub grant_types: String,
    /// JSON array of strings: where RP-initiated logout may send the browser back.
    pub post_logout_redirect_uris: String,
    /// How the client authenticates at the token endpoint (RFC 7591 §2): empty means
    /// derived from the secret (`client_secret_basic`/`_post` with one, `none` without);
    /// `private_key_jwt` signs assertions with a key of `jwks`.
    #[serde(default)]
    pub token_endpoint_auth_method: String,
    /// The public JWKS (JSON) of a `private_key_jwt` client; empty otherwise.
    #[serde(default)]
    pub jwks: String,
    /// RFC 9126 §6: authorization requests must come through PAR.
    #[serde(default)]
    pub require_par: i64,
    /// RFC 9449 §5.2: tokens must be DPoP-bound.
    #[serde(default)]
    pub dpop_bound: i64,
    /// An admin let the client introspect every token of its tenant, not only its own.
    #[serde(default)]
    pub introspect_any: i64,
    /// RFC 7592: the keyed hash of the registration access token of a client that
    /// registered itself; `None` for clients an admin created.
    #[serde(default)]
    pub registration_token_hash: Option<String>,
    pub secret_hash: Option<String>,
    pub active: i64,
    pub is_default: i64,
    pub deleted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Client {
    /// A new, active client of `tenant_id` with nothing registered yet: no redirect URIs,
    /// no grants, no secret, the derived authentication method. Callers set the rest.
    pub fn new(id: String, client_id: String, tenant_id: String, project_id: String, now: i64) -> Self {
        Client {
            id,
            client_id,
            tenant_id,
            project_id,
            name: String::new(),
            email: String::new(),
            client_type: "confidential".into(),
            platform: "web".into(),
            react_app_url: String::new(),
            redirect_uris: "[]".into(),
            grant_types: "[]".into(),
            post_logout_redirect_uris: "[]".into(),
            token_endpoint_auth_method: String::new(),
            jwks: String::new(),
            require_par: 0,
            dpop_bound: 0,
            introspect_any: 0,
            registration_token_hash: None,
            secret_hash: None,
            active: 1,
            is_default: 0,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Usable for sign-in: active and not (soft-)deleted.
    pub fn is_usable(&self) -> bool {
        self.active == 1 && self.deleted_at.is_none()
    }

    /// Whether an admin registered the client for `grant` (a `grant_types` entry).
    pub fn has_grant(&self, grant: &str) -> bool {
        serde_json::from_str::<Vec<String>>(&self.grant_types).is_ok_and(|grants| grants.iter().any(|g| g == grant))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMail {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

#[allow(async_fn_in_trait)]
pub trait AccountStore {
    /// Creates the tenant with its default project, admin user, default client, `admin`
    /// role and tenant-wide binding. `Conflict` (and nothing written) if the domain or the
    /// admin email is taken.
    async fn register_tenant(&self, new: &NewTenant) -> Result<(), StoreError>;
    /// The admin with this (lower-cased) email, in whichever tenant.
    async fn admin_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    async fn user_by_email(&self, tenant_id: TenantId<'_>, email: &str) -> Result<Option<User>, StoreError>;
    async fn user_by_id(&self, tenant_id: TenantId<'_>, user_id: UserId<'_>) -> Result<Option<User>, StoreError>;
    /// Counts a failed login atomically and returns the new counters.
    async fn record_login_failure(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        max: i64,
        lock_secs: i64,
    ) -> Result<LoginCounters, StoreError>;
    /// Clears the counters, stamps the login, and stores a re-hashed password if given.
    async fn record_login_success(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
        rehashed: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Names of the roles bound to the user tenant-wide and not expired.
    async fn tenant_roles(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        now: i64,
    ) -> Result<Vec<String>, StoreError>;
    /// The tenant's default client id and default project id.
    async fn tenant_defaults(&self, tenant_id: TenantId<'_>) -> Result<Option<(String, String)>, StoreError>;
    /// A client by its public `client_id`, in whichever tenant.
    async fn client_by_client_id(&self, client_id: ClientId<'_>) -> Result<Option<Client>, StoreError>;
    /// Creates a user; `Conflict` if the tenant already has this email.
    async fn create_user(&self, user: &User) -> Result<(), StoreError>;
    /// Replaces the password hash and clears the failed-login counters.
    async fn set_password(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        password_hash: &str,
    ) -> Result<(), StoreError>;
}

/// The development mail outbox (only ever written when ENVIRONMENT=development).
#[allow(async_fn_in_trait)]
pub trait DevOutbox {
    async fn put_mail(&self, mail: &OutboxMail) -> Result<(), StoreError>;
    async fn mail_for(&self, recipient: &str) -> Result<Vec<OutboxMail>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(failed: i64, locked_until: Option<i64>) -> LoginCounters {
        LoginCounters { failed_logins: failed, locked_until }
    }

    #[test]
    fn five_failures_lock_for_the_window_then_counting_restarts() {
        let mut c = counters(0, None);
        for i in 1..5 {
            c = after_failure(c, 100, 5, 900);
            assert_eq!(c, counters(i, None));
        }
        c = after_failure(c, 100, 5, 900);
        assert_eq!(c, counters(5, Some(1000)));
        // Failing while locked does not extend the lock.
        c = after_failure(c, 500, 5, 900);
        assert_eq!(c, counters(6, Some(1000)));
        // After the lock, one failure is the first of a new count.
        c = after_failure(c, 1000, 5, 900);
        assert_eq!(c, counters(1, None));
    }

    #[test]
    fn statuses_keep_their_stored_and_json_spelling() {
        use crate::store::invitations::InvitationStatus;
        for status in [UserStatus::Active, UserStatus::Disabled] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, serde_json::Value::from(status.as_str()));
            assert_eq!(serde_json::from_value::<UserStatus>(json).unwrap(), status);
        }
        for status in [InvitationStatus::Pending, InvitationStatus::Accepted, InvitationStatus::Cancelled] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, serde_json::Value::from(status.as_str()));
            assert_eq!(serde_json::from_value::<InvitationStatus>(json).unwrap(), status);
        }
        assert_eq!(UserStatus::Active.as_str(), "active");
        assert_eq!(UserStatus::Disabled.as_str(), "disabled");
        assert_eq!(InvitationStatus::Pending.as_str(), "pending");
        assert_eq!(InvitationStatus::Accepted.as_str(), "accepted");
        assert_eq!(InvitationStatus::Cancelled.as_str(), "cancelled");
    }
}
