//! Video conferences of a chat room (issue 16): a moderator starts one with one click, the
//! room's members join, raise hands; moderators mute, remove, let others share their screen
//! and end it for all. The database holds what every node needs: the live conference of a
//! room, which node hosts its media (all media of one conference runs on one node) and who
//! takes part. The media itself is the front-end's business (the SFU); this module decides,
//! records and says what of each participant's media may be forwarded
//! ([`ParticipantView::grant`]: the consent gates of `schulhof_authz::conference`).

mod consent;
mod external;
mod guest_join;
mod guests;
mod presence;
mod relay;
mod signals;

pub use consent::{AvConsent, ConsentChange, import_av_consent};
pub use guest_join::{GuestAt, GuestJoined};
pub use guests::{GuestLink, GuestLinkView, GuestPass, GuestState, GuestView, MAX_VALIDITY_DAYS};
pub use presence::{DEFAULT_LEASE, Swept, presence_lease, set_presence_lease};
pub(crate) use relay::RelayHub;
pub use relay::{RelayAsk, RelayCall};
pub(crate) use signals::ConferenceHub;
pub use signals::{ConferenceSignal, ConsentChanges};

use schulhof_authz::chat::{RoomKind, moderates};
use schulhof_authz::conference::{
    ConferenceFacts, JoinConference, MediaFacts, MediaGrant, ModerateConference, StartConference,
    consent_marker, media_grant,
};
use schulhof_authz::{Principal, check};
use schulhof_store::chat::RoomId;
use schulhof_store::chat::rooms::RoomRow;
use schulhof_store::conference::guests::{self as guest_store, PresentGuest};
use schulhof_store::conference::{self as store, ConferenceRow, Flag, ParticipantRow};
use schulhof_store::{AsConn, to_us};
use schulhof_types::{AccountType, UserId};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Event};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// Where a new conference's media runs: this node and its SFU's address.
#[derive(Clone, Debug)]
pub struct MediaHost {
    pub node: String,
    pub media_addr: String,
}

/// One participant as the others see them.
#[derive(Clone, Debug, Serialize)]
pub struct ParticipantView {
    pub user: UserId,
    pub name: String,
    pub present: bool,
    pub hand_raised: bool,
    pub may_share: bool,
    pub muted: bool,
    pub moderator: bool,
    /// What of their media the server forwards.
    pub grant: MediaGrant,
    /// For moderators only: the neutral marker "camera/microphone not available" (the
    /// school's records do not allow it; the reason is never shown).
    pub marker: bool,
    /// A guest invited by link (`user` is then the guest's id).
    pub guest: bool,
}

/// A room's live conference as the caller sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ConferenceView {
    pub id: Uuid,
    pub room: RoomId,
    pub node: String,
    pub media_addr: String,
    pub me: UserId,
    /// The caller moderates it.
    pub moderator: bool,
    pub participants: Vec<ParticipantView>,
}

impl ConferenceView {
    /// The caller's own entry (present after joining).
    pub fn mine(&self) -> Option<&ParticipantView> {
        self.participants.iter().find(|p| p.user == self.me)
    }
}

/// A member's join: the conference as they see it, and the presence their socket's leave
/// names (each join is its own: a reconnecting page takes over, and the old socket's late
/// leave ends nothing).
#[derive(Clone, Debug)]
pub struct MemberJoined {
    pub view: ConferenceView,
    pub presence: Uuid,
}

impl std::ops::Deref for MemberJoined {
    type Target = ConferenceView;
    fn deref(&self) -> &ConferenceView {
        &self.view
    }
}

/// What the room page needs: whether the caller may start one, and the live one.
#[derive(Clone, Debug, Serialize)]
pub struct ConferenceStatus {
    pub may_start: bool,
    pub live: Option<ConferenceView>,
}

/// A moderator's step on a participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConferenceStep {
    Mute,
    Remove,
    AllowShare(bool),
    LowerHand,
}

impl ConferenceStep {
    fn audit_name(self) -> &'static str {
        match self {
            ConferenceStep::Mute => "conference.mute",
            ConferenceStep::Remove => "conference.remove",
            ConferenceStep::AllowShare(true) => "conference.allow_share",
            ConferenceStep::AllowShare(false) => "conference.deny_share",
            ConferenceStep::LowerHand => "conference.lower_hand",
        }
    }
}

struct Loaded {
    room: RoomRow,
    facts: ConferenceFacts,
    live: Option<ConferenceRow>,
}

fn principal_of_kind(kind: &str) -> Principal {
    match AccountType::parse(kind) {
        Some(t) => Principal::Person(t),
        // Function accounts do not chat; treat as without any media.
        None => Principal::Function(schulhof_types::FunctionRole::Admin),
    }
}

