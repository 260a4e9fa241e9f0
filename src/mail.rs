//! Outgoing mail (one-time codes, invitations, resets). Delivery goes through a
//! `MailTransport` (in the Worker: an HTTP mail API chosen by config); in development
//! every mail is also kept in the dev outbox so local tests can read codes.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailError(pub String);

#[allow(async_fn_in_trait)]
pub trait MailTransport {
    async fn send(&self, mail: &Mail) -> Result<(), MailError>;
}

/// A transport that keeps what it is given: for native tests.
#[derive(Debug, Default)]
pub struct CapturingTransport {
    pub sent: std::cell::RefCell<Vec<Mail>>,
}

impl MailTransport for CapturingTransport {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.sent.borrow_mut().push(mail.clone());
        Ok(())
    }
}
