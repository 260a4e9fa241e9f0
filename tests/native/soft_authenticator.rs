//! A software passkey authenticator for the API tests: an ES256 key from a fixed seed,
//! CBOR built by hand (so the service's decoder is checked against an independent
//! encoder), and browser-shaped credential JSON (base64url fields).

use authsec_edge::b64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const ORIGIN: &str = "https://id.example.test";
pub const RP_ID: &str = "id.example.test";

pub struct SoftAuthenticator {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    pub counter: u32,
    /// The user handle stored with the resident credential at registration.
    pub user_handle: Option<Vec<u8>>,
}

fn cbor_head(major: u8, len: usize) -> Vec<u8> {
    match len {
        0..=23 => vec![(major << 5) | u8::try_from(len).unwrap()],
        24..=255 => vec![(major << 5) | 24, u8::try_from(len).unwrap()],
        _ => [vec![(major << 5) | 25], u16::try_from(len).unwrap().to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_text(text: &str) -> Vec<u8> {
    [cbor_head(3, text.len()), text.as_bytes().to_vec()].concat()
}

fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    [cbor_head(2, bytes.len()), bytes.to_vec()].concat()
}

impl SoftAuthenticator {
    pub fn new(seed: u8) -> Self {
        let key = SigningKey::from_bytes(&[seed; 32].into()).expect("a valid scalar");
        SoftAuthenticator { key, credential_id: vec![seed; 24], counter: 0, user_handle: None }
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut out = vec![0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        out.extend(cbor_bytes(point.x().unwrap()));
        out.push(0x22);
        out.extend(cbor_bytes(point.y().unwrap()));
        out
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}).to_string().into_bytes()
    }

    /// The credential JSON of `navigator.credentials.create` for `options` (the
    /// `publicKey` member of beginRegistration), signed for `origin` and `rp_id`.
    pub fn register(&mut self, options: &Value, origin: &str, rp_id: &str) -> Value {
        let challenge = options["challenge"].as_str().expect("a challenge");
        self.user_handle = b64::decode(options["user"]["id"].as_str().expect("a user id"));
        let client_data = Self::client_data("webauthn.create", challenge, origin);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(0x45); // UP | UV | AT
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]);
        auth_data.extend(u16::try_from(self.credential_id.len()).unwrap().to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let mut attestation = vec![0xA3];
        attestation.extend(cbor_text("fmt"));
        attestation.extend(cbor_text("none"));
        attestation.extend(cbor_text("attStmt"));
        attestation.push(0xA0);
        attestation.extend(cbor_text("authData"));
        attestation.extend(cbor_bytes(&auth_data));
        let id = b64::encode(&self.credential_id);
        json!({"id": id, "rawId": id, "type": "public-key",
               "response": {"clientDataJSON": b64::encode(&client_data), "attestationObject": b64::encode(&attestation),
                            "transports": ["internal"]}})
    }

    /// The credential JSON of `navigator.credentials.get` for `options`, with the given
    /// flags (0x05 = UP | UV), after advancing the counter by `count_step`.
    pub fn assert_with(&mut self, options: &Value, origin: &str, flags: u8, count_step: i64) -> Value {
        self.counter = u32::try_from((i64::from(self.counter) + count_step).max(0)).unwrap();
        let challenge = options["challenge"].as_str().expect("a challenge");
        let client_data = Self::client_data("webauthn.get", challenge, origin);
        let mut auth_data = Sha256::digest(RP_ID.as_bytes()).to_vec();
        auth_data.push(flags);
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        let id = b64::encode(&self.credential_id);
        json!({"id": id, "rawId": id, "type": "public-key",
               "response": {"clientDataJSON": b64::encode(&client_data), "authenticatorData": b64::encode(&auth_data),
                            "signature": b64::encode(signature.to_der().as_bytes()),
                            "userHandle": self.user_handle.as_ref().map(|h| b64::encode(h))}})
    }

    pub fn assert(&mut self, options: &Value) -> Value {
        self.assert_with(options, ORIGIN, 0x05, 1)
    }
}
