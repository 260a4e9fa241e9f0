//! Attestation statements (WebAuthn L3 §8): what the authenticator says about itself
//! when it creates a credential. This RP accepts "none" (§8.7) and "packed" (§8.2), the
//! latter as self attestation or with an attestation certificate (x5c).
//!
//! Invariants: a statement's signature is always checked over `authData ||
//! clientDataHash` with the key and algorithm the format prescribes; self attestation
//! must use the credential key's own algorithm. Verifying the x5c chain against trust
//! anchors (a metadata service) is the caller's business: the result says which kind of
//! attestation was seen and carries the certificates so that it can be recorded.

use super::cbor::Value;
use super::cert;
use super::cose::CoseAlg;
use super::keys::PublicKey;
use super::signature::{check_signature, SignatureVerifier};
use super::WebauthnError;

/// Most certificates accepted in an x5c array.
pub const MAX_X5C_CERTS: usize = 8;

/// The attestation statement format identifier (WebAuthn §8, IANA registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationFormat {
    /// "none" (§8.7).
    None,
    /// "packed" (§8.2).
    Packed,
}

impl AttestationFormat {
    /// The `fmt` string as it appears in the attestation object.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationFormat::None => "none",
            AttestationFormat::Packed => "packed",
        }
    }
}

/// The attestation type established (WebAuthn §6.5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationKind {
    /// No attestation: "none".
    None,
    /// Self attestation: signed with the credential key itself.
    SelfAttestation,
    /// Basic attestation with a certificate; `x5c` is the chain as sent, leaf first. Its
    /// trust has NOT been checked against any anchor.
    Basic { x5c: Vec<Vec<u8>> },
}

/// Verifies the attestation statement `att_stmt` of format `fmt` (§7.1 steps 19-21).
/// `auth_data` is the raw authenticator data; `aaguid` and `credential_key` come from it.
/// The statement's signature is checked through `verifier`.
pub async fn verify_statement<V: SignatureVerifier>(
    fmt: &str,
    att_stmt: &Value,
    auth_data: &[u8],
    client_data_hash: &[u8; 32],
    credential_key: &PublicKey,
    aaguid: &[u8; 16],
    verifier: &V,
) -> Result<(AttestationFormat, AttestationKind), WebauthnError> {
    let entries = att_stmt.as_map().ok_or(WebauthnError::MalformedAttestation("attStmt is not a map"))?;
    match fmt {
        "none" if entries.is_empty() => Ok((AttestationFormat::None, AttestationKind::None)),
        "none" => Err(WebauthnError::MalformedAttestation("attStmt of \"none\" is not empty")),
        "packed" => {
            let mut signed = Vec::with_capacity(auth_data.len() + client_data_hash.len());
            signed.extend_from_slice(auth_data);
            signed.extend_from_slice(client_data_hash);
            let kind = verify_packed(att_stmt, &signed, credential_key, aaguid, verifier).await?;
            Ok((AttestationFormat::Packed, kind))
        }
        _ => Err(WebauthnError::UnsupportedAttestationFormat),
    }
}

/// The "packed" verification procedure (§8.2): `signed` is `authData || clientDataHash`.
async fn verify_packed<V: SignatureVerifier>(
    att_stmt: &Value,
    signed: &[u8],
    credential_key: &PublicKey,
    aaguid: &[u8; 16],
    verifier: &V,
) -> Result<AttestationKind, WebauthnError> {
    let alg = att_stmt
        .get_text("alg")
        .and_then(Value::as_int)
        .filter(|alg| i64::try_from(*alg).is_ok())
        .ok_or(WebauthnError::MalformedAttestation("packed alg"))?;
    // An identifier outside the accepted three: a mismatch for self attestation, an
    // unsupported algorithm for a certificate.
    let alg = CoseAlg::from_id(alg);
    let sig =
        att_stmt.get_text("sig").and_then(Value::as_bytes).ok_or(WebauthnError::MalformedAttestation("packed sig"))?;
    if att_stmt.get_text("ecdaaKeyId").is_some() {
        return Err(WebauthnError::MalformedAttestation("ECDAA is not supported"));
    }

    let Some(x5c) = att_stmt.get_text("x5c") else {
        // Self attestation (§8.2 step 3).
        check_self_attestation_alg(credential_key, alg)?;
        check_signature(verifier, credential_key, signed, sig).await?;
        return Ok(AttestationKind::SelfAttestation);
    };

    // Basic attestation with a certificate (§8.2 step 2).
    let certs = x5c.as_array().ok_or(WebauthnError::MalformedAttestation("x5c is not an array"))?;
    if certs.is_empty() || certs.len() > MAX_X5C_CERTS {
        return Err(WebauthnError::MalformedAttestation("x5c length"));
    }
    let chain = certs
        .iter()
        .map(|c| c.as_bytes().map(<[u8]>::to_vec))
        .collect::<Option<Vec<_>>>()
        .ok_or(WebauthnError::MalformedAttestation("x5c entry is not a byte string"))?;
    let leaf = chain.first().ok_or(WebauthnError::MalformedAttestation("x5c length"))?;
    let key = certificate_key(leaf, alg, aaguid)?;
    check_signature(verifier, &key, signed, sig).await?;
    Ok(AttestationKind::Basic { x5c: chain })
}

/// Self attestation signs with the credential key, so `alg` must be that key's own
/// (§8.2 step 3).
pub fn check_self_attestation_alg(credential_key: &PublicKey, alg: Option<CoseAlg>) -> Result<(), WebauthnError> {
    if alg == Some(credential_key.alg()) {
        Ok(())
    } else {
        Err(WebauthnError::AttestationAlgMismatch)
    }
}

/// The key of the attestation certificate `leaf` (checked against §8.2.1), which must
/// suit the statement's `alg` (§8.2 step 2): ES256 for P-256, RS256 for RSA.
pub fn certificate_key(leaf: &[u8], alg: Option<CoseAlg>, aaguid: &[u8; 16]) -> Result<PublicKey, WebauthnError> {
    let key = cert::attestation_cert_key(leaf, aaguid)?;
    match alg {
        Some(alg) if alg == key.alg() => Ok(key),
        // An identifier outside the accepted three, or EdDSA, which no certificate key here has.
        Some(CoseAlg::Es256 | CoseAlg::Rs256) => Err(WebauthnError::AttestationAlgMismatch),
        _ => Err(WebauthnError::UnsupportedAlgorithm),
    }
}
