//! Shares offered to logins of other schools: kept in the sharing school until the
//! recipient accepts or declines; the per-login offer counter; the school's setting
//! whether its students may accept such offers.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// An offer as stored. `recipient` is `None` when nobody will ever see it (unknown login,
/// function account, or a student whose school does not allow it).
#[derive(Clone, Debug)]
pub struct OfferRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub node: NodeId,
    pub address: String,
    pub recipient: Option<(InstanceId, UserId)>,
    pub offered_by: UserId,
    /// `offered`, `accepted` or `declined`.
    pub state: String,
    pub created_at: DateTime<Utc>,
}

type Raw = (
    Uuid,
    Uuid,
    Uuid,
    String,
    Option<Uuid>,
    Option<Uuid>,
    Uuid,
    String,
    i64,
);

const COLS: &str = "instance_id, id, node_id, address, recipient_school, recipient_user, offered_by, state, created_at";

fn offer(r: Raw) -> OfferRow {
    OfferRow {
        instance: InstanceId(r.0),
        id: r.1,
        node: NodeId(r.2),
        address: r.3,
        recipient: r.4.zip(r.5).map(|(s, u)| (InstanceId(s), UserId(u))),
        offered_by: UserId(r.6),
        state: r.7,
        created_at: from_us(r.8),
    }
}

/// Records an offer of `node` to `address`. An earlier offer to the same address stays as
/// it is (a declined one is not offered again, an accepted one stays accepted).
pub async fn put_offer(c: &mut impl AsConn, o: &OfferRow) -> Result<(), StoreError> {
    let (school, user) = o
        .recipient
        .map_or((None, None), |(s, u)| (Some(s.0), Some(u.0)));
    on!(c, c => sqlx::query(
        "INSERT INTO file_share_offers (instance_id, id, node_id, address, recipient_school, recipient_user,
            offered_by, state, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (instance_id, node_id, address) DO NOTHING")
        .bind(o.instance.0).bind(o.id).bind(o.node.0).bind(&o.address).bind(school).bind(user)
        .bind(o.offered_by.0).bind(&o.state).bind(to_us(o.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The offers made on one node, oldest first.
pub async fn offers_on(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Vec<OfferRow>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM file_share_offers WHERE instance_id = $1 AND node_id = $2 ORDER BY created_at, address"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(instance.0).bind(node.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(offer).collect())
}

/// One offer of a school by id.
pub async fn offer_by_id(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<OfferRow>, StoreError> {
    let sql = format!("SELECT {COLS} FROM file_share_offers WHERE instance_id = $1 AND id = $2");
    let r: Option<Raw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(offer))
}

/// System query (across schools): the offers made to one login, in any state, newest first.
pub async fn system_offers_to(
    c: &mut impl AsConn,
    school: InstanceId,
    user: UserId,
) -> Result<Vec<OfferRow>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM file_share_offers WHERE recipient_user = $2 AND recipient_school = $1
         ORDER BY created_at DESC"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(school.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(offer).collect())
}

/// Sets an offer's state (`accepted`, `declined`).
pub async fn set_offer_state(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    state: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE file_share_offers SET state = $3, decided_at = $4 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(state).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes an offer. Returns whether there was one.
pub async fn remove_offer(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM file_share_offers WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes the offers of a node to one recipient (its grant is being taken away).
pub async fn remove_offers_to(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM file_share_offers WHERE instance_id = $1 AND node_id = $2 AND recipient_user = $3")
        .bind(instance.0).bind(node.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The address an accepted offer of this school to `user` was made to, for the grant list.
pub async fn accepted_address(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT address FROM file_share_offers WHERE instance_id = $1 AND recipient_user = $2
         AND state = 'accepted' ORDER BY created_at LIMIT 1")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(a,)| a))
}

/// Counts one offer of `user` and returns the number made in the window that started at
/// or after `window_from` (a new window starts at `now`). One statement, so parallel
/// requests on several nodes cannot all read the same old count.
pub async fn count_offer(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    window_from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>), StoreError> {
    let (n, start): (i64, i64) = on!(c, c => sqlx::query_as(
        "INSERT INTO share_offer_counters (instance_id, user_id, window_start, offers) VALUES ($1, $2, $4, 1)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET
            offers = CASE WHEN share_offer_counters.window_start < $3 THEN 1 ELSE share_offer_counters.offers + 1 END,
            window_start = CASE WHEN share_offer_counters.window_start < $3 THEN $4 ELSE share_offer_counters.window_start END
         RETURNING offers, window_start")
        .bind(instance.0).bind(user.0).bind(to_us(window_from)).bind(to_us(now))
        .fetch_one(&mut *c).await)?;
    Ok((n, from_us(start)))
}

/// System job: forgets counters whose window began before `cutoff`.
pub async fn system_purge_counters(
    c: &mut impl AsConn,
    cutoff: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM share_offer_counters WHERE window_start < $1")
        .bind(to_us(cutoff)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Whether the school's students may accept shares of other schools.
pub async fn students_accept_cross(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<bool, StoreError> {
    let r: Option<(bool,)> = on!(c, c => sqlx::query_as(
        "SELECT cross_share_students FROM instances WHERE id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.is_some_and(|(b,)| b))
}

pub async fn set_students_accept_cross(
    c: &mut impl AsConn,
    instance: InstanceId,
    allowed: bool,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET cross_share_students = $2 WHERE id = $1")
        .bind(instance.0).bind(allowed).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
