//! Conference signals every node must hear at once, over the platform's event bus (in
//! process, PostgreSQL NOTIFY or NATS): a person's consent on record changed (the node that
//! holds their media re-checks the gate through the policy), or a room's guests changed (a
//! link revoked, a guest put out: the node holding the guest's socket re-checks the pass).
//! Only ids travel; what changed is read from the database.

use schulhof_store::chat::RoomId;
use schulhof_store::events;
use schulhof_types::{InstanceId, UserId};
use tokio::sync::broadcast;

use super::ConsentChange;

/// The bus channel of conference signals.
const CHANNEL: &str = "schulhof_conference";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConferenceSignal {
    Consent(ConsentChange),
    /// The guests of `room` changed: every guest socket of the room checks its pass again.
    Guests {
        instance: InstanceId,
        room: RoomId,
    },
    /// The conference of `room` changed (who is present, hands, mutes, a lease ran out):
    /// every socket following it, on any node, shows the new state.
    Room {
        instance: InstanceId,
        room: RoomId,
    },
}

impl ConferenceSignal {
    pub fn encode(&self) -> String {
        match self {
            ConferenceSignal::Consent(c) => {
                format!("consent {} {}", c.instance.0.simple(), c.user.0.simple())
            }
            ConferenceSignal::Guests { instance, room } => {
                format!("guests {} {}", instance.0.simple(), room.0.simple())
            }
            ConferenceSignal::Room { instance, room } => {
                format!("room {} {}", instance.0.simple(), room.0.simple())
            }
        }
    }

    pub fn decode(s: &str) -> Option<ConferenceSignal> {
        let mut parts = s.split(' ');
        let (kind, instance, id) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let instance = InstanceId(instance.parse().ok()?);
        let id: uuid::Uuid = id.parse().ok()?;
        match kind {
            "consent" => Some(ConferenceSignal::Consent(ConsentChange {
                instance,
                user: UserId(id),
            })),
            "guests" => Some(ConferenceSignal::Guests {
                instance,
                room: RoomId(id),
            }),
            "room" => Some(ConferenceSignal::Room {
                instance,
                room: RoomId(id),
            }),
            _ => None,
        }
    }
}

/// This node's subscribers of conference signals and the bus to the others. A signal is
/// handed to this node's subscribers at once (tests and the admin's own node see it before
/// the call returns); on the bus it carries this node's mark, so the copy that comes back
/// (PostgreSQL LISTEN hears its own NOTIFY) is dropped.
#[derive(Clone)]
pub(crate) struct ConferenceHub {
    tx: broadcast::Sender<ConferenceSignal>,
    bus: events::Bus,
    origin: std::sync::Arc<str>,
}

impl ConferenceHub {
    pub(crate) fn new(bus: events::Bus) -> ConferenceHub {
        ConferenceHub {
            tx: broadcast::channel(1024).0,
            bus,
            origin: uuid::Uuid::now_v7().simple().to_string().into(),
        }
    }

    fn wire(&self, s: &ConferenceSignal) -> String {
        format!("{} {}", s.encode(), self.origin)
    }

    /// This node's handler of other nodes' conference signals.
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let (tx, origin) = (self.tx.clone(), self.origin.clone());
        let on = move |p: &str| {
            let Some((signal, from)) = p.rsplit_once(' ') else {
                return;
            };
            if from != &*origin
                && let Some(s) = ConferenceSignal::decode(signal)
            {
                let _ = tx.send(s);
            }
        };
        (CHANNEL, Box::new(on))
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ConferenceSignal> {
        self.tx.subscribe()
    }

    /// After the commit of a change (a rolled-back transaction never gets here).
    pub(crate) fn committed(&self, signals: &[ConferenceSignal]) {
        for s in signals {
            self.bus.committed(CHANNEL, &self.wire(s));
            let _ = self.tx.send(*s);
        }
    }

    /// After a commit that did not announce it within (the import's long transaction).
    pub(crate) async fn now(&self, signals: &[ConferenceSignal]) {
        for s in signals {
            self.bus.now(CHANNEL, &self.wire(s)).await;
            let _ = self.tx.send(*s);
        }
    }
}

/// Consent changes only, from [`crate::Platform::consent_changes`].
pub struct ConsentChanges(broadcast::Receiver<ConferenceSignal>);

impl ConsentChanges {
    /// The next consent change already received, if any.
    pub fn try_recv(&mut self) -> Result<ConsentChange, broadcast::error::TryRecvError> {
        loop {
            if let ConferenceSignal::Consent(c) = self.0.try_recv()? {
                return Ok(c);
            }
        }
    }
}

impl crate::Platform {
    /// Follows the conference signals of every node (the chat and guest sockets do).
    pub fn conference_signals(&self) -> broadcast::Receiver<ConferenceSignal> {
        self.conference_hub.subscribe()
    }

    /// Follows the consent changes of every node.
    pub fn consent_changes(&self) -> ConsentChanges {
        ConsentChanges(self.conference_hub.subscribe())
    }

    /// Tells every node that the consent on record of `users` changed (after the commit).
    pub(crate) async fn conference_consent_changed(
        &self,
        instance: InstanceId,
        users: impl IntoIterator<Item = UserId>,
    ) {
        let signals: Vec<ConferenceSignal> = users
            .into_iter()
            .map(|user| ConferenceSignal::Consent(ConsentChange { instance, user }))
            .collect();
        self.conference_hub.now(&signals).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn signals_round_trip_and_garbage_is_ignored() {
        let instance = InstanceId(Uuid::now_v7());
        for s in [
            ConferenceSignal::Consent(ConsentChange {
                instance,
                user: UserId(Uuid::now_v7()),
            }),
            ConferenceSignal::Guests {
                instance,
                room: RoomId(Uuid::now_v7()),
            },
            ConferenceSignal::Room {
                instance,
                room: RoomId(Uuid::now_v7()),
            },
        ] {
            assert_eq!(ConferenceSignal::decode(&s.encode()), Some(s));
            assert!(s.encode().len() < 100);
        }
        let id = Uuid::nil().simple().to_string();
        for bad in [
            String::new(),
            "consent".into(),
            format!("consent {id}"),
            format!("other {id} {id}"),
            format!("guests {id} {id} x"),
            format!("guests {id} nope"),
        ] {
            assert_eq!(ConferenceSignal::decode(&bad), None, "{bad}");
        }
    }
}
