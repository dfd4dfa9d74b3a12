//! Notifications in the platform and the outbox of mail to external addresses.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct NotificationRow {
    pub id: Uuid,
    pub kind: String,
    /// JSON object with the facts the text needs.
    pub params: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    kind: &str,
    params: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(instance.0).bind(Uuid::now_v7()).bind(user.0).bind(kind).bind(params)
        .bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Queues a mail to an external address; nothing sends it yet.
pub async fn queue_mail(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    to: &str,
    kind: &str,
    params: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_outbox (instance_id, id, user_id, to_addr, kind, params, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(instance.0).bind(Uuid::now_v7()).bind(user.0).bind(to).bind(kind).bind(params)
        .bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A login's newest notifications, unread first.
pub async fn of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let r: Vec<(Uuid, String, String, i64, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT id, kind, params, created_at, read_at FROM notifications
          WHERE instance_id = $1 AND user_id = $2
          ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC LIMIT $3")
        .bind(instance.0).bind(user.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, kind, params, at, read)| NotificationRow {
            id,
            kind,
            params,
            created_at: from_us(at),
            read_at: read.map(from_us),
        })
        .collect())
}

pub async fn mark_all_read(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE instance_id = $1 AND user_id = $2 AND read_at IS NULL")
        .bind(instance.0).bind(user.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many mails wait for a login (tests and the operator's view).
pub async fn queued_mails(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM mail_outbox WHERE instance_id = $1 AND user_id = $2 AND sent_at IS NULL")
        .bind(instance.0).bind(user.0).fetch_one(&mut *c).await)?;
    Ok(n)
}
