//! The consent store contract (the OAuth provider's remembered consents), run by
//! `contract` and `postgres` against every backend.

use authsec_edge::ids::{ClientId, TenantId, UserId};
use authsec_edge::store::consents::ConsentStore;

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
