//! Ids as types at the store boundary (design.md rule 7). A store method that takes a
//! tenant, a user and a device takes three different types, so swapping two is a
//! compile error rather than a silent cross-tenant read.
//!
//! They are borrowed (`Copy`, the size of a `&str`): ids arrive as strings from tokens,
//! paths and rows, and naming what an id is costs nothing at the call.

use std::fmt;

macro_rules! id_type {
    ($name:ident, $what:literal) => {
        #[doc = concat!("The id of ", $what, ".")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(&'a str);

        impl<'a> $name<'a> {
            pub const fn new(id: &'a str) -> Self {
                $name(id)
            }

            pub const fn as_str(self) -> &'a str {
                self.0
            }
        }

        impl std::ops::Deref for $name<'_> {
            type Target = str;
            fn deref(&self) -> &str {
                self.0
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name<'_> {
            fn eq(&self, other: &String) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<$name<'_>> for String {
            fn eq(&self, other: &$name<'_>) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name<'_>> for &String {
            fn eq(&self, other: &$name<'_>) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name<'_>> for &str {
            fn eq(&self, other: &$name<'_>) -> bool {
                *self == other.0
            }
        }

        impl From<$name<'_>> for String {
            fn from(id: $name<'_>) -> String {
                id.0.to_string()
            }
        }

        impl PartialEq<$name<'_>> for str {
            fn eq(&self, other: &$name<'_>) -> bool {
                self == other.0
            }
        }
    };
}

id_type!(TenantId, "a tenant");
id_type!(UserId, "a user (admin or end user) within its tenant");
id_type!(ClientId, "an OAuth client (its public `client_id`)");
id_type!(SessionId, "a session (the `sid` claim)");
id_type!(DeviceId, "a registered device (a TOTP device or a CIBA push device)");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_with_the_strings_they_wrap_and_print_as_them() {
        let owned = String::from("t-1");
        let tenant = TenantId::new(&owned);
        assert!(tenant == "t-1" && owned == tenant && tenant.as_str() == "t-1");
        assert_eq!(format!("tenant {tenant}"), "tenant t-1");
        assert_eq!(tenant.len(), 3, "reads as a str");
        assert_ne!(UserId::new("u-1"), UserId::new("u-2"));
    }
}
