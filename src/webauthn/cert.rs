//! The attestation certificate of a "packed" statement (WebAuthn L3 §8.2.1): parsed
//! from DER, checked against the requirements the spec sets on it, and reduced to the
//! public key that must verify the statement's signature.
//!
//! Invariants: only the leaf is examined; its signature, validity period and chain are
//! not (that is trust-path validation, which needs anchors and a clock the caller has).
//! A certificate whose AAGUID extension disagrees with authenticator data, that is a CA,
//! or whose key is not P-256 ECDSA or RSA of at least 2048 bits is refused.

use super::cose;
use super::WebauthnError;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Tag, Tagged};
use rsa::pkcs1::DecodeRsaPublicKey;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::{Certificate, Version};

const OID_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// id-fido-gen-ce-aaguid (WebAuthn §8.2.1).
const OID_FIDO_AAGUID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The subject OU every attestation certificate must carry (§8.2.1).
pub const ATTESTATION_OU: &str = "Authenticator Attestation";

/// The public key of an attestation certificate.
#[derive(Debug, Clone)]
pub enum CertKey {
    P256(p256::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

/// Parses the DER attestation certificate `der`, checks it against §8.2.1 (version 3;
/// subject C, O, CN present and OU = "Authenticator Attestation"; basic constraints, if
/// present, with CA false; the AAGUID extension, if present, non-critical and equal to
/// `aaguid`) and returns its public key.
pub fn attestation_cert_key(der: &[u8], aaguid: &[u8; 16]) -> Result<CertKey, WebauthnError> {
    let cert = Certificate::from_der(der).map_err(|_| WebauthnError::AttestationCertInvalid("not DER X.509"))?;
    let tbs = &cert.tbs_certificate;
    if tbs.version != Version::V3 {
        return Err(WebauthnError::AttestationCertInvalid("not X.509 version 3"));
    }
    check_subject(tbs)?;
    for ext in tbs.extensions.iter().flatten() {
        if ext.extn_id == OID_BASIC_CONSTRAINTS {
            let constraints = BasicConstraints::from_der(ext.extn_value.as_bytes())
                .map_err(|_| WebauthnError::AttestationCertInvalid("malformed basic constraints"))?;
            if constraints.ca {
                return Err(WebauthnError::AttestationCertIsCa);
            }
        } else if ext.extn_id == OID_FIDO_AAGUID {
            if ext.critical {
                return Err(WebauthnError::AttestationCertInvalid("AAGUID extension is critical"));
            }
            let inner = OctetString::from_der(ext.extn_value.as_bytes())
                .map_err(|_| WebauthnError::AttestationCertInvalid("malformed AAGUID extension"))?;
            if inner.as_bytes() != aaguid.as_slice() {
                return Err(WebauthnError::AaguidMismatch);
            }
        }
    }
    public_key(&tbs.subject_public_key_info)
}

/// §8.2.1 subject fields: C, O and CN present; OU exactly "Authenticator Attestation".
fn check_subject(tbs: &x509_cert::TbsCertificate) -> Result<(), WebauthnError> {
    let attributes = || tbs.subject.0.iter().flat_map(|rdn| rdn.0.iter());
    let text_of = |oid: ObjectIdentifier| {
        attributes().find(|atv| atv.oid == oid).and_then(|atv| match atv.value.tag() {
            Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => std::str::from_utf8(atv.value.value()).ok(),
            _ => None,
        })
    };
    if text_of(OID_ORGANIZATIONAL_UNIT) != Some(ATTESTATION_OU) {
        return Err(WebauthnError::AttestationCertInvalid("subject OU is not \"Authenticator Attestation\""));
    }
    for (oid, missing) in [
        (OID_COUNTRY, "subject C is missing"),
        (OID_ORGANIZATION, "subject O is missing"),
        (OID_COMMON_NAME, "subject CN is missing"),
    ] {
        if text_of(oid).is_none_or(str::is_empty) {
            return Err(WebauthnError::AttestationCertInvalid(missing));
        }
    }
    Ok(())
}

fn public_key(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<CertKey, WebauthnError> {
    let key_bytes =
        spki.subject_public_key.as_bytes().ok_or(WebauthnError::AttestationCertInvalid("public key bit string"))?;
    if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(OID_PRIME256V1) {
            return Err(WebauthnError::UnsupportedAlgorithm);
        }
        p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
            .map(CertKey::P256)
            .map_err(|_| WebauthnError::AttestationCertInvalid("invalid P-256 public key"))
    } else if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes)
            .map_err(|_| WebauthnError::AttestationCertInvalid("invalid RSA public key"))?;
        cose::check_rsa_size(&key)?;
        Ok(CertKey::Rsa(key))
    } else {
        Err(WebauthnError::UnsupportedAlgorithm)
    }
}
