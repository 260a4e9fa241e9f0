//! Registering a new credential (WebAuthn L3 §7.1): checks the client data and the
//! attestation object a browser returns from `navigator.credentials.create()` and yields
//! what the RP stores.
//!
//! Invariants: nothing is returned unless the client data names this ceremony, its
//! challenge and an allowed origin; the authenticator data is for this RP ID with user
//! presence (and verification when required); the credential key uses an algorithm this
//! RP offers; and the attestation statement verifies. The stored key is the exact COSE
//! bytes the authenticator produced.

use super::attestation::{self, AttestationFormat, AttestationKind};
use super::authdata::AuthenticatorData;
use super::cbor::{self, Value};
use super::client_data::{verify_client_data, Ceremony};
use super::cose::CoseAlg;
use super::keys::PublicKey;
use super::signature::SignatureVerifier;
use super::WebauthnError;
use crate::secret::constant_time_eq;
use sha2::{Digest, Sha256};

/// Everything [`verify_registration`] needs; all slices are the raw decoded bytes.
#[derive(Debug, Clone, Copy)]
pub struct RegistrationCheck<'a> {
    /// `response.clientDataJSON`.
    pub client_data_json: &'a [u8],
    /// `response.attestationObject`.
    pub attestation_object: &'a [u8],
    /// The challenge this RP issued for the ceremony (at least 16 bytes).
    pub expected_challenge: &'a [u8],
    /// Origins accepted verbatim, e.g. `https://login.example.com`.
    pub allowed_origins: &'a [String],
    /// The RP ID, e.g. `example.com`.
    pub rp_id: &'a str,
    /// Require the UV flag (§7.1 step 17); UP is always required.
    pub require_user_verification: bool,
}

/// A verified new credential, ready to store (§7.1 step 27).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub credential_id: Vec<u8>,
    /// The credential public key as COSE_Key bytes, exactly as in authenticator data.
    pub public_key_cose: Vec<u8>,
    /// Its COSE algorithm, the one its key was registered with.
    pub alg: CoseAlg,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub attestation_format: AttestationFormat,
    pub attestation: AttestationKind,
}

/// Verifies a registration ceremony (WebAuthn L3 §7.1 steps 5-22); an attestation
/// signature, if the statement has one, is checked through `verifier`.
pub async fn verify_registration<V: SignatureVerifier>(
    check: &RegistrationCheck<'_>,
    verifier: &V,
) -> Result<NewCredential, WebauthnError> {
    // Steps 5-12: client data.
    let client_data_hash =
        verify_client_data(check.client_data_json, Ceremony::Create, check.expected_challenge, check.allowed_origins)?;

    // Step 13: decode the attestation object (§6.5.4) into fmt, authData and attStmt.
    let object = cbor::decode(check.attestation_object)?;
    if object.as_map().is_none() {
        return Err(WebauthnError::MalformedAttestation("attestation object is not a map"));
    }
    let fmt = object.get_text("fmt").and_then(Value::as_text).ok_or(WebauthnError::MalformedAttestation("fmt"))?;
    let att_stmt = object.get_text("attStmt").ok_or(WebauthnError::MalformedAttestation("attStmt"))?;
    let auth_data_bytes =
        object.get_text("authData").and_then(Value::as_bytes).ok_or(WebauthnError::MalformedAttestation("authData"))?;
    let auth_data = AuthenticatorData::parse(auth_data_bytes)?;

    // Steps 14-18: RP ID, flags.
    check_rp_and_flags(&auth_data, check.rp_id, check.require_user_verification)?;
    let credential = auth_data.attested_credential.as_ref().ok_or(WebauthnError::MissingAttestedCredential)?;

    // Step 19: the credential key's algorithm is one this RP offered.
    let key = PublicKey::from_cose(&credential.public_key_cose)?;

    // Steps 20-22: the attestation statement.
    let (attestation_format, attestation) = attestation::verify_statement(
        fmt,
        att_stmt,
        auth_data_bytes,
        &client_data_hash,
        &key,
        &credential.aaguid,
        verifier,
    )
    .await?;

    Ok(NewCredential {
        credential_id: credential.credential_id.clone(),
        public_key_cose: credential.public_key_cose.clone(),
        alg: key.alg(),
        sign_count: auth_data.sign_count,
        aaguid: credential.aaguid,
        user_verified: auth_data.user_verified(),
        backup_eligible: auth_data.backup_eligible(),
        backed_up: auth_data.backed_up(),
        attestation_format,
        attestation,
    })
}

/// The checks shared by both ceremonies (§7.1 steps 14-17, §7.2 steps 15-17): rpIdHash
/// is SHA-256 of the RP ID, UP is set, and UV is set when required.
pub(crate) fn check_rp_and_flags(
    auth_data: &AuthenticatorData,
    rp_id: &str,
    require_user_verification: bool,
) -> Result<(), WebauthnError> {
    let expected: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
    if !constant_time_eq(&auth_data.rp_id_hash, &expected) {
        return Err(WebauthnError::RpIdMismatch);
    }
    if !auth_data.user_present() {
        return Err(WebauthnError::UserNotPresent);
    }
    if require_user_verification && !auth_data.user_verified() {
        return Err(WebauthnError::UserVerificationRequired);
    }
    Ok(())
}
