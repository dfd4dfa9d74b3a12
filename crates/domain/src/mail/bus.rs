//! Live mail events: "this folder changed". In one process a broadcast channel; on PostgreSQL
//! the event is a NOTIFY (or a NATS message) sent after the commit of the change, and every
//! node's listener passes it to its own subscribers, so an IMAP IDLE on one node sees a
//! delivery made on another.

use std::sync::Arc;

use schulhof_store::{Db, events};
use schulhof_types::{InstanceId, MailFolderId, UserId};
use tokio::sync::broadcast;

use super::view::Views;

/// The PostgreSQL channel of mail events.
const CHANNEL: &str = "schulhof_mail";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailEvent {
    pub instance: InstanceId,
    pub owner: UserId,
    pub folder: MailFolderId,
}

impl MailEvent {
    fn encode(&self) -> String {
        format!(
            "{} {} {}",
            self.instance.0.simple(),
            self.owner.0.simple(),
            self.folder.0.simple()
        )
    }

    fn decode(s: &str) -> Option<MailEvent> {
        let mut parts = s.split(' ');
        let instance = parts.next()?.parse().ok()?;
        let owner = parts.next()?.parse().ok()?;
        let folder = parts.next()?.parse().ok()?;
        Some(MailEvent {
            instance: InstanceId(instance),
            owner: UserId(owner),
            folder: MailFolderId(folder),
        })
    }
}

#[derive(Clone)]
pub struct MailBus {
    tx: broadcast::Sender<MailEvent>,
    /// This node's copies of folders' UID lists, checked against the database on every use
    /// (see `view.rs`). Kept here because the bus is what every node has of the mail service.
    pub(crate) views: Arc<Views>,
    bus: events::Bus,
}

impl MailBus {
    /// Makes the bus; the platform connects it to other nodes through [`Self::listener`].
    pub(crate) fn new(bus: events::Bus) -> MailBus {
        // Subscribers that fall this far behind see a lag and re-read their folder.
        let (tx, _) = broadcast::channel(4096);
        MailBus {
            tx,
            views: Arc::default(),
            bus,
        }
    }

    /// This node's handler of other nodes' mail events (the platform runs one listener).
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let tx = self.tx.clone();
        let on = move |p: &str| {
            if let Some(e) = MailEvent::decode(p) {
                let _ = tx.send(e);
            }
        };
        (CHANNEL, Box::new(on))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<MailEvent> {
        self.tx.subscribe()
    }

    /// Announces committed changes to every node, and to this node's own subscribers unless
    /// its NOTIFY comes back to them through its LISTEN.
    pub(crate) fn committed(&self, _db: &Db, events: &[MailEvent]) {
        for e in events {
            if self.bus.committed(CHANNEL, &e.encode()) {
                let _ = self.tx.send(*e);
            }
        }
    }
}
