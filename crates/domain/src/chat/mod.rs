//! Chat (issue 16): group rooms for every class, course and staff group (members read from
//! the groups at query time), direct chats and ad-hoc rooms; messages with a sequence number
//! per room, edits, deletions, reactions, replies and read markers; moderation by the rooms'
//! teachers, audited and shown in the room. Every decision is `schulhof_authz::chat`'s.
//! Bodies are sealed with the school's key, as the Safe's contents are. Every change is
//! persisted, then announced on the [`bus::ChatBus`] as a small "room changed" signal.

pub mod attach;
pub mod bus;
mod demo;
mod feed;
mod messages;
mod moderation;
mod rooms;
mod search;
mod steps;
mod upkeep;

use chrono::{DateTime, Utc};
use schulhof_types::UserId;
use serde::Serialize;

pub use bus::{ChatBus, ChatListener, ChatSignal, Wake};
pub use feed::{RoomChanges, RoomChangesJson};
pub use moderation::Moderation;
pub use schulhof_store::chat::RoomId;
pub use search::SearchHit;
pub use steps::{MAX_MUTE_MINUTES, Report, mentions};
pub use upkeep::SchoolChatSettings;

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
    /// A moderator muted the caller until then.
    pub muted_until: Option<DateTime<Utc>>,
    /// The caller wants no notifications from this room.
    pub silenced: bool,
    /// The room's quiet hours in force (`("22:00", "07:00")`), if any.
    pub quiet: Option<(String, String)>,
    /// The caller's messages wait now for the end of quiet hours.
    pub held: bool,
    /// The school deletes chat messages after so many days.
    pub retention_days: Option<i64>,
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
    /// Held for quiet hours: only its author sees it until then.
    pub pending_until: Option<DateTime<Utc>>,
    pub pinned: bool,
    pub attachment: Option<Attachment>,
}

/// A message's file, picture or voice message (downloaded from
/// `/api/v1/chat/rooms/{room}/messages/{seq}/attachment`).
#[derive(Clone, Debug, Serialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    /// `image`, `audio` or `file`: how pages show it.
    pub kind: &'static str,
}

/// The error of a muted member's write: its own field, so front-ends can give it a stable
/// code (`chat_muted`).
pub const MUTED: &str = "muted";

/// When quiet hours in force for room `r` end, if `now` (µs) is inside them (in the
/// school's time zone).
pub(crate) fn quiet_end(
    actor: &crate::identity::Actor,
    r: &schulhof_store::chat::rooms::RoomRow,
    now: i64,
) -> Option<i64> {
    let (from, to) = r.extra.quiet?;
    let q = crate::notify::quiet::Quiet {
        from: u32::try_from(from).ok()?,
        to: u32::try_from(to).ok()?,
    };
    q.end_after(actor.time_zone, schulhof_store::from_us(now))
        .map(schulhof_store::to_us)
}
