//! Live chat signals: "room R of school I changed up to seq S", or "U is typing in R". Only
//! ids travel (far below PostgreSQL's 8,000-byte NOTIFY limit); clients fetch the change
//! from the database with `after=<seq>`, so a lost signal costs latency, never a message.
//! In one process a broadcast channel; on PostgreSQL a NOTIFY sent with the transaction
//! that made the change (or, configured, a NATS message after its commit), which every
//! node's one listener hands to its own subscribers.

use schulhof_store::chat::RoomId;
use schulhof_store::{AsConn, Db, events};
use schulhof_types::{InstanceId, UserId};
use tokio::sync::broadcast;

/// The PostgreSQL channel of chat signals.
const CHANNEL: &str = "schulhof_chat";

/// One signal of the chat bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatSignal {
    pub instance: InstanceId,
    pub room: RoomId,
    /// The room's sequence number after the change (0 for typing).
    pub seq: i64,
    /// Set for "this person is typing" (nothing stored).
    pub typing: Option<UserId>,
}

impl ChatSignal {
    pub fn encode(&self) -> String {
        let mut s = format!(
            "{} {} {}",
            self.instance.0.simple(),
            self.room.0.simple(),
            self.seq
        );
        if let Some(u) = self.typing {
            s.push(' ');
            s.push_str(&u.0.simple().to_string());
        }
        s
    }

    pub fn decode(s: &str) -> Option<ChatSignal> {
        let mut parts = s.split(' ');
        let instance = InstanceId(parts.next()?.parse().ok()?);
        let room = RoomId(parts.next()?.parse().ok()?);
        let seq = parts.next()?.parse().ok()?;
        let typing = match parts.next() {
            Some(u) => Some(UserId(u.parse().ok()?)),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(ChatSignal {
            instance,
            room,
            seq,
            typing,
        })
    }
}

#[derive(Clone)]
pub struct ChatBus {
    tx: broadcast::Sender<ChatSignal>,
    bus: events::Bus,
}

impl ChatBus {
    pub(crate) fn new(bus: events::Bus) -> ChatBus {
        // A socket that falls this far behind sees a lag and resumes from the database.
        let (tx, _) = broadcast::channel(8192);
        ChatBus { tx, bus }
    }

    /// This node's handler of other nodes' chat signals (the platform runs one listener).
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let tx = self.tx.clone();
        let on = move |p: &str| {
            if let Some(e) = ChatSignal::decode(p) {
                let _ = tx.send(e);
            }
        };
        (CHANNEL, Box::new(on))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChatSignal> {
        self.tx.subscribe()
    }

    /// Announces a change inside the transaction that makes it: PostgreSQL delivers the
    /// NOTIFY on commit and drops it on rollback.
    pub(crate) async fn within(
        &self,
        c: &mut impl AsConn,
        signal: ChatSignal,
    ) -> Result<(), schulhof_store::StoreError> {
        self.bus.within(c, CHANNEL, &signal.encode()).await
    }

    /// Announces a committed change (NATS), and to this node's own sockets unless the
    /// NOTIFY of [`ChatBus::within`] comes back to them.
    pub(crate) fn committed(&self, _db: &Db, signal: ChatSignal) {
        if self.bus.committed(CHANNEL, &signal.encode()) {
            let _ = self.tx.send(signal);
        }
    }

    /// Passes an ephemeral signal (typing) to every node at once, stored nowhere.
    pub(crate) async fn ephemeral(&self, _db: &Db, signal: ChatSignal) {
        if self.bus.now(CHANNEL, &signal.encode()).await {
            let _ = self.tx.send(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn signals_round_trip_and_garbage_is_ignored() {
        let s = ChatSignal {
            instance: InstanceId(Uuid::now_v7()),
            room: RoomId(Uuid::now_v7()),
            seq: 42,
            typing: None,
        };
        assert_eq!(ChatSignal::decode(&s.encode()), Some(s));
        let t = ChatSignal {
            typing: Some(UserId(Uuid::now_v7())),
            ..s
        };
        assert_eq!(ChatSignal::decode(&t.encode()), Some(t));
        assert!(t.encode().len() < 120);
        for bad in ["", "x", "a b c", &format!("{} x 1", Uuid::nil().simple())] {
            assert_eq!(ChatSignal::decode(bad), None);
        }
    }
}
