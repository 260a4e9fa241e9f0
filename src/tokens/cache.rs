//! A per-isolate memo of successful verifications, so that a token presented again (a
//! service calling with the same bearer token, say) skips the signature check.
//!
//! Safe by construction: entries are keyed by SHA-256 of the exact token bytes together
//! with the key-ring fingerprint, issuer and audience they were verified under, so any
//! change of token or configuration misses; only successes are stored, so failures
//! cannot be planted; and `exp`/`nbf` are checked again on every hit. Revocation is not
//! this cache's concern: session state is consulted after verification, on every request.

use super::verify::{VerifiedToken, VerifyPolicy};
use super::TokenError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Entries kept at most; beyond it expired entries go first, then everything.
pub const DEFAULT_CAPACITY: usize = 4096;

#[derive(Debug)]
pub struct VerificationCache {
    entries: HashMap<[u8; 32], VerifiedToken>,
    capacity: usize,
}

impl Default for VerificationCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl VerificationCache {
    pub fn with_capacity(capacity: usize) -> Self {
        VerificationCache { entries: HashMap::new(), capacity }
    }

    pub fn key(token: &str, fingerprint: &str, policy: &VerifyPolicy<'_>) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for part in [fingerprint, policy.issuer, policy.audience] {
            hasher.update(crate::cast::usize_to_u64(part.len()).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(token.as_bytes());
        hasher.finalize().into()
    }

    /// A previous success for this key, re-checked against the clock.
    pub fn get(&self, key: &[u8; 32], policy: &VerifyPolicy<'_>) -> Option<Result<VerifiedToken, TokenError>> {
        let hit = self.entries.get(key)?;
        let claims = hit.claims();
        if policy.now > claims.exp.saturating_add(policy.leeway_secs) {
            return Some(Err(TokenError::Expired));
        }
        if claims.nbf > policy.now.saturating_add(policy.leeway_secs) {
            return Some(Err(TokenError::NotYetValid));
        }
        Some(Ok(hit.clone()))
    }

    pub fn insert(&mut self, key: [u8; 32], verified: VerifiedToken, now: i64, leeway_secs: i64) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, v| now <= v.claims().exp.saturating_add(leeway_secs));
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(key, verified);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
