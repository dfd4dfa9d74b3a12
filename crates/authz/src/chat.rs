//! Chat: who may see a room, write in it, message whom directly, open rooms and moderate.
//!
//! Defaults (issue 16): teachers and staff write to anyone of their school; students write
//! to their teachers (a Lehrer sharing a group with them) and in their class and course
//! rooms, but not privately to other students unless the school grants it; externals write
//! to teachers and staff. Function accounts do not chat. Teachers moderate the rooms of
//! their groups; the opener of an ad-hoc room moderates it.
//!
//! The three chat rights are not in the matrix yet: [`ChatRights::of`] derives them from the
//! account type (the defaults above) and is the one place to switch to `token.has(..)` once
//! `chat.use`, `chat.students.private` and `chat.rooms.create` are rows of the matrix.

use schulhof_types::{AccountType, InstanceId, RightId};

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// The caller's chat rights (future matrix rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatRights {
    /// chat.use: chat at all.
    pub use_chat: bool,
    /// chat.students.private: a student writes privately to other students.
    pub students_private: bool,
    /// chat.rooms.create: open ad-hoc rooms and invite people.
    pub create_rooms: bool,
}

impl ChatRights {
    /// The defaults of the caller's account type (to become `token.has(RightId::Chat…)`).
    /// The caller's chat rights from the matrix (defaults and grants).
    pub fn of(token: &AccessToken) -> Self {
        ChatRights {
            use_chat: token.has(RightId::ChatUse),
            students_private: token.has(RightId::ChatStudentsPrivate),
            create_rooms: token.has(RightId::ChatRoomsCreate),
        }
    }

    pub fn defaults(principal: Principal) -> Self {
        match principal {
            Principal::Person(AccountType::Lehrer | AccountType::Personal) => ChatRights {
                use_chat: true,
                students_private: false,
                create_rooms: true,
            },
            Principal::Person(AccountType::Extern | AccountType::Schueler) => ChatRights {
                use_chat: true,
                students_private: false,
                create_rooms: false,
            },
            Principal::Function(_) => ChatRights {
                use_chat: false,
                students_private: false,
                create_rooms: false,
            },
        }
    }
}

/// The other person of a direct chat or an invitation, as the policy needs them.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    pub instance: InstanceId,
    pub principal: Principal,
    /// The caller and the peer are in at least one common group.
    pub shares_group: bool,
}

/// Whether someone of `me` with `rights` may start writing privately to `peer`.
pub fn may_message(me: Principal, rights: ChatRights, peer: &Peer) -> bool {
    use AccountType::*;
    if !rights.use_chat {
        return false;
    }
    let Principal::Person(them) = peer.principal else {
        return false;
    };
    match me {
        Principal::Person(Lehrer | Personal) => true,
        Principal::Person(Extern) => matches!(them, Lehrer | Personal),
        Principal::Person(Schueler) => match them {
            Lehrer => peer.shares_group,
            Schueler => rights.students_private,
            Personal | Extern => false,
        },
        Principal::Function(_) => false,
    }
}

/// Whether a message from `me` to `peer` in their existing direct room is allowed: as for a
/// new one, and a student or external may also answer teachers and staff who wrote first.
pub fn may_write_direct(me: Principal, rights: ChatRights, peer: &Peer) -> bool {
    if may_message(me, rights, peer) {
        return true;
    }
    rights.use_chat
        && matches!(
            peer.principal,
            Principal::Person(AccountType::Lehrer | AccountType::Personal)
        )
        && matches!(me, Principal::Person(_))
}

/// Who moderates a room: the teachers among the members of a group room, the opener of an
/// ad-hoc room; nobody moderates a direct room.
pub fn moderates(me: Principal, kind: RoomKind, member: bool, opener: bool) -> bool {
    match kind {
        RoomKind::Group => member && me == Principal::Person(AccountType::Lehrer),
        RoomKind::AdHoc => opener,
        RoomKind::Direct => false,
    }
}

