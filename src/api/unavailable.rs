//! The 503s of the Durable-Object-backed stores, named so that the log says which one
//! failed (the response body never does).

use crate::error::ApiError;
use crate::store::StoreError;

pub fn session_store(e: StoreError) -> ApiError {
    ApiError::Unavailable(format!("session store: {e}"))
}

pub fn challenge_store(e: StoreError) -> ApiError {
    ApiError::Unavailable(format!("challenge store: {e}"))
}

pub fn flow_store(e: StoreError) -> ApiError {
    ApiError::Unavailable(format!("flow store: {e}"))
}
