//! Consents a user gave an OAuth client (the provider's consent screen), remembered so
//! that the next sign-in to the same client with no new scope skips the screen.

use super::StoreError;
use crate::ids::{ClientId, TenantId, UserId};

#[allow(async_fn_in_trait)]
pub trait ConsentStore {
    /// The scopes `user` has granted `client`, if they ever consented.
    async fn consent(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        client_id: ClientId<'_>,
    ) -> Result<Option<Vec<String>>, StoreError>;
    /// Records the scopes granted, replacing an earlier consent (one statement).
    async fn record_consent(
        &self,
        tenant_id: TenantId<'_>,
        user_id: UserId<'_>,
        client_id: ClientId<'_>,
        scopes: &[String],
        now: i64,
    ) -> Result<(), StoreError>;
}
