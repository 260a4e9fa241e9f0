//! DPoP proof verification (RFC 9449 §4.3), for the token endpoint and for resources.
//!
//! A proof is a JWT the client signs with a key it holds, and carries that key's public
//! half in its header (§4.2). Verifying it shows that the sender holds the key; the caller
//! then does the two things that need state or other tokens:
//! - refuses a `jti` it has already seen within the `iat` window (§11.1; a Durable
//!   Object keyed by `jkt` and `jti`), and
//! - compares [`VerifiedDpopProof::jkt`] with the token's `cnf.jkt` (§6.1), or binds the
//!   new token to it.
//!
//! The checks follow §4.3 in order, cheapest first and the signature before any claim:
//! shape (2), `typ` (4), `alg` from the caller's allow-list (5), the header `jwk` is a
//! public key fit for `alg` (7), the signature under it (6), then the claims (3): `jti`,
//! `htm` (8), `htu` (9, see `htu`), `nonce` (10), `iat` (11) and `ath` (12).
//!
//! Errors: [`DpopError::is_nonce_error`] ones answer `use_dpop_nonce` with a fresh
//! `DPoP-Nonce` (§8), `Backend` is a 500, every other one is `invalid_dpop_proof` (§7.1).

use super::htu;
use super::jwt::UntrustedToken;
use super::public_jwk::{public_key, verify_jws, JwkError, JwsAlg};
use super::TokenError;
use crate::b64;
use crate::webauthn::SignatureVerifier;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

pub use super::public_jwk::jwk_thumbprint;

/// The proof's media type (§4.2), compared without case and with `application/` optional
/// (RFC 7515 §4.1.9).
pub const DPOP_TYP: &str = "dpop+jwt";

/// The default `iat` window either side of `now`, in seconds.
pub const DEFAULT_IAT_WINDOW_SECS: i64 = 60;

/// The longest `jti` accepted, in bytes: the caller stores every `jti` for a while.
pub const MAX_JTI_BYTES: usize = 256;

/// What the request says and the server expects; everything a proof is checked against.
#[derive(Debug, Clone)]
pub struct DpopPolicy<'a> {
    /// The request's method, compared exactly with `htm` (methods are case-sensitive,
    /// RFC 9110 §9.1).
    pub method: &'a str,
    /// The request's URI as received; compared with `htu` by `htu::same_target`.
    pub uri: &'a str,
    /// The current time, seconds since the epoch.
    pub now: i64,
    /// How long before `now` `iat` may be, in seconds.
    pub max_age_secs: i64,
    /// How long after `now` `iat` may be (the client's clock running fast), in seconds.
    pub max_skew_secs: i64,
    /// At a resource: the access token presented with the proof, which `ath` must hash (§4.3 point 12).
    pub access_token: Option<&'a str>,
    /// The nonce the server last gave this client (§8, §9): when set, `nonce` must equal it.
    pub nonce: Option<&'a str>,
    /// The algorithms accepted (also `dpop_signing_alg_values_supported`, §5.1).
    pub algorithms: &'a [JwsAlg],
}

impl<'a> DpopPolicy<'a> {
    /// A policy for a request with the default window, no access token, no nonce, and
    /// every algorithm of [`JwsAlg::ALL`].
    pub fn new(method: &'a str, uri: &'a str, now: i64) -> Self {
        DpopPolicy {
            method,
            uri,
            now,
            max_age_secs: DEFAULT_IAT_WINDOW_SECS,
            max_skew_secs: DEFAULT_IAT_WINDOW_SECS,
            access_token: None,
            nonce: None,
            algorithms: &JwsAlg::ALL,
        }
    }
}

/// A proof that passed every check of §4.3 that needs no state. Only
/// [`verify_dpop_proof`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDpopProof {
    jkt: String,
    jti: String,
    iat: i64,
}

impl VerifiedDpopProof {
    /// The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: `cnf.jkt` (§6.1).
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// The proof's id, for the caller's replay check (§11.1).
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// When the client says it made the proof; the replay record can expire after
    /// `iat + max_age_secs`.
    pub fn iat(&self) -> i64 {
        self.iat
    }
}

