//! How a token grant binds what it issues to the client's DPoP key (RFC 9449 §5).

use crate::error::ApiError;
use crate::store::accounts::Client;
use crate::tokens::dpop::VerifiedDpopProof;

/// `token_type` of a token response: `DPoP` when bound (§5.1).
pub fn token_type(jkt: Option<&str>) -> &'static str {
    if jkt.is_some() {
        "DPoP"
    } else {
        "Bearer"
    }
}

/// The key to bind to: the proof's. A client registered with `dpop_bound_access_tokens`
/// must send one (§5.2).
pub fn binding<'a>(client: &Client, proof: Option<&'a VerifiedDpopProof>) -> Result<Option<&'a str>, ApiError> {
    match proof {
        Some(proof) => Ok(Some(proof.jkt())),
        None if client.dpop_bound == 1 => Err(ApiError::Dpop {
            at_resource: false,
            error: "invalid_dpop_proof",
            description: "this client's tokens must be DPoP-bound: send a DPoP proof".into(),
            nonce: None,
        }),
        None => Ok(None),
    }
}
