//! Tokens: verification rules, signing-key configuration, signature vectors and the
//! per-isolate verification cache.

mod keys;
mod signature_vectors;
mod verify;
mod verify_cache;
