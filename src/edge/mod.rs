//! The Worker entry point (wasm32 only): converts between workerd and `http`, reads the
//! clock once, records metrics, logs internals, and never lets an error escape as a
//! non-JSON answer.

mod d1;
mod durable_client;
mod executor;
mod flow_client;
mod kv;
mod mail;
mod platform;
#[cfg(feature = "postgres")]
mod postgres;
mod push;
mod rate_limiter;
mod state_clients;
mod webauthn_crypto;
mod webcrypto;

use crate::api::{self, Isolate};
use crate::http::{split_url, CappedBody, HttpRequest, HttpResponse, Method, MAX_BODY_BYTES};
use futures_util::StreamExt;
use platform::EdgePlatform;
use std::rc::Rc;
use worker::{console_error, event, Context, Env, Headers, Request, Response, Result};

pub use webcrypto::WebCrypto;

thread_local! {
    static ISOLATE: Rc<Isolate> = Rc::new(Isolate::default());
}

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started_ms = crate::cast::f64_to_i64_saturating(js_sys::Date::now());
    let request = to_http_request(req).await;
    let platform = EdgePlatform::new(env);
    let isolate = ISOLATE.with(Rc::clone);
    let outcome = api::handle(&platform, &isolate, &request, started_ms).await;
    platform.close().await;
    isolate.metrics.borrow_mut().record_calls(outcome.route, platform.calls());
    let elapsed_ms = js_sys::Date::now() - crate::cast::i64_to_f64(started_ms);
    isolate.metrics.borrow_mut().record_request(
        outcome.route,
        request.method.as_str(),
        outcome.response.status,
        elapsed_ms,
    );
    if let Some(log) = &outcome.log {
        console_error!("{} {} -> {}: {}", request.method.as_str(), outcome.route, outcome.response.status, log);
    }
    to_worker_response(outcome.response)
}

/// Reads the request. A body whose declared length is over the limit is not read at
/// all; `api::handle` answers 413 from the header. GET and HEAD bodies are ignored.
/// A body without a length (chunked) is read only up to one byte past the limit.
/// A failed body read reads as empty, which every route refuses as malformed.
async fn to_http_request(mut req: Request) -> HttpRequest {
    // workerd hands us a normalized absolute URL; splitting it is all we need, and is
    // much cheaper in wasm than a full URL parse on every request.
    let (path, query) = split_url(&req.inner().url());
    let method = Method::parse(req.method().as_ref());
    let headers: Vec<(String, String)> =
        req.headers().entries().map(|(name, value)| (name.to_ascii_lowercase(), value)).collect();
    let declared =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let body = match declared {
        _ if matches!(method, Method::Get | Method::Head) => Vec::new(),
        Some(length) if length > MAX_BODY_BYTES => Vec::new(),
        // A declared length within the limit: one read of the whole body (workerd holds a
        // body to its declared length), far cheaper in wasm than streaming it in chunks.
        Some(0) => Vec::new(),
        Some(_) => req.bytes().await.unwrap_or_default(),
        None => read_capped(&mut req).await,
    };
    HttpRequest { method, path, query, headers, body }
}

/// At most `MAX_BODY_BYTES + 1` bytes of the body: enough for `api::handle` to answer
/// 413, without first buffering whatever a chunked upload chooses to send.
async fn read_capped(req: &mut Request) -> Vec<u8> {
    // No body at all is an error here; it reads as empty.
    let Ok(mut stream) = req.stream() else {
        return Vec::new();
    };
    let mut body = CappedBody::default();
    while let Some(Ok(chunk)) = stream.next().await {
        if !body.push(&chunk) {
            break;
        }
    }
    body.into_bytes()
}

fn to_worker_response(response: HttpResponse) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    Ok(Response::from_bytes(response.body)?.with_status(response.status).with_headers(headers))
}
