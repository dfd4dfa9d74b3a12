//! Video conferences of the built-in SFU: the live conference of a chat room (and which node
//! hosts its media), its participants, and the students' audio/video consent.

pub mod guests;
pub mod relay;

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::chat::RoomId;
use crate::{AsConn, StoreError, on};

/// A conference that has not ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConferenceRow {
    pub id: Uuid,
    pub room: RoomId,
    pub started_by: UserId,
    pub started_at: i64,
    /// The node hosting the media, and the UDP address browsers send to.
    pub node: String,
    pub media_addr: String,
}

/// The live conference of `room`, if any.
pub async fn live(
    c: &mut impl AsConn,
    instance: InstanceId,
    room: RoomId,
) -> Result<Option<ConferenceRow>, StoreError> {
    let r: Option<(Uuid, Uuid, i64, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT id, started_by, started_at, node, media_addr FROM conferences
         WHERE instance_id = $1 AND room_id = $2 AND ended_at IS NULL")
        .bind(instance.0).bind(room.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| ConferenceRow {
        id: r.0,
        room,
        started_by: UserId(r.1),
        started_at: r.2,
        node: r.3,
        media_addr: r.4,
    }))
}

/// Records a new live conference, its host's lease running until `host_until`; false when
/// the room already has one (started at the same moment by another moderator: the caller
/// then joins that one).
pub async fn start(
    c: &mut impl AsConn,
    instance: InstanceId,
    row: &ConferenceRow,
    host_until: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO conferences (instance_id, id, room_id, started_by, started_at, node, media_addr,
            host_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(row.id).bind(row.room.0).bind(row.started_by.0)
        .bind(row.started_at).bind(&row.node).bind(&row.media_addr).bind(host_until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Renews the host lease of every live conference, in any school, whose media `node` hosts
/// (its heartbeat); how many.
pub async fn renew_host(c: &mut impl AsConn, node: &str, until: i64) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conferences SET host_until = $2 WHERE node = $1 AND ended_at IS NULL")
        .bind(node).bind(until).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// The media of the live conference `conf` moves to `node` at `media_addr` (its lease
/// running until `until`), only if the row still names `dead` as its host and that host's
/// lease ran out before `now` (or it never had one): of two nodes trying, one wins. The
/// conference's room when this call won.
#[allow(clippy::too_many_arguments)]
pub async fn take_over(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    dead: &str,
    node: &str,
    media_addr: &str,
    now: i64,
    until: i64,
) -> Result<Option<RoomId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "UPDATE conferences SET node = $4, media_addr = $5, host_until = $7
         WHERE instance_id = $1 AND id = $2 AND node = $3 AND ended_at IS NULL
           AND (host_until IS NULL OR host_until < $6)
         RETURNING room_id")
        .bind(instance.0).bind(conf).bind(dead).bind(node).bind(media_addr).bind(now).bind(until)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| RoomId(r.0)))
}

