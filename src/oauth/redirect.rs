//! Redirect URIs: registration rules and the match at the authorize endpoint.
//!
//! The match is exact string comparison (RFC 9700 §4.1.3), so a mixed-case host, an
//! extra path segment or an added query are all different URIs. The one exception is
//! RFC 8252 §7.3: a native app listening on a loopback IP picks its port at run time, so
//! for a registered `http://127.0.0.1/…`, `http://[::1]/…` or `http://localhost/…` any
//! port matches, and everything else must still be identical.

/// The parts of an absolute URI this module looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    /// Path, query and fragment, verbatim.
    rest: &'a str,
}

fn parts(uri: &str) -> Option<Parts<'_>> {
    let (scheme, after) = uri.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, tail) = v6.split_once(']')?;
        let port = match tail {
            "" => None,
            t => Some(t.strip_prefix(':')?),
        };
        (&authority[..inside.len() + 2], port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some(Parts { scheme, host, port, rest })
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}

/// Why a URI cannot be registered as a redirect URI.
pub fn registration_problem(uri: &str) -> Option<&'static str> {
    if uri.len() > 2000 {
        return Some("a redirect URI is at most 2000 characters");
    }
    if uri.contains('#') {
        return Some("a redirect URI must not have a fragment (RFC 6749 §3.1.2)");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("a redirect URI must not contain spaces or control characters");
    }
    let Some(p) = parts(uri) else {
        return Some("a redirect URI must be an absolute https URI");
    };
    match p.scheme {
        "https" => None,
        "http" if is_loopback(p.host) => None,
        "http" => Some("http redirect URIs are allowed only on loopback (127.0.0.1, [::1], localhost)"),
        _ => Some("a redirect URI must use https (or http on loopback)"),
    }
}

/// Whether `presented` is one of `registered`, exactly, or differing only in the port of
/// a loopback http URI (RFC 8252 §7.3).
pub fn matches_registered(presented: &str, registered: &[String]) -> bool {
    registered.iter().any(|r| r == presented || loopback_port_variant(r, presented))
}

fn loopback_port_variant(registered: &str, presented: &str) -> bool {
    let (Some(r), Some(p)) = (parts(registered), parts(presented)) else {
        return false;
    };
    r.scheme == "http" && p.scheme == "http" && is_loopback(r.host) && r.host == p.host && r.rest == p.rest
}

/// The origin (`scheme://host[:port]`) of a URI, for the CSP `form-action` of a
/// `form_post` response.
pub fn origin(uri: &str) -> Option<String> {
    let p = parts(uri)?;
    Some(match p.port {
        Some(port) => format!("{}://{}:{}", p.scheme, p.host, port),
        None => format!("{}://{}", p.scheme, p.host),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(uris: &[&str]) -> Vec<String> {
        uris.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_the_exact_uri_matches() {
        let r = reg(&["https://app.example.com/callback"]);
        assert!(matches_registered("https://app.example.com/callback", &r));
        assert!(!matches_registered("https://App.example.com/callback", &r), "mixed-case host");
        assert!(!matches_registered("https://app.example.com/Callback", &r), "mixed-case path");
        assert!(!matches_registered("https://app.example.com/callback/extra", &r), "extra segment");
        assert!(!matches_registered("https://app.example.com/callback?x=1", &r), "added query");
        assert!(!matches_registered("https://app.example.com:8443/callback", &r), "another port");
        assert!(!matches_registered("https://app.example.com/callback/", &r), "trailing slash");
    }

    #[test]
    fn loopback_ports_may_vary_but_nothing_else() {
        let r = reg(&["http://127.0.0.1/cb", "http://[::1]:5000/cb"]);
        assert!(matches_registered("http://127.0.0.1:51234/cb", &r));
        assert!(matches_registered("http://127.0.0.1/cb", &r));
        assert!(matches_registered("http://[::1]:6000/cb", &r));
        assert!(!matches_registered("http://127.0.0.1:51234/cb/more", &r));
        assert!(!matches_registered("http://127.0.0.2:51234/cb", &r));
        assert!(!matches_registered("http://[::1]:6000/cb", &reg(&["http://127.0.0.1/cb"])));
        let https = reg(&["https://app.example.com/cb"]);
        assert!(!matches_registered("https://app.example.com:444/cb", &https), "not loopback");
    }

    #[test]
    fn registration_wants_https_or_loopback_and_no_fragment() {
        assert_eq!(registration_problem("https://app.example.com/cb"), None);
        assert_eq!(registration_problem("http://127.0.0.1:8080/cb"), None);
        assert_eq!(registration_problem("http://localhost/cb"), None);
        assert!(registration_problem("http://app.example.com/cb").is_some());
        assert!(registration_problem("https://app.example.com/cb#frag").is_some());
        assert!(registration_problem("javascript:alert(1)").is_some());
        assert!(registration_problem("https://user@app.example.com/cb").is_some());
        assert!(registration_problem("/relative").is_some());
        assert!(registration_problem("https://app.example.com/a b").is_some());
    }

    #[test]
    fn origins_keep_their_port() {
        assert_eq!(origin("http://127.0.0.1:4000/cb?x").as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(origin("https://a.example/cb").as_deref(), Some("https://a.example"));
    }
}