impl Platform {
    async fn conference_load(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Loaded, DomainError> {
        let instance = actor.token.instance();
        let (r, facts) = self.chat_facts(c, actor, room).await?;
        let live = store::live(c, instance, room).await?;
        let me = actor.token.user();
        let mut removed = false;
        if let Some(l) = &live {
            let rows = store::participants(c, instance, l.id).await?;
            removed = rows.iter().any(|p| p.user == me && p.removed);
        }
        let facts = ConferenceFacts {
            room: facts,
            starter: live.as_ref().is_some_and(|l| l.started_by == me),
            removed,
        };
        Ok(Loaded {
            room: r,
            facts,
            live,
        })
    }

    fn conference_view(
        &self,
        actor: &Actor,
        l: &Loaded,
        live: &ConferenceRow,
        rows: Vec<ParticipantRow>,
        guests: Vec<PresentGuest>,
    ) -> ConferenceView {
        let i_moderate = l.facts.moderates(&actor.token);
        let participants = presence::leased(rows, to_us(self.now()))
            .into_iter()
            .filter(|p| !p.removed)
            .map(|p| participant_view(&l.room, l.facts.room.kind, live, p, i_moderate))
            .chain(guests.into_iter().map(guest_join::guest_participant))
            .collect();
        ConferenceView {
            id: live.id,
            room: live.room,
            node: live.node.clone(),
            media_addr: live.media_addr.clone(),
            me: actor.token.user(),
            moderator: i_moderate,
            participants,
        }
    }

    /// Whether the caller may start a conference in `room`, and the live one (its
    /// participants only for those who may join it).
    pub async fn conference_status(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<ConferenceStatus, DomainError> {
        let mut c = self.db.read().await?;
        let l = self.conference_load(&mut c, actor, room).await?;
        let may_start = check(&actor.token, StartConference(l.facts.room)).is_ok();
        let live = match &l.live {
            Some(live) if check(&actor.token, JoinConference(l.facts)).is_ok() => {
                let rows = store::participants(&mut c, actor.token.instance(), live.id).await?;
                let guests = guest_store::present(&mut c, actor.token.instance(), live.id).await?;
                Some(self.conference_view(actor, &l, live, rows, guests))
            }
            _ => None,
        };
        Ok(ConferenceStatus { may_start, live })
    }

    /// Starts the room's conference on `host` (or joins the one another moderator started
    /// a moment earlier) and joins the caller.
    pub async fn conference_start(
        &self,
        actor: &Actor,
        room: RoomId,
        host: &MediaHost,
    ) -> Result<MemberJoined, DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        check(&actor.token, StartConference(l.facts.room))?;
        if l.live.is_none() {
            let row = ConferenceRow {
                id: Uuid::now_v7(),
                room,
                started_by: actor.token.user(),
                started_at: to_us(self.now()),
                node: host.node.clone(),
                media_addr: host.media_addr.clone(),
            };
            store::start(&mut tx, instance, &row, presence::lease_until(self.now())).await?;
            self.conference_audit(&mut tx, actor, "conference.start", room, None)
                .await?;
        }
        tx.commit().await?;
        self.conference_join(actor, room).await
    }

    /// Joins the room's live conference; `NotFound` when there is none. Each join is a
    /// presence of its own: the newest takes over (a reconnecting page), and only leaving
    /// with it ([`Platform::conference_leave`]) ends the member's presence.
    pub async fn conference_join(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<MemberJoined, DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let live = l.live.clone().ok_or(DomainError::NotFound)?;
        check(&actor.token, JoinConference(l.facts))?;
        let now = to_us(self.now());
        let presence = Uuid::now_v7();
        let lease_until = presence::lease_until(self.now());
        store::join(
            &mut tx,
            instance,
            live.id,
            actor.token.user(),
            presence,
            now,
            lease_until,
        )
        .await?;
        let rows = store::participants(&mut tx, instance, live.id).await?;
        let guests = guest_store::present(&mut tx, instance, live.id).await?;
        tx.commit().await?;
        let view = self.conference_view(actor, &l, &live, rows, guests);
        Ok(MemberJoined { view, presence })
    }

    /// The member leaves the join `presence` (the leave button, or the socket closing). A
    /// socket closing after its member joined again elsewhere ends nothing. Answers the
    /// conference's id and whether the member left (then their media goes too).
    pub async fn conference_leave(
        &self,
        actor: &Actor,
        room: RoomId,
        presence: Uuid,
    ) -> Result<(Uuid, bool), DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let live = l.live.ok_or(DomainError::NotFound)?;
        check(&actor.token, JoinConference(l.facts))?;
        let now = to_us(self.now());
        let me = actor.token.user();
        let left = store::leave_presence(&mut tx, instance, live.id, me, presence, now).await?;
        tx.commit().await?;
        Ok((live.id, left))
    }