/// Ends a conference for everybody.
pub async fn end(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE conferences SET ended_at = $3 WHERE instance_id = $1 AND id = $2 AND ended_at IS NULL")
        .bind(instance.0).bind(id).bind(now).execute(&mut *c).await.map(|_| ()))?;
    on!(c, c => sqlx::query(
        "UPDATE conference_participants SET left_at = $3
         WHERE instance_id = $1 AND conference_id = $2 AND left_at IS NULL")
        .bind(instance.0).bind(id).bind(now).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// One participant with what the conference view shows about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParticipantRow {
    pub user: UserId,
    pub name: String,
    /// The account type (`kind` of users).
    pub kind: String,
    pub present: bool,
    pub hand_raised: bool,
    pub may_share: bool,
    pub muted: bool,
    pub removed: bool,
    /// The consent on record (audio, video); students without a row have none.
    pub consent: (bool, bool),
    /// Until when the presence's connection holds it (unix microseconds; none: expired).
    pub lease_until: Option<i64>,
}

type Raw = (
    Uuid,
    String,
    String,
    String,
    Option<i64>,
    bool,
    bool,
    bool,
    bool,
    Option<bool>,
    Option<bool>,
    Option<i64>,
);

/// Everybody who ever joined `conf`, by name; one query.
pub async fn participants(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
) -> Result<Vec<ParticipantRow>, StoreError> {
    let rows: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT p.user_id, u.first_name, u.last_name, u.kind, p.left_at, p.hand_raised,
                p.may_share, p.muted, p.removed, a.audio, a.video, p.lease_until
         FROM conference_participants p
         JOIN users u ON u.instance_id = p.instance_id AND u.id = p.user_id
         LEFT JOIN av_consents a ON a.instance_id = p.instance_id AND a.user_id = p.user_id
         WHERE p.instance_id = $1 AND p.conference_id = $2
         ORDER BY p.joined_at, u.last_name, u.first_name")
        .bind(instance.0).bind(conf).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| ParticipantRow {
            user: UserId(r.0),
            name: format!("{} {}", r.1, r.2),
            kind: r.3,
            present: r.4.is_none(),
            hand_raised: r.5,
            may_share: r.6,
            muted: r.7,
            removed: r.8,
            consent: (r.9.unwrap_or(false), r.10.unwrap_or(false)),
            lease_until: r.11,
        })
        .collect())
}

