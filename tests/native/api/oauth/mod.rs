//! The OAuth provider over the API, natively: grants whose rules need no browser.

mod client_credentials;
mod token_exchange;
