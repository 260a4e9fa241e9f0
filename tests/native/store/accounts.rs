//! The account-store contract, run by `contract` against every backend.

use authsec_edge::ids::{ClientId, TenantId, UserId};
use authsec_edge::store::accounts::{
    AccountStore, DevOutbox, LoginCounters, NewTenant, OutboxMail, User, UserKind, UserStatus,
};
use authsec_edge::store::admin::{Project, TenantAdminStore};
use authsec_edge::store::clients::ClientStore;
use authsec_edge::store::invitations::{Invitation, InvitationStatus, InvitationStore};
use authsec_edge::store::{StoreError, Tenant, TenantStore};

pub fn new_tenant(n: u32, domain: &str, email: &str) -> NewTenant {
    let now = 1_795_910_400;
    NewTenant {
        tenant: Tenant {
            id: format!("tenant-{n}"),
            domain: domain.into(),
            name: domain.into(),
            status: "active".into(),
            created_at: now,
        },
        project_id: format!("project-{n}"),
        admin: User {
            id: format!("admin-{n}"),
            tenant_id: format!("tenant-{n}"),
            email: email.into(),
            name: "Ada".into(),
            kind: UserKind::Admin,
            status: UserStatus::Active,
            password_hash: "$argon2id$v=19$m=256,t=1,p=1$c2FsdA$aGFzaA".into(),
            email_verified: 1,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
            last_login_at: None,
        },
        client_id: format!("client-{n}"),
        client_row_id: format!("client-row-{n}"),
        admin_role_id: format!("role-{n}"),
        binding_id: format!("binding-{n}"),
    }
}

pub async fn all<S: AccountStore + DevOutbox + TenantStore + ClientStore + TenantAdminStore + InvitationStore>(
    store: &S,
) {
    invitations(store).await;
    tenant_administration(store).await;
    clients_are_scoped_to_their_tenant(store).await;
    registration_is_all_or_nothing(store).await;
    lockout_counts_atomically(store).await;
    users_and_clients(store).await;
    outbox_lists_newest_first(store).await;
}

async fn registration_is_all_or_nothing<S: AccountStore + TenantStore>(store: &S) {
    let first = new_tenant(10, "acme-ten.test", "ada@acme.test");
    store.register_tenant(&first).await.unwrap();
    let admin = store.admin_by_email("ada@acme.test").await.unwrap().unwrap();
    assert_eq!(admin, first.admin);
    assert_eq!(
        store.user_by_email(TenantId::new("tenant-10"), "ada@acme.test").await.unwrap(),
        Some(first.admin.clone())
    );
    assert_eq!(
        store.user_by_id(TenantId::new("tenant-10"), UserId::new("admin-10")).await.unwrap(),
        Some(first.admin.clone())
    );
    assert_eq!(
        store.user_by_id(TenantId::new("tenant-11"), UserId::new("admin-10")).await.unwrap(),
        None,
        "ids are per tenant"
    );
    assert_eq!(
        store.tenant_roles(TenantId::new("tenant-10"), UserId::new("admin-10"), 0).await.unwrap(),
        vec!["admin".to_string()]
    );
    assert_eq!(
        store.tenant_defaults(TenantId::new("tenant-10")).await.unwrap(),
        Some(("client-10".to_string(), "project-10".to_string()))
    );

    // Same admin email under a new domain: refused, and the new tenant was not created.
    let again = new_tenant(11, "other-eleven.test", "ada@acme.test");
    assert!(matches!(store.register_tenant(&again).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.tenant_by_domain("other-eleven.test").await.unwrap(), None);
    assert_eq!(store.tenant_defaults(TenantId::new("tenant-11")).await.unwrap(), None);
    // Same domain with a new email: refused too.
    let clash = new_tenant(12, "acme-ten.test", "bob@acme.test");
    assert!(matches!(store.register_tenant(&clash).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.admin_by_email("bob@acme.test").await.unwrap(), None);
}

async fn lockout_counts_atomically<S: AccountStore>(store: &S) {
    let t = new_tenant(20, "lock-twenty.test", "lock@acme.test");
    store.register_tenant(&t).await.unwrap();
    let fail = |now| store.record_login_failure(TenantId::new("tenant-20"), UserId::new("admin-20"), now, 5, 900);
    for i in 1..5 {
        assert_eq!(fail(100).await.unwrap(), LoginCounters { failed_logins: i, locked_until: None });
    }
    assert_eq!(fail(100).await.unwrap(), LoginCounters { failed_logins: 5, locked_until: Some(1000) });
    assert_eq!(fail(500).await.unwrap(), LoginCounters { failed_logins: 6, locked_until: Some(1000) });
    assert_eq!(fail(1000).await.unwrap(), LoginCounters { failed_logins: 1, locked_until: None });
    store
        .record_login_success(TenantId::new("tenant-20"), UserId::new("admin-20"), 1200, Some("$argon2id$new"))
        .await
        .unwrap();
    let user = store.user_by_id(TenantId::new("tenant-20"), UserId::new("admin-20")).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until, user.last_login_at), (0, None, Some(1200)));
    assert_eq!(user.password_hash, "$argon2id$new");
    store.record_login_success(TenantId::new("tenant-20"), UserId::new("admin-20"), 1300, None).await.unwrap();
    let user = store.user_by_id(TenantId::new("tenant-20"), UserId::new("admin-20")).await.unwrap().unwrap();
    assert_eq!(user.password_hash, "$argon2id$new", "no rehash keeps the hash");
}

