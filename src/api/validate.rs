//! Shapes of identifiers that arrive in bodies: emails and tenant domains.

use crate::error::ApiError;

/// A plausible address, lower-cased. Deliverability is proven by the emailed code, not
/// by pattern matching; this only keeps junk and header injection out.
pub fn email(field: &str, raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split('@').count() == 2
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\".contains(c));
    if valid {
        Ok(email)
    } else {
        Err(ApiError::bad_field(field, format!("{field} is not a valid email address")))
    }
}

/// A tenant domain: 3-63 characters of a-z, 0-9, '-' and '.', lower-cased.
pub fn tenant_domain(field: &str, raw: &str) -> Result<String, ApiError> {
    let domain = raw.trim().to_lowercase();
    let valid = (3..=63).contains(&domain.len())
        && domain.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !domain.starts_with(['-', '.'])
        && !domain.ends_with(['-', '.']);
    if valid {
        Ok(domain)
    } else {
        Err(ApiError::bad_field(field, format!("{field} must be 3-63 characters of a-z, 0-9, '-' and '.'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_junk_refused() {
        assert_eq!(email("email", " Ada@Example.TEST ").unwrap(), "ada@example.test");
        for bad in ["", "ada", "ada@", "@x.test", "a@b", "a@b@c.test", "a b@c.test", "a@c.test\r\nbcc:x", "a@.test"] {
            assert!(email("email", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tenant_domains_are_restricted() {
        assert_eq!(tenant_domain("d", "Acme-Corp").unwrap(), "acme-corp");
        for bad in ["ab", "-acme", "acme.", "ac me", "acme_corp", &"a".repeat(64)] {
            assert!(tenant_domain("d", bad).is_err(), "{bad:?}");
        }
    }
}
