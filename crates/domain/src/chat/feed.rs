//! One read per room change and node. When a room changes, every open socket of its members
//! on this node wants the same rows: "room R after seq S". The first asker reads them (room,
//! members, messages, reactions) for everyone; the others wait for that read and share it for
//! a moment. Each socket then gets its viewer's part without further SQL: the policy decides
//! on the shared facts whether it still sees the room (a removed member sees nothing more),
//! held messages are left out for all but their author, and `mine` flags are set per viewer.
//! Sockets woken by a signal and clients polling `GET …/messages?after=` share the same
//! reads. A read is shared only while it is not older than the newest change this node has
//! heard of in the room (its own commits, other nodes' signals), so a client that wrote
//! and then asks sees its write, and a poller never waits for a read to age out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use schulhof_authz::chat::{RoomFacts, RoomKind, SeeRoom, moderates};
use schulhof_authz::check;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::messages as store;
use schulhof_store::chat::rooms;
use schulhof_store::to_us;
use schulhof_types::{InstanceId, UserId};
use tokio::sync::OnceCell;

use super::ChatMessage;
use super::messages::{PAGE, message};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// How long a shared read answers later askers. Correctness does not depend on it: a socket
/// that gets an older read than the signal it woke for reads again from where it got.
const HOLD: Duration = Duration::from_secs(2);
/// How long a room's member list is trusted for waking sockets (who then ask the policy).
const AUDIENCE_TTL: Duration = Duration::from_secs(10);

type Key = (InstanceId, RoomId, i64);
type Flight = Arc<OnceCell<Arc<Shared>>>;
/// Rooms whose newest heard seq is remembered; beyond, the memory starts afresh (a
/// forgotten room only costs one unshared read).
const HEARD_MAX: usize = 100_000;

/// What one viewer gets of a room's changes after a sequence number.
#[derive(Debug)]
pub struct RoomChanges {
    /// The changed messages the viewer may see, oldest change first.
    pub messages: Vec<ChatMessage>,
    /// Every change up to this sequence number is in (or hidden from the viewer): the
    /// client's next cursor.
    pub upto: i64,
    /// A page limit was reached: ask again from `upto`.
    pub more: bool,
}

/// [`RoomChanges`] with the messages as one JSON array, as the live socket sends them: a
/// message is encoded once per read and node for every viewer whose copy is everyone's
/// (not its author, not among its reactors); only those viewers' own copies are encoded
/// for them.
#[derive(Debug)]
pub struct RoomChangesJson {
    /// A JSON array of the messages, as `RoomChanges::messages` serialises.
    pub messages: String,
    /// How many messages it holds.
    pub count: usize,
    pub upto: i64,
    pub more: bool,
}

/// One read of a room's changes, for every viewer on this node.
struct Shared {
    kind: RoomKind,
    created_by: Option<UserId>,
    locked: bool,
    announce: bool,
    members: HashSet<UserId>,
    items: Vec<Item>,
    upto: i64,
    more: bool,
}

/// A message as nobody in particular sees it (every `mine` false), with what a viewer's
/// copy needs.
struct Item {
    message: ChatMessage,
    visible_from: Option<i64>,
    /// Who gave each reaction, in the order of `message.reactions`.
    reactors: Vec<Vec<UserId>>,
    /// The message as JSON for a viewer whose copy is everyone's, made on first need.
    everyones: OnceLock<String>,
}

impl Item {
    /// Whether `me`'s copy differs from everyone's (`mine` flags).
    fn personal(&self, me: UserId) -> bool {
        self.message.author == Some(me) || self.reactors.iter().any(|w| w.contains(&me))
    }

    fn push_json(&self, me: UserId, out: &mut String) -> Result<(), DomainError> {
        let encode = |m: &ChatMessage| {
            serde_json::to_string(m).map_err(|e| DomainError::Internal(e.to_string()))
        };
        if self.personal(me) {
            out.push_str(&encode(&self.for_viewer(me))?);
            return Ok(());
        }
        let plain = match self.everyones.get() {
            Some(j) => j,
            None => {
                let j = encode(&self.message)?;
                self.everyones.get_or_init(|| j)
            }
        };
        out.push_str(plain);
        Ok(())
    }

    fn visible_to(&self, me: UserId, now: i64) -> bool {
        self.visible_from.is_none_or(|v| v <= now) || self.message.author == Some(me)
    }

    fn for_viewer(&self, me: UserId) -> ChatMessage {
        let mut m = self.message.clone();
        m.mine = m.author == Some(me);
        for (r, who) in m.reactions.iter_mut().zip(&self.reactors) {
            r.mine = who.contains(&me);
        }
        m
    }
}