async fn outbox_lists_newest_first<S: DevOutbox>(store: &S) {
    for (id, at) in [("m1", 10), ("m2", 30), ("m3", 20)] {
        let mail = OutboxMail {
            id: id.into(),
            recipient: "ada@acme.test".into(),
            subject: format!("subject {id}"),
            body: "code 123456".into(),
            created_at: at,
        };
        store.put_mail(&mail).await.unwrap();
    }
    let ids: Vec<String> = store.mail_for("ada@acme.test").await.unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(ids, ["m2", "m3", "m1"]);
    assert!(store.mail_for("eve@acme.test").await.unwrap().is_empty());
}

async fn users_and_clients<S: AccountStore>(store: &S) {
    let t = new_tenant(30, "users-thirty.test", "owner@thirty.test");
    store.register_tenant(&t).await.unwrap();
    let client =
        store.client_by_client_id(ClientId::new("client-30")).await.unwrap().expect("the default client exists");
    assert_eq!((client.tenant_id.as_str(), client.project_id.as_str()), ("tenant-30", "project-30"));
    assert!(client.is_usable());
    assert_eq!(client.is_default, 1);
    assert_eq!(store.client_by_client_id(ClientId::new("no-such-client")).await.unwrap(), None);

    let mut user = t.admin.clone();
    user.id = "enduser-30".into();
    user.email = "eve@thirty.test".into();
    user.kind = UserKind::Enduser;
    store.create_user(&user).await.unwrap();
    assert_eq!(store.user_by_email(TenantId::new("tenant-30"), "eve@thirty.test").await.unwrap(), Some(user.clone()));
    let mut twin = user.clone();
    twin.id = "enduser-31".into();
    assert!(matches!(store.create_user(&twin).await, Err(StoreError::Conflict(_))), "one email per tenant");
    assert_eq!(store.user_by_id(TenantId::new("tenant-30"), UserId::new("enduser-31")).await.unwrap(), None);

    for _ in 0..5 {
        store.record_login_failure(TenantId::new("tenant-30"), UserId::new("enduser-30"), 100, 5, 900).await.unwrap();
    }
    store.set_password(TenantId::new("tenant-30"), UserId::new("enduser-30"), "$argon2id$reset").await.unwrap();
    let after = store.user_by_id(TenantId::new("tenant-30"), UserId::new("enduser-30")).await.unwrap().unwrap();
    assert_eq!((after.password_hash.as_str(), after.failed_logins, after.locked_until), ("$argon2id$reset", 0, None));
}

