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

/// The request's one connection. Concurrent first queries (a `join` of reads) must not
/// each open their own: the extra ones would outlive `close` and be cut off mid-stream.
enum Connection {
    None,
    /// Being opened; these wait for it.
    Opening(Vec<oneshot::Sender<()>>),
    Open(Rc<PgExecutor>),
}

pub struct HyperdriveExecutor {
    hyperdrive: Result<Hyperdrive, String>,
    client: RefCell<Connection>,
    /// Resolves when the connection task has ended (see `close`).
    closed: RefCell<Option<oneshot::Receiver<()>>>,
    log: Rc<CallLog>,
}

impl HyperdriveExecutor {
    pub fn new(hyperdrive: worker::Result<Hyperdrive>, log: Rc<CallLog>) -> Self {
        HyperdriveExecutor {
            hyperdrive: hyperdrive.map_err(|e| format!("Hyperdrive binding HYPERDRIVE: {e}")),
            client: RefCell::new(Connection::None),
            closed: RefCell::new(None),
            log,
        }
    }

    /// Ends the connection cleanly before the request finishes: dropping the client makes
    /// the connection send Terminate and close, instead of being cut off mid-stream when
    /// workerd tears the request down.
    pub async fn close(&self) {
        let client = std::mem::replace(&mut *self.client.borrow_mut(), Connection::None);
        drop(client);
        let closed = self.closed.borrow_mut().take();
        if let Some(closed) = closed {
            let _ = closed.await;
        }
    }

    /// The request's connection: opened by the first caller, awaited by any caller that
    /// arrives while it opens (single flight).
    async fn client(&self) -> Result<Rc<PgExecutor>, StoreError> {
        loop {
            let waiting = {
                let mut state = self.client.borrow_mut();
                match &mut *state {
                    Connection::Open(client) => return Ok(client.clone()),
                    Connection::Opening(waiters) => {
                        let (wake, woken) = oneshot::channel();
                        waiters.push(wake);
                        Some(woken)
                    }
                    Connection::None => {
                        *state = Connection::Opening(Vec::new());
                        None
                    }
                }
            };
            match waiting {
                // Opened (or failed): look again; after a failure the next caller retries.
                Some(woken) => {
                    let _ = woken.await;
                }
                None => {
                    let opened = self.open().await;
                    let next = match &opened {
                        Ok(client) => Connection::Open(client.clone()),
                        Err(_) => Connection::None,
                    };
                    if let Connection::Opening(waiters) = std::mem::replace(&mut *self.client.borrow_mut(), next) {
                        for wake in waiters {
                            let _ = wake.send(());
                        }
                    }
                    return opened;
                }
            }
        }
    }

    async fn open(&self) -> Result<Rc<PgExecutor>, StoreError> {
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
        Ok(Rc::new(PgExecutor::new(client)))
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
