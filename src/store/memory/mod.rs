//! The in-memory backend: the reference every other backend must agree with (the
//! contract tests run against all of them), and the store of native tests.

mod accounts;
mod flows;
mod mfa;
mod rbac;
mod state;

use crate::branding::{Branding, BrandingChange};
use crate::ids::ClientId;
use crate::rate_limit::{admit, Decision, Limit, WindowState};
use crate::store::{
    DocumentCache, Ping, RateLimiter, SigningKeyRecord, SigningKeyStore, StoreError, Tenant, TenantStore,
};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct MemoryStore {
    tenants: RefCell<Vec<Tenant>>,
    /// Tenants that enabled `totp_only_login`.
    totp_only: RefCell<std::collections::HashSet<String>>,
    /// Tenants' branding of the sign-in pages, by tenant id.
    brandings: RefCell<HashMap<String, Branding>>,
    signing_keys: RefCell<Vec<SigningKeyRecord>>,
    documents: RefCell<HashMap<String, String>>,
    windows: RefCell<HashMap<String, WindowState>>,
    accounts: RefCell<accounts::Accounts>,
    state: RefCell<state::DurableState>,
    mfa: RefCell<mfa::MfaData>,
    flows: RefCell<flows::FlowData>,
    rbac: RefCell<rbac::RbacData>,
    /// (tenant, user, client) -> granted scopes.
    consents: RefCell<HashMap<(String, String, String), Vec<String>>>,
    /// Tenants that opened dynamic client registration.
    open_registration: RefCell<std::collections::HashSet<String>>,
    /// Fault injection for tests: when set, every operation fails (see `inject_failures`).
    failing: RefCell<bool>,
}

impl MemoryStore {
    /// Fault injection for tests: from now on every operation fails (or, with `false`,
    /// succeeds again) as an unreachable backend would, with `StoreError::Unavailable`.
    /// Lets native tests drive the API's 503 paths; nothing in the Worker calls it.
    pub fn inject_failures(&self, on: bool) {
        *self.failing.borrow_mut() = on;
    }

    fn check_up(&self) -> Result<(), StoreError> {
        if *self.failing.borrow() {
            Err(StoreError::Unavailable("memory store switched off".into()))
        } else {
            Ok(())
        }
    }
}

/// A page offset or size as a `usize`; past `usize::MAX` (possible on wasm32) it
/// saturates, which skips everything or takes everything, as the caller asked.
pub(super) fn saturating_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl crate::store::consents::ConsentStore for MemoryStore {
    async fn consent(
        &self,
        tenant_id: crate::ids::TenantId<'_>,
        user_id: crate::ids::UserId<'_>,
        client_id: crate::ids::ClientId<'_>,
    ) -> Result<Option<Vec<String>>, StoreError> {
        self.check_up()?;
        let key = (tenant_id.as_str().to_string(), user_id.as_str().to_string(), client_id.as_str().to_string());
        Ok(self.consents.borrow().get(&key).cloned())
    }

    async fn record_consent(
        &self,
        tenant_id: crate::ids::TenantId<'_>,
        user_id: crate::ids::UserId<'_>,
        client_id: crate::ids::ClientId<'_>,
        scopes: &[String],
        _now: i64,
    ) -> Result<(), StoreError> {
        self.check_up()?;
        let key = (tenant_id.as_str().to_string(), user_id.as_str().to_string(), client_id.as_str().to_string());
        self.consents.borrow_mut().insert(key, scopes.to_vec());
        Ok(())
    }
}

impl crate::store::provider::ProviderStore for MemoryStore {
    async fn open_registration(&self, tenant_id: crate::ids::TenantId<'_>) -> Result<bool, StoreError> {
        self.check_up()?;
        Ok(self.open_registration.borrow().contains(tenant_id.as_str()))
    }

    async fn set_open_registration(&self, tenant_id: crate::ids::TenantId<'_>, open: bool) -> Result<bool, StoreError> {
        self.check_up()?;
        if !self.tenants.borrow().iter().any(|t| t.id == tenant_id.as_str()) {
            return Ok(false);
        }
        let mut set = self.open_registration.borrow_mut();
        if open {
            set.insert(tenant_id.as_str().to_string());
        } else {
            set.remove(tenant_id.as_str());
        }
        Ok(true)
    }
}

impl Ping for MemoryStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.check_up()
    }
}

