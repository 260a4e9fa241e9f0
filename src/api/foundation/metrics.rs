//! `GET /metrics`: the Prometheus text of this isolate's counters.
//!
//! Public unless `METRICS_TOKEN` is set; then only `Authorization: Bearer <it>` reads it,
//! compared in constant time. A configuration that does not parse refuses the scrape:
//! without it we cannot tell whether a token is required, so we fail closed.

use super::super::{Ctx, Platform};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::secret::constant_time_eq;

pub fn metrics<P: Platform>(ctx: &Ctx<'_, P>, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &ctx.platform.config()?.metrics_token {
        let presented = req.bearer_token().unwrap_or_default();
        if !constant_time_eq(presented.as_bytes(), expected.expose().as_bytes()) {
            // The same answer for a missing and a wrong token: nothing to probe.
            return Err(ApiError::MissingToken);
        }
    }
    Ok(HttpResponse::text(200, "text/plain; version=0.0.4; charset=utf-8", ctx.isolate.metrics.borrow().render()))
}