async fn clients_are_scoped_to_their_tenant<S: AccountStore + ClientStore>(store: &S) {
    store.register_tenant(&new_tenant(40, "clients-forty.test", "owner@forty.test")).await.unwrap();
    store.register_tenant(&new_tenant(41, "clients-fortyone.test", "owner@fortyone.test")).await.unwrap();
    let mut client = store.client_by_client_id(ClientId::new("client-40")).await.unwrap().unwrap();
    for n in 0..3 {
        client.id = format!("row-40-{n}");
        client.client_id = format!("cid-40-{n}");
        client.is_default = 0;
        client.name = format!("app {n}");
        client.created_at = 1_795_910_500 + n;
        client.secret_hash = Some(format!("hash-{n}"));
        store.create_client(&client).await.unwrap();
    }
    assert!(matches!(store.create_client(&client).await, Err(StoreError::Conflict(_))));
    let page = store.list_clients(TenantId::new("tenant-40"), 1, 2).await.unwrap();
    assert_eq!(page.total, 4, "the default client and three more");
    assert_eq!(page.items.iter().map(|c| c.client_id.as_str()).collect::<Vec<_>>(), ["cid-40-0", "cid-40-1"]);
    // Found by row id or client_id, but never from another tenant.
    assert_eq!(
        store.tenant_client(TenantId::new("tenant-40"), "row-40-1").await.unwrap().unwrap().client_id,
        "cid-40-1"
    );
    assert_eq!(store.tenant_client(TenantId::new("tenant-40"), "cid-40-1").await.unwrap().unwrap().id, "row-40-1");
    assert_eq!(store.tenant_client(TenantId::new("tenant-41"), "cid-40-1").await.unwrap(), None);
    let mut changed = store.tenant_client(TenantId::new("tenant-40"), "row-40-2").await.unwrap().unwrap();
    changed.name = "renamed".into();
    changed.active = 0;
    changed.client_id = "attempted-change".into();
    let mut foreign = changed.clone();
    foreign.tenant_id = "tenant-41".into();
    assert!(!store.update_client(&foreign).await.unwrap(), "another tenant cannot update it");
    assert!(store.update_client(&changed).await.unwrap());
    let stored = store.tenant_client(TenantId::new("tenant-40"), "row-40-2").await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.active, stored.client_id.as_str()), ("renamed", 0, "cid-40-2"));
    changed.deleted_at = Some(1);
    store.update_client(&changed).await.unwrap();
    assert_eq!(
        store.list_clients(TenantId::new("tenant-40"), 0, 100).await.unwrap().total,
        3,
        "soft-deleted are not listed"
    );
    assert!(!store.delete_client(TenantId::new("tenant-41"), "row-40-1").await.unwrap());
    assert!(store.delete_client(TenantId::new("tenant-40"), "row-40-1").await.unwrap());
    assert_eq!(store.tenant_client(TenantId::new("tenant-40"), "row-40-1").await.unwrap(), None);
}

async fn tenant_administration<S: AccountStore + TenantAdminStore>(store: &S) {
    let t = new_tenant(50, "admin-fifty.test", "owner@fifty.test");
    store.register_tenant(&t).await.unwrap();
    store.register_tenant(&new_tenant(51, "admin-fiftyone.test", "owner@fiftyone.test")).await.unwrap();
    for n in 0..3 {
        let mut u = t.admin.clone();
        u.id = format!("end-50-{n}");
        u.email = format!("user{n}@fifty.test");
        u.kind = UserKind::Enduser;
        u.created_at += n + 1;
        store.create_user(&u).await.unwrap();
    }
    let page = store.list_users(TenantId::new("tenant-50"), UserKind::Enduser, 1, 1).await.unwrap();
    assert_eq!((page.total, page.items[0].id.as_str()), (3, "end-50-1"));
    assert_eq!(store.list_users(TenantId::new("tenant-50"), UserKind::Admin, 0, 10).await.unwrap().total, 1);
    assert!(store
        .set_user_status(TenantId::new("tenant-50"), UserId::new("end-50-0"), UserStatus::Disabled)
        .await
        .unwrap());
    assert!(
        !store
            .set_user_status(TenantId::new("tenant-51"), UserId::new("end-50-0"), UserStatus::Disabled)
            .await
            .unwrap(),
        "another tenant's user"
    );
    assert_eq!(
        store.user_by_id(TenantId::new("tenant-50"), UserId::new("end-50-0")).await.unwrap().unwrap().status,
        UserStatus::Disabled
    );
    assert!(!store.delete_user(TenantId::new("tenant-51"), UserId::new("end-50-1")).await.unwrap());
    assert!(store.delete_user(TenantId::new("tenant-50"), UserId::new("end-50-1")).await.unwrap());
    assert_eq!(store.user_by_id(TenantId::new("tenant-50"), UserId::new("end-50-1")).await.unwrap(), None);
    assert!(store.delete_user(TenantId::new("tenant-50"), UserId::new("admin-50")).await.unwrap());
    assert!(
        store.tenant_roles(TenantId::new("tenant-50"), UserId::new("admin-50"), 0).await.unwrap().is_empty(),
        "bindings go with the user"
    );

    let projects = store.list_projects(TenantId::new("tenant-50")).await.unwrap();
    assert_eq!((projects.len(), projects[0].is_default), (1, 1));
    let extra = Project {
        id: "project-50-x".into(),
        tenant_id: "tenant-50".into(),
        name: "Extra".into(),
        description: "d".into(),
        is_default: 0,
        created_at: 1_795_999_999,
    };
    store.create_project(&extra).await.unwrap();
    assert!(matches!(store.create_project(&extra).await, Err(StoreError::Conflict(_))));
    let mut renamed = extra.clone();
    renamed.name = "Renamed".into();
    assert!(store.update_project(&renamed).await.unwrap());
    let mut foreign = renamed.clone();
    foreign.tenant_id = "tenant-51".into();
    assert!(!store.update_project(&foreign).await.unwrap());
    assert_eq!(store.list_projects(TenantId::new("tenant-50")).await.unwrap()[1].name, "Renamed");
    assert!(
        !store.delete_project(TenantId::new("tenant-50"), "project-50").await.unwrap(),
        "the default project stays"
    );
    assert!(!store.delete_project(TenantId::new("tenant-51"), "project-50-x").await.unwrap());
    assert!(store.delete_project(TenantId::new("tenant-50"), "project-50-x").await.unwrap());
}