    /// The caller's own switches: leave (whichever join they are present with), raise or
    /// lower the hand, unmute after a moderator's mute. Answers the live conference's id.
    pub async fn conference_self(
        &self,
        actor: &Actor,
        room: RoomId,
        step: SelfStep,
    ) -> Result<Uuid, DomainError> {
        let instance = actor.token.instance();
        let me = actor.token.user();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let live = l.live.ok_or(DomainError::NotFound)?;
        check(&actor.token, JoinConference(l.facts))?;
        let now = to_us(self.now());
        match step {
            SelfStep::Leave => store::leave(&mut tx, instance, live.id, me, now).await?,
            SelfStep::Hand(up) => {
                store::set_flag(&mut tx, instance, live.id, me, Flag::Hand, up).await?;
            }
            SelfStep::Unmute => {
                store::set_flag(&mut tx, instance, live.id, me, Flag::Muted, false).await?;
            }
        }
        tx.commit().await?;
        Ok(live.id)
    }

    /// A moderator's step on a participant; audited. Answers the conference's id.
    pub async fn conference_moderate(
        &self,
        actor: &Actor,
        room: RoomId,
        target: UserId,
        step: ConferenceStep,
    ) -> Result<Uuid, DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let live = l.live.ok_or(DomainError::NotFound)?;
        check(&actor.token, ModerateConference(l.facts))?;
        let mut guest_signal = None;
        let (flag, on) = match step {
            ConferenceStep::Mute => (Flag::Muted, true),
            ConferenceStep::Remove => (Flag::Removed, true),
            ConferenceStep::AllowShare(on) => (Flag::MayShare, on),
            ConferenceStep::LowerHand => (Flag::Hand, false),
        };
        if !store::set_flag(&mut tx, instance, live.id, target, flag, on).await? {
            // Not a member: perhaps a guest present in it.
            let now = to_us(self.now());
            let me = actor.token.user();
            let done = match step {
                ConferenceStep::Mute => {
                    guest_store::set_muted(&mut tx, instance, live.id, target.0, true).await?
                }
                ConferenceStep::Remove => {
                    guest_store::put_out(&mut tx, instance, live.id, target.0, me, now).await?
                }
                ConferenceStep::LowerHand => {
                    guest_store::set_hand(&mut tx, instance, live.id, target.0, false).await?
                }
                ConferenceStep::AllowShare(_) => false,
            };
            if !done {
                return Err(DomainError::NotFound);
            }
            if step == ConferenceStep::Remove {
                // The guest's socket closes at once, on whatever node it is.
                guest_signal = Some(ConferenceSignal::Guests { instance, room });
            }
        } else if step == ConferenceStep::Remove {
            store::leave(&mut tx, instance, live.id, target, to_us(self.now())).await?;
        }
        let detail = serde_json::json!({ "participant": target });
        self.conference_audit(&mut tx, actor, step.audit_name(), room, Some(detail))
            .await?;
        let signals: Vec<ConferenceSignal> = guest_signal.into_iter().collect();
        tx.commit().await?;
        self.conference_hub.committed(&signals);
        Ok(live.id)
    }

    /// Ends the room's conference for all; answers its id.
    pub async fn conference_end(&self, actor: &Actor, room: RoomId) -> Result<Uuid, DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        let live = l.live.ok_or(DomainError::NotFound)?;
        check(&actor.token, ModerateConference(l.facts))?;
        store::end(&mut tx, instance, live.id, to_us(self.now())).await?;
        self.conference_audit(&mut tx, actor, "conference.end", room, None)
            .await?;
        tx.commit().await?;
        Ok(live.id)
    }

    async fn conference_audit(
        &self,
        c: &mut impl AsConn,
        actor: &Actor,
        action: &str,
        room: RoomId,
        detail: Option<serde_json::Value>,
    ) -> Result<(), DomainError> {
        let object = room.to_string();
        let event = Event {
            kind: "chat",
            actor: Some(actor.token.user()),
            holder: actor.user.holder_id,
            action,
            object: Some(&object),
            client_addr: None,
            detail,
        };
        audit::record(c, actor.token.instance(), self.now(), event).await
    }
}

/// A participant's own step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelfStep {
    Leave,
    Hand(bool),
    Unmute,
}

fn participant_view(
    room: &RoomRow,
    kind: RoomKind,
    live: &ConferenceRow,
    p: ParticipantRow,
    i_moderate: bool,
) -> ParticipantView {
    let principal = principal_of_kind(&p.kind);
    let opener = room.created_by == Some(p.user);
    let moderator = (kind != RoomKind::Direct && moderates(principal, kind, true, opener))
        || live.started_by == p.user;
    let mf = MediaFacts {
        principal,
        consent_audio: p.consent.0,
        consent_video: p.consent.1,
        moderator,
        muted: p.muted,
        may_share: p.may_share,
    };
    ParticipantView {
        user: p.user,
        name: p.name,
        present: p.present,
        hand_raised: p.hand_raised,
        may_share: p.may_share || moderator,
        muted: p.muted,
        moderator,
        grant: media_grant(&mf),
        marker: i_moderate && consent_marker(&mf),
        guest: false,
    }
}
