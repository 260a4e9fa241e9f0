//! The second-factor store contract, run by `store_contract` against every backend.

use crate::account_contract::new_tenant;
use authsec_edge::store::accounts::AccountStore;
use authsec_edge::store::admin::TenantAdminStore;
use authsec_edge::store::mfa::{DeviceRemoval, MfaStore, Passkey, TotpDevice};
use authsec_edge::store::StoreError;

const NOW: i64 = 1_795_910_400;

fn device(id: &str, tenant: &str, user: &str, created_at: i64) -> TotpDevice {
    TotpDevice {
        id: id.into(),
        tenant_id: tenant.into(),
        user_id: user.into(),
        name: format!("device {id}"),
        device_type: "authenticator_app".into(),
        secret_sealed: format!("v1.sealed-{id}"),
        confirmed: false,
        is_primary: false,
        created_at,
        last_used_at: None,
    }
}

fn passkey(id: &str, tenant: &str, user: &str) -> Passkey {
    Passkey {
        id: id.into(),
        tenant_id: tenant.into(),
        user_id: user.into(),
        name: "laptop".into(),
        public_key_cose: "pQECAyYgASFYIA".into(),
        alg: -7,
        sign_count: 3,
        flagged: false,
        aaguid: "00000000-0000-0000-0000-000000000000".into(),
        attestation: "none".into(),
        backup_eligible: true,
        created_at: NOW,
        last_used_at: None,
    }
}

pub async fn all<S: MfaStore + AccountStore + TenantAdminStore>(store: &S) {
    let setup = new_tenant(70, "mfa-seventy.test", "mfa@seventy.test");
    store.register_tenant(&setup).await.unwrap();
    let (t, u) = ("tenant-70", "admin-70");
    totp_devices(store, t, u).await;
    backup_codes(store, t, u).await;
    passkeys(store, t, u).await;
    assert!(store.delete_user(t, u).await.unwrap());
    assert!(store.totp_devices(t, u).await.unwrap().is_empty(), "a deleted user's factors go with it");
    assert!(store.passkeys(t, u).await.unwrap().is_empty());
    assert_eq!(store.unused_backup_codes(t, u).await.unwrap(), 0);
}

async fn totp_devices<S: MfaStore>(store: &S, t: &str, u: &str) {
    store.add_totp_device(&device("d1", t, u, NOW)).await.unwrap();
    store.add_totp_device(&device("d2", t, u, NOW + 1)).await.unwrap();
    assert!(matches!(store.add_totp_device(&device("d1", t, u, NOW)).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.remove_totp_device(t, u, "nope").await.unwrap(), DeviceRemoval::Missing);
    assert!(!store.set_primary_totp_device(t, u, "d1").await.unwrap(), "unconfirmed devices cannot be primary");
    assert!(store.confirm_totp_device(t, u, "d1").await.unwrap());
    assert!(!store.confirm_totp_device(t, u, "d1").await.unwrap(), "confirmed once");
    assert!(!store.confirm_totp_device("tenant-other", u, "d2").await.unwrap(), "scoped to the owner");
    assert!(store.confirm_totp_device(t, u, "d2").await.unwrap());
    let flags: Vec<(String, bool, bool)> =
        store.totp_devices(t, u).await.unwrap().into_iter().map(|d| (d.id, d.confirmed, d.is_primary)).collect();
    assert_eq!(flags, [("d1".into(), true, true), ("d2".into(), true, false)], "the first confirmed is primary");
    assert!(store.set_primary_totp_device(t, u, "d2").await.unwrap());
    let primary: Vec<bool> = store.totp_devices(t, u).await.unwrap().iter().map(|d| d.is_primary).collect();
    assert_eq!(primary, [false, true]);
    assert_eq!(store.remove_totp_device(t, u, "d2").await.unwrap(), DeviceRemoval::Removed);
    let left = store.totp_devices(t, u).await.unwrap();
    assert_eq!((left.len(), left[0].is_primary), (1, true), "the primary role is handed on");
    assert_eq!(store.remove_totp_device(t, u, "d1").await.unwrap(), DeviceRemoval::LastDevice);
    store.add_totp_device(&device("d3", t, u, NOW + 2)).await.unwrap();
    assert_eq!(store.remove_totp_device(t, u, "d3").await.unwrap(), DeviceRemoval::Removed, "pending ones go freely");
    store.touch_totp_device(t, u, "d1", NOW + 9).await.unwrap();
    assert_eq!(store.totp_devices(t, u).await.unwrap()[0].last_used_at, Some(NOW + 9));
}

async fn backup_codes<S: MfaStore>(store: &S, t: &str, u: &str) {
    let hashes: Vec<String> = (0..10).map(|n| format!("hash-{n}")).collect();
    store.replace_backup_codes(t, u, &hashes, NOW).await.unwrap();
    assert_eq!(store.unused_backup_codes(t, u).await.unwrap(), 10);
    assert!(store.consume_backup_code(t, u, "hash-3", NOW).await.unwrap());
    assert!(!store.consume_backup_code(t, u, "hash-3", NOW).await.unwrap(), "single use");
    assert!(!store.consume_backup_code("tenant-other", u, "hash-4", NOW).await.unwrap());
    assert_eq!(store.unused_backup_codes(t, u).await.unwrap(), 9);
    store.replace_backup_codes(t, u, &["fresh".to_string()], NOW).await.unwrap();
    assert!(!store.consume_backup_code(t, u, "hash-4", NOW).await.unwrap(), "replaced codes are void");
    assert_eq!(store.unused_backup_codes(t, u).await.unwrap(), 1);
}

async fn passkeys<S: MfaStore>(store: &S, t: &str, u: &str) {
    store.add_passkey(&passkey("cred-1", t, u)).await.unwrap();
    assert!(matches!(store.add_passkey(&passkey("cred-1", t, u)).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.passkey_by_id("cred-1").await.unwrap(), Some(passkey("cred-1", t, u)));
    assert_eq!(store.passkey_by_id("cred-2").await.unwrap(), None);
    store.record_passkey_use(t, "cred-1", 9, false, NOW + 5).await.unwrap();
    store.record_passkey_use("tenant-other", "cred-1", 99, true, NOW + 5).await.unwrap();
    let used = store.passkey_by_id("cred-1").await.unwrap().unwrap();
    assert_eq!((used.sign_count, used.flagged, used.last_used_at), (9, false, Some(NOW + 5)), "scoped to the tenant");
    store.record_passkey_use(t, "cred-1", 4, true, NOW + 6).await.unwrap();
    assert_eq!(store.passkey_by_id("cred-1").await.unwrap().unwrap().sign_count, 9, "a counter never goes back");
    store.record_passkey_use(t, "cred-1", 10, false, NOW + 7).await.unwrap();
    assert!(store.passkey_by_id("cred-1").await.unwrap().unwrap().flagged, "a flag sticks");
    assert_eq!(store.passkeys(t, u).await.unwrap().len(), 1);
}
