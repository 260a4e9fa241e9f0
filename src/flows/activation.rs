//! What the device activation page shows (api.md "Device grant and CIBA"; issue 12): the
//! scopes in words, and whether the device asked from the approver's network. Pure: the
//! caller passes the addresses and the tenant's own scope descriptions.

use std::net::IpAddr;

/// The network an address belongs to, as compared on the activation page: the /24 of an
/// IPv4 address, the /48 of an IPv6 one (an IPv4-mapped IPv6 address counts as IPv4).
/// `None` for anything that is not an address (no `CF-Connecting-IP`).
pub fn network_prefix(ip: &str) -> Option<String> {
    match ip.trim().parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Some(format!("{a}.{b}.{c}.0/24"))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_prefix(&v4.to_string()),
            None => {
                let s = v6.segments();
                Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
            }
        },
    }
}

/// One scope in words for the person approving. `described` holds the tenant's own
/// scopes (name, description), which win when their description is set.
pub fn describe_scope(scope: &str, described: &[(String, String)]) -> String {
    if let Some((_, text)) = described.iter().find(|(name, text)| name == scope && !text.trim().is_empty()) {
        return text.trim().to_string();
    }
    match scope {
        "openid" => return "Confirm who you are".into(),
        "profile" => return "See your name and profile".into(),
        "email" => return "See your email address".into(),
        "offline_access" => return "Stay signed in when you are not using it".into(),
        _ => {}
    }
    if let Some(role) = scope.strip_prefix("role:") {
        return format!("Act with your “{role}” role");
    }
    match scope.split_once(':') {
        Some(("*", "*")) => "Do anything your account can do".into(),
        Some((resource, "*")) => format!("Do anything with “{resource}”"),
        Some(("*", action)) => format!("“{action}” anything your account can"),
        Some((resource, action)) if !resource.is_empty() && !action.is_empty() => {
            format!("“{action}” on “{resource}”")
        }
        _ => format!("Access “{scope}” (no permissions of your account)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_slash_24_and_slash_48() {
        assert_eq!(network_prefix("203.0.113.7").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(network_prefix("::ffff:203.0.113.9").as_deref(), Some("203.0.113.0/24"));
        assert_eq!(network_prefix("2001:db8:1:2::5").as_deref(), Some("2001:db8:1::/48"));
        assert_eq!(network_prefix("unknown"), None);
        assert_ne!(network_prefix("203.0.114.7"), network_prefix("203.0.113.7"));
    }

    #[test]
    fn scopes_read_as_words() {
        let own = vec![("reports".to_string(), "Read your reports".to_string())];
        assert_eq!(describe_scope("reports", &own), "Read your reports");
        assert_eq!(describe_scope("email", &own), "See your email address");
        assert_eq!(describe_scope("role:editor", &own), "Act with your “editor” role");
        assert_eq!(describe_scope("docs:read", &own), "“read” on “docs”");
        assert_eq!(describe_scope("*:*", &own), "Do anything your account can do");
        assert!(describe_scope("tv", &own).contains("no permissions"));
    }
}
