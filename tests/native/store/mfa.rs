//! The second-factor store contract, run by `contract` against every backend.

use crate::store::accounts::new_tenant;
use authsec_edge::ids::{DeviceId, TenantId, UserId};
use authsec_edge::store::accounts::AccountStore;
use authsec_edge::store::accounts::{User, UserKind};
use authsec_edge::store::admin::TenantAdminStore;
use authsec_edge::store::mfa::{DeviceRemoval, MfaStore, Passkey, PasskeyRemoval, TotpDevice};
use authsec_edge::store::StoreError;
use authsec_edge::webauthn::CoseAlg;

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
        alg: CoseAlg::Es256,
        sign_count: 3,
        flagged: false,
        aaguid: "00000000-0000-0000-0000-000000000000".into(),
        attestation: "none".into(),
        backup_eligible: true,
        created_at: NOW,
        last_used_at: None,
    }
}

/// Renaming, and removal that keeps a user's last usable factor (issue 12), for a user
/// of `t` without TOTP.
async fn passkey_management<S: MfaStore + AccountStore>(store: &S, t: &str) {
    let u = "user-70-keys";
    store
        .create_user(&User {
            id: u.into(),
            tenant_id: t.into(),
            email: "keys@seventy.test".into(),
            name: String::new(),
            kind: UserKind::Enduser,
            status: authsec_edge::store::accounts::UserStatus::Active,
            password_hash: "x".into(),
            email_verified: 1,
            failed_logins: 0,
            locked_until: None,
            created_at: NOW,
            last_login_at: None,
        })
        .await
        .unwrap();
    store.add_passkey(&passkey("key-a", t, u)).await.unwrap();
    store.add_passkey(&passkey("key-b", t, u)).await.unwrap();
    assert!(store.rename_passkey(TenantId::new(t), UserId::new(u), "key-a", "Work laptop").await.unwrap());
    assert!(
        !store.rename_passkey(TenantId::new(t), UserId::new("admin-70"), "key-a", "theirs").await.unwrap(),
        "only the owner's"
    );
    assert!(!store.rename_passkey(TenantId::new(t), UserId::new(u), "nope", "x").await.unwrap());
    assert_eq!(store.passkey_by_id("key-a").await.unwrap().unwrap().name, "Work laptop");
    assert_eq!(
        store.remove_passkey(TenantId::new(t), UserId::new("admin-70"), "key-a").await.unwrap(),
        PasskeyRemoval::Missing
    );
    assert_eq!(store.remove_passkey(TenantId::new(t), UserId::new(u), "key-a").await.unwrap(), PasskeyRemoval::Removed);
    assert_eq!(
        store.remove_passkey(TenantId::new(t), UserId::new(u), "key-b").await.unwrap(),
        PasskeyRemoval::LastFactor
    );
    store.add_passkey(&passkey("key-c", t, u)).await.unwrap();
    store.record_passkey_use(TenantId::new(t), "key-c", 1, true, NOW).await.unwrap();
    assert_eq!(
        store.remove_passkey(TenantId::new(t), UserId::new(u), "key-b").await.unwrap(),
        PasskeyRemoval::LastFactor,
        "a flagged passkey is no factor"
    );
    assert_eq!(
        store.remove_passkey(TenantId::new(t), UserId::new(u), "key-c").await.unwrap(),
        PasskeyRemoval::Removed,
        "a flagged one always goes"
    );
    let mut totp = device("d-keys", t, u, NOW);
    totp.confirmed = true;
    store.add_totp_device(&totp).await.unwrap();
    assert_eq!(
        store.remove_passkey(TenantId::new(t), UserId::new(u), "key-b").await.unwrap(),
        PasskeyRemoval::Removed,
        "TOTP remains"
    );
    assert!(store.passkeys(TenantId::new(t), UserId::new(u)).await.unwrap().is_empty());
}

pub async fn all<S: MfaStore + AccountStore + TenantAdminStore>(store: &S) {
    let setup = new_tenant(70, "mfa-seventy.test", "mfa@seventy.test");
    store.register_tenant(&setup).await.unwrap();
    let (t, u) = ("tenant-70", "admin-70");
    totp_devices(store, t, u).await;
    backup_codes(store, t, u).await;
    passkeys(store, t, u).await;
    passkey_management(store, t).await;
    assert!(store.delete_user(TenantId::new(t), UserId::new(u)).await.unwrap());
    assert!(
        store.totp_devices(TenantId::new(t), UserId::new(u)).await.unwrap().is_empty(),
        "a deleted user's factors go with it"
    );
    assert!(store.passkeys(TenantId::new(t), UserId::new(u)).await.unwrap().is_empty());
    assert_eq!(store.unused_backup_codes(TenantId::new(t), UserId::new(u)).await.unwrap(), 0);
}

