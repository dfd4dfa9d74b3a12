//! Signalling relayed to the node that hosts a conference's media (issue 16, several
//! nodes). A member whose socket is on another node asks the host to run a publish,
//! subscribe, pin or leave on its SFU: the request's body waits in the database (an SDP
//! offer exceeds what a PostgreSQL NOTIFY carries), only ids travel over the event bus, and
//! the host writes its answer next to the request. What a request says is the front-end's
//! business (the SFU's calls); this module carries it, and tells the host whether the
//! conference named is one it hosts and whether the person named is present in it, so a
//! host never acts on another node's word alone. SQLite has one node: nothing to relay.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use schulhof_authz::chat::RoomKind;
use schulhof_authz::conference::MediaGrant;
use schulhof_store::chat::rooms as room_store;
use schulhof_store::conference::guests as guest_store;
use schulhof_store::conference::relay::{self as relay_store, RelayRow};
use schulhof_store::conference::{self as store};
use schulhof_store::events::{self, Carrier};
use schulhof_store::to_us;
use schulhof_types::{InstanceId, UserId};
use tokio::sync::{broadcast, oneshot};
use uuid::Uuid;

use crate::{DomainError, Platform};

/// The bus channel of relayed signalling (ids only).
const CHANNEL: &str = "schulhof_conference_relay";

/// Requests older than this are purged (nobody waits that long).
const KEEP: Duration = Duration::from_secs(60);

/// How often a waiting node looks for the answer itself (a lost bus signal costs latency,
/// never the answer).
const POLL: Duration = Duration::from_millis(500);

/// What travels on the bus.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Note {
    /// Request `id` waits for node `node`.
    Request { id: Uuid, node: String },
    /// Request `id` has its answer.
    Answered { id: Uuid },
}

impl Note {
    fn encode(&self) -> String {
        match self {
            Note::Request { id, node } => format!("req {} {node}", id.simple()),
            Note::Answered { id } => format!("ans {}", id.simple()),
        }
    }

    fn decode(s: &str) -> Option<Note> {
        let (kind, rest) = s.split_once(' ')?;
        match kind {
            "req" => {
                let (id, node) = rest.split_once(' ')?;
                let node = node.to_owned();
                (!node.is_empty()).then_some(())?;
                Some(Note::Request {
                    id: id.parse().ok()?,
                    node,
                })
            }
            "ans" => Some(Note::Answered {
                id: rest.parse().ok()?,
            }),
            _ => None,
        }
    }
}

/// A request for a host node, as the asking node hands it over.
#[derive(Clone, Debug)]
pub struct RelayAsk {
    pub instance: InstanceId,
    pub conference: Uuid,
    /// The member (or guest) the request is for.
    pub user: Uuid,
    /// The node hosting the conference's media.
    pub node: String,
    /// The request's body (the front-end's encoding).
    pub body: String,
}

/// A request as the host node finds it.
#[derive(Clone, Debug)]
pub struct RelayCall {
    pub id: Uuid,
    pub instance: InstanceId,
    pub conference: Uuid,
    pub user: Uuid,
    pub body: String,
    /// The conference is live and this node hosts it.
    pub hosted: bool,
    /// … and the person named is present in it (the database says so, not the asker).
    pub present: bool,
}

type Waiting = Arc<Mutex<HashMap<Uuid, oneshot::Sender<()>>>>;

/// This node's end of the relay: requests for it (once a server follows them) and the
/// answers it waits for.
#[derive(Clone)]
pub(crate) struct RelayHub {
    bus: events::Bus,
    requests: broadcast::Sender<(Uuid, String)>,
    waiting: Waiting,
    served: Arc<AtomicBool>,
}

impl RelayHub {
    pub(crate) fn new(bus: events::Bus) -> RelayHub {
        RelayHub {
            bus,
            requests: broadcast::channel(1024).0,
            waiting: Arc::default(),
            served: Arc::default(),
        }
    }

    fn heard(requests: &broadcast::Sender<(Uuid, String)>, waiting: &Waiting, payload: &str) {
        match Note::decode(payload) {
            Some(Note::Request { id, node }) => {
                let _ = requests.send((id, node));
            }
            Some(Note::Answered { id }) => {
                let tx = waiting.lock().ok().and_then(|mut w| w.remove(&id));
                if let Some(tx) = tx {
                    let _ = tx.send(());
                }
            }
            None => {}
        }
    }

    /// This node's handler of relay notes.
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let (requests, waiting) = (self.requests.clone(), self.waiting.clone());
        let on = move |p: &str| Self::heard(&requests, &waiting, p);
        (CHANNEL, Box::new(on))
    }

    fn send(&self, note: &Note) {
        let wire = note.encode();
        if self.bus.committed(CHANNEL, &wire) {
            // NATS and in-process: this node does not hear its own notes over the bus.
            Self::heard(&self.requests, &self.waiting, &wire);
        }
    }
}

/// Removes a waiting request from the map however the wait ends.
struct Unwait<'a>(&'a Waiting, Uuid);

impl Drop for Unwait<'_> {
    fn drop(&mut self) {
        if let Ok(mut w) = self.0.lock() {
            w.remove(&self.1);
        }
    }
}

impl Platform {
    /// Whether this installation can have several nodes (and so relays): not on SQLite.
    pub fn conference_relays(&self) -> bool {
        self.bus.carrier() != Carrier::Local
    }

    /// The requests addressed to any node, as `(id, node)`, for this node's relay server:
    /// handed out once per platform (later calls and SQLite get `None`).
    pub fn conference_relay_serve(&self) -> Option<broadcast::Receiver<(Uuid, String)>> {
        if !self.conference_relays() || self.relay_hub.served.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(self.relay_hub.requests.subscribe())
    }

