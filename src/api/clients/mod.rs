//! Client management (api.md "Clients"): a tenant's OAuth clients under
//! `/authsec/clientms/tenants/:tenant_id/clients`, and the lookup of the end-user client
//! a body names, which the account and factor flows share.

mod handlers;
pub mod metadata;

pub(crate) use handlers::apply_fields;

use super::body::{required_string, ListForm};
use super::router::{Mounts, Params, Table};
use super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method::*};
use crate::ids::ClientId;
use crate::store::accounts::{AccountStore, Client};
use serde_json::{Map, Value};

/// The status routes of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientChange {
    Activate,
    Deactivate,
    SoftDelete,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    List(ListForm),
    Read,
    Update,
    Change(ClientChange),
    DeleteByBody,
    SetStatusByBody,
}

use Action::*;

/// `/authsec/clientms/tenants/:tenant_id/clients`
const CLIENTS: Table<Action> = &[
    (Post, "/create", Create),
    (Get, "/getClients", List(ListForm::Query)),
    (Post, "/getClients", List(ListForm::Body)),
    (Post, "/delete-complete", DeleteByBody),
    (Post, "/set-status", SetStatusByBody),
    (Get, "/:id", Read),
    (Put, "/:id", Update),
    (Patch, "/:id", Update),
    (Delete, "/:id", Change(ClientChange::Delete)),
    (Patch, "/:id/activate", Change(ClientChange::Activate)),
    (Patch, "/:id/deactivate", Change(ClientChange::Deactivate)),
    (Patch, "/:id/soft-delete", Change(ClientChange::SoftDelete)),
];

pub const MOUNTS: Mounts<Action> = &[("/authsec/clientms/tenants/:tenant_id/clients", CLIENTS)];

pub async fn dispatch<P: Platform>(
    ctx: &Ctx<'_, P>,
    req: &HttpRequest,
    params: &Params,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let tenant_id = params.get("tenant_id");
    match action {
        Create => handlers::create(ctx, req, tenant_id).await,
        List(form) => handlers::list(ctx, req, tenant_id, form).await,
        Read => handlers::get(ctx, req, tenant_id, params.get("id")).await,
        Update => handlers::update(ctx, req, tenant_id, params.get("id")).await,
        Change(change) => handlers::change(ctx, req, tenant_id, params.get("id"), change).await,
        DeleteByBody => handlers::by_body(ctx, req, tenant_id, false).await,
        SetStatusByBody => handlers::by_body(ctx, req, tenant_id, true).await,
    }
}

/// The client named by the body's `client_id`, which must be active and not deleted:
/// how end-user flows learn their tenant.
pub async fn resolve_client<P: Platform>(ctx: &Ctx<'_, P>, body: &Map<String, Value>) -> Result<Client, ApiError> {
    let client_id = required_string(body, "client_id")?;
    let client = ctx.platform.store().client_by_client_id(ClientId::new(client_id.trim())).await?;
    client.filter(Client::is_usable).ok_or_else(|| ApiError::bad_field("client_id", "unknown or inactive client"))
}
