//! Live chat signals: "room R of school I changed up to seq S", or "U is typing in R". Only
//! ids travel (far below PostgreSQL's 8,000-byte NOTIFY limit); clients fetch the change
//! from the database with `after=<seq>`, so a lost signal costs latency, never a message.
//! In one process a broadcast channel; on PostgreSQL a NOTIFY (or, configured, a NATS
//! message) sent after the commit of the change, which every node's one listener hands to
//! its own subscribers.
//!
//! Within a node, sockets listen per room ([`ChatListener`]): one dispatcher takes the
//! node's signals and wakes only the sockets following the signal's room, and those of its
//! members that do not follow it yet (a new direct chat, an invitation), so a message does
//! not wake every socket of the node.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use schulhof_store::chat::RoomId;
use schulhof_store::{Db, events};
use schulhof_types::{InstanceId, UserId};
use tokio::sync::{broadcast, mpsc};

use super::feed::Feed;
use crate::Platform;
use crate::identity::Actor;

/// Wake-ups waiting for one socket; beyond, it is told it lagged and catches up instead.
const WAKES: usize = 1024;

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
    pub(crate) feed: Arc<Feed>,
    hub: Arc<Hub>,
}

impl ChatBus {
    pub(crate) fn new(bus: events::Bus) -> ChatBus {
        // A socket that falls this far behind sees a lag and resumes from the database.
        let (tx, _) = broadcast::channel(8192);
        ChatBus {
            tx,
            bus,
            feed: Arc::default(),
            hub: Arc::default(),
        }
    }

    /// This node's handler of other nodes' chat signals (the platform runs one listener).
    pub(crate) fn listener(&self) -> (&'static str, events::Handler) {
        let tx = self.tx.clone();
        let feed = self.feed.clone();
        let on = move |p: &str| {
            if let Some(e) = ChatSignal::decode(p) {
                if e.typing.is_none() {
                    feed.heard(e.instance, e.room, e.seq);
                }
                let _ = tx.send(e);
            }
        };
        (CHANNEL, Box::new(on))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChatSignal> {
        self.tx.subscribe()
    }

    /// Announces a committed change to every node, and to this node's own sockets unless
    /// its NOTIFY comes back to them through its LISTEN.
    pub(crate) fn committed(&self, _db: &Db, signal: ChatSignal) {
        // Before anyone hears of it: this node's next reads of the room include it.
        self.feed.heard(signal.instance, signal.room, signal.seq);
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

/// What wakes a socket's session.
#[derive(Clone, Copy, Debug)]
pub enum Wake {
    /// A room it follows (or may have joined) changed, or someone types there.
    Signal(ChatSignal),
    /// Signals were lost: catch up every room from the database.
    Lagged,
}

/// The node's sockets and the rooms they follow.
#[derive(Default)]
struct Hub {
    inner: Mutex<Sessions>,
    dispatching: OnceLock<()>,
}

#[derive(Default)]
struct Sessions {
    next: u64,
    slots: HashMap<u64, Slot>,
    by_room: HashMap<(InstanceId, RoomId), HashSet<u64>>,
    by_user: HashMap<(InstanceId, UserId), HashSet<u64>>,
}

struct Slot {
    tx: mpsc::Sender<Wake>,
    lagged: Arc<AtomicBool>,
    instance: InstanceId,
    user: UserId,
    rooms: HashSet<RoomId>,
}

impl Slot {
    fn wake(&self, w: Wake) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(w) {
            self.lagged.store(true, Ordering::SeqCst);
        }
    }
}

impl Hub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes the sockets following the signal's room and those of `audience` (members that
    /// may not follow it yet).
    fn dispatch(&self, sig: ChatSignal, audience: Option<&HashSet<UserId>>) {
        let s = self.lock();
        let mut woken: HashSet<u64> = HashSet::new();
        if let Some(ids) = s.by_room.get(&(sig.instance, sig.room)) {
            woken.extend(ids);
        }
        for u in audience.into_iter().flatten() {
            if let Some(ids) = s.by_user.get(&(sig.instance, *u)) {
                woken.extend(ids);
            }
        }
        for id in woken {
            if let Some(slot) = s.slots.get(&id) {
                slot.wake(Wake::Signal(sig));
            }
        }
    }

    fn lagged_all(&self) {
        for slot in self.lock().slots.values() {
            slot.wake(Wake::Lagged);
        }
    }
}

/// One socket's subscription: the rooms it follows, and its wake-ups.
pub struct ChatListener {
    id: u64,
    hub: Arc<Hub>,
    rx: mpsc::Receiver<Wake>,
    lagged: Arc<AtomicBool>,
    instance: InstanceId,
}

impl ChatListener {
    /// Signals of `room` wake this socket from now on.
    pub fn follow(&self, room: RoomId) {
        let mut guard = self.hub.lock();
        let s = &mut *guard;
        let Some(slot) = s.slots.get_mut(&self.id) else {
            return;
        };
        if slot.rooms.insert(room) {
            s.by_room
                .entry((self.instance, room))
                .or_default()
                .insert(self.id);
        }
    }

