//! Push notifications to the devices users registered for CIBA (api.md "Device grant
//! and CIBA"): a `PushTransport` posts Expo-compatible messages (`[{to, title, body,
//! data}]`) to a configured HTTPS webhook in the Worker; tests capture them.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushMessage {
    /// The device token the user registered.
    pub to: String,
    pub title: String,
    pub body: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushError(pub String);

#[allow(async_fn_in_trait)]
pub trait PushTransport {
    async fn push(&self, messages: &[PushMessage]) -> Result<(), PushError>;
}

/// Keeps what it is given: for native tests.
#[derive(Debug, Default)]
pub struct CapturingPush {
    pub sent: std::cell::RefCell<Vec<PushMessage>>,
}

impl PushTransport for CapturingPush {
    async fn push(&self, messages: &[PushMessage]) -> Result<(), PushError> {
        self.sent.borrow_mut().extend(messages.iter().cloned());
        Ok(())
    }
}
