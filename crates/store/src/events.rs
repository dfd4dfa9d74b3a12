//! Live events between nodes: PostgreSQL NOTIFY sent after the commit by one sender per node
//! (see [`sender`]), LISTEN on every node, or NATS for large installations (see [`Bus`]).
//! SQLite has one node, so there is nothing to send.

use crate::{AsConn, Conn, Db, StoreError};

/// Sends `payload` on `channel` when the transaction commits (PostgreSQL only). Serialises
/// the commit with every other committing transaction that notifies: for rare changes only;
/// frequent ones go through [`Bus::committed`].
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
mod sender;

pub use nats::NatsUrl;

/// How a node's signals reach the other nodes (and, where needed, its own subscribers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// SQLite: one node; signals stay in the process.
    Local,
    /// PostgreSQL NOTIFY, sent after the commit by this node's sender; every node's LISTEN
    /// hears it, this node's own included.
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
    /// NOTIFY after the commit (PostgreSQL without NATS).
    sender: Option<sender::Sender>,
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
        let sender = match (db, &nats) {
            (Db::Pg(pool), None) => Some(sender::Sender::new(pool.clone())),
            _ => None,
        };
        Bus {
            inner: std::sync::Arc::new(BusInner {
                db: db.clone(),
                nats,
                pending: std::sync::Mutex::new(pending),
                sender,
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

    /// Marks where a transaction makes a change it will announce. Sends nothing on any
    /// carrier: a NOTIFY inside the transaction would serialise its commit with every other
    /// (see [`sender`]); every carrier sends in [`Bus::committed`], which a rolled-back
    /// transaction never reaches.
    pub async fn within(
        &self,
        _c: &mut impl AsConn,
        _channel: &str,
        _payload: &str,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    /// Announces a committed change to every node; never waits. Answers whether the caller
    /// must hand it to this node's own subscribers (NATS, in-process) or not (NOTIFY: this
    /// node's LISTEN hears it like the others).
    pub fn committed(&self, channel: &str, payload: &str) -> bool {
        match (self.carrier(), &self.inner.nats) {
            (Carrier::Notify, _) => {
                if let Some(s) = &self.inner.sender {
                    s.send(channel, payload);
                }
                false
            }
            (Carrier::Nats, Some(n)) => {
                n.publish(&subject(channel), payload);
                true
            }
            _ => true,
        }
    }

    /// Sends a signal that belongs to no transaction (someone is typing) to every node, in
    /// order with the committed ones. Answers whether the caller must hand it to this node's
    /// own subscribers.
    pub async fn now(&self, channel: &str, payload: &str) -> bool {
        self.committed(channel, payload)
    }

    /// Returns once every signal handed over before this call has been sent (or given up):
    /// NOTIFY by this node's sender, NATS confirmed by its server (at most 10 s). For tests
    /// and orderly ends; at once in-process.
    pub async fn flushed(&self) {
        if let Some(s) = &self.inner.sender {
            s.flushed().await;
        }
        if let Some(n) = &self.inner.nats {
            n.flushed(std::time::Duration::from_secs(10)).await;
        }
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
