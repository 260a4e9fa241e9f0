//! `private_key_jwt` client authentication (RFC 7523 §2.2 and §3, RFC 7521 §4.2,
//! OpenID Connect Core §9): a client proves who it is with a JWT signed by a key it
//! registered, instead of a shared secret.
//!
//! The checks, in order: the assertion type; shape and size; `alg` from the caller's
//! allow-list (never `none` or HMAC: a client's public key is no secret); the key, taken
//! only from the client's registered JWKS (a header `jwk`, `jku` or `x5u` is ignored);
//! the signature; then the claims: `iss` and `sub` are the client id (§3 points 1–2),
//! `aud` names this server (point 3), `exp` is present and not past (point 4), `nbf` and
//! `iat` are not in the future (points 5–6), and `jti` is present (point 7).
//!
//! Key choice: a header `kid` picks the registered key with that `kid`; a key without a
//! `kid` can serve any assertion. Without a header `kid`, the one key that fits the
//! algorithm is used, and several are [`ClientAssertionError::AmbiguousKey`].
//!
//! Lifetime: `exp` may be at most `max_lifetime_secs` ahead of `now`, so the caller's
//! replay record (`jti`, kept until `exp`) stays bounded. The default is an hour, the
//! lifetime Authlib's `private_key_jwt_sign` gives by default; openid-client uses a minute.
//!
//! Every error is `invalid_client` (RFC 6749 §5.2) except `Backend`, a 500.

use super::claims::Audience;
use super::dpop::MAX_JTI_BYTES;
use super::jwt::UntrustedToken;
use super::public_jwk::{fits, public_key, verify_jws, JwkError, JwsAlg};
use super::TokenError;
use crate::webauthn::{PublicKey, SignatureVerifier};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// The only `client_assertion_type` accepted (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY_SECS: i64 = 60;

/// How far ahead of `now` `exp` may be by default, in seconds (see the module notes).
pub const DEFAULT_MAX_LIFETIME_SECS: i64 = 3600;

/// What an assertion is checked against.
#[derive(Debug, Clone)]
pub struct AssertionPolicy<'a> {
    /// The client being authenticated: `iss` and `sub` must both be it.
    pub client_id: &'a str,
    /// The client's registered JWKS, `{"keys": [...]}`.
    pub jwks: &'a Value,
    /// Values of `aud` that name this server: its issuer and its token endpoint URL.
    pub audiences: &'a [&'a str],
    /// The current time, seconds since the epoch.
    pub now: i64,
    /// Clock skew tolerated on `exp`, `nbf`, `iat` and the lifetime, in seconds.
    pub leeway_secs: i64,
    /// How far ahead of `now` `exp` may be, in seconds.
    pub max_lifetime_secs: i64,
    /// The algorithms accepted (also `token_endpoint_auth_signing_alg_values_supported`).
    pub algorithms: &'a [JwsAlg],
}

impl<'a> AssertionPolicy<'a> {
    /// A policy with the default leeway and lifetime and every algorithm of [`JwsAlg::ALL`].
    pub fn new(client_id: &'a str, jwks: &'a Value, audiences: &'a [&'a str], now: i64) -> Self {
        AssertionPolicy {
            client_id,
            jwks,
            audiences,
            now,
            leeway_secs: DEFAULT_LEEWAY_SECS,
            max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
            algorithms: &JwsAlg::ALL,
        }
    }
}

/// An assertion that authenticated its client. Only [`verify_client_assertion`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedClientAssertion {
    client_id: String,
    jti: String,
    exp: i64,
}

impl VerifiedClientAssertion {
    /// The authenticated client.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The assertion's id: the caller refuses it again until [`Self::exp`] (RFC 7523 §3 point 7).
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// When the assertion expires, seconds since the epoch.
    pub fn exp(&self) -> i64 {
        self.exp
    }
}

#[derive(Deserialize)]
struct AssertionClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    exp: Option<i64>,
    nbf: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
}

/// The client an assertion claims to come from (its `iss`), unverified: only for looking
/// up that client's JWKS when the request has no `client_id` parameter.
pub fn claimed_client_id(assertion: &str) -> Result<String, ClientAssertionError> {
    let token = parse(assertion)?;
    let claims: AssertionClaims = serde_json::from_slice(token.payload()).map_err(|_| mistyped())?;
    claims.iss.ok_or(ClientAssertionError::MissingClaim("iss"))
}

