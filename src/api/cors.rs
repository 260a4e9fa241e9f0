//! CORS for browser clients on other origins (AuthSec's React console, apps using the
//! SDK in the browser). Origins are matched exactly against `CORS_ALLOWED_ORIGINS`;
//! credentials travel as bearer tokens, never cookies, so no `Allow-Credentials`.

use super::router;
use crate::config::Config;
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse, Method};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE_SECS: u32 = 600;

/// The request's `Origin`, if the configuration allows it.
pub fn allowed_origin<'r>(config: Option<&Config>, req: &'r HttpRequest) -> Option<&'r str> {
    let origin = req.header("origin")?;
    config?.cors_origins.iter().any(|allowed| allowed == origin).then_some(origin)
}

/// Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`).
pub fn preflight(req: &HttpRequest, origin: Option<&str>) -> Result<HttpResponse, ApiError> {
    let Some(origin) = origin else {
        return Err(ApiError::Forbidden("this origin is not allowed (CORS_ALLOWED_ORIGINS)".into()));
    };
    let allowed = match router::resolve(Method::Options, &req.path) {
        Err((ApiError::MethodNotAllowed(methods), _)) => methods,
        Err((error, _)) => return Err(error),
        Ok(_) => vec![Method::Options],
    };
    let methods: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
    Ok(HttpResponse { status: 204, headers: Vec::new(), body: Vec::new() }
        .with_header("access-control-allow-origin", origin)
        .with_header("access-control-allow-methods", &methods.join(", "))
        .with_header("access-control-allow-headers", "authorization, content-type, x-step-up-token")
        .with_header("access-control-max-age", &PREFLIGHT_MAX_AGE_SECS.to_string())
        .with_header("vary", "origin"))
}

/// Adds the CORS answer to a normal response.
pub fn decorate(response: HttpResponse, origin: Option<&str>) -> HttpResponse {
    match origin {
        Some(origin) if response.header("access-control-allow-origin").is_none() => response
            .with_header("access-control-allow-origin", origin)
            .with_header("access-control-expose-headers", "retry-after, www-authenticate")
            .with_header("vary", "origin"),
        _ => response,
    }
}
