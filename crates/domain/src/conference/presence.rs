//! Presence leases (issue 16, several nodes on one database): every presence in a
//! conference, a member's or a guest's, is owned by the one connection that joined (a
//! socket, on whatever node) and holds a lease in the database that this connection renews
//! while it lives. Closing the connection ends the presence at once (the socket's leave);
//! a connection whose node dies (crash, SIGKILL, cut off) stops renewing, and whichever node
//! sweeps next puts the person out and tells every node ([`ConferenceSignal::Room`]).
//! Nothing another node needs lives only in one process's memory: a reader already shows a
//! presence whose lease ran out as gone, before any sweep.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use schulhof_store::chat::RoomId;
use schulhof_store::conference::guests as guest_store;
use schulhof_store::conference::{self as store, Expired, ParticipantRow};
use schulhof_store::to_us;
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::ConferenceSignal;
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// How long a presence lasts without its connection renewing it, unless set otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// The shortest and longest lease accepted (a shorter one costs a write per second and
/// socket; a longer one keeps the dead in the list for many minutes).
const MIN_LEASE_MS: u64 = 1_000;
const MAX_LEASE_MS: u64 = 600_000;

/// How many run-out presences one sweep handles at most.
const SWEEP_LIMIT: i64 = 500;

static LEASE_MS: AtomicU64 = AtomicU64::new(DEFAULT_LEASE.as_millis() as u64);

/// This process's presence lease (all nodes of an installation should use the same).
pub fn presence_lease() -> Duration {
    Duration::from_millis(LEASE_MS.load(Ordering::Relaxed))
}

/// Sets this process's presence lease (clamped to 1 s … 10 min).
pub fn set_presence_lease(d: Duration) {
    let ms = (d.as_millis() as u64).clamp(MIN_LEASE_MS, MAX_LEASE_MS);
    LEASE_MS.store(ms, Ordering::Relaxed);
}

/// The end of a lease taken or renewed at `now`.
pub(super) fn lease_until(now: DateTime<Utc>) -> i64 {
    to_us(now) + presence_lease().as_micros() as i64
}

/// The rows with a run-out lease (or none) shown as gone.
pub(super) fn leased(mut rows: Vec<ParticipantRow>, now: i64) -> Vec<ParticipantRow> {
    for r in &mut rows {
        if r.present && r.lease_until.is_none_or(|l| l < now) {
            r.present = false;
            r.hand_raised = false;
        }
    }
    rows
}

/// What one sweep put out: per conference, the members' and guests' ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub gone: Vec<(InstanceId, RoomId, Uuid, Uuid)>,
    /// The node hosting the media of each conference in `gone` (whose SFU drops theirs).
    pub nodes: std::collections::BTreeMap<Uuid, String>,
}

impl Swept {
    /// (instance, room, conference, member or guest) of each one put out.
    pub fn iter(&self) -> impl Iterator<Item = &(InstanceId, RoomId, Uuid, Uuid)> {
        self.gone.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.gone.is_empty()
    }
}

