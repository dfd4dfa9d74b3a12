//! Guests of a room's conference invited by link (the parents' evening): a moderator
//! creates a time-limited link (the secret is shown once, only its hash is stored);
//! whoever opens it gives a name and waits; a moderator of the room admits or refuses
//! them. Who may do what is `schulhof_authz::conference` (`ManageGuests`,
//! `guest_may_wait`); creating links and every decision are audited.

use chrono::{DateTime, Duration, Utc};
use schulhof_authz::check;
use schulhof_authz::conference::{GuestLinkFacts, ManageGuests, guest_may_wait};
use schulhof_store::chat::RoomId;
use schulhof_store::conference::guests::{self as store, GuestRow, LinkRow};
use schulhof_store::{from_us, to_us};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ConferenceSignal;
use crate::identity::Actor;
use crate::oidc::random_value;
use crate::{DomainError, Platform};

/// The longest a guest link is valid, in days.
pub const MAX_VALIDITY_DAYS: i64 = 14;
/// The most characters of a guest's name.
const NAME_MAX: usize = 80;

/// A new guest link: `secret` goes into the URL and is shown only now.
#[derive(Clone, Debug)]
pub struct GuestLink {
    pub id: Uuid,
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

/// A guest's place in the waiting room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestState {
    Waiting,
    Admitted,
    Refused,
}

impl GuestState {
    fn parse(s: &str) -> GuestState {
        match s {
            "admitted" => GuestState::Admitted,
            "refused" => GuestState::Refused,
            _ => GuestState::Waiting,
        }
    }
}

/// A guest as moderators and the guest see them.
#[derive(Clone, Debug, Serialize)]
pub struct GuestView {
    pub id: Uuid,
    pub name: String,
    pub state: GuestState,
    pub arrived_at: DateTime<Utc>,
}

/// An arrival: the guest and their own secret (the "pass", kept by their browser; only its
/// hash is stored). Reads as the [`GuestView`].
#[derive(Clone, Debug)]
pub struct GuestPass {
    pub view: GuestView,
    pub pass: String,
}

impl std::ops::Deref for GuestPass {
    type Target = GuestView;
    fn deref(&self) -> &GuestView {
        &self.view
    }
}

/// An open guest link as its room's moderators see it (never its secret).
#[derive(Clone, Debug, Serialize)]
pub struct GuestLinkView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub(super) fn view(g: GuestRow) -> GuestView {
    GuestView {
        id: g.id,
        name: g.name,
        state: GuestState::parse(&g.state),
        arrived_at: from_us(g.arrived_at),
    }
}

pub(super) fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

impl Platform {
    /// A moderator creates a guest link for the room's conferences, valid for `valid`
    /// (at most [`MAX_VALIDITY_DAYS`]).
    pub async fn conference_guest_link(
        &self,
        actor: &Actor,
        room: RoomId,
        valid: Duration,
    ) -> Result<GuestLink, DomainError> {
        if valid <= Duration::zero() || valid > Duration::days(MAX_VALIDITY_DAYS) {
            return Err(DomainError::invalid(
                "valid",
                "a guest link is valid for up to 14 days",
            ));
        }
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        check(&actor.token, ManageGuests(l.facts))?;
        let now = self.now();
        let secret = random_value();
        let link = LinkRow {
            instance: actor.token.instance(),
            id: Uuid::now_v7(),
            room,
            token_hash: hash(&secret),
            created_by: actor.token.user(),
            created_at: to_us(now),
            expires_at: to_us(now + valid),
            revoked_at: None,
        };
        store::insert_link(&mut tx, &link).await?;
        let detail = serde_json::json!({ "link": link.id, "expires_at": now + valid });
        self.conference_audit(&mut tx, actor, "conference.guest_link", room, Some(detail))
            .await?;
        tx.commit().await?;
        Ok(GuestLink {
            id: link.id,
            secret,
            expires_at: now + valid,
        })
    }

