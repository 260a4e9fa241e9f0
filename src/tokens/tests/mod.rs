//! Tests of the verifiers for JWTs that others sign: DPoP proofs and client assertions,
//! with real keys of all three algorithms from fixed seeds and the RFCs' own vectors.

mod client_assertion;
mod dpop;
mod dpop_claims;
mod htu;
mod public_jwk;
mod support;
