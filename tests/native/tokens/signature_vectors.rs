//! Signature mutation vectors shared with the e2e suite (tests/vectors/es256-mutations.json):
//! here through RustCrypto, there through Web Crypto inside workerd.

use crate::support::*;
use authsec_edge::b64;
use authsec_edge::tokens::crypto::RustCrypto;
use authsec_edge::tokens::verify::{verify_access_token, VerifyPolicy, LEEWAY_SECS};
use authsec_edge::tokens::TokenError;
use serde::Deserialize;

/// The order of the P-256 group, big-endian.
const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    op: String,
    valid: bool,
}

fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = u8::try_from(d.rem_euclid(256)).unwrap();
    }
    out
}

fn add(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        carry = s >> 8;
        out[i] = s.to_be_bytes()[1];
    }
    out
}

fn der_integer(v: &[u8; 32]) -> Vec<u8> {
    let mut bytes: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if bytes.first().is_none_or(|&b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    let mut out = vec![0x02, u8::try_from(bytes.len()).unwrap()];
    out.extend(bytes);
    out
}

pub fn mutate(signature: &[u8], op: &str) -> Vec<u8> {
    let mut r: [u8; 32] = signature[..32].try_into().unwrap();
    let mut s: [u8; 32] = signature[32..].try_into().unwrap();
    match op {
        "none" => {}
        "negate_s" => s = sub(&N, &s),
        "r_zero" => r = [0; 32],
        "s_zero" => s = [0; 32],
        "r_n" => r = N,
        "s_n" => s = N,
        "r_plus_n_low" => r = add(&r, &N),
        "all_zero" => (r, s) = ([0; 32], [0; 32]),
        "all_ff" => (r, s) = ([0xFF; 32], [0xFF; 32]),
        "flip_r" => r[0] ^= 0x80,
        "flip_s" => s[31] ^= 0x01,
        "swap" => std::mem::swap(&mut r, &mut s),
        "truncate" => return signature[..63].to_vec(),
        "extend" => return [signature, &[0]].concat(),
        "empty" => return Vec::new(),
        "der" => {
            let body = [der_integer(&r), der_integer(&s)].concat();
            return [vec![0x30, u8::try_from(body.len()).unwrap()], body].concat();
        }
        other => panic!("unknown op {other}"),
    }
    [r, s].concat()
}

#[test]
fn every_mutation_gets_the_expected_verdict() {
    let vectors: Vectors = serde_json::from_str(include_str!("../../vectors/es256-mutations.json")).unwrap();
    assert!(vectors.cases.len() >= 15);
    let policy = VerifyPolicy { issuer: ISSUER, audience: "authsec-api", now: NOW, leeway_secs: LEEWAY_SECS };
    // Several tokens, so that properties of one signature (a small r, say) cannot hide a case.
    for jti in ["a", "b", "c", "d"] {
        let mut c = claims(NOW);
        c.jti = jti.into();
        let token = sign(&c, &ring());
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = b64::decode(signature).unwrap();
        for case in &vectors.cases {
            let mutated = format!("{input}.{}", b64::encode(&mutate(&signature, &case.op)));
            let result = block_on(verify_access_token(&mutated, &ring(), &RustCrypto, &policy));
            if case.valid {
                assert!(result.is_ok(), "{}: {result:?}", case.name);
            } else {
                assert_eq!(result.unwrap_err(), TokenError::BadSignature, "{}", case.name);
            }
        }
    }
}
