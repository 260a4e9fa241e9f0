//! Attestation certificates for the "packed" x5c tests, built as DER with `x509-cert`'s
//! types and signed (ecdsa-with-SHA256) by a P-256 issuer key; no OpenSSL involved.

use super::authenticator::SoftKey;
use der::asn1::{BitString, ObjectIdentifier, OctetString, UtcTime};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// What to put in a test attestation certificate.
pub struct CertSpec {
    pub version: Version,
    pub subject: String,
    /// `Some(ca)` adds a basic constraints extension.
    pub basic_constraints_ca: Option<bool>,
    /// `Some(aaguid)` adds the id-fido-gen-ce-aaguid extension.
    pub aaguid: Option<[u8; 16]>,
}

impl Default for CertSpec {
    fn default() -> CertSpec {
        CertSpec {
            version: Version::V3,
            subject: "CN=AuthSec Test Key,OU=Authenticator Attestation,O=AuthSec Test,C=US".to_owned(),
            basic_constraints_ca: Some(false),
            aaguid: None,
        }
    }
}

fn spki(key: &SoftKey) -> SubjectPublicKeyInfoOwned {
    let doc = match key {
        SoftKey::Es256(k) => k.verifying_key().to_public_key_der().expect("P-256 SPKI"),
        SoftKey::Rs256(k) => rsa::RsaPublicKey::from(k.as_ref()).to_public_key_der().expect("RSA SPKI"),
        SoftKey::EdDsa(_) => panic!("the tests use P-256 and RSA attestation keys only"),
    };
    SubjectPublicKeyInfoOwned::from_der(doc.as_bytes()).expect("SPKI")
}

fn extension(oid: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value).expect("octet string"),
    }
}

/// A DER certificate for `subject_key` per `spec`, signed by `issuer`.
pub fn make_cert(spec: &CertSpec, subject_key: &SoftKey, issuer: &p256::ecdsa::SigningKey) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(ca) = spec.basic_constraints_ca {
        let value = BasicConstraints { ca, path_len_constraint: None }.to_der().expect("basic constraints");
        extensions.push(extension("2.5.29.19", true, value));
    }
    if let Some(aaguid) = spec.aaguid {
        let value = OctetString::new(aaguid.to_vec()).expect("aaguid").to_der().expect("aaguid DER");
        extensions.push(extension("1.3.6.1.4.1.45724.1.1.4", false, value));
    }
    let signature_algorithm = AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None };
    let time = |secs| Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(secs)).expect("time"));
    let tbs = TbsCertificate {
        version: spec.version,
        serial_number: SerialNumber::new(&[0x01, 0x23]).expect("serial"),
        signature: signature_algorithm.clone(),
        issuer: Name::from_str("CN=AuthSec Test CA,O=AuthSec Test,C=US").expect("issuer"),
        validity: Validity { not_before: time(1_700_000_000), not_after: time(2_000_000_000) },
        subject: Name::from_str(&spec.subject).expect("subject"),
        subject_public_key_info: spki(subject_key),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: (!extensions.is_empty()).then_some(extensions),
    };
    let tbs_der = tbs.to_der().expect("TBS DER");
    let sig: p256::ecdsa::Signature = issuer.sign(&tbs_der);
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(sig.to_der().as_bytes()).expect("signature bits"),
    };
    cert.to_der().expect("certificate DER")
}