/// The node's shared reads, in flight or just done, and the rooms' member lists for waking.
pub(crate) struct Feed {
    reads: Mutex<Reads>,
    audience: Mutex<HashMap<(InstanceId, RoomId), Audience>>,
    /// Per room the newest seq this node committed or heard of from other nodes.
    heard: Mutex<HashMap<(InstanceId, RoomId), i64>>,
}

/// A room's members as read at the instant, for waking their sessions.
type Audience = (Instant, Arc<HashSet<UserId>>);

struct Reads {
    /// Per key: when the read started, the newest seq heard of the room then (the read
    /// holds every change up to it), and the read.
    map: HashMap<Key, (Instant, i64, Flight)>,
    pruned: Instant,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            reads: Mutex::new(Reads {
                map: HashMap::new(),
                pruned: Instant::now(),
            }),
            audience: Mutex::new(HashMap::new()),
            heard: Mutex::new(HashMap::new()),
        }
    }
}

impl Feed {
    /// A change of a room up to `seq` is committed (here or on another node): reads
    /// started before no longer answer later askers.
    pub(crate) fn heard(&self, instance: InstanceId, room: RoomId, seq: i64) {
        let mut h = self.heard.lock().unwrap_or_else(|e| e.into_inner());
        if h.len() >= HEARD_MAX {
            h.clear();
        }
        let e = h.entry((instance, room)).or_insert(seq);
        *e = (*e).max(seq);
    }

    fn newest_heard(&self, instance: InstanceId, room: RoomId) -> i64 {
        let h = self.heard.lock().unwrap_or_else(|e| e.into_inner());
        h.get(&(instance, room)).copied().unwrap_or(0)
    }

    /// The flight of `key`: a running or recent one that holds every change heard of, or
    /// (when `fresh`, or none is there) a new one that later askers join.
    fn flight(&self, key: Key, fresh: bool) -> Flight {
        let newest = self.newest_heard(key.0, key.1);
        let mut r = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if now.duration_since(r.pruned) > HOLD {
            r.map.retain(|_, (t, _, _)| now.duration_since(*t) < HOLD);
            r.pruned = now;
        }
        if !fresh
            && let Some((t, holds, f)) = r.map.get(&key)
            && now.duration_since(*t) < HOLD
            && *holds >= newest
        {
            return f.clone();
        }
        let f = Flight::default();
        r.map.insert(key, (now, newest, f.clone()));
        f
    }

    fn remember_audience(&self, instance: InstanceId, room: RoomId, members: &HashSet<UserId>) {
        let mut a = self.audience.lock().unwrap_or_else(|e| e.into_inner());
        if a.len() > 100_000 {
            a.clear();
        }
        a.insert(
            (instance, room),
            (Instant::now(), Arc::new(members.clone())),
        );
    }

    fn known_audience(&self, instance: InstanceId, room: RoomId) -> Option<Arc<HashSet<UserId>>> {
        let a = self.audience.lock().unwrap_or_else(|e| e.into_inner());
        a.get(&(instance, room))
            .filter(|(t, _)| t.elapsed() < AUDIENCE_TTL)
            .map(|(_, m)| m.clone())
    }
}

impl Platform {
    /// The caller's part of what changed in `room` after `after`: read once per node and
    /// room change (shared with this node's other viewers for a moment; `fresh` for a read
    /// that starts now, as resuming clients need), filtered for the caller in memory.
    /// `NotFound` when the caller may no longer see the room.
    pub async fn chat_changes(
        &self,
        actor: &Actor,
        room: RoomId,
        after: i64,
        fresh: bool,
    ) -> Result<RoomChanges, DomainError> {
        let shared = self.chat_shared_changes(actor, room, after, fresh).await?;
        let me = actor.token.user();
        let now = to_us(self.now());
        let messages = shared
            .items
            .iter()
            .filter(|i| i.visible_to(me, now))
            .map(|i| i.for_viewer(me))
            .collect();
        Ok(RoomChanges {
            messages,
            upto: shared.upto,
            more: shared.more,
        })
    }

    /// [`Platform::chat_changes`] encoded for the live socket (see [`RoomChangesJson`]).
    pub async fn chat_changes_json(
        &self,
        actor: &Actor,
        room: RoomId,
        after: i64,
        fresh: bool,
    ) -> Result<RoomChangesJson, DomainError> {
        let shared = self.chat_shared_changes(actor, room, after, fresh).await?;
        let me = actor.token.user();
        let now = to_us(self.now());
        let mut messages = String::from("[");
        let mut count = 0;
        for i in shared.items.iter().filter(|i| i.visible_to(me, now)) {
            if count > 0 {
                messages.push(',');
            }
            i.push_json(me, &mut messages)?;
            count += 1;
        }
        messages.push(']');
        Ok(RoomChangesJson {
            messages,
            count,
            upto: shared.upto,
            more: shared.more,
        })
    }