    /// Someone without a login opens a guest link and gives a name: they wait, holding
    /// their pass. An unknown, expired or revoked link is `NotFound` alike.
    pub async fn conference_guest_arrive(
        &self,
        secret: &str,
        name: &str,
    ) -> Result<GuestPass, DomainError> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(DomainError::invalid(
                "name",
                "a name of 1 to 80 characters is needed",
            ));
        }
        let mut tx = self.db.begin().await?;
        let link = store::link_by_hash(&mut tx, &hash(secret))
            .await?
            .ok_or(DomainError::NotFound)?;
        let now = to_us(self.now());
        let facts = GuestLinkFacts {
            expired: link.expires_at <= now,
            revoked: link.revoked_at.is_some(),
            waiting: store::waiting_count(&mut tx, link.instance, link.id).await?,
        };
        guest_may_wait(facts)?;
        let guest = GuestRow {
            id: Uuid::now_v7(),
            link: link.id,
            name,
            state: "waiting".into(),
            arrived_at: now,
        };
        let pass = random_value();
        store::insert_guest(&mut tx, link.instance, &guest, &hash(&pass)).await?;
        tx.commit().await?;
        Ok(GuestPass {
            view: view(guest),
            pass,
        })
    }

    /// Whether a guest link opens (the guest page before a name is given), answering the
    /// link's id: `NotFound` for an unknown, expired or revoked one.
    pub async fn conference_guest_link_opens(&self, secret: &str) -> Result<Uuid, DomainError> {
        let mut c = self.db.read().await?;
        let link = store::link_by_hash(&mut c, &hash(secret))
            .await?
            .ok_or(DomainError::NotFound)?;
        let facts = GuestLinkFacts {
            expired: link.expires_at <= to_us(self.now()),
            revoked: link.revoked_at.is_some(),
            waiting: 0,
        };
        guest_may_wait(facts)?;
        Ok(link.id)
    }

    /// The room's guest links that still open (moderators only).
    pub async fn conference_guest_links(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Vec<GuestLinkView>, DomainError> {
        let mut c = self.db.read().await?;
        let l = self.conference_load(&mut c, actor, room).await?;
        check(&actor.token, ManageGuests(l.facts))?;
        let now = to_us(self.now());
        let rows = store::open_links(&mut c, actor.token.instance(), room, now).await?;
        Ok(rows
            .into_iter()
            .map(|l| GuestLinkView {
                id: l.id,
                created_at: from_us(l.created_at),
                expires_at: from_us(l.expires_at),
            })
            .collect())
    }

    /// A moderator revokes a guest link: it opens nothing any more and its guests leave
    /// the conference; audited.
    pub async fn conference_guest_revoke(
        &self,
        actor: &Actor,
        room: RoomId,
        link: Uuid,
    ) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        check(&actor.token, ManageGuests(l.facts))?;
        let now = to_us(self.now());
        if !store::revoke(&mut tx, actor.token.instance(), room, link, now).await? {
            return Err(DomainError::NotFound);
        }
        let detail = serde_json::json!({ "link": link });
        self.conference_audit(
            &mut tx,
            actor,
            "conference.revoke_guest_link",
            room,
            Some(detail),
        )
        .await?;
        // The guests' sockets close at once, on whatever node they are.
        let signal = [ConferenceSignal::Guests {
            instance: actor.token.instance(),
            room,
        }];
        tx.commit().await?;
        self.conference_hub.committed(&signal);
        Ok(())
    }

    /// The guest asks where they stand (with the link's secret, which proves who they are
    /// together with their id).
    pub async fn conference_guest_state(
        &self,
        secret: &str,
        guest: Uuid,
    ) -> Result<GuestView, DomainError> {
        let mut c = self.db.read().await?;
        let link = store::link_by_hash(&mut c, &hash(secret))
            .await?
            .ok_or(DomainError::NotFound)?;
        match store::get(&mut c, link.instance, guest).await? {
            Some((g, _)) if g.link == link.id => Ok(view(g)),
            _ => Err(DomainError::NotFound),
        }
    }

    /// Who waits to be let into the room's conference (moderators only).
    pub async fn conference_waiting(
        &self,
        actor: &Actor,
        room: RoomId,
    ) -> Result<Vec<GuestView>, DomainError> {
        let mut c = self.db.read().await?;
        let l = self.conference_load(&mut c, actor, room).await?;
        check(&actor.token, ManageGuests(l.facts))?;
        let rows = store::of_room(&mut c, actor.token.instance(), room, "waiting").await?;
        Ok(rows.into_iter().map(view).collect())
    }

    /// A moderator admits (or refuses) a waiting guest; audited.
    pub async fn conference_admit(
        &self,
        actor: &Actor,
        room: RoomId,
        guest: Uuid,
        admit: bool,
    ) -> Result<(), DomainError> {
        let instance = actor.token.instance();
        let mut tx = self.db.begin().await?;
        let l = self.conference_load(&mut tx, actor, room).await?;
        check(&actor.token, ManageGuests(l.facts))?;
        match store::get(&mut tx, instance, guest).await? {
            Some((_, r)) if r == room => {}
            _ => return Err(DomainError::NotFound),
        }
        let state = if admit { "admitted" } else { "refused" };
        let now = to_us(self.now());
        if !store::decide(&mut tx, instance, guest, state, actor.token.user(), now).await? {
            return Err(DomainError::conflict(
                "guest",
                "this guest is no longer waiting",
            ));
        }
        let action = if admit {
            "conference.admit_guest"
        } else {
            "conference.refuse_guest"
        };
        let detail = serde_json::json!({ "guest": guest });
        self.conference_audit(&mut tx, actor, action, room, Some(detail))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
