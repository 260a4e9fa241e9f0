//! OAuth clients of a tenant: intent-level operations, all scoped by tenant so that no
//! call can reach another tenant's client.

use super::accounts::Client;
use super::StoreError;
use crate::ids::TenantId;

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

#[allow(async_fn_in_trait)]
pub trait ClientStore {
    /// `Conflict` if the id or client_id exists.
    async fn create_client(&self, client: &Client) -> Result<(), StoreError>;
    /// Live (not soft-deleted) clients, oldest first.
    async fn list_clients(&self, tenant_id: TenantId<'_>, offset: u64, limit: u64) -> Result<Page<Client>, StoreError>;
    /// A client of the tenant by row id or public client_id, soft-deleted ones included.
    async fn tenant_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<Option<Client>, StoreError>;
    /// Replaces the mutable fields of the tenant's client `client.id`; false if absent.
    async fn update_client(&self, client: &Client) -> Result<bool, StoreError>;
    /// Removes the client for good; false if absent.
    async fn delete_client(&self, tenant_id: TenantId<'_>, id: &str) -> Result<bool, StoreError>;
}
