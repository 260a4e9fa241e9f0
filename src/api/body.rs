//! Request-body decoding with errors that name the offending field.

use crate::error::ApiError;
use crate::http::HttpRequest;
use serde_json::{Map, Value};

/// The body as a JSON object. An empty body is an empty object, so that a missing
/// required field is reported by name rather than as "malformed JSON".
pub fn json_object(req: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
    if let Some(content_type) = req.header("content-type") {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") && !essence.is_empty() {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".into()));
        }
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => {
            Err(ApiError::bad_request(format!("the body is not valid JSON (line {}, column {})", e.line(), e.column())))
        }
    }
}

/// The body of an OAuth endpoint: form-encoded (RFC 6749 §4; a parameter given twice
/// is refused, §3.2) or JSON, as a map of the same shape either way.
pub fn form_or_json(req: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
    let essence = req.header("content-type").and_then(|c| c.split(';').next()).unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return json_object(req);
    }
    let text = std::str::from_utf8(&req.body).map_err(|_| ApiError::bad_request("the form is not UTF-8"))?;
    let mut map = Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| crate::http::percent_decode(&s.replace('+', " "));
        let (Some(key), Some(value)) = (decode(key), decode(value)) else {
            return Err(ApiError::bad_request("the form is not valid percent-encoding"));
        };
        if map.insert(key.clone(), Value::String(value)).is_some() {
            return Err(ApiError::bad_field(&key, format!("{key} is given more than once")));
        }
    }
    Ok(map)
}

/// Most scopes one device or CIBA request may ask for, and the longest scope.
const MAX_SCOPES: usize = 32;
const MAX_SCOPE_LEN: usize = 128;

/// The scopes a grant request asks for: `scopes` (array or space-separated) or the OAuth
/// `scope` parameter, bounded.
pub fn scope_list(body: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let scopes = match optional_string_list(body, "scopes")? {
        Some(scopes) => scopes,
        None => optional_string_list(body, "scope")?.unwrap_or_default(),
    };
    if scopes.len() > MAX_SCOPES || scopes.iter().any(|s| s.len() > MAX_SCOPE_LEN) {
        return Err(ApiError::bad_field(
            "scopes",
            format!("at most {MAX_SCOPES} scopes of {MAX_SCOPE_LEN} characters"),
        ));
    }
    Ok(scopes)
}

/// A required short name (role, group, scope, a binding's scope type or id): trimmed, 1
/// to 100 characters, none of them control characters.
pub fn short_name(body: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    let text = required_string(body, field)?.trim().to_string();
    if text.chars().count() > 100 || text.chars().any(char::is_control) {
        return Err(ApiError::bad_field(field, format!("{field} must be 1 to 100 printable characters")));
    }
    Ok(text)
}

pub fn required_string<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, ApiError> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(ApiError::bad_field(field, format!("{field} is required")))
        }
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a string"))),
    }
}

/// A list of strings given as a JSON array or as one space-separated string (RFC 6749
/// §3.3 style); `None` when absent or null.
pub fn optional_string_list(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split_whitespace().map(str::to_string).collect())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => Err(ApiError::bad_field(field, format!("{field} must hold non-empty strings"))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be an array of strings"))),
    }
}

pub fn optional_positive_int(body: &Map<String, Value>, field: &str) -> Result<Option<i64>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(v) if v > 0 => Ok(Some(v)),
            _ => Err(ApiError::bad_field(field, format!("{field} must be a positive integer"))),
        },
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a positive integer"))),
    }
}

/// An optional string of at most `max` characters, trimmed; empty when absent.
/// A field's trimmed text when it is a non-empty string; `None` otherwise (for optional
/// selectors such as `client_id` or `tenant_domain`, where absent and blank mean the same).
pub fn present_text<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

pub fn optional_text(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(ApiError::bad_field(field, format!("{field} is longer than {max} characters"))),
        Some(_) => Err(ApiError::bad_field(field, format!("{field} must be a string"))),
    }
}

/// `page` (from 1) and `limit` (1 to 100, default 20), from the body or the query.
pub fn paging(req: &HttpRequest, body: &Map<String, Value>) -> Result<(u64, u64), ApiError> {
    let number = |field: &str, default: u64, max: u64| -> Result<u64, ApiError> {
        let raw = body.get(field).cloned().or_else(|| req.query_param(field).map(Value::String));
        let value = match raw {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        value
            .filter(|v| (1..=max).contains(v))
            .ok_or_else(|| ApiError::bad_field(field, format!("{field} must be 1 to {max}")))
    };
    Ok((number("page", 1, 100_000)?, number("limit", 20, 100)?))
}

/// The pagination object of listings.
pub fn pagination(page: u64, limit: u64, total: u64) -> Value {
    serde_json::json!({"page": page, "limit": limit, "total": total, "total_pages": total.div_ceil(limit)})
}

/// Where a list route reads `page` and `limit`: the query string alone (GET), or a JSON
/// body as well (POST, as AuthSec's consoles send them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListForm {
    Query,
    Body,
}

impl ListForm {
    pub fn body(self, req: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
        match self {
            ListForm::Query => Ok(Map::new()),
            ListForm::Body => json_object(req),
        }
    }
}
