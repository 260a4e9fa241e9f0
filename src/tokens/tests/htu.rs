//! The `htu` normal form (RFC 9449 §4.3 point 9; RFC 3986 §6.2.2, §6.2.3, §5.2.4).

use crate::tokens::htu::{normalize, same_target};

#[test]
fn normal_forms() {
    for (uri, normal) in [
        ("https://server.example.com/token", "https://server.example.com/token"),
        ("HTTPS://SERVER.Example.com/token", "https://server.example.com/token"),
        ("https://server.example.com:443/token", "https://server.example.com/token"),
        ("https://server.example.com:/token", "https://server.example.com/token"),
        ("http://server.example.com:80/token", "http://server.example.com/token"),
        ("http://server.example.com:443/token", "http://server.example.com:443/token"),
        ("https://server.example.com:08443/token", "https://server.example.com:8443/token"),
        ("https://server.example.com", "https://server.example.com/"),
        ("https://server.example.com?q", "https://server.example.com/"),
        ("https://server.example.com/token?a=1&b=2#frag", "https://server.example.com/token"),
        ("https://server.example.com/token#frag?not-a-query", "https://server.example.com/token"),
        ("https://server.example.com/%7euser/%2fx%2F", "https://server.example.com/~user/%2Fx%2F"),
        ("https://server.example.com/a/./b/../c", "https://server.example.com/a/c"),
        ("https://server.example.com/a/b/..", "https://server.example.com/a/"),
        ("https://server.example.com/../../token", "https://server.example.com/token"),
        ("https://server.example.com/%2E%2E/token", "https://server.example.com/token"),
        ("https://server.example.com/a//b/", "https://server.example.com/a//b/"),
        ("https://[2001:DB8::1]:443/token", "https://[2001:db8::1]/token"),
        ("https://[2001:db8::1]:8443/token", "https://[2001:db8::1]:8443/token"),
    ] {
        assert_eq!(normalize(uri).as_deref(), Some(normal), "{uri}");
    }
}

#[test]
fn uris_without_a_normal_form() {
    for uri in [
        "",
        "/token",
        "server.example.com/token",
        "ftp://server.example.com/token",
        "https:/server.example.com/token",
        "https:///token",
        "https://:443/token",
        "https://user@server.example.com/token",
        "https://user:pw@server.example.com/token",
        "https://server.example.com:99999/token",
        "https://server.example.com:44a/token",
        "https://server.example.com/to ken",
        "https://server.example.com/tökén",
        "https://server.example.com/%zz",
        "https://server.example.com/%4",
        "https://[2001:db8::1/token",
        "https://[2001:db8::1]x/token",
    ] {
        assert_eq!(normalize(uri), None, "{uri}");
    }
}

#[test]
fn same_target_needs_two_normal_forms() {
    assert!(same_target("https://Server.example.com:443/token?x", "https://server.example.com/token"));
    assert!(!same_target("https://server.example.com/token", "https://server.example.com/token/"));
    assert!(!same_target("not a uri", "not a uri"));
}