/// Authenticates a client by its `client_assertion` (RFC 7523 §3). Pure: the caller
/// passes `now` and the client's JWKS, and refuses a `jti` it has seen before `exp`.
pub async fn verify_client_assertion<V: SignatureVerifier>(
    assertion_type: &str,
    assertion: &str,
    policy: &AssertionPolicy<'_>,
    verifier: &V,
) -> Result<VerifiedClientAssertion, ClientAssertionError> {
    use ClientAssertionError as E;
    if assertion_type != JWT_BEARER_ASSERTION_TYPE {
        return Err(E::WrongAssertionType);
    }
    let token = parse(assertion)?;
    let alg = JwsAlg::from_name(&token.header().alg)
        .filter(|alg| policy.algorithms.contains(alg))
        .ok_or(E::UnsupportedAlgorithm)?;
    if token.header().crit.is_some() {
        return Err(E::CriticalHeader);
    }
    let key = select_key(policy.jwks, token.header().kid.as_deref(), alg)?;
    let valid =
        verify_jws(verifier, &key, token.signing_input(), token.signature()).await.map_err(|e| E::Backend(e.0))?;
    if !valid {
        return Err(E::BadSignature);
    }
    let claims: AssertionClaims = serde_json::from_slice(token.payload()).map_err(|_| mistyped())?;
    if claims.iss.ok_or(E::MissingClaim("iss"))? != policy.client_id {
        return Err(E::WrongIssuer);
    }
    if claims.sub.ok_or(E::MissingClaim("sub"))? != policy.client_id {
        return Err(E::WrongSubject);
    }
    let aud = claims.aud.ok_or(E::MissingClaim("aud"))?;
    if !policy.audiences.iter().any(|wanted| !wanted.is_empty() && aud.contains(wanted)) {
        return Err(E::WrongAudience);
    }
    let (now, leeway) = (policy.now, policy.leeway_secs);
    let exp = claims.exp.ok_or(E::MissingClaim("exp"))?;
    if now > exp.saturating_add(leeway) {
        return Err(E::Expired);
    }
    if exp > now.saturating_add(policy.max_lifetime_secs).saturating_add(leeway) {
        return Err(E::LifetimeTooLong);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(E::NotYetValid);
    }
    if claims.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(E::IssuedInFuture);
    }
    let jti = claims.jti.filter(|jti| !jti.is_empty()).ok_or(E::MissingClaim("jti"))?;
    if jti.len() > MAX_JTI_BYTES {
        return Err(E::JtiTooLong);
    }
    Ok(VerifiedClientAssertion { client_id: policy.client_id.to_owned(), jti, exp })
}

fn parse(assertion: &str) -> Result<UntrustedToken<'_>, ClientAssertionError> {
    UntrustedToken::parse(assertion).map_err(|e| match e {
        TokenError::TooLarge => ClientAssertionError::TooLarge,
        TokenError::Malformed(what) => ClientAssertionError::Malformed(what),
        _ => ClientAssertionError::Malformed("not a compact JWS"),
    })
}

fn mistyped() -> ClientAssertionError {
    ClientAssertionError::Malformed("claims are mistyped")
}

/// The registered key for an assertion with header `kid` and algorithm `alg` (see the
/// module notes).
fn select_key(jwks: &Value, kid: Option<&str>, alg: JwsAlg) -> Result<PublicKey, ClientAssertionError> {
    use ClientAssertionError as E;
    let keys = jwks.get("keys").and_then(Value::as_array).ok_or(E::InvalidJwks)?;
    let named: Vec<&Value> = keys.iter().filter(|jwk| kid.is_some() && key_id(jwk) == kid).collect();
    let pool: Vec<&Value> = match kid {
        Some(_) if !named.is_empty() => named.clone(),
        Some(_) => keys.iter().filter(|jwk| key_id(jwk).is_none()).collect(),
        None => keys.iter().collect(),
    };
    match pool.into_iter().filter(|jwk| fits(jwk, alg)).collect::<Vec<_>>().as_slice() {
        [jwk] => public_key(jwk, alg).map_err(E::InvalidKey),
        [] if !named.is_empty() => Err(E::KeyNotForAlgorithm),
        [] if kid.is_some() => Err(E::UnknownKeyId),
        [] => Err(E::NoMatchingKey),
        _ => Err(E::AmbiguousKey),
    }
}

