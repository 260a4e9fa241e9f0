//! The branding contract (`TenantStore`'s branding methods, migration 0009), run by
//! `contract` and `postgres` against every backend: unset by default, each value kept,
//! set or cleared on its own, found through a client of the tenant, and another
//! tenant's branding never mixed in.

use super::accounts::new_tenant;
use authsec_edge::branding::{AccentColor, Branding, BrandingChange, Change, DisplayName, LogoUrl};
use authsec_edge::ids::ClientId;
use authsec_edge::store::accounts::AccountStore;
use authsec_edge::store::TenantStore;

fn acme() -> Branding {
    Branding {
        display_name: Some(DisplayName::parse("Acme Rockets").unwrap()),
        logo_url: Some(LogoUrl::parse("https://cdn.acme.test/logo.svg").unwrap()),
        accent_color: Some(AccentColor::parse("#0a7d5a").unwrap()),
    }
}

pub async fn all<S: AccountStore + TenantStore>(store: &S) {
    let (one, two) =
        (new_tenant(90, "brand-one.test", "ada@brand-one.test"), new_tenant(91, "brand-two.test", "bo@brand-two.test"));
    store.register_tenant(&one).await.unwrap();
    store.register_tenant(&two).await.unwrap();
    let id = one.tenant.id.as_str();
    assert_eq!(store.branding(id).await.unwrap(), Branding::default(), "unset by default");
    assert_eq!(store.branding("nope").await.unwrap(), Branding::default());
    assert!(store.set_branding(id, &BrandingChange::default()).await.unwrap(), "an empty change finds the tenant");
    assert!(!store.set_branding("nope", &BrandingChange::default()).await.unwrap());

    let set_all = BrandingChange {
        display_name: Change::Set(acme().display_name.unwrap()),
        logo_url: Change::Set(acme().logo_url.unwrap()),
        accent_color: Change::Set(acme().accent_color.unwrap()),
    };
    assert!(store.set_branding(id, &set_all).await.unwrap());
    assert_eq!(store.branding(id).await.unwrap(), acme());
    let by_client = store.branding_of_client(ClientId::new(&one.client_id)).await.unwrap();
    assert_eq!(by_client, acme(), "found through the tenant's client");
    assert_eq!(store.branding_of_client(ClientId::new(&two.client_id)).await.unwrap(), Branding::default());
    assert_eq!(store.branding_of_client(ClientId::new("no-such-client")).await.unwrap(), Branding::default());
    assert_eq!(store.branding(&two.tenant.id).await.unwrap(), Branding::default(), "the other tenant is untouched");

    let clear_logo = BrandingChange { logo_url: Change::Clear, ..BrandingChange::default() };
    assert!(store.set_branding(id, &clear_logo).await.unwrap());
    assert_eq!(store.branding(id).await.unwrap(), Branding { logo_url: None, ..acme() }, "only the logo changed");
    let rename = BrandingChange {
        display_name: Change::Set(DisplayName::parse("Acme").unwrap()),
        accent_color: Change::Clear,
        ..BrandingChange::default()
    };
    assert!(store.set_branding(id, &rename).await.unwrap());
    let now = store.branding(id).await.unwrap();
    assert_eq!((now.name(), now.logo_url.clone(), now.accent_color), ("Acme", None, None));
    assert!(!store.set_branding("nope", &rename).await.unwrap(), "no tenant, nothing written");
}
