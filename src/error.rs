//! The API's error type and its single mapping to HTTP (api.md "Conventions").
//!
//! Domain modules have their own error enums; handlers convert them into `ApiError`, and
//! `ApiError::into_response` is the only place an error becomes a status and a body.
//! Internal details travel in `ApiError::Internal` for the log and never reach the body.

use crate::config::ConfigError;
use crate::http::{HttpResponse, Method};
use crate::store::StoreError;
use crate::tokens::TokenError;
use crate::webauthn::WebauthnError;
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// A malformed request; `field` names the offending field when there is one.
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// No bearer token where one is required.
    MissingToken,
    /// A bearer token that did not verify; the reason is safe to show (it says what rule
    /// failed, never key material).
    InvalidToken(String),
    Forbidden(String),
    NotFound,
    /// Something with this identity already exists.
    Conflict(String),
    /// A one-time code that did not match (or no longer exists).
    InvalidOtp {
        message: String,
        remaining_attempts: Option<u32>,
    },
    /// Wrong email or password; the same answer whether or not the account exists.
    InvalidCredentials {
        remaining_attempts: i64,
    },
    /// Too many failed logins: locked for `retry_after_secs`.
    Locked {
        retry_after_secs: u64,
    },
    /// A refresh token or challenge that is unknown, used, revoked or expired.
    InvalidGrant(String),
    /// A passkey ceremony that did not verify; the message names the rule, never keys.
    CeremonyFailed(String),
    /// A factor change without fresh proof (ours, a step-up): the message says which.
    StepUpRequired(String),
    /// An OAuth endpoint's error (RFC 6749 §5.2, RFC 8628 §3.5): `{error,
    /// error_description}`, plus the new `interval` for `slow_down`.
    OAuth {
        status: u16,
        error: &'static str,
        description: String,
        interval: Option<i64>,
    },
    /// A DPoP proof refused (RFC 9449 §7.1, §8): 400 at the token endpoint, 401 with
    /// `WWW-Authenticate: DPoP` at a resource; `use_dpop_nonce` carries a fresh nonce.
    Dpop {
        at_resource: bool,
        error: &'static str,
        description: String,
        nonce: Option<String>,
    },
    MethodNotAllowed(Vec<Method>),
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType(String),
    RateLimited {
        retry_after_secs: u64,
    },
    /// A route of the AuthSec API that this deployment does not serve (yet).
    NotImplemented(&'static str),
    /// A route of the AuthSec API that this deployment answers with 501 on purpose: the
    /// message says why, and what to use instead.
    Unsupported(&'static str),
    /// Required configuration is missing or malformed.
    Config(ConfigError),
    /// A dependency (D1, KV, a Durable Object) failed; the detail is logged only.
    Unavailable(String),
    /// A bug or an unexpected failure; the detail is logged only.
    Internal(String),
}

impl ApiError {
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        ApiError::BadRequest { field: Some(field.to_string()), message: message.into() }
    }

    /// A 400 OAuth error (RFC 6749 §5.2).
    pub fn oauth(error: &'static str, description: impl Into<String>) -> Self {
        ApiError::OAuth { status: 400, error, description: description.into(), interval: None }
    }

    /// `invalid_client` (401, RFC 6749 §5.2): unknown, inactive or unauthenticated.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        ApiError::OAuth { status: 401, error: "invalid_client", description: description.into(), interval: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest { field: None, message: message.into() }
    }

    /// What goes to the log for this error: the internal detail, if any.
    pub fn log_detail(&self) -> Option<String> {
        match self {
            ApiError::Unavailable(detail) => Some(format!("dependency unavailable: {detail}")),
            ApiError::Internal(detail) => Some(format!("internal error: {detail}")),
            ApiError::Config(err) => Some(format!("configuration error: {err}")),
            _ => None,
        }
    }

    pub fn into_response(self) -> HttpResponse {
        match self {
            ApiError::BadRequest { field, message } => {
                let mut body = json!({"error": "invalid_request", "message": message});
                if let Some(field) = field {
                    body["field"] = json!(field);
                }
                HttpResponse::json(400, &body)
            }
            ApiError::MissingToken => {
                HttpResponse::json(401, &json!({"error": "unauthorized", "message": "a bearer token is required"}))
                    .with_header("www-authenticate", "Bearer realm=\"authsec\"")
            }
            ApiError::InvalidToken(reason) => {
                HttpResponse::json(401, &json!({"valid": false, "error": "invalid_token", "message": reason}))
                    .with_header("www-authenticate", "Bearer realm=\"authsec\", error=\"invalid_token\"")
            }
            ApiError::Forbidden(message) => HttpResponse::json(403, &json!({"error": "forbidden", "message": message})),
            ApiError::Conflict(message) => HttpResponse::json(409, &json!({"error": "conflict", "message": message})),
            ApiError::InvalidOtp { message, remaining_attempts } => {
                let mut body = json!({"error": "invalid_otp", "message": message});
                if let Some(remaining) = remaining_attempts {
                    body["remaining_attempts"] = json!(remaining);
                }
                HttpResponse::json(400, &body)
            }
            ApiError::InvalidCredentials { remaining_attempts } => HttpResponse::json(
                401,
                &json!({"error": "invalid_credentials", "message": "Invalid credentials",
                        "remaining_attempts": remaining_attempts}),
            ),
            ApiError::Locked { retry_after_secs } => HttpResponse::json(
                423,
                &json!({"error": "account_locked",
                        "message": format!("too many failed attempts; try again in {retry_after_secs} s"),
                        "retry_after": retry_after_secs}),
            )
            .with_header("retry-after", &retry_after_secs.to_string()),
            ApiError::InvalidGrant(message) => {
                HttpResponse::json(400, &json!({"error": "invalid_grant", "message": message}))
            }
            ApiError::OAuth { status, error, description, interval } => {
                let mut body = json!({"error": error, "error_description": description});
                if let Some(interval) = interval {
                    body["interval"] = json!(interval);
                }
                let response = HttpResponse::json(status, &body);
                // RFC 6749 §5.2: a 401 names the authentication scheme the client may use.
                if status == 401 {
                    response.with_header("www-authenticate", "Basic realm=\"authsec\"")
                } else {
                    response
                }
            }
            ApiError::Dpop { at_resource, error, description, nonce } => {
                let mut response = HttpResponse::json(
                    if at_resource { 401 } else { 400 },
                    &json!({"error": error, "error_description": description}),
                );
                if at_resource {
                    let challenge = format!("DPoP error=\"{error}\", algs=\"ES256 EdDSA RS256\"");
                    response = response.with_header("www-authenticate", &challenge);
                }
                match nonce {
                    Some(nonce) => response.with_header("dpop-nonce", &nonce),
                    None => response,
                }
            }
            ApiError::CeremonyFailed(message) => {
                HttpResponse::json(401, &json!({"error": "webauthn_verification_failed", "message": message}))
            }
            ApiError::StepUpRequired(message) => {
                HttpResponse::json(400, &json!({"error": "step_up_required", "message": message}))
            }
            ApiError::NotFound => HttpResponse::json(404, &json!({"error": "not_found", "message": "no such route"})),
            ApiError::MethodNotAllowed(allowed) => {
                let allow: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
                HttpResponse::json(
                    405,
                    &json!({"error": "method_not_allowed",
                            "message": format!("use {}", allow.join(", "))}),
                )
                .with_header("allow", &allow.join(", "))
            }
            ApiError::PayloadTooLarge { limit } => HttpResponse::json(
                413,
                &json!({"error": "payload_too_large",
                        "message": format!("request bodies are limited to {limit} bytes")}),
            ),
            ApiError::UnsupportedMediaType(message) => {
                HttpResponse::json(415, &json!({"error": "unsupported_media_type", "message": message}))
            }
            ApiError::RateLimited { retry_after_secs } => HttpResponse::json(
                429,
                &json!({"error": "rate_limited",
                        "message": format!("too many requests; retry in {retry_after_secs} s")}),
            )
            .with_header("retry-after", &retry_after_secs.to_string()),
            ApiError::NotImplemented(capability) => HttpResponse::json(
                501,
                &json!({"error": "not_implemented",
                        "message": format!("{capability} is not served by this deployment yet")}),
            ),
            ApiError::Unsupported(reason) => {
                HttpResponse::json(501, &json!({"error": "not_implemented", "message": reason}))
            }
            ApiError::Config(err) => HttpResponse::json(
                500,
                &json!({"error": "configuration_error",
                        "message": format!("{} is {}", err.variable, err.problem)}),
            ),
            ApiError::Unavailable(_) => HttpResponse::json(
                503,
                &json!({"error": "service_unavailable",
                        "message": "a backing service is unavailable; try again"}),
            ),
            ApiError::Internal(_) => {
                HttpResponse::json(500, &json!({"error": "internal_error", "message": "internal error"}))
            }
        }
    }
}

