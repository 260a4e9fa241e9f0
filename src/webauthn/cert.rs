//! The attestation certificate of a "packed" statement (WebAuthn L3 §8.2.1): parsed
//! from DER, checked against the requirements the spec sets on it, and reduced to the
//! public key that must verify the statement's signature.
//!
//! Invariants: only the leaf is examined; its signature, validity period and chain are
//! not (that is trust-path validation, which needs anchors and a clock the caller has).
//! A certificate whose AAGUID extension disagrees with authenticator data, that is a CA,
//! or whose key is not P-256 ECDSA or RSA of at least 2048 bits is refused.

use super::keys::{P256Key, PublicKey, RsaKey};
use super::WebauthnError;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Tag, Tagged};
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

/// Parses the DER attestation certificate `der`, checks it against §8.2.1 (version 3;
/// subject C, O, CN present and OU = "Authenticator Attestation"; basic constraints, if
/// present, with CA false; the AAGUID extension, if present, non-critical and equal to
/// `aaguid`) and returns its public key: ES256 for a P-256 key, RS256 for an RSA key.
pub fn attestation_cert_key(der: &[u8], aaguid: &[u8; 16]) -> Result<PublicKey, WebauthnError> {
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

fn public_key(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, WebauthnError> {
    let key_bytes =
        spki.subject_public_key.as_bytes().ok_or(WebauthnError::AttestationCertInvalid("public key bit string"))?;
    if spki.algorithm.oid == OID_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(OID_PRIME256V1) {
            return Err(WebauthnError::UnsupportedAlgorithm);
        }
        P256Key::from_sec1(key_bytes)
            .map(PublicKey::Es256)
            .ok_or(WebauthnError::AttestationCertInvalid("invalid P-256 public key"))
    } else if spki.algorithm.oid == OID_RSA_ENCRYPTION {
        // RFC 8017 §A.1.1 RSAPublicKey.
        let invalid = WebauthnError::AttestationCertInvalid("invalid RSA public key");
        let key = pkcs1::RsaPublicKey::from_der(key_bytes).map_err(|_| invalid.clone())?;
        match RsaKey::new(key.modulus.as_bytes(), key.public_exponent.as_bytes()) {
            Ok(key) => Ok(PublicKey::Rs256(key)),
            Err(WebauthnError::WeakKey) => Err(WebauthnError::WeakKey),
            Err(_) => Err(invalid),
        }
    } else {
        Err(WebauthnError::UnsupportedAlgorithm)
    }
}
