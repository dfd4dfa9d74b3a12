//! Guest links of a room's conferences and the guests waiting behind them.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::chat::RoomId;
use crate::{AsConn, StoreError, on};

/// A guest link as stored (the secret only as its hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub room: RoomId,
    pub token_hash: Vec<u8>,
    pub created_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A guest who arrived through a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestRow {
    pub id: Uuid,
    pub link: Uuid,
    pub name: String,
    /// `waiting`, `admitted` or `refused`.
    pub state: String,
    pub arrived_at: i64,
}

pub async fn insert_link(c: &mut impl AsConn, l: &LinkRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO conference_guest_links
             (instance_id, id, room_id, token_hash, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(l.instance.0).bind(l.id).bind(l.room.0).bind(&l.token_hash)
        .bind(l.created_by.0).bind(l.created_at).bind(l.expires_at)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

type LinkRaw = (Uuid, Uuid, Uuid, Vec<u8>, Uuid, i64, i64, Option<i64>);

/// The link whose secret hashes to `hash`, in whatever school.
pub async fn link_by_hash(c: &mut impl AsConn, hash: &[u8]) -> Result<Option<LinkRow>, StoreError> {
    let r: Option<LinkRaw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, room_id, token_hash, created_by, created_at, expires_at,
                revoked_at
         FROM conference_guest_links WHERE token_hash = $1")
        .bind(hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| LinkRow {
        instance: InstanceId(r.0),
        id: r.1,
        room: RoomId(r.2),
        token_hash: r.3,
        created_by: UserId(r.4),
        created_at: r.5,
        expires_at: r.6,
        revoked_at: r.7,
    }))
}

/// Records an arrival; `pass_hash` is the hash of the guest's own secret.
pub async fn insert_guest(
    c: &mut impl AsConn,
    instance: InstanceId,
    g: &GuestRow,
    pass_hash: &[u8],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO conference_guests
             (instance_id, id, link_id, name, state, arrived_at, pass_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(instance.0).bind(g.id).bind(g.link).bind(&g.name).bind(&g.state)
        .bind(g.arrived_at).bind(pass_hash).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

type GuestRaw = (Uuid, Uuid, String, String, i64);

fn guest(r: GuestRaw) -> GuestRow {
    GuestRow {
        id: r.0,
        link: r.1,
        name: r.2,
        state: r.3,
        arrived_at: r.4,
    }
}

/// One guest and the room of its link.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<(GuestRow, RoomId)>, StoreError> {
    let r: Option<(Uuid, Uuid, String, String, i64, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT g.id, g.link_id, g.name, g.state, g.arrived_at, l.room_id
         FROM conference_guests g
         JOIN conference_guest_links l ON l.instance_id = g.instance_id AND l.id = g.link_id
         WHERE g.instance_id = $1 AND g.id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| (guest((r.0, r.1, r.2, r.3, r.4)), RoomId(r.5))))
}

/// The guests of `room`'s links in `state`, in order of arrival.
pub async fn of_room(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    state: &str,
) -> Result<Vec<GuestRow>, StoreError> {
    let r: Vec<GuestRaw> = on!(c, c => sqlx::query_as(
        "SELECT g.id, g.link_id, g.name, g.state, g.arrived_at
         FROM conference_guests g
         JOIN conference_guest_links l ON l.instance_id = g.instance_id AND l.id = g.link_id
         WHERE g.instance_id = $1 AND l.room_id = $2 AND g.state = $3
         ORDER BY g.arrived_at, g.id")
        .bind(instance.0).bind(room.0).bind(state).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(guest).collect())
}

/// How many guests wait behind `link`.
pub async fn waiting_count(
    c: &mut impl AsConn,
    instance: InstanceId,
    link: Uuid,
) -> Result<i64, StoreError> {
    let n: i64 = on!(c, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM conference_guests
         WHERE instance_id = $1 AND link_id = $2 AND state = 'waiting'")
        .bind(instance.0).bind(link).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// A moderator's decision on a waiting guest; whether one was waiting.
pub async fn decide(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    state: &str,
    by: UserId,
    at: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guests SET state = $3, decided_by = $4, decided_at = $5
         WHERE instance_id = $1 AND id = $2 AND state = 'waiting'")
        .bind(instance.0).bind(id).bind(state).bind(by.0).bind(at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A guest found by their pass, with the link they came through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassRow {
    pub guest: GuestRow,
    pub link: LinkRow,
    /// The conference the guest is present in.
    pub conference: Option<Uuid>,
    pub muted: bool,
}

type PassRaw = (
    Uuid,
    Uuid,
    Uuid,
    Vec<u8>,
    Uuid,
    i64,
    i64,
    Option<i64>,
    Uuid,
    String,
    String,
    i64,
    Option<Uuid>,
    bool,
);

/// The guest whose pass hashes to `hash`, in whatever school; one query.
pub async fn by_pass(c: &mut impl AsConn, hash: &[u8]) -> Result<Option<PassRow>, StoreError> {
    let r: Option<PassRaw> = on!(c, c => sqlx::query_as(
        "SELECT l.instance_id, l.id, l.room_id, l.token_hash, l.created_by, l.created_at,
                l.expires_at, l.revoked_at, g.id, g.name, g.state, g.arrived_at,
                g.conference_id, g.muted
         FROM conference_guests g
         JOIN conference_guest_links l ON l.instance_id = g.instance_id AND l.id = g.link_id
         WHERE g.pass_hash = $1")
        .bind(hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| PassRow {
        link: LinkRow {
            instance: InstanceId(r.0),
            id: r.1,
            room: RoomId(r.2),
            token_hash: r.3,
            created_by: UserId(r.4),
            created_at: r.5,
            expires_at: r.6,
            revoked_at: r.7,
        },
        guest: GuestRow {
            id: r.8,
            link: r.1,
            name: r.9,
            state: r.10,
            arrived_at: r.11,
        },
        conference: r.12,
        muted: r.13,
    }))
}

/// Marks an admitted guest present in `conf` as the join `presence` (the newest join
/// wins: a reconnecting guest's page takes over), hand lowered, held until `lease_until`
/// unless renewed ([`renew`]).
pub async fn set_present(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    conf: Uuid,
    presence: Uuid,
    lease_until: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE conference_guests SET conference_id = $3, presence_id = $4, hand_raised = $5,
            lease_until = $6
         WHERE instance_id = $1 AND id = $2 AND state = 'admitted'")
        .bind(instance.0).bind(id).bind(conf).bind(presence).bind(false).bind(lease_until)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Extends the lease of the guest's join `presence`; whether that join is still present.
pub async fn renew(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    presence: Uuid,
    now: i64,
    lease_until: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guests SET lease_until = $5
         WHERE instance_id = $1 AND id = $2 AND presence_id = $3 AND conference_id IS NOT NULL
           AND lease_until >= $4")
        .bind(instance.0).bind(id).bind(presence).bind(now).bind(lease_until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The guests present in a conference, in any school, whose lease ran out before `now`.
pub async fn expired(
    c: &mut impl AsConn,
    now: i64,
    limit: i64,
) -> Result<Vec<super::Expired>, StoreError> {
    let rows: Vec<(Uuid, Uuid, Uuid, Uuid, Option<Uuid>, String)> = on!(c, c => sqlx::query_as(
        "SELECT g.instance_id, g.conference_id, f.room_id, g.id, g.presence_id, f.node
         FROM conference_guests g
         JOIN conferences f ON f.instance_id = g.instance_id AND f.id = g.conference_id
         WHERE (g.lease_until IS NULL OR g.lease_until < $1) AND f.ended_at IS NULL
         LIMIT $2")
        .bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| super::Expired {
            instance: InstanceId(r.0),
            conference: r.1,
            room: RoomId(r.2),
            who: r.3,
            presence: r.4,
            node: r.5,
        })
        .collect())
}

/// Clears the presence of the guest of `e` if its lease still ran out before `now`;
/// whether it did.
pub async fn expire(c: &mut impl AsConn, e: &super::Expired, now: i64) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guests SET conference_id = NULL, presence_id = NULL, hand_raised = $5
         WHERE instance_id = $1 AND id = $2 AND conference_id = $3
           AND (lease_until IS NULL OR lease_until < $4)")
        .bind(e.instance.0).bind(e.who).bind(e.conference).bind(now).bind(false)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends the join `presence` of a guest: gone, unless a later join took over (then
/// nothing changes). Whether it ended.
pub async fn clear_present(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    presence: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guests SET conference_id = NULL, presence_id = NULL, hand_raised = $4
         WHERE instance_id = $1 AND id = $2 AND presence_id = $3")
        .bind(instance.0).bind(id).bind(presence).bind(false)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A guest present in a conference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentGuest {
    pub id: Uuid,
    pub name: String,
    pub muted: bool,
    pub hand_raised: bool,
}

/// The guests present in `conf`, in order of arrival.
pub async fn present(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
) -> Result<Vec<PresentGuest>, StoreError> {
    let r: Vec<(Uuid, String, bool, bool)> = on!(c, c => sqlx::query_as(
        "SELECT id, name, muted, hand_raised FROM conference_guests
         WHERE instance_id = $1 AND conference_id = $2 AND state = 'admitted'
         ORDER BY arrived_at, id")
        .bind(instance.0).bind(conf).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, name, muted, hand_raised)| PresentGuest {
            id,
            name,
            muted,
            hand_raised,
        })
        .collect())
}

/// A guest's on/off state that moderators and the guest change while it is present.
#[derive(Clone, Copy, Debug)]
pub enum GuestFlag {
    Muted,
    HandRaised,
}

impl GuestFlag {
    fn column(self) -> &'static str {
        match self {
            GuestFlag::Muted => "muted",
            GuestFlag::HandRaised => "hand_raised",
        }
    }
}

/// Sets one flag of a guest present in `conf`; whether there was one.
pub async fn set_flag(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    id: Uuid,
    flag: GuestFlag,
    on: bool,
) -> Result<bool, StoreError> {
    // The column comes from the enum above, never from input.
    let sql = format!(
        "UPDATE conference_guests SET {} = $4
         WHERE instance_id = $1 AND id = $2 AND conference_id = $3 AND state = 'admitted'",
        flag.column()
    );
    let n = on!(c, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(instance.0).bind(id).bind(conf).bind(on)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Mutes or unmutes a guest present in `conf`; whether there was one.
pub async fn set_muted(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    id: Uuid,
    muted: bool,
) -> Result<bool, StoreError> {
    set_flag(c, instance, conf, id, GuestFlag::Muted, muted).await
}

/// Raises or lowers the hand of a guest present in `conf`; whether there was one.
pub async fn set_hand(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    id: Uuid,
    up: bool,
) -> Result<bool, StoreError> {
    set_flag(c, instance, conf, id, GuestFlag::HandRaised, up).await
}

/// A moderator puts a guest present in `conf` out: refused from now on; whether there was one.
pub async fn put_out(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    id: Uuid,
    by: UserId,
    at: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guests
         SET state = 'refused', conference_id = NULL, decided_by = $4, decided_at = $5
         WHERE instance_id = $1 AND id = $2 AND conference_id = $3 AND state = 'admitted'")
        .bind(instance.0).bind(id).bind(conf).bind(by.0).bind(at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The links of `room` that still open (neither expired at `now` nor revoked), newest first.
pub async fn open_links(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    now: i64,
) -> Result<Vec<LinkRow>, StoreError> {
    let r: Vec<LinkRaw> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, room_id, token_hash, created_by, created_at, expires_at,
                revoked_at
         FROM conference_guest_links
         WHERE instance_id = $1 AND room_id = $2 AND revoked_at IS NULL AND expires_at > $3
         ORDER BY created_at DESC, id")
        .bind(instance.0).bind(room.0).bind(now).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| LinkRow {
            instance: InstanceId(r.0),
            id: r.1,
            room: RoomId(r.2),
            token_hash: r.3,
            created_by: UserId(r.4),
            created_at: r.5,
            expires_at: r.6,
            revoked_at: r.7,
        })
        .collect())
}

/// Revokes a link of `room`; its present guests leave. Whether it was open.
pub async fn revoke(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
    link: Uuid,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_guest_links SET revoked_at = $4
         WHERE instance_id = $1 AND room_id = $2 AND id = $3 AND revoked_at IS NULL")
        .bind(instance.0).bind(room.0).bind(link).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        on!(c, c => sqlx::query(
            "UPDATE conference_guests SET conference_id = NULL
             WHERE instance_id = $1 AND link_id = $2")
            .bind(instance.0).bind(link).execute(&mut *c).await.map(|_| ()))?;
    }
    Ok(n == 1)
}
