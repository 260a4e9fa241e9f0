//! WebAuthn (Level 2/3) relying-party verification: passkey registration and sign-in.
//!
//! This is pure core: the caller passes the challenge it issued, the allowed origins, the
//! RP ID and the stored credential; nothing here reads a clock, randomness or storage.
//! Every input a browser or authenticator sends is untrusted: parsing is bounded (CBOR
//! depth and lengths, JSON field sizes), never panics, and every refusal is a
//! [`WebauthnError`] whose `Display` is a short reason that is safe to show.
//!
//! Signatures are the one step that needs crypto: the ceremonies check everything else
//! themselves and ask the platform's [`SignatureVerifier`] (the [`signature`] seam) whether
//! a signature verifies under a validated key ([`keys`]). Natively that is RustCrypto
//! (`rustcrypto`); in the Worker it is Web Crypto.
//!
//! Layout: [`cbor`] and [`cose`] decode authenticator encodings, [`keys`] validates public
//! keys, [`authdata`] and [`client_data`] the two signed structures, [`registration`]
//! (with [`attestation`] and [`cert`]) and [`assertion`] are the two ceremonies of §7,
//! [`signature`] is the seam to the crypto backend, and [`options`] and [`response`] are
//! the JSON the browser receives and posts back.

pub mod assertion;
pub mod attestation;
pub mod authdata;
pub mod cbor;
pub mod cert;
pub mod client_data;
pub mod cose;
pub mod keys;
pub mod options;
pub mod registration;
pub mod response;
#[cfg(not(target_arch = "wasm32"))]
mod rustcrypto;
pub mod signature;

#[cfg(test)]
mod tests;

pub use assertion::{verify_assertion, AssertionCheck, AssertionOutcome};
pub use attestation::{AttestationFormat, AttestationKind};
pub use cose::CoseAlg;
pub use keys::PublicKey;
pub use options::{creation_options, request_options, CreationOptionsParams};
pub use registration::{verify_registration, NewCredential, RegistrationCheck};
pub use response::{parse_assertion_response, parse_registration_response, AssertionResponse, RegistrationResponse};
pub use signature::{check_signature, SignatureCheck, SignatureVerifier};

use std::fmt;

