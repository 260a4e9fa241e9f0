//! The DPoP `htu` comparison (RFC 9449 §4.3 point 9): the proof's `htu` and the request's
//! URI match when they are equal after dropping query and fragment and applying RFC 3986
//! syntax-based (§6.2.2) and scheme-based (§6.2.3) normalisation, as §4.3 recommends.
//!
//! The normal form is `scheme://host[:port]path`, where:
//! - only absolute `http` and `https` URIs with a host are accepted, without userinfo;
//!   anything else (non-ASCII, spaces, a bad `%` escape, a port over 65535) is no match;
//! - scheme and host are lower-cased (§6.2.2.1); a port equal to the scheme's default
//!   (80, 443), or empty, is dropped, and leading zeros go (§6.2.3);
//! - percent-escapes get upper-case hex, and escapes of unreserved characters are decoded
//!   (§6.2.2.2); then dot segments are removed (§6.2.2.3, §5.2.4); an empty path is `/`.
//!
//! The path keeps its case and its empty segments: `/token` and `/Token/` differ.

/// Whether a proof's `htu` names the same target as `request_uri` (RFC 9449 §4.3 point 9).
/// False when either is not an absolute `http(s)` URI.
pub fn same_target(htu: &str, request_uri: &str) -> bool {
    match (normalize(htu), normalize(request_uri)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The normal form described in the module notes, or `None` for a URI that has none.
pub fn normalize(uri: &str) -> Option<String> {
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let uri = uri.find(['?', '#']).map_or(uri, |end| &uri[..end]);
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |slash| rest.split_at(slash));
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_authority(authority)?;
    if host.is_empty() {
        return None;
    }
    let host = normalize_escapes(host)?.to_ascii_lowercase();
    let port = match port {
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            let significant = digits.trim_start_matches('0');
            let port = if significant.is_empty() { 0 } else { significant.parse::<u16>().ok()? };
            (port != default_port).then_some(port)
        }
        Some(_) => return None,
    };
    let path = remove_dot_segments(&normalize_escapes(path)?);
    Some(match port {
        Some(port) => format!("{scheme}://{host}:{port}{path}"),
        None => format!("{scheme}://{host}{path}"),
    })
}

/// Host and optional port text; an IPv6 literal keeps its brackets.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        };
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Upper-case hex in every escape, unreserved characters decoded (RFC 3986 §2.3, §6.2.2.2).
fn normalize_escapes(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte != b'%' {
            out.push(char::from(byte));
            continue;
        }
        let high = char::from(bytes.next()?).to_digit(16)?;
        let low = char::from(bytes.next()?).to_digit(16)?;
        let value = u8::try_from(high * 16 + low).ok()?;
        if value.is_ascii_alphanumeric() || b"-._~".contains(&value) {
            out.push(char::from(value));
        } else {
            out.push_str(&format!("%{value:02X}"));
        }
    }
    Some(out)
}

/// RFC 3986 §5.2.4 for an absolute path (one that starts with `/`).
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.into_iter().enumerate() {
        match segment {
            "." | ".." => {
                if segment == ".." {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}