    /// Hands `ask` to its host node. With `wait`, answers the host's answer, or `None` when
    /// none came within `wait` (the request is then withdrawn); without, `None` at once.
    pub async fn conference_relay_ask(
        &self,
        ask: RelayAsk,
        wait: Option<Duration>,
    ) -> Result<Option<String>, DomainError> {
        let now = self.now();
        let row = RelayRow {
            id: Uuid::now_v7(),
            node: ask.node.clone(),
            instance: ask.instance,
            conference: ask.conference,
            user: UserId(ask.user),
            request: ask.body,
            created_at: to_us(now),
        };
        let id = row.id;
        let hub = &self.relay_hub;
        let (tx, rx) = oneshot::channel();
        let _unwait = Unwait(&hub.waiting, id);
        if wait.is_some()
            && let Ok(mut w) = hub.waiting.lock()
        {
            w.insert(id, tx);
        }
        let purge_before = to_us(now) - KEEP.as_micros() as i64;
        let mut t = self.db.begin().await?;
        relay_store::put(&mut t, &row, purge_before).await?;
        t.commit().await?;
        hub.send(&Note::Request { id, node: ask.node });
        let Some(wait) = wait else {
            return Ok(None);
        };
        let until = tokio::time::Instant::now() + wait;
        let mut rx = Some(rx);
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            // Woken by the host's note, or looking now and then in case it was lost.
            match rx.as_mut() {
                Some(r) => {
                    if tokio::time::timeout(left.min(POLL), r).await.is_ok() {
                        rx = None;
                    }
                }
                None => tokio::time::sleep(left.min(POLL)).await,
            }
            let answer = {
                let mut c = self.db.read().await?;
                relay_store::answered(&mut c, id).await?
            };
            if let Some(a) = answer {
                self.relay_delete(id).await?;
                return Ok(Some(a));
            }
        }
        self.relay_delete(id).await?;
        Ok(None)
    }

    async fn relay_delete(&self, id: Uuid) -> Result<(), DomainError> {
        let mut t = self.db.begin().await?;
        relay_store::delete(&mut t, id).await?;
        t.commit().await?;
        Ok(())
    }

    /// The unanswered request `id` for the node `node`, with what the database says about
    /// it: whether `node` hosts the live conference it names, and whether the person it
    /// names is present there. `None`: withdrawn, answered, or for another node.
    pub async fn conference_relay_take(
        &self,
        id: Uuid,
        node: &str,
    ) -> Result<Option<RelayCall>, DomainError> {
        let mut c = self.db.read().await?;
        let Some(row) = relay_store::request(&mut c, id, node).await? else {
            return Ok(None);
        };
        let now = to_us(self.now());
        let hosted =
            store::relay::hosted(&mut c, row.instance, row.conference, node, row.user.0, now)
                .await?;
        Ok(Some(RelayCall {
            id,
            instance: row.instance,
            conference: row.conference,
            user: row.user.0,
            body: row.request,
            hosted: hosted.is_some(),
            present: hosted.is_some_and(|h| h.present),
        }))
    }

    /// The host's answer to request `id` (the asking node is told); `None`: the request
    /// wants no answer and goes.
    pub async fn conference_relay_reply(
        &self,
        id: Uuid,
        answer: Option<&str>,
    ) -> Result<(), DomainError> {
        let Some(answer) = answer else {
            return self.relay_delete(id).await;
        };
        let mut t = self.db.begin().await?;
        let stored = relay_store::answer(&mut t, id, answer).await?;
        t.commit().await?;
        if stored {
            self.relay_hub.send(&Note::Answered { id });
        }
        Ok(())
    }

    /// What of each present participant's media may be forwarded in the live conference
    /// `conf`, if `node` hosts it (the host re-applies these after a change made on
    /// another node; read from the database, never taken from the asker).
    pub async fn conference_hosted_grants(
        &self,
        instance: InstanceId,
        conf: Uuid,
        node: &str,
    ) -> Result<Option<Vec<(Uuid, MediaGrant)>>, DomainError> {
        let mut c = self.db.read().await?;
        let now = to_us(self.now());
        let Some(h) = store::relay::hosted(&mut c, instance, conf, node, Uuid::nil(), now).await?
        else {
            return Ok(None);
        };
        let Some(room) = room_store::find_for(&mut c, instance, h.room, h.started_by).await? else {
            return Ok(None);
        };
        let kind = RoomKind::parse(&room.kind)
            .ok_or_else(|| DomainError::Internal("unknown room kind".into()))?;
        let live = store::ConferenceRow {
            id: conf,
            room: h.room,
            started_by: h.started_by,
            started_at: 0,
            node: node.to_owned(),
            media_addr: String::new(),
        };
        let rows = store::participants(&mut c, instance, conf).await?;
        let guests = guest_store::present(&mut c, instance, conf).await?;
        let members = super::presence::leased(rows, now)
            .into_iter()
            .filter(|p| p.present && !p.removed)
            .map(|p| super::participant_view(&room, kind, &live, p, false));
        let all = members.chain(guests.into_iter().map(super::guest_join::guest_participant));
        Ok(Some(all.map(|p| (p.user.0, p.grant)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_round_trip_and_garbage_is_ignored() {
        let id = Uuid::now_v7();
        for n in [
            Note::Request {
                id,
                node: "node a".into(),
            },
            Note::Answered { id },
        ] {
            assert_eq!(Note::decode(&n.encode()), Some(n.clone()));
            assert!(n.encode().len() < 100);
        }
        for bad in ["", "req", "req x node", "ans", "ans nope", "other x"] {
            assert_eq!(Note::decode(bad), None, "{bad}");
        }
        assert_eq!(Note::decode(&format!("req {} ", id.simple())), None);
    }
}