impl From<ConfigError> for ApiError {
    fn from(err: ConfigError) -> Self {
        ApiError::Config(err)
    }
}

/// A store's failure: a uniqueness conflict is the caller's (409); an unreachable
/// backend is a 503; data that does not decode is a bug (500). Backends name themselves
/// in the detail (the binding, `D1`, `postgres`), which goes to the log only.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(format!("already exists: {what}")),
            StoreError::Unavailable(detail) => ApiError::Unavailable(format!("store: {detail}")),
            StoreError::Corrupt(detail) => ApiError::Internal(format!("store returned corrupt data: {detail}")),
        }
    }
}

/// Converts a store failure as `From` does, except that a uniqueness conflict answers
/// 409 with `message` ("a role with this name already exists").
pub fn conflict_as(message: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |err| match err {
        StoreError::Conflict(_) => ApiError::Conflict(message.to_string()),
        other => ApiError::from(other),
    }
}

/// A token that did not verify says which rule failed (never key material); a failing
/// crypto backend is ours (500).
impl From<TokenError> for ApiError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Backend(detail) => ApiError::Internal(format!("token backend: {detail}")),
            other => ApiError::InvalidToken(other.to_string()),
        }
    }
}

/// A passkey ceremony that failed a rule: 401 naming the rule (never key material). A
/// failing signature backend is ours, not the caller's: 500, logged.
impl From<WebauthnError> for ApiError {
    fn from(err: WebauthnError) -> Self {
        match err {
            WebauthnError::Backend(detail) => ApiError::Internal(format!("webauthn signature backend: {detail}")),
            err => ApiError::CeremonyFailed(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_body() {
        let resp = ApiError::Internal("D1_ERROR: secret table xyz".into()).into_response();
        assert_eq!(resp.status, 500);
        assert!(!String::from_utf8_lossy(&resp.body).contains("xyz"));
        let resp = ApiError::Unavailable("kv down at 10.0.0.1".into()).into_response();
        assert_eq!(resp.status, 503);
        assert!(!String::from_utf8_lossy(&resp.body).contains("10.0.0.1"));
    }

    #[test]
    fn store_failures_convert_by_kind() {
        let conflict = ApiError::from(StoreError::Conflict("domain".into()));
        assert_eq!(conflict.clone().into_response().status, 409);
        assert_eq!(ApiError::from(StoreError::Unavailable("D1: down".into())).into_response().status, 503);
        // Corrupt data is a bug, not an outage: 500, and the detail stays in the log.
        let corrupt = ApiError::from(StoreError::Corrupt("row 7 of users".into()));
        assert_eq!(
            corrupt.log_detail().as_deref(),
            Some("internal error: store returned corrupt data: row 7 of users")
        );
        let resp = corrupt.into_response();
        assert_eq!(resp.status, 500);
        assert!(!String::from_utf8_lossy(&resp.body).contains("row 7"));
        let named = conflict_as("a role with this name already exists")(StoreError::Conflict("x".into()));
        assert_eq!(named, ApiError::Conflict("a role with this name already exists".into()));
        assert_eq!(conflict_as("n/a")(StoreError::Unavailable("x".into())).into_response().status, 503);
    }

    #[test]
    fn token_failures_are_401_but_a_broken_backend_is_500() {
        assert_eq!(ApiError::from(TokenError::Expired).into_response().status, 401);
        assert_eq!(ApiError::from(TokenError::Backend("subtle".into())).into_response().status, 500);
    }

    #[test]
    fn missing_token_asks_for_bearer() {
        let resp = ApiError::MissingToken.into_response();
        assert_eq!(resp.status, 401);
        assert!(resp.header("www-authenticate").unwrap().starts_with("Bearer"));
    }

    #[test]
    fn rate_limit_sets_retry_after_and_405_sets_allow() {
        let resp = ApiError::RateLimited { retry_after_secs: 7 }.into_response();
        assert_eq!((resp.status, resp.header("retry-after")), (429, Some("7")));
        let resp = ApiError::MethodNotAllowed(vec![Method::Post]).into_response();
        assert_eq!((resp.status, resp.header("allow")), (405, Some("POST")));
    }
}
