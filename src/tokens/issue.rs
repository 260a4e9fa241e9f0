//! Issuing access tokens: the claims are built by the caller (who decides identity and
//! lifetime); this module only stamps the header and signs with the active key.

use super::claims::AccessClaims;
use super::crypto::{CryptoError, Es256};
use super::jwt;
use super::keys::KeyRing;

pub async fn sign_access_token<C: Es256>(
    claims: &AccessClaims,
    keys: &KeyRing,
    crypto: &C,
) -> Result<String, CryptoError> {
    sign_claims(claims, keys, crypto).await
}

/// Signs any claims set with the active key: access tokens, and the OpenID Connect
/// id_token (`oauth::id_token`), which the same published keys verify.
pub async fn sign_claims<C: Es256, T: serde::Serialize>(
    claims: &T,
    keys: &KeyRing,
    crypto: &C,
) -> Result<String, CryptoError> {
    let signer = keys.signer();
    let payload = serde_json::to_vec(claims).map_err(|e| CryptoError(e.to_string()))?;
    let input = jwt::signing_input(signer.kid(), &payload);
    let signature = crypto.sign(signer, input.as_bytes()).await?;
    Ok(jwt::assemble(&input, &signature))
}