    pub fn unfollow(&self, room: RoomId) {
        let mut s = self.hub.lock();
        if let Some(slot) = s.slots.get_mut(&self.id) {
            slot.rooms.remove(&room);
        }
        unindex(&mut s.by_room, (self.instance, room), self.id);
    }

    /// The next wake-up (`None` once the node's bus is gone).
    pub async fn recv(&mut self) -> Option<Wake> {
        if self.lagged.swap(false, Ordering::SeqCst) {
            return Some(Wake::Lagged);
        }
        self.rx.recv().await
    }
}

fn unindex<K: std::hash::Hash + Eq>(m: &mut HashMap<K, HashSet<u64>>, k: K, id: u64) {
    if let Some(ids) = m.get_mut(&k) {
        ids.remove(&id);
        if ids.is_empty() {
            m.remove(&k);
        }
    }
}

impl Drop for ChatListener {
    fn drop(&mut self) {
        let mut s = self.hub.lock();
        if let Some(slot) = s.slots.remove(&self.id) {
            for room in slot.rooms {
                unindex(&mut s.by_room, (slot.instance, room), self.id);
            }
            unindex(&mut s.by_user, (slot.instance, slot.user), self.id);
        }
    }
}

impl Platform {
    /// A live socket's subscription to the chat signals of this node (it follows no room
    /// yet). The node's dispatcher starts with the first one.
    pub fn chat_listen(&self, actor: &Actor) -> ChatListener {
        let hub = self.chat_bus.hub.clone();
        hub.dispatching.get_or_init(|| {
            let p = self.clone();
            let rx = self.chat_bus.tx.subscribe();
            tokio::spawn(p.chat_dispatch(rx));
        });
        let (tx, rx) = mpsc::channel(WAKES);
        let lagged = Arc::new(AtomicBool::new(false));
        let (instance, user) = (actor.token.instance(), actor.token.user());
        let id = {
            let mut s = hub.lock();
            s.next += 1;
            let id = s.next;
            let slot = Slot {
                tx,
                lagged: lagged.clone(),
                instance,
                user,
                rooms: HashSet::new(),
            };
            s.slots.insert(id, slot);
            s.by_user.entry((instance, user)).or_default().insert(id);
            id
        };
        ChatListener {
            id,
            hub,
            rx,
            lagged,
            instance,
        }
    }

    /// The node's dispatcher: each signal wakes only the sockets it concerns.
    async fn chat_dispatch(self, mut rx: broadcast::Receiver<ChatSignal>) {
        let hub = self.chat_bus.hub.clone();
        loop {
            match rx.recv().await {
                Ok(sig) if sig.typing.is_some() => hub.dispatch(sig, None),
                Ok(sig) => {
                    // Without the member list (database trouble) the room's followers still
                    // hear of it; new members see it with the next change.
                    let audience = self.chat_audience(sig.instance, sig.room).await.ok();
                    hub.dispatch(sig, audience.as_deref());
                }
                Err(broadcast::error::RecvError::Lagged(_)) => hub.lagged_all(),
                Err(broadcast::error::RecvError::Closed) => return,
            }
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
