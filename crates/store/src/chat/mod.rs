//! Chat rooms, members, messages with a sequence number per room, reactions and read
//! markers. Group rooms take their members from `memberships` at query time, so a pupil
//! who leaves a class leaves its room in the same moment.

pub mod messages;
pub mod moderation;
pub mod rooms;
pub mod search;
pub mod upkeep;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One chat room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoomId(pub Uuid);

impl RoomId {
    /// A new time-ordered id (UUIDv7).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for RoomId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for RoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for RoomId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}
