//! Video conferences of a chat room: who starts, joins and moderates one, and what media of
//! a participant the server forwards (the consent gates).
//!
//! - Start: a moderator of a group or ad-hoc room (its teachers, its opener); in a direct
//!   room a teacher or staff member.
//! - Join: whoever sees the room, unless a moderator removed them from this conference.
//! - Moderate (mute, remove, let share, end for all): the room's moderators and whoever
//!   started the conference.
//! - Media: a student's microphone and camera are forwarded only when the school's records
//!   hold their consent to audio and video conferences (no record: no consent); screen
//!   sharing needs a moderator's permission for everyone but moderators. A moderator's mute
//!   stops anybody's microphone until they unmute themselves.
//! - Guests (the parents' evening): the moderators of a group or ad-hoc room create
//!   time-limited guest links and admit or refuse who waits behind them; never in a direct
//!   room. A link that expired or was revoked opens nothing (as if it never existed), and a
//!   full waiting room takes nobody more.

use schulhof_types::AccountType;

use crate::chat::{RoomFacts, RoomKind, SeeRoom};
use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// The room and the caller's place in its conference.
#[derive(Clone, Copy, Debug)]
pub struct ConferenceFacts {
    pub room: RoomFacts,
    /// The caller started the live conference.
    pub starter: bool,
    /// A moderator put the caller out of the live conference.
    pub removed: bool,
}

fn staff(p: Principal) -> bool {
    matches!(
        p,
        Principal::Person(AccountType::Lehrer | AccountType::Personal)
    )
}

/// Start the room's conference.
#[derive(Clone, Copy, Debug)]
pub struct StartConference(pub RoomFacts);
impl Action for StartConference {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0).decide(token)?;
        let ok = match self.0.kind {
            RoomKind::Group | RoomKind::AdHoc => self.0.moderator,
            RoomKind::Direct => staff(token.principal()),
        };
        if ok { Ok(()) } else { Err(Denied::Forbidden) }
    }
}

/// Join the room's live conference (and see who is in it).
#[derive(Clone, Copy, Debug)]
pub struct JoinConference(pub ConferenceFacts);
impl Action for JoinConference {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0.room).decide(token)?;
        if self.0.removed {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}

/// Mute, remove, let share, end for all.
#[derive(Clone, Copy, Debug)]
pub struct ModerateConference(pub ConferenceFacts);
impl Action for ModerateConference {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        SeeRoom(self.0.room).decide(token)?;
        let moderator = self.0.room.moderator && self.0.room.kind != RoomKind::Direct;
        if moderator || self.0.starter {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Create guest links of the room's conference, see who waits, admit or refuse them.
#[derive(Clone, Copy, Debug)]
pub struct ManageGuests(pub ConferenceFacts);
impl Action for ManageGuests {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        ModerateConference(self.0).decide(token)?;
        if self.0.room.kind == RoomKind::Direct {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}

/// The most guests that wait behind one link at a time.
pub const MAX_WAITING: i64 = 50;

/// A guest link as someone without a login opens it.
#[derive(Clone, Copy, Debug)]
pub struct GuestLinkFacts {
    pub expired: bool,
    pub revoked: bool,
    /// Guests waiting behind it now.
    pub waiting: i64,
}

/// Whether a guest may enter the waiting room through this link (no login: no token).
pub fn guest_may_wait(f: GuestLinkFacts) -> Result<(), Denied> {
    if f.expired || f.revoked {
        return Err(Denied::NotFound);
    }
    if f.waiting >= MAX_WAITING {
        return Err(Denied::Forbidden);
    }
    Ok(())
}

/// A guest who came through a link, as the socket and the guest page see them.
#[derive(Clone, Copy, Debug)]
pub struct GuestFacts {
    pub link: GuestLinkFacts,
    /// A moderator admitted them (and did not put them out since).
    pub admitted: bool,
    /// The room's conference runs.
    pub live: bool,
}

/// Whether an admitted guest may take part in the room's live conference (nothing else of
/// the room: no chat, no history, no other room). A closed link is `NotFound`, as if it
/// never existed; a guest not (or no longer) admitted is `Forbidden`.
pub fn guest_may_join(f: GuestFacts) -> Result<(), Denied> {
    if f.link.expired || f.link.revoked {
        return Err(Denied::NotFound);
    }
    if !f.admitted {
        return Err(Denied::Forbidden);
    }
    if !f.live {
        return Err(Denied::NotFound);
    }
    Ok(())
}

/// What the server forwards of a guest: microphone (unless a moderator muted them) and
/// camera; never a screen.
pub fn guest_grant(muted: bool) -> MediaGrant {
    MediaGrant {
        audio: !muted,
        video: true,
        screen: false,
    }
}

impl ConferenceFacts {
    /// Whether the caller moderates this conference.
    pub fn moderates(&self, token: &AccessToken) -> bool {
        ModerateConference(*self).decide(token).is_ok()
    }
}

/// What the server forwards of one participant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MediaGrant {
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

/// The participant as the media gate sees them.
#[derive(Clone, Copy, Debug)]
pub struct MediaFacts {
    pub principal: Principal,
    /// The school's record: consent to audio and to video conferences.
    pub consent_audio: bool,
    pub consent_video: bool,
    pub moderator: bool,
    /// A moderator muted them (until they unmute).
    pub muted: bool,
    /// A moderator allowed them to share their screen.
    pub may_share: bool,
}

/// The consent gates: what of this participant's media may reach the others.
pub fn media_grant(f: &MediaFacts) -> MediaGrant {
    let (audio, video) = match f.principal {
        Principal::Person(AccountType::Schueler) => (f.consent_audio, f.consent_video),
        Principal::Person(_) => (true, true),
        Principal::Function(_) => (false, false),
    };
    MediaGrant {
        audio: audio && !f.muted,
        video,
        screen: f.moderator || (f.may_share && matches!(f.principal, Principal::Person(_))),
    }
}

/// Whether the teacher's view shows the neutral "no camera/microphone" marker for this
/// participant: the records do not allow it. The reason is never shown.
pub fn consent_marker(f: &MediaFacts) -> bool {
    matches!(f.principal, Principal::Person(AccountType::Schueler))
        && !(f.consent_audio && f.consent_video)
}

#[cfg(test)]
#[path = "conference_tests.rs"]
mod tests;
