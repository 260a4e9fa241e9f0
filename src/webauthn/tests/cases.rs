//! Ceremony fixtures: a registration or an assertion with everything a test may vary —
//! what the client and authenticator produce, and what the server expects — defaulting
//! to a ceremony that verifies.

use super::authenticator::{self as soft, Attested, SoftKey, AAGUID, ORIGIN, RP_ID};
use super::cbor_encode::{bytes, int, map, text};
use crate::tokens::crypto::RustCrypto;
use crate::webauthn::authdata::{FLAG_AT, FLAG_UP, FLAG_UV};
use crate::webauthn::cbor::Value;
use crate::webauthn::{
    verify_assertion, verify_registration, AssertionCheck, AssertionOutcome, CoseAlg, NewCredential, RegistrationCheck,
    WebauthnError,
};

/// The attestation statement the authenticator attaches.
#[derive(Clone)]
pub enum Attestation {
    None,
    /// "packed" self attestation declaring `alg`.
    PackedSelf {
        alg: CoseAlg,
    },
    /// "packed" with a certificate chain; `signer` holds the leaf's private key.
    PackedX5c {
        signer: Box<SoftKey>,
        alg: CoseAlg,
        x5c: Vec<Vec<u8>>,
    },
    /// Any format and statement, unsigned.
    Raw {
        fmt: String,
        att_stmt: Value,
    },
}

pub struct RegCase {
    pub key: SoftKey,
    pub client_type: String,
    pub client_challenge: Vec<u8>,
    pub client_origin: String,
    pub auth_rp_id: String,
    pub flags: u8,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub attestation: Attestation,
    pub expected_challenge: Vec<u8>,
    pub rp_id: String,
    pub origins: Vec<String>,
    pub require_uv: bool,
}

#[derive(Clone)]
pub struct BuiltRegistration {
    pub client_data: Vec<u8>,
    pub auth_data: Vec<u8>,
    pub attestation_object: Vec<u8>,
}

impl RegCase {
    pub fn new(key: SoftKey) -> RegCase {
        RegCase {
            key,
            client_type: "webauthn.create".into(),
            client_challenge: soft::challenge(1),
            client_origin: ORIGIN.into(),
            auth_rp_id: RP_ID.into(),
            flags: FLAG_UP | FLAG_UV | FLAG_AT,
            sign_count: 0,
            aaguid: AAGUID,
            credential_id: b"credential-0001".to_vec(),
            attestation: Attestation::None,
            expected_challenge: soft::challenge(1),
            rp_id: RP_ID.into(),
            origins: soft::origins(),
            require_uv: true,
        }
    }

    pub fn with_attestation(mut self, attestation: Attestation) -> RegCase {
        self.attestation = attestation;
        self
    }

    pub fn build(&self) -> BuiltRegistration {
        let client_data = soft::client_data(&self.client_type, &self.client_challenge, &self.client_origin);
        let cose = self.key.cose_bytes();
        let attested = Attested { aaguid: self.aaguid, credential_id: &self.credential_id, cose_key: &cose };
        let attested = (self.flags & FLAG_AT != 0).then_some(&attested);
        let auth_data = soft::auth_data(&self.auth_rp_id, self.flags, self.sign_count, attested, None);
        let signed = soft::signed_data(&auth_data, &client_data);
        let (fmt, att_stmt) = match &self.attestation {
            Attestation::None => ("none".to_owned(), map(vec![])),
            Attestation::PackedSelf { alg } => (
                "packed".to_owned(),
                map(vec![(text("alg"), int(alg.id())), (text("sig"), bytes(&self.key.sign(&signed)))]),
            ),
            Attestation::PackedX5c { signer, alg, x5c } => (
                "packed".to_owned(),
                map(vec![
                    (text("alg"), int(alg.id())),
                    (text("sig"), bytes(&signer.sign(&signed))),
                    (text("x5c"), Value::Array(x5c.iter().map(|c| bytes(c)).collect())),
                ]),
            ),
            Attestation::Raw { fmt, att_stmt } => (fmt.clone(), att_stmt.clone()),
        };
        let attestation_object = soft::attestation_object(&fmt, att_stmt, &auth_data);
        BuiltRegistration { client_data, auth_data, attestation_object }
    }

    pub fn verify(&self, built: &BuiltRegistration) -> Result<NewCredential, WebauthnError> {
        let check = RegistrationCheck {
            client_data_json: &built.client_data,
            attestation_object: &built.attestation_object,
            expected_challenge: &self.expected_challenge,
            allowed_origins: &self.origins,
            rp_id: &self.rp_id,
            require_user_verification: self.require_uv,
        };
        pollster::block_on(verify_registration(&check, &RustCrypto))
    }

    pub fn run(&self) -> Result<NewCredential, WebauthnError> {
        self.verify(&self.build())
    }
}

pub struct AuthCase {
    pub key: SoftKey,
    /// The credential key the RP stored (normally `key`'s public key).
    pub stored_cose: Vec<u8>,
    pub stored_sign_count: u32,
    pub client_type: String,
    pub client_challenge: Vec<u8>,
    pub client_origin: String,
    pub auth_rp_id: String,
    pub flags: u8,
    pub sign_count: u32,
    pub extensions: Option<Vec<u8>>,
    pub expected_challenge: Vec<u8>,
    pub rp_id: String,
    pub origins: Vec<String>,
    pub require_uv: bool,
}

#[derive(Clone)]
pub struct BuiltAssertion {
    pub client_data: Vec<u8>,
    pub auth_data: Vec<u8>,
    pub signature: Vec<u8>,
}

impl AuthCase {
    pub fn new(key: SoftKey) -> AuthCase {
        AuthCase {
            stored_cose: key.cose_bytes(),
            key,
            stored_sign_count: 0,
            client_type: "webauthn.get".into(),
            client_challenge: soft::challenge(2),
            client_origin: ORIGIN.into(),
            auth_rp_id: RP_ID.into(),
            flags: FLAG_UP | FLAG_UV,
            sign_count: 0,
            extensions: None,
            expected_challenge: soft::challenge(2),
            rp_id: RP_ID.into(),
            origins: soft::origins(),
            require_uv: true,
        }
    }

    pub fn build(&self) -> BuiltAssertion {
        let client_data = soft::client_data(&self.client_type, &self.client_challenge, &self.client_origin);
        let auth_data =
            soft::auth_data(&self.auth_rp_id, self.flags, self.sign_count, None, self.extensions.as_deref());
        let signature = self.key.sign(&soft::signed_data(&auth_data, &client_data));
        BuiltAssertion { client_data, auth_data, signature }
    }

    pub fn verify(&self, built: &BuiltAssertion) -> Result<AssertionOutcome, WebauthnError> {
        let check = AssertionCheck {
            client_data_json: &built.client_data,
            authenticator_data: &built.auth_data,
            signature: &built.signature,
            expected_challenge: &self.expected_challenge,
            allowed_origins: &self.origins,
            rp_id: &self.rp_id,
            require_user_verification: self.require_uv,
            public_key_cose: &self.stored_cose,
            stored_sign_count: self.stored_sign_count,
        };
        pollster::block_on(verify_assertion(&check, &RustCrypto))
    }

    pub fn run(&self) -> Result<AssertionOutcome, WebauthnError> {
        self.verify(&self.build())
    }
}
