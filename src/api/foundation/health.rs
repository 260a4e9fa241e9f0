//! `GET /authsec/uflow/health`: checks D1, KV and a Durable Object for real, at once.

use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::HttpResponse;
use crate::store::{Ping, StoreError};
use futures_util::future::join3;
use serde_json::{json, Map, Value};

pub async fn health<P: Platform>(ctx: &Ctx<'_, P>) -> Result<HttpResponse, ApiError> {
    let (store, kv, durable_objects) =
        join3(ctx.platform.store().ping(), ctx.platform.cache().ping(), ctx.platform.limiter().ping()).await;
    let mut checks = Map::new();
    let mut healthy = true;
    let store_name = ctx.platform.config().map(|c| c.store.name()).unwrap_or("d1");
    for (name, result) in [(store_name, store), ("kv", kv), ("durable_objects", durable_objects)] {
        checks.insert(name.into(), json!(check_label(ctx, name, result, &mut healthy)));
    }
    if let Err(e) = ctx.platform.config() {
        // Config is not a dependency, but a deployment that cannot sign is not healthy.
        healthy = false;
        checks.insert("config".into(), Value::String(format!("error: {} is {}", e.variable, e.problem)));
    }
    let body = json!({
        "status": if healthy { "ok" } else { "error" },
        "checks": checks,
        "version": env!("CARGO_PKG_VERSION"),
    });
    Ok(HttpResponse::json(if healthy { 200 } else { 503 }, &body))
}

fn check_label<P: Platform>(
    ctx: &Ctx<'_, P>,
    name: &str,
    result: Result<(), StoreError>,
    healthy: &mut bool,
) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(e) => {
            *healthy = false;
            ctx.warn(format!("health check {name} failed: {e}"));
            "error"
        }
    }
}
