//! Mail through an HTTP mail API (`MAIL_API_URL`, bearer `MAIL_API_KEY`): a JSON POST
//! of `{from, to, subject, text}`, the shape most transactional mail APIs accept or a
//! small relay Worker can adapt.

use crate::config::MailConfig;
use crate::mail::{Mail, MailError, MailTransport};
use crate::metrics::{Backend, CallLog};
use std::rc::Rc;
use worker::{Fetch, Headers, Method, Request, RequestInit};

pub struct HttpMailTransport {
    config: MailConfig,
    log: Rc<CallLog>,
}

impl HttpMailTransport {
    /// `None` when no mail API is configured.
    pub fn from_config(config: &MailConfig, log: Rc<CallLog>) -> Option<Self> {
        config.api_url.as_ref().map(|_| HttpMailTransport { config: config.clone(), log })
    }
}

impl MailTransport for HttpMailTransport {
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let fail = |e: worker::Error| MailError(e.to_string());
        let url = self.config.api_url.as_deref().unwrap_or_default();
        let headers = Headers::new();
        headers.set("content-type", "application/json").map_err(fail)?;
        if let Some(key) = &self.config.api_key {
            headers.set("authorization", &format!("Bearer {}", key.expose())).map_err(fail)?;
        }
        let body = serde_json::to_string(mail).map_err(|e| MailError(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        let request = Request::new_with_init(url, &init).map_err(fail)?;
        let _call = self.log.start(Backend::Fetch);
        let response = Fetch::Request(request).send().await.map_err(fail)?;
        match response.status_code() {
            200..=299 => Ok(()),
            status => Err(MailError(format!("mail API answered {status}"))),
        }
    }
}