async fn totp_devices<S: MfaStore>(store: &S, t: &str, u: &str) {
    store.add_totp_device(&device("d1", t, u, NOW)).await.unwrap();
    store.add_totp_device(&device("d2", t, u, NOW + 1)).await.unwrap();
    assert!(matches!(store.add_totp_device(&device("d1", t, u, NOW)).await, Err(StoreError::Conflict(_))));
    assert_eq!(
        store.remove_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("nope")).await.unwrap(),
        DeviceRemoval::Missing
    );
    assert!(
        !store.set_primary_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d1")).await.unwrap(),
        "unconfirmed devices cannot be primary"
    );
    assert!(store.confirm_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d1")).await.unwrap());
    assert!(
        !store.confirm_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d1")).await.unwrap(),
        "confirmed once"
    );
    assert!(
        !store.confirm_totp_device(TenantId::new("tenant-other"), UserId::new(u), DeviceId::new("d2")).await.unwrap(),
        "scoped to the owner"
    );
    assert!(store.confirm_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d2")).await.unwrap());
    let flags: Vec<(String, bool, bool)> = store
        .totp_devices(TenantId::new(t), UserId::new(u))
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.confirmed, d.is_primary))
        .collect();
    assert_eq!(flags, [("d1".into(), true, true), ("d2".into(), true, false)], "the first confirmed is primary");
    assert!(store.set_primary_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d2")).await.unwrap());
    let primary: Vec<bool> =
        store.totp_devices(TenantId::new(t), UserId::new(u)).await.unwrap().iter().map(|d| d.is_primary).collect();
    assert_eq!(primary, [false, true]);
    assert_eq!(
        store.remove_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d2")).await.unwrap(),
        DeviceRemoval::Removed
    );
    let left = store.totp_devices(TenantId::new(t), UserId::new(u)).await.unwrap();
    assert_eq!((left.len(), left[0].is_primary), (1, true), "the primary role is handed on");
    assert_eq!(
        store.remove_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d1")).await.unwrap(),
        DeviceRemoval::LastDevice
    );
    store.add_totp_device(&device("d3", t, u, NOW + 2)).await.unwrap();
    assert_eq!(
        store.remove_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d3")).await.unwrap(),
        DeviceRemoval::Removed,
        "pending ones go freely"
    );
    store.touch_totp_device(TenantId::new(t), UserId::new(u), DeviceId::new("d1"), NOW + 9).await.unwrap();
    assert_eq!(store.totp_devices(TenantId::new(t), UserId::new(u)).await.unwrap()[0].last_used_at, Some(NOW + 9));
}

async fn backup_codes<S: MfaStore>(store: &S, t: &str, u: &str) {
    let hashes: Vec<String> = (0..10).map(|n| format!("hash-{n}")).collect();
    store.replace_backup_codes(TenantId::new(t), UserId::new(u), &hashes, NOW).await.unwrap();
    assert_eq!(store.unused_backup_codes(TenantId::new(t), UserId::new(u)).await.unwrap(), 10);
    assert!(store.consume_backup_code(TenantId::new(t), UserId::new(u), "hash-3", NOW).await.unwrap());
    assert!(!store.consume_backup_code(TenantId::new(t), UserId::new(u), "hash-3", NOW).await.unwrap(), "single use");
    assert!(!store.consume_backup_code(TenantId::new("tenant-other"), UserId::new(u), "hash-4", NOW).await.unwrap());
    assert_eq!(store.unused_backup_codes(TenantId::new(t), UserId::new(u)).await.unwrap(), 9);
    store.replace_backup_codes(TenantId::new(t), UserId::new(u), &["fresh".to_string()], NOW).await.unwrap();
    assert!(
        !store.consume_backup_code(TenantId::new(t), UserId::new(u), "hash-4", NOW).await.unwrap(),
        "replaced codes are void"
    );
    assert_eq!(store.unused_backup_codes(TenantId::new(t), UserId::new(u)).await.unwrap(), 1);
}

async fn passkeys<S: MfaStore>(store: &S, t: &str, u: &str) {
    store.add_passkey(&passkey("cred-1", t, u)).await.unwrap();
    assert!(matches!(store.add_passkey(&passkey("cred-1", t, u)).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.passkey_by_id("cred-1").await.unwrap(), Some(passkey("cred-1", t, u)));
    assert_eq!(store.passkey_by_id("cred-2").await.unwrap(), None);
    store.record_passkey_use(TenantId::new(t), "cred-1", 9, false, NOW + 5).await.unwrap();
    store.record_passkey_use(TenantId::new("tenant-other"), "cred-1", 99, true, NOW + 5).await.unwrap();
    let used = store.passkey_by_id("cred-1").await.unwrap().unwrap();
    assert_eq!((used.sign_count, used.flagged, used.last_used_at), (9, false, Some(NOW + 5)), "scoped to the tenant");
    store.record_passkey_use(TenantId::new(t), "cred-1", 4, true, NOW + 6).await.unwrap();
    assert_eq!(store.passkey_by_id("cred-1").await.unwrap().unwrap().sign_count, 9, "a counter never goes back");
    store.record_passkey_use(TenantId::new(t), "cred-1", 10, false, NOW + 7).await.unwrap();
    assert!(store.passkey_by_id("cred-1").await.unwrap().unwrap().flagged, "a flag sticks");
    assert_eq!(store.passkeys(TenantId::new(t), UserId::new(u)).await.unwrap().len(), 1);
}
