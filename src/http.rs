//! A plain HTTP request/response pair, independent of workerd, so that the whole API
//! (routing, validation, error mapping) runs and is tested natively.

use serde::Serialize;

/// The largest request body any route accepts; larger ones are refused with 413 before
/// they are parsed. Identity payloads are small; a big body is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Other,
}

impl Method {
    pub fn parse(name: &str) -> Method {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Other => "OTHER",
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// The URL path, percent-encoding left as received.
    pub path: String,
    /// The raw query string without the leading `?`.
    pub query: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn new(method: Method, path: &str) -> Self {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (path.to_string(), String::new()),
        };
        HttpRequest { method, path, query, headers: Vec::new(), body: Vec::new() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub fn with_json(self, value: &serde_json::Value) -> Self {
        self.with_header("content-type", "application/json").with_body(value.to_string())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter, percent-decoded (`+` is a space).
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key).as_deref() == Some(name)).then(|| percent_decode(value)).flatten()
        })
    }

    /// The bearer token of the `Authorization` header (RFC 6750 §2.1), if well formed.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

/// Decodes `application/x-www-form-urlencoded` text; `None` if not valid UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                if i + 2 >= bytes.len() {
                    return None;
                }
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Encodes text for a query string or form body (RFC 3986 unreserved characters kept,
/// everything else `%XX`).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `name=value&…`, each side percent-encoded.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// The `name=value` pairs of a query string or form body, decoded, in order, repeats
/// kept (the caller decides what a repeat means); `None` if any is not valid encoding.
pub fn form_pairs(text: &str) -> Option<Vec<(String, String)>> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

/// `scheme://authority/path?query#fragment` -> (path, query), both as received.
/// workerd hands the Worker a normalized absolute URL, so splitting is all that is needed
/// (and much cheaper in wasm than a full URL parse on every request).
pub fn split_url(url: &str) -> (String, String) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_and_more = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let without_fragment = path_and_more.split('#').next().unwrap_or("/");
    match without_fragment.split_once('?') {
        Some((path, query)) => (path.to_string(), query.to_string()),
        None => (without_fragment.to_string(), String::new()),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        // Serializing our own response types cannot fail (no maps with non-string keys).
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        HttpResponse { status, headers: vec![("content-type".into(), "application/json; charset=utf-8".into())], body }
    }

    /// A `303 See Other` to `location`: after a form post the browser follows with GET.
    pub fn see_other(location: &str) -> Self {
        HttpResponse { status: 303, headers: vec![("location".into(), location.to_string())], body: Vec::new() }
    }

    pub fn text(status: u16, content_type: &str, body: String) -> Self {
        HttpResponse { status, headers: vec![("content-type".into(), content_type.into())], body: body.into_bytes() }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_into_path_and_query() {
        let cases = [
            ("http://127.0.0.1:7468/a/b?x=1&y=2", ("/a/b", "x=1&y=2")),
            ("https://id.example.test", ("/", "")),
            ("https://id.example.test/?", ("/", "")),
            ("https://h/p%20q#frag", ("/p%20q", "")),
            ("https://h/p?q=a?b#f", ("/p", "q=a?b")),
        ];
        for (url, (path, query)) in cases {
            assert_eq!(split_url(url), (path.to_string(), query.to_string()), "{url}");
        }
    }

    #[test]
    fn query_parameters_are_decoded() {
        let req = HttpRequest::new(Method::Get, "/x?to=ada%40example.test&a=b+c&bad=%zz&empty");
        assert_eq!(req.query_param("to").as_deref(), Some("ada@example.test"));
        assert_eq!(req.query_param("a").as_deref(), Some("b c"));
        assert_eq!(req.query_param("bad"), None);
        assert_eq!(req.query_param("empty").as_deref(), Some(""));
        assert_eq!(req.query_param("missing"), None);
        assert_eq!(percent_decode("%4"), None);
    }

    #[test]
    fn bearer_tokens_are_parsed_strictly() {
        let req = |v: &str| HttpRequest::new(Method::Get, "/").with_header("authorization", v);
        assert_eq!(req("Bearer abc").bearer_token(), Some("abc"));
        assert_eq!(req("bearer  abc ").bearer_token(), Some("abc"));
        assert_eq!(req("Basic abc").bearer_token(), None);
        assert_eq!(req("Bearer ").bearer_token(), None);
        assert_eq!(req("Bearerabc").bearer_token(), None);
    }

    #[test]
    fn a_capped_body_stops_reading_just_past_the_limit() {
        let chunk = [b' '; 16 * 1024];
        let mut body = CappedBody::default();
        // An endless upload: the cap, not the stream, must end the reading.
        let taken = std::iter::repeat(&chunk).take_while(|c| body.push(c.as_slice())).count();
        assert_eq!(taken, MAX_BODY_BYTES / chunk.len(), "every chunk but the one that crossed");
        assert_eq!(body.into_bytes().len(), MAX_BODY_BYTES + 1);
        let mut small = CappedBody::default();
        assert!(small.push(b"{}"));
        assert_eq!(small.into_bytes(), b"{}");
    }
}

/// A streamed body read no further than one byte past `MAX_BODY_BYTES`: enough for the
/// API to answer 413, without buffering whatever a chunked upload chooses to send.
#[derive(Debug, Default)]
pub struct CappedBody {
    bytes: Vec<u8>,
}

impl CappedBody {
    /// Takes the next chunk; `false` once the limit is passed (stop reading).
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        let room = (MAX_BODY_BYTES + 1).saturating_sub(self.bytes.len());
        self.bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.bytes.len() <= MAX_BODY_BYTES
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}
