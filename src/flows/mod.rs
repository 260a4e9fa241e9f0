//! Device grant (RFC 8628) and CIBA poll mode (OpenID CIBA Core 1.0) (api.md "Device
//! grant and CIBA").
//!
//! Both flows are the same shape: a client starts a request, a person decides on it
//! elsewhere, and the client polls the token endpoint until the decision arrives. Each
//! request's state lives in one Durable Object as JSON; `device::transition` and
//! `ciba::transition` are the whole rule, so the object only loads, calls and stores in
//! one synchronous step. That is what makes tokens come out exactly once when many polls
//! race after approval.
//!
//! Everything here is pure: callers pass `now` (Unix seconds) and random bytes.

pub mod activation;
pub mod ciba;
pub mod device;
pub mod polling;
pub mod user_code;

pub use ciba::{CibaAuthorization, CibaEvent, CibaOutcome, CibaState, CibaStatus};
pub use device::{DeviceAuthorization, DeviceEvent, DeviceOutcome, DeviceState, DeviceStatus};
pub use polling::{poll, PollClock};

/// Life of a device code and its user code (RFC 8628 §3.2 `expires_in`).
pub const DEVICE_CODE_TTL_SECS: i64 = 600;
/// Life of a CIBA `auth_req_id` (CIBA Core §7.3 `expires_in`).
pub const CIBA_TTL_SECS: i64 = 300;