    /// The node's shared read of `room` after `after`, once the policy let the caller
    /// see the room on its facts.
    async fn chat_shared_changes(
        &self,
        actor: &Actor,
        room: RoomId,
        after: i64,
        fresh: bool,
    ) -> Result<Arc<Shared>, DomainError> {
        let instance = actor.token.instance();
        let after = after.max(0);
        let flight = self.chat_bus.feed.flight((instance, room, after), fresh);
        let shared = flight
            .get_or_try_init(|| async {
                let s = self.chat_read_changes(instance, room, after).await?;
                self.chat_bus
                    .feed
                    .remember_audience(instance, room, &s.members);
                Ok::<_, DomainError>(Arc::new(s))
            })
            .await?
            .clone();
        let me = actor.token.user();
        let member = shared.members.contains(&me);
        let opener = shared.created_by == Some(me);
        // The same facts `chat_facts` gives, but for the peer of a direct room: seeing a
        // room does not depend on it (only writing does).
        let facts = RoomFacts {
            instance,
            kind: shared.kind,
            member,
            moderator: moderates(actor.token.principal(), shared.kind, member, opener),
            locked: shared.locked,
            announce: shared.announce,
            peer: None,
        };
        check(&actor.token, SeeRoom(facts))?;
        Ok(shared)
    }

    /// Who belongs to `room` as this node last read it (a few seconds old at most): the
    /// logins whose sockets a change of the room may concern. Only a hint for waking them;
    /// what they get is decided by [`Platform::chat_changes`].
    pub async fn chat_audience(
        &self,
        instance: InstanceId,
        room: RoomId,
    ) -> Result<Arc<HashSet<UserId>>, DomainError> {
        let feed = &self.chat_bus.feed;
        if let Some(m) = feed.known_audience(instance, room) {
            return Ok(m);
        }
        let mut c = self.db.read().await?;
        let members: HashSet<UserId> = rooms::members(&mut c, instance, room)
            .await?
            .into_iter()
            .collect();
        feed.remember_audience(instance, room, &members);
        Ok(Arc::new(members))
    }

    /// The shared read: the room first, so that every change up to its `last_seq` is
    /// committed and in the page read after it (a room's changes commit in seq order).
    async fn chat_read_changes(
        &self,
        instance: InstanceId,
        room: RoomId,
        after: i64,
    ) -> Result<Shared, DomainError> {
        let key = self.school_key(instance).await?;
        let mut c = self.db.read().await?;
        let r = rooms::find(&mut c, instance, room)
            .await?
            .ok_or(DomainError::NotFound)?;
        let kind = RoomKind::parse(&r.kind)
            .ok_or_else(|| DomainError::Internal("unknown room kind".into()))?;
        let members = rooms::members(&mut c, instance, room)
            .await?
            .into_iter()
            .collect();
        let rows = store::changed_after_all(&mut c, instance, room, after, PAGE).await?;
        let more = rows.len() as i64 >= PAGE;
        let last_rev = rows.iter().map(|m| m.rev).max().unwrap_or(after);
        let upto = if more {
            last_rev
        } else {
            last_rev.max(r.last_seq)
        }
        .max(after);
        let mut given: BTreeMap<i64, BTreeMap<String, Vec<UserId>>> = BTreeMap::new();
        if let (Some(from), Some(to)) = (
            rows.iter().map(|m| m.seq).min(),
            rows.iter().map(|m| m.seq).max(),
        ) {
            for (seq, emoji, user) in store::reactions(&mut c, instance, room, from, to).await? {
                given
                    .entry(seq)
                    .or_default()
                    .entry(emoji)
                    .or_default()
                    .push(user);
            }
        }
        drop(c);
        let items = rows
            .into_iter()
            .map(|m| {
                let by_emoji = given.remove(&m.seq).unwrap_or_default();
                let counts = by_emoji
                    .iter()
                    .map(|(e, who)| (e.clone(), (who.len(), false)))
                    .collect();
                let visible_from = m.visible_from;
                Ok(Item {
                    message: message(None, &key, m, counts)?,
                    visible_from,
                    reactors: by_emoji.into_values().collect(),
                    everyones: OnceLock::new(),
                })
            })
            .collect::<Result<_, DomainError>>()?;
        Ok(Shared {
            kind,
            created_by: r.created_by,
            locked: r.locked,
            announce: r.announce,
            members,
            items,
            upto,
            more,
        })
    }
}
