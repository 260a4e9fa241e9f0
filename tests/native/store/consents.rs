//! The OAuth provider's store contracts (remembered consents, per-tenant settings), run
//! by `contract` and `postgres` against every backend.

use authsec_edge::ids::{ClientId, TenantId, UserId};
use authsec_edge::store::consents::ConsentStore;
use authsec_edge::store::provider::ProviderStore;
use authsec_edge::store::{Tenant, TenantStore};

pub async fn all<S: ConsentStore>(store: &S) {
    let (t, u, c) = (TenantId::new("t-consent"), UserId::new("u-consent"), ClientId::new("app-consent"));
    assert_eq!(store.consent(t, u, c).await.unwrap(), None, "no consent yet");
    let first = vec!["openid".to_string(), "email".to_string()];
    store.record_consent(t, u, c, &first, 100).await.unwrap();
    assert_eq!(store.consent(t, u, c).await.unwrap(), Some(first));
    // A later consent replaces the earlier one; it is per client and per tenant.
    let wider = vec!["openid".to_string(), "email".to_string(), "profile".to_string()];
    store.record_consent(t, u, c, &wider, 200).await.unwrap();
    assert_eq!(store.consent(t, u, c).await.unwrap(), Some(wider));
    assert_eq!(store.consent(t, u, ClientId::new("other-app")).await.unwrap(), None);
    assert_eq!(store.consent(TenantId::new("t-other"), u, c).await.unwrap(), None);
}

/// The provider's per-tenant settings: open registration is off until turned on.
pub async fn provider<S: ProviderStore + TenantStore>(store: &S) {
    let tenant = Tenant {
        id: "t-provider".into(),
        domain: "provider-settings".into(),
        name: "Provider".into(),
        status: "active".into(),
        created_at: 1,
    };
    store.create_tenant(&tenant).await.unwrap();
    let t = TenantId::new("t-provider");
    assert!(!store.open_registration(t).await.unwrap(), "closed by default");
    assert!(store.set_open_registration(t, true).await.unwrap());
    assert!(store.open_registration(t).await.unwrap());
    assert!(store.set_open_registration(t, false).await.unwrap());
    assert!(!store.open_registration(t).await.unwrap());
    assert!(!store.set_open_registration(TenantId::new("t-none"), true).await.unwrap(), "no such tenant");
    assert!(!store.open_registration(TenantId::new("t-none")).await.unwrap());
}
