//! Decoupled grants over the API: the device grant (RFC 8628) and CIBA.

mod delegated;
pub mod device;
mod public_ciba;