impl TenantStore for MemoryStore {
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        self.check_up()?;
        let mut tenants = self.tenants.borrow_mut();
        if tenants.iter().any(|t| t.id == tenant.id) {
            return Err(StoreError::Conflict("tenant id".into()));
        }
        if tenants.iter().any(|t| t.domain == tenant.domain) {
            return Err(StoreError::Conflict("tenant domain".into()));
        }
        tenants.push(tenant.clone());
        Ok(())
    }

    async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        self.check_up()?;
        Ok(self.tenants.borrow().iter().find(|t| t.id == id).cloned())
    }

    async fn tenant_by_domain(&self, domain: &str) -> Result<Option<Tenant>, StoreError> {
        self.check_up()?;
        Ok(self.tenants.borrow().iter().find(|t| t.domain == domain).cloned())
    }

    async fn list_tenants(&self, offset: u64, limit: u64) -> Result<crate::store::clients::Page<Tenant>, StoreError> {
        self.check_up()?;
        let mut all = self.tenants.borrow().clone();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let total = crate::cast::usize_to_u64(all.len());
        let items = all.into_iter().skip(saturating_usize(offset)).take(saturating_usize(limit)).collect();
        Ok(crate::store::clients::Page { items, total })
    }

    async fn rename_tenant(&self, id: &str, name: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        Ok(match self.tenants.borrow_mut().iter_mut().find(|t| t.id == id) {
            Some(tenant) => {
                tenant.name = name.to_string();
                true
            }
            None => false,
        })
    }

    async fn totp_only_login(&self, id: &str) -> Result<bool, StoreError> {
        self.check_up()?;
        Ok(self.totp_only.borrow().contains(id))
    }

    async fn set_totp_only_login(&self, id: &str, enabled: bool) -> Result<bool, StoreError> {
        self.check_up()?;
        if !self.tenants.borrow().iter().any(|t| t.id == id) {
            return Ok(false);
        }
        let mut set = self.totp_only.borrow_mut();
        if enabled {
            set.insert(id.to_string());
        } else {
            set.remove(id);
        }
        Ok(true)
    }

    async fn branding(&self, id: &str) -> Result<Branding, StoreError> {
        self.check_up()?;
        Ok(self.brandings.borrow().get(id).cloned().unwrap_or_default())
    }

    async fn branding_of_client(&self, client_id: ClientId<'_>) -> Result<Branding, StoreError> {
        use crate::store::accounts::AccountStore;
        match self.client_by_client_id(client_id).await? {
            Some(client) => self.branding(&client.tenant_id).await,
            None => Ok(Branding::default()),
        }
    }

    async fn set_branding(&self, id: &str, change: &BrandingChange) -> Result<bool, StoreError> {
        self.check_up()?;
        if !self.tenants.borrow().iter().any(|t| t.id == id) {
            return Ok(false);
        }
        let mut brandings = self.brandings.borrow_mut();
        let next = brandings.get(id).cloned().unwrap_or_default().with(change);
        brandings.insert(id.to_string(), next);
        Ok(true)
    }
}

impl SigningKeyStore for MemoryStore {
    async fn record_published(&self, kid: &str, alg: &str, public_jwk: &str, now: i64) -> Result<(), StoreError> {
        self.check_up()?;
        let mut keys = self.signing_keys.borrow_mut();
        if !keys.iter().any(|k| k.kid == kid) {
            keys.push(SigningKeyRecord {
                kid: kid.into(),
                alg: alg.into(),
                public_jwk: public_jwk.into(),
                first_published_at: now,
                activated_at: None,
            });
        }
        Ok(())
    }

    async fn record_signer(&self, kid: &str, now: i64) -> Result<(), StoreError> {
        self.check_up()?;
        if let Some(key) = self.signing_keys.borrow_mut().iter_mut().find(|k| k.kid == kid) {
            key.activated_at.get_or_insert(now);
        }
        Ok(())
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        self.check_up()?;
        let mut keys = self.signing_keys.borrow().clone();
        keys.sort_by(|a, b| a.kid.cmp(&b.kid));
        Ok(keys)
    }
}

impl DocumentCache for MemoryStore {
    async fn get_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check_up()?;
        Ok(self.documents.borrow().get(key).cloned())
    }

    async fn put_document(&self, key: &str, value: &str, _ttl_secs: u64) -> Result<(), StoreError> {
        self.check_up()?;
        self.documents.borrow_mut().insert(key.to_string(), value.to_string());
        Ok(())
    }
}

impl RateLimiter for MemoryStore {
    async fn admit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<Decision, StoreError> {
        self.check_up()?;
        let mut windows = self.windows.borrow_mut();
        let state = windows.get(key).copied().unwrap_or_default();
        let (decision, next) = admit(state, limit, now_ms);
        windows.insert(key.to_string(), next);
        Ok(decision)
    }
}

impl crate::store::migrations::MigrationStore for MemoryStore {
    async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.check_up()?;
        // The in-memory store has no schema: everything is always applied.
        Ok(crate::store::migrations::MIGRATIONS.iter().map(|m| m.name.to_string()).collect())
    }

    async fn apply_migration(&self, _: &crate::store::migrations::Migration) -> Result<(), StoreError> {
        self.check_up()
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
