//! Per-tenant settings of the OAuth provider.

use super::StoreError;
use crate::ids::TenantId;

#[allow(async_fn_in_trait)]
pub trait ProviderStore {
    /// Whether anyone may register a client in the tenant without an initial access
    /// token (RFC 7591 §3: "open registration"). Off unless an admin turned it on.
    async fn open_registration(&self, tenant_id: TenantId<'_>) -> Result<bool, StoreError>;
    /// Sets it; false if the tenant does not exist.
    async fn set_open_registration(&self, tenant_id: TenantId<'_>, open: bool) -> Result<bool, StoreError>;
}
