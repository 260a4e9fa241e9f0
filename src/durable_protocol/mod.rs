//! The typed protocol between the Worker and its Durable Objects.
//!
//! Every call to an object is one request type that implements [`DoCall`]: the type is
//! the JSON body, [`DoCall::PATH`] is the URL path it is POSTed to, and
//! [`DoCall::Reply`] is what a 200 answer decodes to. Both sides use these definitions
//! and nothing else: the Worker's `DurableClient::call::<R>` sends `R` and returns
//! `R::Reply`; an object's `fetch` dispatches on the `PATH` constants, decodes `R` and
//! encodes an `R::Reply`. A path, a field or a reply therefore changes in one place.
//!
//! Invariants (checked by the tests): within one object class no two calls share a
//! path, and every request and reply survives a serde round trip. Replies are named
//! types (a struct, a domain enum, or an `Option` of one for "no such record"), never
//! bare tuples. A body the object cannot decode as `R` answers 400; anything but a 200
//! is a `StoreError::Unavailable` on the Worker side.
//!
//! This module is pure serde types and compiles natively; the objects themselves
//! (`durable/`) and the client (`edge::durable_client`) are wasm32 only.

pub mod challenge;
pub mod flow;
pub mod rate_limit;
pub mod session;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One kind of call to a Durable Object: the request body, where it goes and what
/// comes back.
pub trait DoCall: Serialize + DeserializeOwned {
    /// The URL path the request is POSTed to; unique within its object class.
    const PATH: &'static str;
    /// The body of a 200 answer.
    type Reply: Serialize + DeserializeOwned;
}

/// The health check every object class answers: proves the object runs and its SQLite
/// storage answers a query.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Ping;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Pong;

impl DoCall for Ping {
    const PATH: &'static str = "/ping";
    type Reply = Pong;
}

/// A write was stored; the reply carries nothing else.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Stored;

/// Implements [`DoCall`] for each `Request => "/path", Reply;` line and lists the paths
/// (with [`Ping`]'s, which every class answers) as `PATHS`, so that the uniqueness test
/// cannot miss a call.
macro_rules! do_calls {
    ($($request:ty => $path:literal, $reply:ty;)+) => {
        $(
            impl $crate::durable_protocol::DoCall for $request {
                const PATH: &'static str = $path;
                type Reply = $reply;
            }
        )+

        /// Every path this object class answers, the shared `Ping` included.
        pub const PATHS: &[&str] = &[<$crate::durable_protocol::Ping as $crate::durable_protocol::DoCall>::PATH, $($path),+];
    };
}
use do_calls;

#[cfg(test)]
mod tests;
