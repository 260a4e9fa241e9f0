//! The in-memory backend: the reference every other backend must agree with (the
//! contract tests run against all of them), and the store of native tests.

use super::{DocumentCache, Ping, RateLimiter, SigningKeyRecord, SigningKeyStore, StoreError, Tenant, TenantStore};
use crate::rate_limit::{admit, Decision, Limit, WindowState};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct MemoryStore {
    pub(super) tenants: RefCell<Vec<Tenant>>,
    signing_keys: RefCell<Vec<SigningKeyRecord>>,
    documents: RefCell<HashMap<String, String>>,
    windows: RefCell<HashMap<String, WindowState>>,
    pub(super) accounts: RefCell<super::memory_accounts::Accounts>,
    pub(super) state: RefCell<super::memory_state::DurableState>,
    pub(super) mfa: RefCell<super::memory_mfa::MfaData>,
    pub(super) flows: RefCell<super::memory_flows::FlowData>,
    pub(super) rbac: RefCell<super::memory_rbac::RbacData>,
    /// When set, every operation fails as an unreachable backend would.
    pub insecure_fail_everything: RefCell<bool>,
}

impl MemoryStore {
    pub(super) fn check_up(&self) -> Result<(), StoreError> {
        if *self.insecure_fail_everything.borrow() {
            Err(StoreError::Unavailable("memory store switched off".into()))
        } else {
            Ok(())
        }
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

    async fn list_tenants(&self, offset: u64, limit: u64) -> Result<super::clients::Page<Tenant>, StoreError> {
        self.check_up()?;
        let mut all = self.tenants.borrow().clone();
        all.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let total = all.len() as u64;
        let items = all.into_iter().skip(offset as usize).take(limit as usize).collect();
        Ok(super::clients::Page { items, total })
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

impl super::migrations::MigrationStore for MemoryStore {
    async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.check_up()?;
        // The in-memory store has no schema: everything is always applied.
        Ok(super::migrations::MIGRATIONS.iter().map(|m| m.name.to_string()).collect())
    }

    async fn apply_migration(&self, _: &super::migrations::Migration) -> Result<(), StoreError> {
        self.check_up()
    }

    fn backend(&self) -> &'static str {
        "memory"
    }
}
