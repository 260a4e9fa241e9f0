//! A tenant's logo URL: https only, an ASCII host name (IDNs in their `xn--` form), an
//! optional port, and a path and query of URI characters (RFC 3986 §2), at most 512
//! bytes. No user info, no IP-literal brackets, no fragment.
//!
//! The shape matters beyond the `<img src>`: the page that shows the logo names its
//! origin in the CSP `img-src` directive, so the origin must be exactly
//! `https://host[:port]` with nothing that could end the directive or add a source.

use super::BrandingError;
use serde::{Deserialize, Serialize};

/// At most this many bytes in a logo URL.
pub const MAX_LOGO_URL_BYTES: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LogoUrl {
    /// The normalised URL (scheme and host in lower case).
    url: String,
    /// The length of its origin prefix, `https://host[:port]`.
    origin_len: usize,
}

fn refuse(message: &'static str) -> BrandingError {
    BrandingError { field: "logo_url", message }
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn valid_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|p| p > 0)
}

/// RFC 3986 `pchar`, `/` and `?`, with `%` only as the start of a `%XX` escape.
fn valid_rest(rest: &str) -> bool {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let escape = bytes.get(i + 1..i + 3);
            if !escape.is_some_and(|e| e.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b);
        if !allowed {
            return false;
        }
        i += 1;
    }
    true
}

impl LogoUrl {
    pub fn parse(raw: &str) -> Result<Self, BrandingError> {
        let raw = raw.trim();
        if raw.len() > MAX_LOGO_URL_BYTES {
            return Err(refuse("logo_url must be at most 512 bytes"));
        }
        let scheme = raw.get(..8).filter(|s| s.eq_ignore_ascii_case("https://"));
        let Some(after) = scheme.and_then(|_| raw.get(8..)) else {
            return Err(refuse("logo_url must be an https URL"));
        };
        let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(authority_end);
        if rest.contains('#') {
            return Err(refuse("logo_url must not have a fragment"));
        }
        let authority = authority.to_ascii_lowercase();
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority.as_str(), None),
        };
        if !valid_host(host) || !port.is_none_or(valid_port) {
            return Err(refuse("logo_url must name a host (letters, digits, dots and hyphens) and at most a port"));
        }
        if !valid_rest(rest) {
            return Err(refuse("logo_url may contain only URI characters (percent-encode the others)"));
        }
        let origin = format!("https://{authority}");
        Ok(LogoUrl { origin_len: origin.len(), url: format!("{origin}{rest}") })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `https://host[:port]`: the CSP source that lets a page load this logo.
    pub fn origin(&self) -> &str {
        self.url.get(..self.origin_len).unwrap_or("")
    }
}

impl TryFrom<String> for LogoUrl {
    type Error = BrandingError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        LogoUrl::parse(&raw)
    }
}

impl From<LogoUrl> for String {
    fn from(url: LogoUrl) -> String {
        url.url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_are_kept_with_a_lower_case_origin() {
        let logo = LogoUrl::parse("HTTPS://CDN.Acme.test:8443/brand/Logo.svg?v=2&x=%2F").unwrap();
        assert_eq!(logo.as_str(), "https://cdn.acme.test:8443/brand/Logo.svg?v=2&x=%2F");
        assert_eq!(logo.origin(), "https://cdn.acme.test:8443");
        assert_eq!(LogoUrl::parse("https://xn--bcher-kva.test").unwrap().origin(), "https://xn--bcher-kva.test");
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "http://cdn.acme.test/logo.png",
            "javascript:alert(1)",
            "data:image/svg+xml,<svg/>",
            "//cdn.acme.test/logo.png",
            "https://",
            "https://user:pw@cdn.acme.test/logo.png",
            "https://[::1]/logo.png",
            "https://cdn.acme.test/logo.png#frag",
            "https://cdn acme.test/logo.png",
            "https://cdn.acme.test/lo go.png",
            "https://cdn.acme.test/\"onerror=x",
            "https://cdn.acme.test/<script>",
            "https://cdn.acme.test/%zz",
            "https://cdn.acme.test:0/logo.png",
            "https://cdn.acme.test:99999/logo.png",
            "https://cdn.acme.test:/logo.png",
            "https://-bad.test/logo.png",
            "https://bad..test/logo.png",
            "https://bücher.test/logo.png",
            "https://cdn.acme.test; script-src *",
            "https://cdn.acme.test/logo.png\u{0}",
        ] {
            assert_eq!(LogoUrl::parse(bad).unwrap_err().field, "logo_url", "{bad}");
        }
        let long = format!("https://cdn.acme.test/{}", "a".repeat(MAX_LOGO_URL_BYTES));
        assert!(LogoUrl::parse(&long).is_err());
    }
}
