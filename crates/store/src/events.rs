//! Live events between nodes: PostgreSQL NOTIFY within a transaction, LISTEN on every node,
//! or NATS for large installations (see [`Bus`]). SQLite has one node, so there is nothing
//! to send.

use crate::{AsConn, Conn, Db, StoreError};

/// Sends `payload` on `channel` when the transaction commits (PostgreSQL only).
pub async fn notify(c: &mut impl AsConn, channel: &str, payload: &str) -> Result<(), StoreError> {
    if let Conn::Pg(c) = c.conn() {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&mut *c)
            .await?;
    }
    Ok(())
}

/// What a listener does with one payload of its channel.
pub type Handler = Box<dyn Fn(&str) + Send + Sync>;

/// Calls `on` with every payload sent on `channel` by any node, reconnecting after a lost
/// connection, until the pool closes. Returns at once on SQLite.
pub async fn listen(db: Db, channel: &'static str, on: impl Fn(&str) + Send + Sync + 'static) {
    listen_all(db, vec![(channel, Box::new(on))]).await;
}

/// One connection listening on every channel of `handlers`, each payload handed to its
/// channel's handler. A node keeps one such connection however many services listen, so
/// many nodes (or many platforms in one test process) don't exhaust the server's connections.
pub async fn listen_all(db: Db, handlers: Vec<(&'static str, Handler)>) {
    listen_shared(db, std::sync::Arc::new(handlers)).await;
}

async fn listen_shared(db: Db, handlers: std::sync::Arc<Vec<(&'static str, Handler)>>) {
    let Db::Pg(pool) = db else { return };
    let channels: Vec<&str> = handlers.iter().map(|(c, _)| *c).collect();
    loop {
        let lost = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => match l.listen_all(channels.iter().copied()).await {
                Ok(()) => loop {
                    match l.recv().await {
                        Ok(n) => {
                            for (channel, on) in handlers.iter() {
                                if *channel == n.channel() {
                                    on(n.payload());
                                }
                            }
                        }
                        Err(e) => break e,
                    }
                },
                Err(e) => e,
            },
            Err(e) => e,
        };
        // A closed pool is the process ending (a command line run, a test): nothing to say.
        if pool.is_closed() {
            return;
        }
        tracing::warn!(error = %lost, ?channels, "event listener lost, reconnecting");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

pub mod nats;

pub use nats::NatsUrl;

/// How a node's signals reach the other nodes (and, where needed, its own subscribers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// SQLite: one node; signals stay in the process.
    Local,
    /// PostgreSQL NOTIFY, sent with the changing transaction; every node's LISTEN hears it,
    /// this node's own included.
    Notify,
    /// NATS, published after the commit; this node hands its own signals over itself.
    Nats,
}

/// The event bus of one node: the same small "changed" signals over the carrier the
/// installation chose (see [`Carrier`]). Services keep their own subscribers; the bus only
/// moves encoded signals between nodes. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    inner: std::sync::Arc<BusInner>,
}

struct BusInner {
    db: Db,
    nats: Option<nats::Publisher>,
    /// The NATS connection until [`Bus::start`] runs it.
    pending: std::sync::Mutex<Option<nats::Pending>>,
}

/// The NATS subject of a channel.
fn subject(channel: &str) -> String {
    format!("schulhof.{channel}")
}

impl Bus {
    /// The bus of `db`: NATS when `nats` is given and the database can hold several nodes
    /// (PostgreSQL), else NOTIFY on PostgreSQL and in-process on SQLite.
    pub fn new(db: &Db, nats: Option<NatsUrl>) -> Bus {
        let (nats, pending) = match (db, nats) {
            (Db::Pg(_), Some(url)) => {
                let (p, pending) = nats::channel(url);
                (Some(p), Some(pending))
            }
            (Db::Sqlite { .. }, Some(url)) => {
                tracing::warn!(%url, "NATS ignored: a SQLite installation has one node");
                (None, None)
            }
            (_, None) => (None, None),
        };
        Bus {
            inner: std::sync::Arc::new(BusInner {
                db: db.clone(),
                nats,
                pending: std::sync::Mutex::new(pending),
            }),
        }
    }

    pub fn carrier(&self) -> Carrier {
        match (&self.inner.db, &self.inner.nats) {
            (Db::Sqlite { .. }, _) => Carrier::Local,
            (Db::Pg(_), None) => Carrier::Notify,
            (Db::Pg(_), Some(_)) => Carrier::Nats,
        }
    }

    /// Announces a change inside the transaction that makes it (NOTIFY: delivered on commit,
    /// dropped on rollback). Other carriers send in [`Bus::committed`].
    pub async fn within(
        &self,
        c: &mut impl AsConn,
        channel: &str,
        payload: &str,
    ) -> Result<(), StoreError> {
        if self.carrier() == Carrier::Notify {
            notify(c, channel, payload).await?;
        }
        Ok(())
    }

    /// Announces a committed change to the other nodes (NATS). Answers whether the caller
    /// must hand it to this node's own subscribers (no NOTIFY comes back to them).
    pub fn committed(&self, channel: &str, payload: &str) -> bool {
        match (self.carrier(), &self.inner.nats) {
            (Carrier::Notify, _) => false,
            (Carrier::Nats, Some(n)) => {
                n.publish(&subject(channel), payload);
                true
            }
            _ => true,
        }
    }

    /// Sends a signal that belongs to no transaction (someone is typing) to every node now.
    /// Answers whether the caller must hand it to this node's own subscribers.
    pub async fn now(&self, channel: &str, payload: &str) -> bool {
        if self.carrier() != Carrier::Notify {
            return self.committed(channel, payload);
        }
        // A lost signal costs latency only: nothing to report beyond a trace.
        let sent = async {
            let mut c = self.inner.db.read().await?;
            notify(&mut c, channel, payload).await
        };
        if let Err(e) = sent.await {
            tracing::debug!(error = %e, channel, "signal lost");
        }
        false
    }

    /// Runs this node's listeners on `rt`: the NOTIFY listener on PostgreSQL (also under
    /// NATS, for services that announce with [`notify`] directly) and the NATS connection.
    /// Nothing on SQLite.
    pub fn start(&self, rt: &tokio::runtime::Handle, handlers: Vec<(&'static str, Handler)>) {
        if self.carrier() == Carrier::Local {
            return;
        }
        let handlers = std::sync::Arc::new(handlers);
        rt.spawn(listen_shared(self.inner.db.clone(), handlers.clone()));
        let pending = self.inner.pending.lock().ok().and_then(|mut p| p.take());
        if let Some(pending) = pending {
            let subjects = handlers.iter().map(|(c, _)| subject(c)).collect();
            let on = move |i: usize, payload: &[u8]| {
                if let (Some((_, h)), Ok(p)) = (handlers.get(i), std::str::from_utf8(payload)) {
                    h(p);
                }
            };
            rt.spawn(pending.run(subjects, on));
        }
    }

    /// Waits (at most `limit`) until the bus hears other nodes: at once for NOTIFY and
    /// in-process, when subscribed for NATS. Whether it does.
    pub async fn ready(&self, limit: std::time::Duration) -> bool {
        match &self.inner.nats {
            Some(n) => n.ready(limit).await,
            None => true,
        }
    }
}
