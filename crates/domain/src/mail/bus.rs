//! Live mail events: "this folder changed". In one process a broadcast channel; on PostgreSQL
//! the event is a NOTIFY (or a NATS message) sent after the commit of the change, and every
//! node's listener passes it to its own subscribers, so an IMAP IDLE on one node sees a
//! delivery made on another.

use std::future::Future;
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
    /// Who made the change, when it asked to be known (see [`with_origin`]); 0: anyone.
    pub origin: u64,
}

tokio::task_local! {
    static ORIGIN: u64;
}

/// Runs `f` with its mail changes' events marked as coming from `origin` (a random number
/// of one IMAP session): the session, whose view already holds the change, then knows the
/// event that comes back is its own and spares the folder read.
pub async fn with_origin<F: Future>(origin: u64, f: F) -> F::Output {
    ORIGIN.scope(origin, f).await
}

/// A new origin for [`with_origin`], never 0: the random low half of a UUIDv7 (62 random
/// bits), so no other session on any node has it.
pub fn new_origin() -> u64 {
    uuid::Uuid::now_v7().as_u64_pair().1 | 1
}

/// The origin of changes made now (0 outside [`with_origin`]).
pub fn current_origin() -> u64 {
    ORIGIN.try_with(|o| *o).unwrap_or(0)
}

impl MailEvent {
    fn encode(&self) -> String {
        format!(
            "{} {} {} {:x}",
            self.instance.0.simple(),
            self.owner.0.simple(),
            self.folder.0.simple(),
            self.origin
        )
    }

    fn decode(s: &str) -> Option<MailEvent> {
        let mut parts = s.split(' ');
        let instance = parts.next()?.parse().ok()?;
        let owner = parts.next()?.parse().ok()?;
        let folder = parts.next()?.parse().ok()?;
        // A node of the previous version sends no origin.
        let origin = match parts.next() {
            Some(o) => u64::from_str_radix(o, 16).ok()?,
            None => 0,
        };
        Some(MailEvent {
            instance: InstanceId(instance),
            owner: UserId(owner),
            folder: MailFolderId(folder),
            origin,
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
        let origin = current_origin();
        for e in events {
            let e = MailEvent { origin, ..*e };
            if self.bus.committed(CHANNEL, &e.encode()) {
                let _ = self.tx.send(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn event(origin: u64) -> MailEvent {
        MailEvent {
            instance: InstanceId(Uuid::now_v7()),
            owner: UserId(Uuid::now_v7()),
            folder: MailFolderId(Uuid::now_v7()),
            origin,
        }
    }

    #[test]
    fn events_cross_nodes_with_their_origin() {
        for origin in [0, 1, u64::MAX, 0x5eed_cafe] {
            let e = event(origin);
            assert_eq!(MailEvent::decode(&e.encode()), Some(e));
        }
        // A node of the previous version sends three parts: no origin.
        let e = event(7);
        let old = e
            .encode()
            .rsplit_once(' ')
            .map(|(a, _)| a.to_owned())
            .expect("parts");
        assert_eq!(MailEvent::decode(&old), Some(MailEvent { origin: 0, ..e }));
        assert_eq!(MailEvent::decode(&format!("{old} zz")), None);
    }

    #[tokio::test]
    async fn the_origin_holds_inside_its_scope_only() {
        assert_eq!(current_origin(), 0);
        let inside = with_origin(42, async { current_origin() }).await;
        assert_eq!(inside, 42);
        assert_eq!(current_origin(), 0);
    }
}