#[derive(Deserialize)]
struct ProofHeader {
    typ: Option<String>,
    jwk: Option<Value>,
}

#[derive(Deserialize)]
struct ProofClaims {
    jti: Option<String>,
    htm: Option<String>,
    htu: Option<String>,
    iat: Option<i64>,
    ath: Option<String>,
    nonce: Option<String>,
}

/// Verifies the `DPoP` header's proof for a request (RFC 9449 §4.3). Pure: the caller
/// passes `now` and does the replay and binding checks (see the module notes).
pub async fn verify_dpop_proof<V: SignatureVerifier>(
    proof: &str,
    policy: &DpopPolicy<'_>,
    verifier: &V,
) -> Result<VerifiedDpopProof, DpopError> {
    let token = UntrustedToken::parse(proof).map_err(|e| match e {
        TokenError::TooLarge => DpopError::TooLarge,
        TokenError::Malformed(what) => DpopError::Malformed(what),
        _ => DpopError::Malformed("not a compact JWS"),
    })?;
    let header: ProofHeader = token.header_as().ok_or(DpopError::Malformed("header members are mistyped"))?;
    if !header.typ.as_deref().is_some_and(is_dpop_typ) {
        return Err(DpopError::WrongType);
    }
    let alg = JwsAlg::from_name(&token.header().alg)
        .filter(|alg| policy.algorithms.contains(alg))
        .ok_or(DpopError::UnsupportedAlgorithm)?;
    if token.header().crit.is_some() {
        return Err(DpopError::CriticalHeader);
    }
    let jwk = header.jwk.ok_or(DpopError::MissingKey)?;
    let key = public_key(&jwk, alg).map_err(DpopError::InvalidKey)?;
    let valid = verify_jws(verifier, &key, token.signing_input(), token.signature())
        .await
        .map_err(|e| DpopError::Backend(e.0))?;
    if !valid {
        return Err(DpopError::BadSignature);
    }
    let claims: ProofClaims =
        serde_json::from_slice(token.payload()).map_err(|_| DpopError::Malformed("claims are mistyped"))?;
    let jti = claims.jti.filter(|jti| !jti.is_empty()).ok_or(DpopError::MissingClaim("jti"))?;
    if jti.len() > MAX_JTI_BYTES {
        return Err(DpopError::JtiTooLong);
    }
    if claims.htm.ok_or(DpopError::MissingClaim("htm"))? != policy.method {
        return Err(DpopError::WrongMethod);
    }
    if !htu::same_target(&claims.htu.ok_or(DpopError::MissingClaim("htu"))?, policy.uri) {
        return Err(DpopError::WrongUri);
    }
    if let Some(expected) = policy.nonce {
        if claims.nonce.ok_or(DpopError::NonceRequired)? != expected {
            return Err(DpopError::WrongNonce);
        }
    }
    let iat = claims.iat.ok_or(DpopError::MissingClaim("iat"))?;
    if iat < policy.now.saturating_sub(policy.max_age_secs) {
        return Err(DpopError::IssuedTooLongAgo);
    }
    if iat > policy.now.saturating_add(policy.max_skew_secs) {
        return Err(DpopError::IssuedInFuture);
    }
    if let Some(access_token) = policy.access_token {
        let ath = claims.ath.ok_or(DpopError::MissingClaim("ath"))?;
        let expected = b64::encode(&Sha256::digest(access_token.as_bytes()));
        if !bool::from(expected.as_bytes().ct_eq(ath.as_bytes())) {
            return Err(DpopError::WrongAccessTokenHash);
        }
    }
    let jkt = jwk_thumbprint(&jwk).map_err(DpopError::InvalidKey)?;
    Ok(VerifiedDpopProof { jkt, jti, iat })
}

fn is_dpop_typ(typ: &str) -> bool {
    let typ = typ.to_ascii_lowercase();
    typ.strip_prefix("application/").unwrap_or(&typ) == DPOP_TYP
}