async fn invitations<S: AccountStore + InvitationStore>(store: &S) {
    let t = new_tenant(60, "invite-sixty.test", "owner@sixty.test");
    store.register_tenant(&t).await.unwrap();
    let invitation = Invitation {
        id: "inv-60".into(),
        tenant_id: "tenant-60".into(),
        email: "new@sixty.test".into(),
        role: "admin".into(),
        token_hash: "hash-60".into(),
        invited_by: "admin-60".into(),
        status: InvitationStatus::Pending,
        created_at: 100,
        expires_at: 1_000,
    };
    store.create_invitation(&invitation).await.unwrap();
    assert_eq!(store.pending_invitations(TenantId::new("tenant-60")).await.unwrap(), vec![invitation.clone()]);
    assert!(store.pending_invitations(TenantId::new("tenant-61")).await.unwrap().is_empty());
    assert_eq!(store.invitation_by_token_hash("hash-60").await.unwrap(), Some(invitation.clone()));
    let role =
        store.role_id(TenantId::new("tenant-60"), "admin").await.unwrap().expect("registration made the admin role");
    assert_eq!(store.role_id(TenantId::new("tenant-60"), "no-such-role").await.unwrap(), None);
    assert_eq!(store.role_id(TenantId::new("tenant-61"), "admin").await.unwrap(), None);
    // Accepting with an email the tenant already has: refused, nothing written.
    let mut clash = t.admin.clone();
    clash.id = "user-60-clash".into();
    assert!(matches!(
        store.accept_invitation("inv-60", &clash, &role, "binding-60-x").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.pending_invitations(TenantId::new("tenant-60")).await.unwrap().len(), 1);
    let mut user = t.admin.clone();
    user.id = "user-60-new".into();
    user.email = "new@sixty.test".into();
    store.accept_invitation("inv-60", &user, &role, "binding-60-new").await.unwrap();
    assert!(store.pending_invitations(TenantId::new("tenant-60")).await.unwrap().is_empty());
    assert_eq!(
        store.tenant_roles(TenantId::new("tenant-60"), UserId::new("user-60-new"), 0).await.unwrap(),
        vec!["admin".to_string()]
    );
    let mut cancelled = invitation.clone();
    cancelled.id = "inv-60-b".into();
    cancelled.token_hash = "hash-60-b".into();
    store.create_invitation(&cancelled).await.unwrap();
    cancelled.status = InvitationStatus::Cancelled;
    let mut foreign = cancelled.clone();
    foreign.tenant_id = "tenant-61".into();
    assert!(!store.update_invitation(&foreign).await.unwrap());
    assert!(store.update_invitation(&cancelled).await.unwrap());
    assert_eq!(store.invitation_by_token_hash("hash-60-b").await.unwrap().unwrap().status, InvitationStatus::Cancelled);
}
