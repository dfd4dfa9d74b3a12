//! Chat (issue 16): group rooms for every class, course and staff group (members read from
//! the groups at query time), direct chats and ad-hoc rooms; messages with a sequence number
//! per room, edits, deletions, reactions, replies and read markers; moderation by the rooms'
//! teachers, audited and shown in the room. Every decision is `schulhof_authz::chat`'s.
//! Bodies are sealed with the school's key, as the Safe's contents are. Every change is
//! persisted, then announced on the [`bus::ChatBus`] as a small "room changed" signal.

pub mod bus;
mod demo;
mod messages;
mod moderation;
mod rooms;

use chrono::{DateTime, Utc};
use schulhof_types::UserId;
use serde::Serialize;

pub use bus::{ChatBus, ChatSignal};
pub use moderation::Moderation;
pub use schulhof_store::chat::RoomId;

/// The longest message, in characters.
pub const MAX_TEXT: usize = 4000;

/// One room as its member sees it.
#[derive(Clone, Debug, Serialize)]
pub struct RoomView {
    pub id: RoomId,
    pub name: String,
    /// `group`, `direct` or `adhoc`.
    pub kind: &'static str,
    pub unread: i64,
    pub locked: bool,
    pub announce: bool,
    /// The room's sequence number: where a client resumes from.
    pub last_seq: i64,
    /// The caller may write now (not locked for it, allowed to reach the other person).
    pub may_write: bool,
    pub moderator: bool,
}

/// A reaction on a message: the emoji, how many, and whether the caller is among them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: usize,
    pub mine: bool,
}

/// One message (or moderation notice) as a member sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ChatMessage {
    pub seq: i64,
    /// The room's sequence number at the message's last change.
    pub rev: i64,
    pub author: Option<UserId>,
    pub author_name: String,
    pub mine: bool,
    /// A moderation step (`locked`, `unlocked`, `announce_on`, `announce_off`, `removed`);
    /// `author` is the moderator.
    pub notice: Option<String>,
    /// Empty once deleted.
    pub text: String,
    pub reply_to: Option<i64>,
    pub created: DateTime<Utc>,
    pub edited: bool,
    pub deleted: bool,
    pub reactions: Vec<Reaction>,
}
