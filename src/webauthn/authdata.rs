//! Authenticator data (WebAuthn L3 §6.1): the bytes an authenticator signs, binding the
//! RP ID hash, the user presence/verification flags, the signature counter and, at
//! registration, the new credential.
//!
//! Invariants: the parse consumes the input exactly (no trailing bytes); attested
//! credential data is present if and only if AT is set, extensions if and only if ED is
//! set; a credential ID is at most 1023 bytes; BS is never set without BE. The COSE key
//! is kept as the exact bytes the authenticator sent, which is what the RP stores.

use super::cbor::{self, Value};
use super::WebauthnError;

/// User Present (§6.1 flags bit 0).
pub const FLAG_UP: u8 = 0x01;
/// User Verified (bit 2).
pub const FLAG_UV: u8 = 0x04;
/// Backup Eligible (bit 3).
pub const FLAG_BE: u8 = 0x08;
/// Backup State (bit 4).
pub const FLAG_BS: u8 = 0x10;
/// Attested credential data included (bit 6).
pub const FLAG_AT: u8 = 0x40;
/// Extension data included (bit 7).
pub const FLAG_ED: u8 = 0x80;

/// Longest credential ID accepted (WebAuthn §6.5.1 `credentialIdLength`).
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

const HEADER_LEN: usize = 37;

/// Parsed authenticator data (§6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested_credential: Option<AttestedCredential>,
    /// The extension outputs map when ED is set.
    pub extensions: Option<Value>,
}

/// Attested credential data (§6.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The credential public key exactly as encoded by the authenticator (a COSE_Key).
    pub public_key_cose: Vec<u8>,
}

impl AuthenticatorData {
    /// Parses authenticator data that must span all of `bytes` (§6.1 table 1).
    pub fn parse(bytes: &[u8]) -> Result<AuthenticatorData, WebauthnError> {
        let mut reader = Reader { bytes, pos: 0 };
        let rp_id_hash: [u8; 32] = reader.array()?;
        let [flags] = reader.array::<1>()?;
        let sign_count = u32::from_be_bytes(reader.array()?);
        if flags & FLAG_BS != 0 && flags & FLAG_BE == 0 {
            return Err(WebauthnError::InvalidBackupState);
        }
        let attested_credential = if flags & FLAG_AT != 0 { Some(reader.attested_credential()?) } else { None };
        let extensions = if flags & FLAG_ED != 0 {
            let (value, used) = cbor::decode_prefix(reader.rest())?;
            if value.as_map().is_none() {
                return Err(WebauthnError::MalformedAuthenticatorData("extensions are not a map"));
            }
            reader.pos += used;
            Some(value)
        } else {
            None
        };
        if !reader.rest().is_empty() {
            return Err(WebauthnError::TrailingBytes);
        }
        Ok(AuthenticatorData { rp_id_hash, flags, sign_count, attested_credential, extensions })
    }

    pub fn user_present(&self) -> bool {
        self.flags & FLAG_UP != 0
    }

    pub fn user_verified(&self) -> bool {
        self.flags & FLAG_UV != 0
    }

    pub fn backup_eligible(&self) -> bool {
        self.flags & FLAG_BE != 0
    }

    pub fn backed_up(&self) -> bool {
        self.flags & FLAG_BS != 0
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], WebauthnError> {
        let out =
            self.rest().get(..len).ok_or(WebauthnError::MalformedAuthenticatorData(if self.pos < HEADER_LEN {
                "shorter than 37 bytes"
            } else {
                "attested credential data is truncated"
            }))?;
        self.pos += len;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WebauthnError> {
        let slice = self.take(N)?;
        <[u8; N]>::try_from(slice).map_err(|_| WebauthnError::MalformedAuthenticatorData("truncated"))
    }

    /// §6.5.1: aaguid (16) | credentialIdLength (u16 BE) | credentialId | credentialPublicKey.
    fn attested_credential(&mut self) -> Result<AttestedCredential, WebauthnError> {
        let aaguid: [u8; 16] = self.array()?;
        let id_len = usize::from(u16::from_be_bytes(self.array()?));
        if id_len > MAX_CREDENTIAL_ID_LEN {
            return Err(WebauthnError::MalformedAuthenticatorData("credential ID is longer than 1023 bytes"));
        }
        if id_len == 0 {
            return Err(WebauthnError::MalformedAuthenticatorData("credential ID is empty"));
        }
        let credential_id = self.take(id_len)?.to_vec();
        let (key, used) = cbor::decode_prefix(self.rest())?;
        if key.as_map().is_none() {
            return Err(WebauthnError::MalformedKey("not a map"));
        }
        let public_key_cose = self.take(used)?.to_vec();
        Ok(AttestedCredential { aaguid, credential_id, public_key_cose })
    }
}
