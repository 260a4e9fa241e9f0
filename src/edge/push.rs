//! Push through an HTTPS webhook (`CIBA_PUSH_URL`, optional bearer `CIBA_PUSH_TOKEN`):
//! a JSON array of Expo-style messages, which Expo's push API accepts as is and any
//! relay can adapt.

use crate::metrics::{Backend, CallLog};
use crate::push::{PushError, PushMessage, PushTransport};
use std::rc::Rc;
use worker::{Fetch, Headers, Method, Request, RequestInit};

pub struct HttpPushTransport {
    pub url: String,
    pub token: Option<String>,
    pub log: Rc<CallLog>,
}

impl PushTransport for HttpPushTransport {
    async fn push(&self, messages: &[PushMessage]) -> Result<(), PushError> {
        let fail = |e: worker::Error| PushError(e.to_string());
        let headers = Headers::new();
        headers.set("content-type", "application/json").map_err(fail)?;
        if let Some(token) = &self.token {
            headers.set("authorization", &format!("Bearer {token}")).map_err(fail)?;
        }
        let body = serde_json::to_string(messages).map_err(|e| PushError(e.to_string()))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        let request = Request::new_with_init(&self.url, &init).map_err(fail)?;
        let _call = self.log.start(Backend::Fetch);
        let response = Fetch::Request(request).send().await.map_err(fail)?;
        match response.status_code() {
            200..=299 => Ok(()),
            status => Err(PushError(format!("push webhook answered {status}"))),
        }
    }
}