fn key_id(jwk: &Value) -> Option<&str> {
    jwk.get("kid").and_then(Value::as_str)
}

/// Why a client assertion was refused. The messages are safe to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAssertionError {
    /// `client_assertion_type` is not [`JWT_BEARER_ASSERTION_TYPE`] (RFC 7523 §2.2).
    WrongAssertionType,
    /// Longer than `jwt::MAX_TOKEN_BYTES`.
    TooLarge,
    /// Not a compact JWS, or its claims are not JSON of the right types.
    Malformed(&'static str),
    /// `alg` is not in the allow-list: `none`, HMAC and unknown ones among them.
    UnsupportedAlgorithm,
    /// The header marks parameters critical (RFC 7515 §4.1.11); none are understood.
    CriticalHeader,
    /// The client's registered JWKS is not `{"keys": [...]}`.
    InvalidJwks,
    /// The header `kid` names no registered key, and no key without a `kid` fits.
    UnknownKeyId,
    /// The key the header `kid` names is not a key for the header `alg`.
    KeyNotForAlgorithm,
    /// No registered key fits the algorithm.
    NoMatchingKey,
    /// Several registered keys fit and the header has no `kid` to choose between them.
    AmbiguousKey,
    /// The chosen registered key is unusable (private, malformed or weak).
    InvalidKey(JwkError),
    /// The signature does not verify under the client's key.
    BadSignature,
    /// A required claim is absent: `iss`, `sub`, `aud`, `exp` or `jti`.
    MissingClaim(&'static str),
    /// `iss` is not the client id (RFC 7523 §3 point 1).
    WrongIssuer,
    /// `sub` is not the client id (RFC 7523 §3 point 2.B).
    WrongSubject,
    /// `aud` names neither the issuer nor the token endpoint (RFC 7523 §3 point 3).
    WrongAudience,
    /// `exp` has passed (RFC 7523 §3 point 4).
    Expired,
    /// `exp` is further ahead than the policy's maximum lifetime.
    LifetimeTooLong,
    /// `nbf` is in the future (RFC 7523 §3 point 5).
    NotYetValid,
    /// `iat` is in the future (RFC 7523 §3 point 6).
    IssuedInFuture,
    /// `jti` is longer than `dpop::MAX_JTI_BYTES`.
    JtiTooLong,
    /// The crypto backend failed (not a bad signature); logged, answered as 500.
    Backend(String),
}

impl fmt::Display for ClientAssertionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ClientAssertionError as E;
        let text = match self {
            E::Malformed(what) => return write!(f, "client assertion is malformed: {what}"),
            E::InvalidKey(why) => return write!(f, "client's registered key is not usable: {why}"),
            E::MissingClaim(name) => return write!(f, "client assertion has no {name} claim"),
            E::WrongAssertionType => "client_assertion_type is not jwt-bearer",
            E::TooLarge => "client assertion is too large",
            E::UnsupportedAlgorithm => "client assertion algorithm is not allowed",
            E::CriticalHeader => "client assertion has critical header parameters",
            E::InvalidJwks => "client's registered JWKS is malformed",
            E::UnknownKeyId => "client assertion kid names no registered key",
            E::KeyNotForAlgorithm => "client assertion kid names a key for another algorithm",
            E::NoMatchingKey => "client has no registered key for this algorithm",
            E::AmbiguousKey => "client assertion needs a kid to choose among the client's keys",
            E::BadSignature => "client assertion signature is invalid",
            E::WrongIssuer => "client assertion iss is not the client id",
            E::WrongSubject => "client assertion sub is not the client id",
            E::WrongAudience => "client assertion aud does not name this server",
            E::Expired => "client assertion has expired",
            E::LifetimeTooLong => "client assertion expires too far in the future",
            E::NotYetValid => "client assertion is not valid yet",
            E::IssuedInFuture => "client assertion iat is in the future",
            E::JtiTooLong => "client assertion jti is too long",
            E::Backend(_) => "client assertion could not be processed",
        };
        f.write_str(text)
    }
}