/// What the policy needs to know about a room and the caller's place in it.
#[derive(Clone, Copy, Debug)]
pub struct RoomFacts {
    pub instance: InstanceId,
    pub kind: RoomKind,
    /// The caller belongs to the room (group member or listed member).
    pub member: bool,
    /// The caller moderates it (a teacher of its group, the opener of an ad-hoc room).
    pub moderator: bool,
    pub locked: bool,
    pub announce: bool,
    /// The other person of a direct room.
    pub peer: Option<Peer>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomKind {
    Group,
    Direct,
    AdHoc,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Group => "group",
            RoomKind::Direct => "direct",
            RoomKind::AdHoc => "adhoc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "group" => Some(RoomKind::Group),
            "direct" => Some(RoomKind::Direct),
            "adhoc" => Some(RoomKind::AdHoc),
            _ => None,
        }
    }
}

/// Read a room: members of the same school; others do not learn it exists.
#[derive(Clone, Copy, Debug)]
pub struct SeeRoom(pub RoomFacts);
impl Action for SeeRoom {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let r = &self.0;
        if token.instance() != r.instance || !r.member || !ChatRights::of(token).use_chat {
            return Err(Denied::NotFound);
        }
        Ok(())
    }
}

/// Write a message (or react, or edit one's own) in a room.
#[derive(Clone, Copy, Debug)]
pub struct WriteRoom(pub RoomFacts);
impl Action for WriteRoom {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0).decide(token)?;
        let r = &self.0;
        if (r.locked || r.announce) && !r.moderator {
            return Err(Denied::Forbidden);
        }
        if r.kind == RoomKind::Direct {
            let rights = ChatRights::of(token);
            let peer = r.peer.ok_or(Denied::Forbidden)?;
            if !may_write_direct(token.principal(), rights, &peer) {
                return Err(Denied::Forbidden);
            }
        }
        Ok(())
    }
}

/// Moderate a room: delete anyone's message, lock it, make it an announcement room.
#[derive(Clone, Copy, Debug)]
pub struct ModerateRoom(pub RoomFacts);
impl Action for ModerateRoom {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0).decide(token)?;
        if self.0.moderator && self.0.kind != RoomKind::Direct {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Post a new message: as [`WriteRoom`], and not while a moderator has muted the caller
/// in this room (moderators themselves are never muted).
#[derive(Clone, Copy, Debug)]
pub struct PostMessage {
    pub room: RoomFacts,
    pub muted: bool,
}
impl Action for PostMessage {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        WriteRoom(self.room).decide(token)?;
        if self.muted && !self.room.moderator {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}

/// Mute a member of a room for a time: a moderator, a member of the room who does not
/// moderate it (a teacher is not muted by a colleague). A target outside the room is 404.
#[derive(Clone, Copy, Debug)]
pub struct MuteMember {
    pub room: RoomFacts,
    pub target_member: bool,
    pub target_moderates: bool,
}
impl Action for MuteMember {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        ModerateRoom(self.room).decide(token)?;
        if !self.target_member {
            return Err(Denied::NotFound);
        }
        if self.target_moderates {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}

/// Report a message to the room's moderators: every member who sees the room.
#[derive(Clone, Copy, Debug)]
pub struct ReportMessage(pub RoomFacts);
impl Action for ReportMessage {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0).decide(token)
    }
}

/// Whether the caller's messages in this room wait for the end of quiet hours: a pupil's,
/// unless it moderates the room. Teachers, staff and externals are never held.
pub fn held_in_quiet_hours(token: &AccessToken, room: &RoomFacts) -> bool {
    token.principal() == Principal::Person(AccountType::Schueler) && !room.moderator
}

/// Open (or reopen) a direct chat with a person.
#[derive(Clone, Copy, Debug)]
pub struct StartDirect(pub Peer);
impl Action for StartDirect {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.instance() != self.0.instance {
            return Err(Denied::NotFound);
        }
        if may_message(token.principal(), ChatRights::of(token), &self.0) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Open an ad-hoc room with these invited people.
#[derive(Clone, Debug)]
pub struct CreateRoom(pub Vec<Peer>);
impl Action for CreateRoom {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let rights = ChatRights::of(token);
        if !rights.create_rooms {
            return Err(Denied::Forbidden);
        }
        for p in &self.0 {
            if p.instance != token.instance() {
                return Err(Denied::NotFound);
            }
            if !may_message(token.principal(), rights, p) {
                return Err(Denied::Forbidden);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
