//! Signalling relayed to the node that hosts a conference's media (issue 16, several
//! nodes): the request and answer bodies (SDP offers exceed a NOTIFY's 8000 bytes); only
//! row ids travel over the event bus.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// One request to the host node `node`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayRow {
    pub id: Uuid,
    pub node: String,
    pub instance: InstanceId,
    pub conference: Uuid,
    pub user: UserId,
    pub request: String,
    pub created_at: i64,
}

/// Records a request (and purges rows older than `purge_before`: nobody waits for them).
pub async fn put(c: &mut impl AsConn, row: &RelayRow, purge_before: i64) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM conference_relay WHERE created_at < $1")
        .bind(purge_before).execute(&mut *c).await.map(|_| ()))?;
    on!(c, c => sqlx::query(
        "INSERT INTO conference_relay (id, node, instance_id, conference_id, user_id, request,
            created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(row.id).bind(&row.node).bind(row.instance.0).bind(row.conference)
        .bind(row.user.0).bind(&row.request).bind(row.created_at)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// The unanswered request `id` addressed to `node`.
pub async fn request(
    c: &mut impl AsConn,
    id: Uuid,
    node: &str,
) -> Result<Option<RelayRow>, StoreError> {
    let r: Option<(Uuid, Uuid, Uuid, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, conference_id, user_id, request, created_at FROM conference_relay
         WHERE id = $1 AND node = $2 AND answer IS NULL")
        .bind(id).bind(node).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| RelayRow {
        id,
        node: node.to_owned(),
        instance: InstanceId(r.0),
        conference: r.1,
        user: UserId(r.2),
        request: r.3,
        created_at: r.4,
    }))
}

/// Stores the answer of request `id` (its body goes); false when the asking node gave up
/// waiting and deleted it.
pub async fn answer(c: &mut impl AsConn, id: Uuid, answer: &str) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE conference_relay SET answer = $2, request = $3 WHERE id = $1 AND answer IS NULL")
        .bind(id).bind(answer).bind("").execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The answer of request `id`, if there is one yet.
pub async fn answered(c: &mut impl AsConn, id: Uuid) -> Result<Option<String>, StoreError> {
    let r: Option<(Option<String>,)> = on!(c, c => sqlx::query_as(
        "SELECT answer FROM conference_relay WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|r| r.0))
}

/// Deletes request `id` (answer read, given up, or done without one).
pub async fn delete(c: &mut impl AsConn, id: Uuid) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM conference_relay WHERE id = $1")
        .bind(id).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// A conference as its host sees a relayed request about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hosted {
    pub room: crate::chat::RoomId,
    pub started_by: UserId,
    /// The member (or guest) named is present with a lease that runs at `now`.
    pub present: bool,
}

/// The live conference `conf` if `node` hosts it, and whether `who` (a member or a guest)
/// is present in it at `now`: one read.
pub async fn hosted(
    c: &mut impl AsConn,
    instance: InstanceId,
    conf: Uuid,
    node: &str,
    who: Uuid,
    now: i64,
) -> Result<Option<Hosted>, StoreError> {
    let r: Option<(Uuid, Uuid, bool, bool)> = on!(c, c => sqlx::query_as(
        "SELECT f.room_id, f.started_by,
            EXISTS (SELECT 1 FROM conference_participants p
                WHERE p.instance_id = f.instance_id AND p.conference_id = f.id
                  AND p.user_id = $4 AND p.left_at IS NULL AND p.removed = $6
                  AND p.lease_until >= $5),
            EXISTS (SELECT 1 FROM conference_guests g
                WHERE g.instance_id = f.instance_id AND g.conference_id = f.id AND g.id = $4
                  AND g.state = 'admitted' AND g.presence_id IS NOT NULL
                  AND g.lease_until >= $5)
         FROM conferences f
         WHERE f.instance_id = $1 AND f.id = $2 AND f.node = $3 AND f.ended_at IS NULL")
        .bind(instance.0).bind(conf).bind(node).bind(who).bind(now).bind(false)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| Hosted {
        room: crate::chat::RoomId(r.0),
        started_by: UserId(r.1),
        present: r.2 || r.3,
    }))
}
