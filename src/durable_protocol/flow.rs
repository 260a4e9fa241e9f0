//! Calls to `FlowStore`: device codes (objects `device:{shard}`) and CIBA requests
//! (objects `ciba:{user}`).

use super::{do_calls, Stored};
use crate::flows::{CibaEvent, CibaOutcome, CibaState, DeviceEvent, DeviceOutcome, DeviceState};
use serde::{Deserialize, Serialize};

/// Stores a new device code; the object answers 409 if the key is taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartDevice {
    pub key: String,
    pub state: DeviceState,
}

/// A device code's state; `None` if there is no such code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GetDevice {
    pub key: String,
}

/// Applies one event to a device code (`flows::device::transition`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdvanceDevice {
    pub key: String,
    pub event: DeviceEvent,
    pub now: i64,
}

/// Stores a new CIBA request; the object answers 409 if the key is taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartCiba {
    pub key: String,
    pub state: CibaState,
}

/// Applies one event to a CIBA request (`flows::ciba::transition`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdvanceCiba {
    pub key: String,
    pub event: CibaEvent,
    pub now: i64,
}

/// The object's unexpired CIBA requests still awaiting the user, soonest to expire first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingCiba {
    pub now: i64,
}

/// The outcome of a transition and the state it left; a reply of `None` means there
/// was no such record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Advanced<O, S> {
    pub outcome: O,
    pub state: S,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRequest {
    pub key: String,
    pub state: CibaState,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRequests {
    pub requests: Vec<PendingRequest>,
}

do_calls! {
    StartDevice => "/start-device", Stored;
    GetDevice => "/device", Option<DeviceState>;
    AdvanceDevice => "/advance-device", Option<Advanced<DeviceOutcome, DeviceState>>;
    StartCiba => "/start-ciba", Stored;
    AdvanceCiba => "/advance-ciba", Option<Advanced<CibaOutcome, CibaState>>;
    PendingCiba => "/pending-ciba", PendingRequests;
}