/// Why a WebAuthn input was refused. Messages name the rule that failed, never key
/// material, so they are safe to return to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebauthnError {
    /// CBOR ended before a value was complete (RFC 8949 §3).
    CborTruncated,
    /// Indefinite-length CBOR items are refused (RFC 8949 §3.2; CTAP2 canonical form).
    CborIndefiniteLength,
    /// Tagged CBOR items are refused (RFC 8949 §3.4); no WebAuthn structure uses tags.
    CborTag,
    /// CBOR nested deeper than [`cbor::MAX_DEPTH`].
    CborTooDeep,
    /// CBOR that is not well formed, or uses an item WebAuthn never sends.
    CborMalformed(&'static str),
    /// Bytes left over after a structure that must end the input.
    TrailingBytes,
    /// Authenticator data that does not follow WebAuthn §6.1.
    MalformedAuthenticatorData(&'static str),
    /// A COSE_Key that is not well formed (RFC 9052 §7, RFC 9053 §7).
    MalformedKey(&'static str),
    /// A key type or algorithm outside ES256, EdDSA (Ed25519) and RS256.
    UnsupportedAlgorithm,
    /// An RSA key shorter than 2048 bits.
    WeakKey,
    /// clientDataJSON that is not the JSON object of WebAuthn §5.8.1.
    MalformedClientData(&'static str),
    /// clientDataJSON.type is not the ceremony's ("webauthn.create" / "webauthn.get").
    WrongType,
    /// clientDataJSON.challenge is not the challenge this ceremony issued.
    ChallengeMismatch,
    /// The expected challenge is shorter than 16 bytes (WebAuthn §13.4.3).
    ChallengeTooShort,
    /// clientDataJSON.origin is not in the allowed list.
    OriginNotAllowed,
    /// The ceremony ran in a cross-origin iframe.
    CrossOrigin,
    /// rpIdHash is not SHA-256 of the RP ID.
    RpIdMismatch,
    /// The UP flag is not set.
    UserNotPresent,
    /// The UV flag is not set where the caller requires it.
    UserVerificationRequired,
    /// BS (backed up) is set without BE (backup eligible), WebAuthn §6.1.3.
    InvalidBackupState,
    /// Registration authenticator data without attested credential data (AT flag).
    MissingAttestedCredential,
    /// Assertion authenticator data that carries attested credential data.
    UnexpectedAttestedCredential,
    /// A signature that does not verify.
    SignatureInvalid,
    /// The signature backend failed (not a bad signature); logged, answered as 500.
    Backend(String),
    /// An attestation statement format other than "none" and "packed".
    UnsupportedAttestationFormat,
    /// An attestation object or statement that is not well formed (WebAuthn §6.5, §8).
    MalformedAttestation(&'static str),
    /// The attestation statement's `alg` does not match its key (WebAuthn §8.2 step 2).
    AttestationAlgMismatch,
    /// The attestation certificate breaks WebAuthn §8.2.1.
    AttestationCertInvalid(&'static str),
    /// The attestation certificate has CA=true (WebAuthn §8.2.1).
    AttestationCertIsCa,
    /// The attestation certificate's AAGUID extension differs from authData's (§8.2.1).
    AaguidMismatch,
    /// A required field of the posted credential JSON is absent.
    MissingField(&'static str),
    /// A field of the posted credential JSON has the wrong type or encoding.
    InvalidField(&'static str),
    /// A field of the posted credential JSON is larger than allowed.
    FieldTooLarge(&'static str),
    /// The credential JSON's `id` and `rawId` name different credentials.
    CredentialIdMismatch,
}

impl fmt::Display for WebauthnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WebauthnError::*;
        match self {
            CborTruncated => f.write_str("CBOR is truncated"),
            CborIndefiniteLength => f.write_str("indefinite-length CBOR is not allowed"),
            CborTag => f.write_str("tagged CBOR is not allowed"),
            CborTooDeep => f.write_str("CBOR is nested too deeply"),
            CborMalformed(what) => write!(f, "malformed CBOR: {what}"),
            TrailingBytes => f.write_str("trailing bytes"),
            MalformedAuthenticatorData(what) => write!(f, "malformed authenticator data: {what}"),
            MalformedKey(what) => write!(f, "malformed public key: {what}"),
            UnsupportedAlgorithm => f.write_str("unsupported algorithm"),
            WeakKey => f.write_str("RSA key is shorter than 2048 bits"),
            MalformedClientData(what) => write!(f, "malformed client data: {what}"),
            WrongType => f.write_str("client data type mismatch"),
            ChallengeMismatch => f.write_str("challenge mismatch"),
            ChallengeTooShort => f.write_str("expected challenge is too short"),
            OriginNotAllowed => f.write_str("origin not allowed"),
            CrossOrigin => f.write_str("cross-origin ceremony not allowed"),
            RpIdMismatch => f.write_str("RP ID mismatch"),
            UserNotPresent => f.write_str("user presence required"),
            UserVerificationRequired => f.write_str("user verification required"),
            InvalidBackupState => f.write_str("backed up without backup eligibility"),
            MissingAttestedCredential => f.write_str("no attested credential data"),
            UnexpectedAttestedCredential => f.write_str("unexpected attested credential data"),
            SignatureInvalid => f.write_str("signature invalid"),
            Backend(_) => f.write_str("signature could not be checked"),
            UnsupportedAttestationFormat => f.write_str("unsupported attestation format"),
            MalformedAttestation(what) => write!(f, "malformed attestation: {what}"),
            AttestationAlgMismatch => f.write_str("attestation algorithm mismatch"),
            AttestationCertInvalid(what) => write!(f, "invalid attestation certificate: {what}"),
            AttestationCertIsCa => f.write_str("attestation certificate is a CA"),
            AaguidMismatch => f.write_str("attestation certificate AAGUID mismatch"),
            MissingField(field) => write!(f, "missing field {field}"),
            InvalidField(field) => write!(f, "invalid field {field}"),
            FieldTooLarge(field) => write!(f, "field {field} is too large"),
            CredentialIdMismatch => f.write_str("id does not match rawId"),
        }
    }
}

impl std::error::Error for WebauthnError {}
