//! The OAuth provider over the API, natively: grants whose rules need no browser.

mod client_credentials;
mod dpop;
mod private_key_jwt;
mod token_exchange;
