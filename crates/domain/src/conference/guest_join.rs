//! An admitted guest takes part in the room's live conference. The guest has no login: their
//! pass (the secret handed out on arrival) is all that identifies them, and it opens only
//! this one conference, only while their link is open and they stay admitted
//! (`schulhof_authz::conference::guest_may_join`). They see who is present, never the
//! room's chat. Their presence lives in the database, so every node sees it.

use schulhof_authz::chat::RoomKind;
use schulhof_authz::conference::{GuestFacts, GuestLinkFacts, guest_grant, guest_may_join};
use schulhof_store::chat::RoomId;
use schulhof_store::chat::rooms as room_store;
use schulhof_store::conference::guests::{self as store, PassRow, PresentGuest};
use schulhof_store::conference::{self as conf_store, ConferenceRow};
use schulhof_store::{AsConn, to_us};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::guests::{GuestView, hash, view};
use super::{ConferenceView, ParticipantView, participant_view};
use crate::audit::{self, Event};
use crate::{DomainError, Platform};

/// Where the holder of a pass stands.
#[derive(Clone, Debug)]
pub struct GuestAt {
    pub instance: InstanceId,
    pub room: RoomId,
    /// The link they came through.
    pub link: Uuid,
    pub guest: GuestView,
}

/// A present guest as the participant list shows them.
pub(super) fn guest_participant(g: PresentGuest) -> ParticipantView {
    ParticipantView {
        user: UserId(g.id),
        name: g.name,
        present: true,
        hand_raised: g.hand_raised,
        may_share: false,
        muted: g.muted,
        moderator: false,
        grant: guest_grant(g.muted),
        marker: false,
        guest: true,
    }
}

/// A guest's join: the conference as they see it, and the presence their leave names.
#[derive(Clone, Debug)]
pub struct GuestJoined {
    pub view: ConferenceView,
    pub presence: Uuid,
}

impl std::ops::Deref for GuestJoined {
    type Target = ConferenceView;
    fn deref(&self) -> &ConferenceView {
        &self.view
    }
}

struct GuestLoaded {
    row: PassRow,
    live: Option<ConferenceRow>,
    facts: GuestFacts,
}

impl Platform {
    async fn guest_load(
        &self,
        c: &mut impl AsConn,
        pass: &str,
    ) -> Result<GuestLoaded, DomainError> {
        let row = store::by_pass(c, &hash(pass))
            .await?
            .ok_or(DomainError::NotFound)?;
        let live = conf_store::live(c, row.link.instance, row.link.room).await?;
        let facts = GuestFacts {
            link: GuestLinkFacts {
                expired: row.link.expires_at <= to_us(self.now()),
                revoked: row.link.revoked_at.is_some(),
                waiting: 0,
            },
            admitted: row.guest.state == "admitted",
            live: live.is_some(),
        };
        Ok(GuestLoaded { row, live, facts })
    }

    /// The holder of `pass`: waiting, admitted or refused. `NotFound` for an unknown pass
    /// or a link that expired or was revoked.
    pub async fn conference_guest_at(&self, pass: &str) -> Result<GuestAt, DomainError> {
        let mut c = self.db.read().await?;
        let g = self.guest_load(&mut c, pass).await?;
        if g.facts.link.expired || g.facts.link.revoked {
            return Err(DomainError::NotFound);
        }
        Ok(GuestAt {
            instance: g.row.link.instance,
            room: g.row.link.room,
            link: g.row.link.id,
            guest: view(g.row.guest),
        })
    }

    /// The live conference as an admitted guest sees it: who is present, nothing more.
    pub async fn conference_guest_status(&self, pass: &str) -> Result<ConferenceView, DomainError> {
        let mut c = self.db.read().await?;
        let g = self.guest_load(&mut c, pass).await?;
        guest_may_join(g.facts)?;
        let live = g.live.as_ref().ok_or(DomainError::NotFound)?;
        self.guest_view(&mut c, &g.row, live).await
    }

