//! The KV (`CACHE`) document cache: JWKS and discovery documents.

use crate::metrics::{Backend, CallLog};
use crate::store::{DocumentCache, Ping, StoreError};
use std::rc::Rc;
use worker::kv::KvStore;

pub struct KvCache {
    kv: Result<KvStore, String>,
    log: Rc<CallLog>,
}

impl KvCache {
    pub fn new(kv: worker::Result<KvStore>, log: Rc<CallLog>) -> Self {
        KvCache { kv: kv.map_err(|e| format!("KV binding CACHE: {e}")), log }
    }

    fn kv(&self) -> Result<&KvStore, StoreError> {
        self.kv.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))
    }
}

impl Ping for KvCache {
    async fn ping(&self) -> Result<(), StoreError> {
        let _call = self.log.start(Backend::Kv);
        self.kv()?.get("health:probe").text().await.map(|_| ()).map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

impl DocumentCache for KvCache {
    async fn get_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        let _call = self.log.start(Backend::Kv);
        self.kv()?.get(key).text().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    async fn put_document(&self, key: &str, value: &str, ttl_secs: u64) -> Result<(), StoreError> {
        let _call = self.log.start(Backend::Kv);
        self.kv()?
            .put(key, value)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .expiration_ttl(ttl_secs)
            .execute()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}
