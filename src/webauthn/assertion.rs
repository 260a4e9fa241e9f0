//! Verifying an authentication assertion (WebAuthn L3 §7.2): proves the user holds a
//! registered credential, for this RP, in answer to this ceremony's challenge.
//!
//! Invariants: the signature is checked with the stored credential key over
//! `authenticatorData || SHA-256(clientDataJSON)` only after the client data and flags
//! pass; the algorithm comes from the stored key, never from the request. A signature
//! counter that did not advance is reported in the outcome, not refused (§7.2 step 22
//! leaves the response to the RP; the caller flags the credential).

use super::authdata::AuthenticatorData;
use super::client_data::{verify_client_data, Ceremony};
use super::keys::PublicKey;
use super::registration::check_rp_and_flags;
use super::signature::{check_signature, SignatureVerifier};
use super::WebauthnError;

/// Everything [`verify_assertion`] needs; all slices are the raw decoded bytes.
#[derive(Debug, Clone, Copy)]
pub struct AssertionCheck<'a> {
    /// `response.clientDataJSON`.
    pub client_data_json: &'a [u8],
    /// `response.authenticatorData`.
    pub authenticator_data: &'a [u8],
    /// `response.signature`.
    pub signature: &'a [u8],
    /// The challenge this RP issued for the ceremony (at least 16 bytes).
    pub expected_challenge: &'a [u8],
    /// Origins accepted verbatim.
    pub allowed_origins: &'a [String],
    /// The RP ID the credential was registered for.
    pub rp_id: &'a str,
    /// Require the UV flag (§7.2 step 17); UP is always required.
    pub require_user_verification: bool,
    /// The stored credential's `public_key_cose` ([`super::NewCredential`]).
    pub public_key_cose: &'a [u8],
    /// The stored signature counter.
    pub stored_sign_count: u32,
}

/// The result of a verified assertion; the caller stores `new_sign_count` and the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssertionOutcome {
    /// The counter to store: the authenticator's `signCount`, or the stored counter when
    /// that is larger, so a stored counter never moves backwards.
    pub new_sign_count: u32,
    /// Both counters are non-zero and the authenticator's is not greater: a possibly
    /// cloned authenticator (§7.2 step 22, §6.1.1). An authenticator reporting 0 (one
    /// that keeps no counter, as synced passkeys do) never sets this.
    pub counter_regressed: bool,
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backed_up: bool,
}

/// Verifies an assertion (WebAuthn L3 §7.2 steps 9-22). The caller has already matched
/// the credential ID to the stored credential (steps 5-7). The signature is checked
/// through `verifier`, after every other check passed.
pub async fn verify_assertion<V: SignatureVerifier>(
    check: &AssertionCheck<'_>,
    verifier: &V,
) -> Result<AssertionOutcome, WebauthnError> {
    // Steps 9-15: client data.
    let client_data_hash =
        verify_client_data(check.client_data_json, Ceremony::Get, check.expected_challenge, check.allowed_origins)?;

    // Steps 16-18: RP ID and flags; an assertion never carries a new credential.
    let auth_data = AuthenticatorData::parse(check.authenticator_data)?;
    check_rp_and_flags(&auth_data, check.rp_id, check.require_user_verification)?;
    if auth_data.attested_credential.is_some() {
        return Err(WebauthnError::UnexpectedAttestedCredential);
    }

    // Steps 20-21: the signature, with the stored key's own algorithm.
    let key = PublicKey::from_cose(check.public_key_cose)?;
    let mut signed = Vec::with_capacity(check.authenticator_data.len() + client_data_hash.len());
    signed.extend_from_slice(check.authenticator_data);
    signed.extend_from_slice(&client_data_hash);
    check_signature(verifier, &key, &signed, check.signature).await?;

    // Step 22: the signature counter.
    let (stored, seen) = (check.stored_sign_count, auth_data.sign_count);
    let counter_regressed = stored != 0 && seen != 0 && seen <= stored;
    Ok(AssertionOutcome {
        new_sign_count: stored.max(seen),
        counter_regressed,
        user_verified: auth_data.user_verified(),
        backup_eligible: auth_data.backup_eligible(),
        backed_up: auth_data.backed_up(),
    })
}