/// Marks `user` present (again) as the join `presence` (the newest join wins: a member's
/// reconnecting page takes over), held until `lease_until` unless renewed ([`renew`]); a
/// removed participant stays removed (the domain refuses them before this).
pub async fn join(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    user: UserId,
    presence: Uuid,
    now: i64,
    lease_until: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO conference_participants (instance_id, conference_id, user_id, joined_at,
            presence_id, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, conference_id, user_id)
         DO UPDATE SET left_at = NULL, presence_id = $5, lease_until = $6")
        .bind(instance.0).bind(conf).bind(user.0).bind(now).bind(presence).bind(lease_until)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Extends the lease of the member's join `presence` to `lease_until`; whether that join
/// is still present (false: left, put out, taken over by a newer join, expired or ended).
pub async fn renew(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    presence: Uuid,
    now: i64,
    lease_until: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_participants SET lease_until = $5
         WHERE instance_id = $1 AND user_id = $2 AND presence_id = $3 AND left_at IS NULL
           AND lease_until >= $4")
        .bind(instance.0).bind(user.0).bind(presence).bind(now).bind(lease_until)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A present member whose lease ran out before a moment: their connection's node stopped
/// renewing it (crashed, killed, cut off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    pub instance: InstanceId,
    pub conference: Uuid,
    pub room: RoomId,
    /// The member, or the guest's id.
    pub who: Uuid,
    pub presence: Option<Uuid>,
    /// The node hosting the conference's media.
    pub node: String,
}

/// The members of live conferences, in any school, whose lease ran out before `now`
/// (at most `limit`); a present row without a lease counts as run out.
pub async fn expired(
    c: &mut impl AsConn,
    now: i64,
    limit: i64,
) -> Result<Vec<Expired>, StoreError> {
    let rows: Vec<(Uuid, Uuid, Uuid, Uuid, Option<Uuid>, String)> = on!(c, c => sqlx::query_as(
        "SELECT p.instance_id, p.conference_id, f.room_id, p.user_id, p.presence_id, f.node
         FROM conference_participants p
         JOIN conferences f ON f.instance_id = p.instance_id AND f.id = p.conference_id
         WHERE p.left_at IS NULL AND (p.lease_until IS NULL OR p.lease_until < $1)
           AND f.ended_at IS NULL
         LIMIT $2")
        .bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Expired {
            instance: InstanceId(r.0),
            conference: r.1,
            room: RoomId(r.2),
            who: r.3,
            presence: r.4,
            node: r.5,
        })
        .collect())
}

/// Puts out the member of `e` if their lease still ran out before `now` (a renewal or a
/// newer join in between keeps them); whether they were put out. They left when the lease
/// ended.
pub async fn expire(c: &mut impl AsConn, e: &Expired, now: i64) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_participants
         SET left_at = COALESCE(lease_until, $5), hand_raised = $6, presence_id = NULL
         WHERE instance_id = $1 AND conference_id = $2 AND user_id = $3 AND left_at IS NULL
           AND (lease_until IS NULL OR lease_until < $5)
           AND (presence_id = $4 OR (presence_id IS NULL AND $4 IS NULL))")
        .bind(e.instance.0).bind(e.conference).bind(e.who).bind(e.presence).bind(now).bind(false)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks `user` gone, whichever join they are present with (a moderator's "remove").
pub async fn leave(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE conference_participants SET left_at = $4, hand_raised = $5, presence_id = NULL
         WHERE instance_id = $1 AND conference_id = $2 AND user_id = $3 AND left_at IS NULL")
        .bind(instance.0).bind(conf).bind(user.0).bind(now).bind(false)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Ends the join `presence` of `user`: gone, unless a later join took over (then nothing
/// changes). Whether it ended.
pub async fn leave_presence(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    user: UserId,
    presence: Uuid,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_participants SET left_at = $5, hand_raised = $6, presence_id = NULL
         WHERE instance_id = $1 AND conference_id = $2 AND user_id = $3 AND presence_id = $4
           AND left_at IS NULL")
        .bind(instance.0).bind(conf).bind(user.0).bind(presence).bind(now).bind(false)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A participant's switch that moderators or the person change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Hand,
    MayShare,
    Muted,
    Removed,
}

impl Flag {
    fn column(self) -> &'static str {
        match self {
            Flag::Hand => "hand_raised",
            Flag::MayShare => "may_share",
            Flag::Muted => "muted",
            Flag::Removed => "removed",
        }
    }
}

/// Sets one switch of a participant; whether such a participant exists.
pub async fn set_flag(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    user: UserId,
    flag: Flag,
    on: bool,
) -> Result<bool, StoreError> {
    // The column name comes from a closed enum, never from input.
    let sql = format!(
        "UPDATE conference_participants SET {} = $4
         WHERE instance_id = $1 AND conference_id = $2 AND user_id = $3",
        flag.column()
    );
    let n = on!(c, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(instance.0).bind(conf).bind(user.0).bind(on)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The consent on record for `user`: (audio, video); none recorded is (false, false).
pub async fn consent(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<(bool, bool), StoreError> {
    let r: Option<(bool, bool)> = on!(c, c => sqlx::query_as(
        "SELECT audio, video FROM av_consents WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.unwrap_or((false, false)))
}

/// Records the consent of `user` (`source`: `import` or `admin`).
pub async fn set_consent(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    (audio, video): (bool, bool),
    source: &str,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO av_consents (instance_id, user_id, audio, video, source, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET audio = $3, video = $4,
             source = $5, updated_at = $6")
        .bind(instance.0).bind(user.0).bind(audio).bind(video).bind(source).bind(now)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// The consent records of the persons an import of `source` created: (user, audio, video).
pub async fn source_consents(
    c: &mut impl AsConn,
    instance: InstanceId,
    source: &str,
) -> Result<std::collections::HashMap<UserId, (bool, bool)>, StoreError> {
    let rows: Vec<(Uuid, bool, bool)> = on!(c, c => sqlx::query_as(
        "SELECT a.user_id, a.audio, a.video FROM av_consents a
         JOIN users u ON u.instance_id = a.instance_id AND u.id = a.user_id
         WHERE a.instance_id = $1 AND u.source = $2")
        .bind(instance.0).bind(source).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|(u, a, v)| (UserId(u), (a, v)))
        .collect())
}
