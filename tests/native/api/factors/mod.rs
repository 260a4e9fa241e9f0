//! Second factors and passwordless sign-in over the API: TOTP and passkeys.

mod passkeys;
mod signature_vectors;
mod status;
mod step_up;
mod totp;
mod totp_only;
mod webauthn;