/// Why a DPoP proof was refused (RFC 9449 §4.3). The messages are safe to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DpopError {
    /// Longer than `jwt::MAX_TOKEN_BYTES`.
    TooLarge,
    /// Not a compact JWS, or its header or claims are not JSON of the right types.
    Malformed(&'static str),
    /// `typ` is not `dpop+jwt` (§4.3 point 4).
    WrongType,
    /// `alg` is not in the allow-list: `none`, HMAC and unknown ones among them (point 5).
    UnsupportedAlgorithm,
    /// The header marks parameters critical (RFC 7515 §4.1.11); none are understood.
    CriticalHeader,
    /// The header has no `jwk`.
    MissingKey,
    /// The header's `jwk` is private, malformed, or not a key for `alg` (point 7).
    InvalidKey(JwkError),
    /// The signature does not verify under the header's key (point 6).
    BadSignature,
    /// A required claim is absent (point 3): `jti`, `htm`, `htu`, `iat`, or `ath` when
    /// an access token is presented.
    MissingClaim(&'static str),
    /// `jti` is longer than [`MAX_JTI_BYTES`].
    JtiTooLong,
    /// `htm` is not the request's method (point 8).
    WrongMethod,
    /// `htu` is not the request's URI (point 9).
    WrongUri,
    /// The server requires a nonce and the proof has none (point 10): `use_dpop_nonce`.
    NonceRequired,
    /// The proof's nonce is not the server's (point 10): `use_dpop_nonce`.
    WrongNonce,
    /// `iat` is further in the past than the window allows (point 11).
    IssuedTooLongAgo,
    /// `iat` is further in the future than the window allows (point 11).
    IssuedInFuture,
    /// `ath` is not the hash of the access token presented (point 12).
    WrongAccessTokenHash,
    /// The crypto backend failed (not a bad signature); logged, answered as 500.
    Backend(String),
}

impl DpopError {
    /// Whether the answer is `use_dpop_nonce` with a fresh `DPoP-Nonce` (§8, §9) rather
    /// than `invalid_dpop_proof`.
    pub fn is_nonce_error(&self) -> bool {
        matches!(self, DpopError::NonceRequired | DpopError::WrongNonce)
    }
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DpopError::TooLarge => f.write_str("DPoP proof is too large"),
            DpopError::Malformed(what) => write!(f, "DPoP proof is malformed: {what}"),
            DpopError::WrongType => f.write_str("DPoP proof typ must be dpop+jwt"),
            DpopError::UnsupportedAlgorithm => f.write_str("DPoP proof algorithm is not allowed"),
            DpopError::CriticalHeader => f.write_str("DPoP proof has critical header parameters"),
            DpopError::MissingKey => f.write_str("DPoP proof header has no jwk"),
            DpopError::InvalidKey(why) => write!(f, "DPoP proof key is not acceptable: {why}"),
            DpopError::BadSignature => f.write_str("DPoP proof signature is invalid"),
            DpopError::MissingClaim(name) => write!(f, "DPoP proof has no {name} claim"),
            DpopError::JtiTooLong => f.write_str("DPoP proof jti is too long"),
            DpopError::WrongMethod => f.write_str("DPoP proof htm does not match the request method"),
            DpopError::WrongUri => f.write_str("DPoP proof htu does not match the request URI"),
            DpopError::NonceRequired => f.write_str("DPoP proof must carry the server's nonce"),
            DpopError::WrongNonce => f.write_str("DPoP proof nonce is not the server's current nonce"),
            DpopError::IssuedTooLongAgo => f.write_str("DPoP proof iat is too old"),
            DpopError::IssuedInFuture => f.write_str("DPoP proof iat is in the future"),
            DpopError::WrongAccessTokenHash => f.write_str("DPoP proof ath does not match the access token"),
            DpopError::Backend(_) => f.write_str("DPoP proof could not be processed"),
        }
    }
}
