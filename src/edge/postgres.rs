//! The Postgres executor in the Worker: one connection per request through the
//! Hyperdrive binding (Hyperdrive pools the real connections near the database), opened
//! on first use so requests that need no relational data never connect.

use crate::metrics::{Backend, CallLog};
use crate::store::postgres::PgExecutor;
use crate::store::sql::{Dialect, SqlExecutor, SqlValue};
use crate::store::StoreError;
use futures_channel::oneshot;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::rc::Rc;
use worker::postgres_tls::PassthroughTls;
use worker::{Hyperdrive, Socket};

pub struct HyperdriveExecutor {
    hyperdrive: Result<Hyperdrive, String>,
    client: RefCell<Option<Rc<PgExecutor>>>,
    /// Resolves when the connection task has ended (see `close`).
    closed: RefCell<Option<oneshot::Receiver<()>>>,
    log: Rc<CallLog>,
}

impl HyperdriveExecutor {
    pub fn new(hyperdrive: worker::Result<Hyperdrive>, log: Rc<CallLog>) -> Self {
        HyperdriveExecutor {
            hyperdrive: hyperdrive.map_err(|e| format!("Hyperdrive binding HYPERDRIVE: {e}")),
            client: RefCell::new(None),
            closed: RefCell::new(None),
            log,
        }
    }

    /// Ends the connection cleanly before the request finishes: dropping the client makes
    /// the connection send Terminate and close, instead of being cut off mid-stream when
    /// workerd tears the request down.
    pub async fn close(&self) {
        let client = self.client.borrow_mut().take();
        drop(client);
        let closed = self.closed.borrow_mut().take();
        if let Some(closed) = closed {
            let _ = closed.await;
        }
    }

    async fn client(&self) -> Result<Rc<PgExecutor>, StoreError> {
        if let Some(client) = self.client.borrow().as_ref() {
            return Ok(client.clone());
        }
        let unavailable = |what: &str, e: String| StoreError::Unavailable(format!("postgres {what}: {e}"));
        let hyperdrive = self.hyperdrive.as_ref().map_err(|e| StoreError::Unavailable(e.clone()))?;
        let config: tokio_postgres::Config = hyperdrive
            .connection_string()
            .parse()
            .map_err(|e: tokio_postgres::Error| unavailable("config", e.to_string()))?;
        let socket = Socket::builder()
            .connect(hyperdrive.host(), hyperdrive.port())
            .map_err(|e| unavailable("socket", e.to_string()))?;
        let (client, connection) =
            config.connect_raw(socket, PassthroughTls).await.map_err(|e| unavailable("connect", e.to_string()))?;
        let (done, closed) = oneshot::channel();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = connection.await {
                worker::console_error!("postgres connection ended: {e}");
            }
            let _ = done.send(());
        });
        *self.closed.borrow_mut() = Some(closed);
        let client = Rc::new(PgExecutor::new(client));
        *self.client.borrow_mut() = Some(client.clone());
        Ok(client)
    }
}

impl SqlExecutor for HyperdriveExecutor {
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Map<String, Value>>, StoreError> {
        // One call per statement (or batch), the connection set-up included: it is a
        // round trip too.
        let _call = self.log.start(Backend::Hyperdrive);
        self.client().await?.query(sql, params).await
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        let _call = self.log.start(Backend::Hyperdrive);
        self.client().await?.execute(sql, params).await
    }

    async fn batch(&self, statements: &[(&str, Vec<SqlValue>)]) -> Result<(), StoreError> {
        let _call = self.log.start(Backend::Hyperdrive);
        self.client().await?.batch(statements).await
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}
