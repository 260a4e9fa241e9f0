//! Route matching over the tables the api modules declare (design.md rule 6).
//!
//! Each module owns a table of `(method, template, action)` and mounts it under one or
//! more prefixes, as axum's `Router::nest` does; a table mounted at two prefixes is
//! declared once. `AREAS` lists every module and every AuthSec area this deployment does
//! not serve yet, so the matcher, the 501s and the metric labels all come from one list.
//! A path becomes a `Matched` route with its captured parameters, a 405 with the allowed
//! methods, a 501 for an unserved area, or a 404.
//!
//! Full templates double as metric labels, so metrics never carry raw ids.

use super::{accounts, authz, clients, factors, foundation, grants, hydra_compat, oauth};
use crate::error::ApiError;
use crate::http::Method;
use std::sync::OnceLock;

/// A module's routes, relative to the prefix it is mounted at. Segments starting with
/// ':' capture one path segment.
pub type Table<A> = &'static [(Method, &'static str, A)];

/// Where a module mounts its tables: `(prefix, table)`.
pub type Mounts<A> = &'static [(&'static str, Table<A>)];

/// A matched route: which module, and which of its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Foundation(foundation::Action),
    Accounts(accounts::Action),
    Clients(clients::Action),
    Factors(factors::Action),
    Grants(grants::Action),
    Authz(authz::Action),
    OAuth(oauth::Action),
    HydraCompat(hydra_compat::Action),
}

/// One area of the AuthSec API (api.md "Module map").
enum Area {
    /// A module's mounted tables, flattened into `Entry`s.
    Served(fn(&mut Vec<Entry>)),
    /// Not served yet: every path under `prefix` answers 501 naming `capability`.
    NotServed { prefix: &'static str, capability: &'static str },
}

const AREAS: &[Area] = &[
    Area::Served(|t| mount(t, foundation::MOUNTS, Route::Foundation)),
    Area::Served(|t| mount(t, accounts::MOUNTS, Route::Accounts)),
    Area::Served(|t| mount(t, clients::MOUNTS, Route::Clients)),
    Area::Served(|t| mount(t, factors::MOUNTS, Route::Factors)),
    Area::Served(|t| mount(t, grants::MOUNTS, Route::Grants)),
    Area::Served(|t| mount(t, authz::MOUNTS, Route::Authz)),
    Area::Served(|t| mount(t, oauth::MOUNTS, Route::OAuth)),
    Area::Served(|t| mount(t, hydra_compat::MOUNTS, Route::HydraCompat)),
    // Peripheral upstream features, out of scope until an issue asks for them (api.md
    // "Module map"): listed so that clients can tell "not here" from "no such route".
    Area::NotServed { prefix: "/authsec/uflow/auth/voice/", capability: "voice-assistant sign-in" },
    Area::NotServed { prefix: "/authsec/uflow/admin/ad/", capability: "Active Directory sync" },
    Area::NotServed { prefix: "/authsec/uflow/admin/entra/", capability: "Entra ID sync" },
    Area::NotServed { prefix: "/authsec/uflow/admin/sync-configs/", capability: "directory sync" },
    Area::NotServed { prefix: "/authsec/uflow/admin/purge/", capability: "user purge" },
    Area::NotServed { prefix: "/authsec/uflow/admin/hubspot/", capability: "HubSpot sync" },
    Area::NotServed { prefix: "/authsec/uflow/hubspot/", capability: "HubSpot sync" },
    Area::NotServed { prefix: "/authsec/uflow/agent/", capability: "agent dashboards" },
    Area::NotServed { prefix: "/authsec/webauthn/sms/", capability: "SMS one-time codes" },
    Area::NotServed { prefix: "/authsec/webauthn/biometric/", capability: "biometric sign-in" },
    Area::NotServed { prefix: "/authsec/webauthn/totp/", capability: "the legacy TOTP setup (use uflow/auth/totp)" },
    Area::NotServed { prefix: "/authsec/webauthn/", capability: "this WebAuthn route" },
    Area::NotServed { prefix: "/authsec/sdkmgr/", capability: "the SDK manager (MCP auth, agents)" },
    Area::NotServed { prefix: "/authsec/spiresvc/", capability: "SPIFFE workload identity" },
    Area::NotServed { prefix: "/authsec/uflow/scim/", capability: "SCIM 2.0" },
    Area::NotServed { prefix: "/authsec/uflow/oidc/", capability: "upstream OIDC federation" },
    Area::NotServed { prefix: "/authsec/uflow/sdk/", capability: "workload delegation" },
    Area::NotServed { prefix: "/authsec/oauth/", capability: "the OAuth 2.0 / OIDC provider" },
    // Upstream's Hydra manager and OIDC config manager (`hydra_compat` serves or refuses
    // every route upstream has): a path upstream never had is still theirs.
    Area::NotServed {
        prefix: "/authsec/hmgr/saml/",
        capability: "SAML single sign-on (the provider speaks OpenID Connect)",
    },
    Area::NotServed {
        prefix: "/authsec/oocmgr/saml/",
        capability: "SAML single sign-on (the provider speaks OpenID Connect)",
    },
    Area::NotServed { prefix: "/authsec/hmgr/", capability: "this Hydra manager route (see /authsec/oauth/*)" },
    Area::NotServed {
        prefix: "/authsec/oocmgr/",
        capability: "this OIDC configuration manager route (see /authsec/oocmgr/oidc/get-config)",
    },
    Area::NotServed { prefix: "/authsec/exsvc/", capability: "external-service credentials" },
    Area::NotServed { prefix: "/authsec/spire/", capability: "SPIFFE workload identity" },
    // Last, as the most general: routes of the served areas that this deployment has not built (the enduser
    // webauthn callback, say) are still AuthSec routes: 501, not 404.
    Area::NotServed { prefix: "/authsec/uflow/auth/", capability: "this authentication route" },
    Area::NotServed { prefix: "/authsec/uflow/user/", capability: "this end-user route" },
    Area::NotServed { prefix: "/authsec/uflow/admin/", capability: "this administration route" },
    Area::NotServed { prefix: "/authsec/authmgr/admin/", capability: "this authorization check" },
    Area::NotServed { prefix: "/authsec/authmgr/user/", capability: "this authorization check" },
];