impl Platform {
    /// The member's connection still holds the join `presence`: its lease runs on. False
    /// when that join is over (left, put out, taken over by a newer join, ended, or its
    /// lease ran out): the connection no longer takes part.
    pub async fn conference_renew(
        &self,
        actor: &Actor,
        presence: Uuid,
    ) -> Result<bool, DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let user: UserId = actor.token.user();
        let held = store::renew(
            &mut tx,
            actor.token.instance(),
            user,
            presence,
            to_us(now),
            lease_until(now),
        )
        .await?;
        tx.commit().await?;
        Ok(held)
    }

    /// The guest's connection still holds the join `presence` (as
    /// [`Platform::conference_renew`]).
    pub async fn conference_guest_renew(
        &self,
        pass: &str,
        presence: Uuid,
    ) -> Result<bool, DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row = guest_store::by_pass(&mut tx, &super::guests::hash(pass))
            .await?
            .ok_or(DomainError::NotFound)?;
        let held = guest_store::renew(
            &mut tx,
            row.link.instance,
            row.guest.id,
            presence,
            to_us(now),
            lease_until(now),
        )
        .await?;
        tx.commit().await?;
        Ok(held)
    }

    /// Puts out everybody, in every school, whose presence's lease ran out (their node
    /// died or lost the database), and tells every node which rooms changed. Any node may
    /// sweep at any time; two sweeping at once put each one out once.
    pub async fn conference_sweep(&self) -> Result<Swept, DomainError> {
        let now = to_us(self.now());
        let mut tx = self.db.begin().await?;
        let members = store::expired(&mut tx, now, SWEEP_LIMIT).await?;
        let guests = guest_store::expired(&mut tx, now, SWEEP_LIMIT).await?;
        let mut swept = Swept::default();
        let mut out = |e: &Expired, done: bool| {
            if done {
                swept.gone.push((e.instance, e.room, e.conference, e.who));
                swept.nodes.insert(e.conference, e.node.clone());
            }
        };
        for e in &members {
            out(e, store::expire(&mut tx, e, now).await?);
        }
        for e in &guests {
            out(e, guest_store::expire(&mut tx, e, now).await?);
        }
        tx.commit().await?;
        let rooms: BTreeSet<(Uuid, Uuid)> = swept.iter().map(|g| (g.0.0, g.1.0)).collect();
        let signals: Vec<ConferenceSignal> = rooms
            .into_iter()
            .map(|(instance, room)| ConferenceSignal::Room {
                instance: InstanceId(instance),
                room: RoomId(room),
            })
            .collect();
        self.conference_hub.committed(&signals);
        Ok(swept)
    }

    /// The heartbeat of node `node`: renews the host lease (one presence lease long) of
    /// every live conference whose media it hosts. A node that stops renewing (died, lost
    /// the database) may have its conferences taken over once the lease ran out
    /// ([`Platform::conference_take_over`]). Answers how many it renewed.
    pub async fn conference_host_renew(&self, node: &str) -> Result<u64, DomainError> {
        let mut tx = self.db.begin().await?;
        let n = store::renew_host(&mut tx, node, lease_until(self.now())).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Moves the media of the live conference `conf` from the node `dead` to `host` if the
    /// database still names `dead` and its host lease ran out (one conditional update: of
    /// several nodes trying at once, one wins). On a win every node is told (the members
    /// then publish and subscribe again on the new host); whether this call won.
    pub async fn conference_take_over(
        &self,
        instance: InstanceId,
        conf: Uuid,
        dead: &str,
        host: &super::MediaHost,
    ) -> Result<bool, DomainError> {
        if dead == host.node {
            return Ok(false);
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let room = store::take_over(
            &mut tx,
            instance,
            conf,
            dead,
            &host.node,
            &host.media_addr,
            to_us(now),
            lease_until(now),
        )
        .await?;
        tx.commit().await?;
        let Some(room) = room else {
            return Ok(false);
        };
        tracing::warn!(
            conference = %conf, from = dead, to = %host.node,
            "conference media taken over from a node whose host lease ran out"
        );
        self.conference_hub
            .committed(&[ConferenceSignal::Room { instance, room }]);
        Ok(true)
    }

    /// Tells every node that the conference of `room` changed (someone joined, left,
    /// raised a hand, was muted…): the sockets following it there show the new state.
    pub fn conference_changed(&self, instance: InstanceId, room: RoomId) {
        self.conference_hub
            .committed(&[ConferenceSignal::Room { instance, room }]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(present: bool, lease_until: Option<i64>) -> ParticipantRow {
        ParticipantRow {
            user: UserId(Uuid::nil()),
            name: "x".into(),
            kind: "student".into(),
            present,
            hand_raised: true,
            may_share: false,
            muted: false,
            removed: false,
            consent: (false, false),
            lease_until,
        }
    }

    #[test]
    fn a_presence_counts_only_while_its_lease_runs() {
        let now = 1_000;
        let rows = leased(
            vec![
                row(true, Some(now)),
                row(true, Some(now - 1)),
                row(true, None),
                row(false, Some(now + 5)),
            ],
            now,
        );
        let present: Vec<bool> = rows.iter().map(|r| r.present).collect();
        assert_eq!(present, [true, false, false, false]);
        assert!(rows[0].hand_raised && !rows[1].hand_raised);
    }
}
