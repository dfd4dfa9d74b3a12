//! A login's absence note and whom it already answered in the current period.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbsenceRow {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub subject: String,
    pub body: String,
    pub substitute: Option<UserId>,
    pub updated_at: DateTime<Utc>,
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<AbsenceRow>, StoreError> {
    let r: Option<(i64, i64, String, String, Option<Uuid>, i64)> = on!(c, c => sqlx::query_as(
        "SELECT starts, ends, subject, body, substitute_id, updated_at FROM mail_absence
          WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| AbsenceRow {
        starts: from_us(r.0),
        ends: from_us(r.1),
        subject: r.2,
        body: r.3,
        substitute: r.4.map(UserId),
        updated_at: from_us(r.5),
    }))
}

/// Which of `owners` have a note whose period holds `now`: one statement on PostgreSQL
/// (a message to a list asks for all its members at once), one per owner on SQLite.
pub async fn current_among(
    c: &mut impl AsConn,
    owners: &[(InstanceId, UserId)],
    now: DateTime<Utc>,
) -> Result<Vec<(InstanceId, UserId)>, StoreError> {
    let Conn::Pg(pg) = c.conn() else {
        let mut current = Vec::new();
        for &(instance, user) in owners {
            if get(c, instance, user)
                .await?
                .is_some_and(|n| n.starts <= now && now < n.ends)
            {
                current.push((instance, user));
            }
        }
        return Ok(current);
    };
    let instances: Vec<Uuid> = owners.iter().map(|o| o.0.0).collect();
    let users: Vec<Uuid> = owners.iter().map(|o| o.1.0).collect();
    let r: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT a.instance_id, a.user_id FROM mail_absence a
           JOIN unnest($1::uuid[], $2::uuid[]) AS o(instance_id, user_id)
             ON o.instance_id = a.instance_id AND o.user_id = a.user_id
          WHERE a.starts <= $3 AND a.ends > $3",
    )
    .bind(&instances)
    .bind(&users)
    .bind(to_us(now))
    .fetch_all(&mut *pg)
    .await?;
    Ok(r.into_iter()
        .map(|(i, u)| (InstanceId(i), UserId(u)))
        .collect())
}

/// Sets (or replaces) the note. A new period starts a new round of replies, because replies
/// are remembered per period start.
pub async fn set(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    row: &AbsenceRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_absence (instance_id, user_id, starts, ends, subject, body, substitute_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET starts = excluded.starts, ends = excluded.ends,
             subject = excluded.subject, body = excluded.body, substitute_id = excluded.substitute_id,
             updated_at = excluded.updated_at")
        .bind(instance.0).bind(user.0).bind(to_us(row.starts)).bind(to_us(row.ends))
        .bind(&row.subject).bind(&row.body).bind(row.substitute.map(|s| s.0))
        .bind(to_us(row.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes the note and the memory of whom it answered.
pub async fn clear(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<bool, StoreError> {
    on!(c, c => sqlx::query("DELETE FROM mail_absence_replies WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let n = on!(c, c => sqlx::query("DELETE FROM mail_absence WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Notes that `sender` got the reply of the period starting `period_start`. False when it
/// had already got it (the caller then sends nothing).
pub async fn note_reply(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    sender: &str,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "INSERT INTO mail_absence_replies (instance_id, user_id, sender, period_start, at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(user.0).bind(sender).bind(to_us(period_start)).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