    /// An admitted guest joins the live conference; audited (without an actor). Each join
    /// is a presence of its own: the newest takes over (a reconnecting page), and only
    /// leaving with it ends the guest's presence.
    pub async fn conference_guest_join(&self, pass: &str) -> Result<GuestJoined, DomainError> {
        let mut tx = self.db.begin().await?;
        let g = self.guest_load(&mut tx, pass).await?;
        guest_may_join(g.facts)?;
        let live = g.live.as_ref().ok_or(DomainError::NotFound)?;
        let (instance, id) = (g.row.link.instance, g.row.guest.id);
        let presence = Uuid::now_v7();
        let lease_until = super::presence::lease_until(self.now());
        store::set_present(&mut tx, instance, id, live.id, presence, lease_until).await?;
        if g.row.conference != Some(live.id) {
            let object = live.room.to_string();
            let event = Event {
                kind: "chat",
                actor: None,
                holder: None,
                action: "conference.guest_joined",
                object: Some(&object),
                client_addr: None,
                detail: Some(serde_json::json!({ "guest": id, "name": g.row.guest.name })),
            };
            audit::record(&mut tx, instance, self.now(), event).await?;
        }
        let view = self.guest_view(&mut tx, &g.row, live).await?;
        tx.commit().await?;
        Ok(GuestJoined { view, presence })
    }

    /// The guest leaves the join `presence` (closing the page or the socket). A socket
    /// closing after its guest joined again elsewhere ends nothing: whether the guest
    /// left (then the media of the guest goes too).
    pub async fn conference_guest_leave(
        &self,
        pass: &str,
        presence: Uuid,
    ) -> Result<bool, DomainError> {
        let mut tx = self.db.begin().await?;
        let row = store::by_pass(&mut tx, &hash(pass))
            .await?
            .ok_or(DomainError::NotFound)?;
        let left = store::clear_present(&mut tx, row.link.instance, row.guest.id, presence).await?;
        tx.commit().await?;
        Ok(left)
    }

    /// The guest switches the microphone on again after a moderator's mute.
    pub async fn conference_guest_unmute(&self, pass: &str) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let g = self.guest_load(&mut tx, pass).await?;
        guest_may_join(g.facts)?;
        let live = g.live.as_ref().ok_or(DomainError::NotFound)?;
        let (instance, id) = (g.row.link.instance, g.row.guest.id);
        if !store::set_muted(&mut tx, instance, live.id, id, false).await? {
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The guest raises or lowers their hand, as members do (the policy lets a present,
    /// admitted guest do so; sharing the screen stays closed to guests).
    pub async fn conference_guest_hand(&self, pass: &str, up: bool) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let g = self.guest_load(&mut tx, pass).await?;
        guest_may_join(g.facts)?;
        let live = g.live.as_ref().ok_or(DomainError::NotFound)?;
        let (instance, id) = (g.row.link.instance, g.row.guest.id);
        if !store::set_hand(&mut tx, instance, live.id, id, up).await? {
            // Not present in it: join first.
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Present participants and guests, as a guest sees them (no moderator's markers).
    async fn guest_view(
        &self,
        c: &mut impl AsConn,
        row: &PassRow,
        live: &ConferenceRow,
    ) -> Result<ConferenceView, DomainError> {
        let instance = row.link.instance;
        let room = room_store::find(c, instance, live.room)
            .await?
            .ok_or(DomainError::NotFound)?;
        let kind = RoomKind::parse(&room.kind)
            .ok_or_else(|| DomainError::Internal("unknown room kind".into()))?;
        let rows = conf_store::participants(c, instance, live.id).await?;
        let rows = super::presence::leased(rows, to_us(self.now()));
        let guests = store::present(c, instance, live.id).await?;
        let participants = rows
            .into_iter()
            .filter(|p| p.present && !p.removed)
            .map(|p| participant_view(&room, kind, live, p, false))
            .chain(guests.into_iter().map(guest_participant))
            .collect();
        Ok(ConferenceView {
            id: live.id,
            room: live.room,
            node: live.node.clone(),
            media_addr: live.media_addr.clone(),
            me: UserId(row.guest.id),
            moderator: false,
            participants,
        })
    }
}
