//! Tests of the WebAuthn verifier against a software authenticator: real keys (from
//! fixed seeds), real CBOR, real signatures and X.509 certificates, so that each check of
//! §7.1 and §7.2 is exercised on what a browser and an authenticator actually send.

mod assertion;
mod authenticator;
mod cases;
mod cbor;
mod cbor_encode;
mod certs;
mod json;
mod packed_x5c;
mod registration;
mod robustness;
mod signature;
mod vectors;
