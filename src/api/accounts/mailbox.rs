//! Sending mail: kept in the dev outbox in development, delivered through the configured
//! transport when there is one, and refused (503) when neither applies, so a production
//! deployment without mail never silently drops a code.

use crate::api::{Ctx, Platform};
use crate::error::ApiError;
use crate::mail::{Mail, MailTransport};
use crate::store::accounts::{DevOutbox, OutboxMail};

pub async fn deliver<P: Platform>(ctx: &Ctx<'_, P>, to: &str, subject: &str, text: String) -> Result<(), ApiError> {
    let config = ctx.config()?;
    let mail = Mail { from: config.mail.from.clone(), to: to.to_string(), subject: subject.to_string(), text };
    let mut delivered = false;
    if config.is_development() {
        let kept = OutboxMail {
            // Time first, so the outbox lists newest first even within one second.
            id: format!("{:015}-{}", ctx.now_ms, crate::api::issue::uuid_like(ctx)?),
            recipient: mail.to.clone(),
            subject: mail.subject.clone(),
            body: mail.text.clone(),
            created_at: ctx.now_secs(),
        };
        ctx.platform.store().put_mail(&kept).await.map_err(|e| ApiError::Unavailable(format!("dev outbox: {e}")))?;
        delivered = true;
    }
    if let Some(transport) = ctx.platform.mail_transport() {
        transport.send(&mail).await.map_err(|e| ApiError::Unavailable(format!("mail transport: {}", e.0)))?;
        delivered = true;
    }
    if delivered {
        Ok(())
    } else {
        Err(ApiError::Unavailable("no mail transport is configured (MAIL_API_URL)".into()))
    }
}