/// One served (method, full template) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub method: Method,
    pub template: &'static str,
    pub route: Route,
}

fn mount<A: Copy>(entries: &mut Vec<Entry>, mounts: Mounts<A>, wrap: fn(A) -> Route) {
    for &(prefix, table) in mounts {
        for &(method, template, action) in table {
            // Built once per isolate; the label must outlive every request.
            let template: &'static str = Box::leak(format!("{prefix}{template}").into_boxed_str());
            entries.push(Entry { method, template, route: wrap(action) });
        }
    }
}

/// Every served route, in the order they are tried.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let mut entries = Vec::new();
        for area in AREAS {
            if let Area::Served(add) = area {
                add(&mut entries);
            }
        }
        entries
    })
}

/// The prefixes of the areas not served yet, with the capability each names.
pub fn not_served() -> impl Iterator<Item = (&'static str, &'static str)> {
    AREAS.iter().filter_map(|area| match area {
        Area::NotServed { prefix, capability } => Some((*prefix, *capability)),
        Area::Served(_) => None,
    })
}

/// The path parameters a template captured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// A captured parameter; a template guarantees the names it declares, so a name it
    /// does not declare is a bug that shows up as an empty id (and a 404).
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub route: Route,
    pub template: &'static str,
    pub params: Params,
}

/// Resolves a request. On failure the error carries the label to count it under.
pub fn resolve(method: Method, path: &str) -> Result<Matched, (ApiError, &'static str)> {
    let mut allowed = Vec::new();
    for entry in entries() {
        if let Some(params) = match_template(entry.template, path) {
            if entry.method == method {
                return Ok(Matched { route: entry.route, template: entry.template, params: Params(params) });
            }
            allowed.push(entry.method);
        }
    }
    if !allowed.is_empty() {
        return Err((ApiError::MethodNotAllowed(allowed), "method_not_allowed"));
    }
    if let Some((_, capability)) = not_served().find(|(prefix, _)| path.starts_with(prefix)) {
        return Err((ApiError::NotImplemented(capability), "not_implemented"));
    }
    Err((ApiError::NotFound, "not_found"))
}

/// Matches a path against a template, capturing `:name` segments. A trailing slash is
/// tolerated (AuthSec's SDKs are not consistent about it); empty segments are not.
fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let mut params = Vec::new();
    let mut path_segments = path.split('/');
    for template_segment in template.split('/') {
        let segment = path_segments.next()?;
        if let Some(name) = template_segment.strip_prefix(':') {
            if segment.is_empty() {
                return None;
            }
            params.push((name, segment.to_string()));
        } else if segment != template_segment {
            return None;
        }
    }
    path_segments.next().is_none().then_some(params)
}

#[cfg(test)]
mod tests;
