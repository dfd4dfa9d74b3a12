//! Mail to other domains waiting to leave. A node claims due rows by setting a lease; another
//! node takes a row over only when its lease has run out, so no two nodes send it at once.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

/// A queued message for one recipient.
#[derive(Clone, Debug)]
pub struct QueueRow {
    pub id: Uuid,
    pub instance: InstanceId,
    /// The login that sent it; `None` for mail of the platform itself (no bounce goes back).
    pub sender: Option<UserId>,
    pub mail_from: String,
    pub rcpt: String,
    pub blob_sha: String,
    pub size: i64,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    /// The lease this claim holds; finishing the row checks it is still ours.
    pub lease_until: i64,
}

/// Queues `blob_sha` (already in the blob store) for `rcpt`, due at once.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    c: &mut impl AsConn,
    id: Uuid,
    instance: InstanceId,
    sender_id: Option<UserId>,
    mail_from: &str,
    rcpt: &str,
    blob_sha: &str,
    size: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_queue (id, instance_id, sender_id, mail_from, rcpt, blob_sha, size,
                                 attempts, next_at, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, 'queued', $8)")
        .bind(id).bind(instance.0).bind(sender_id.map(|s| s.0)).bind(mail_from).bind(rcpt)
        .bind(blob_sha).bind(size).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type Claimed = (
    Uuid,
    Uuid,
    Option<Uuid>,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
);

/// Claims up to `limit` due rows until `lease_until`. On PostgreSQL rows another node is
/// claiming right now are skipped (`SKIP LOCKED`); SQLite has one writer, so the claim is
/// atomic there by itself.
pub async fn claim_due(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<QueueRow>, StoreError> {
    macro_rules! claim {
        ($lock:literal) => {
            concat!(
                "UPDATE mail_queue SET lease_until = $2 WHERE id IN (
                    SELECT id FROM mail_queue
                     WHERE status = 'queued' AND next_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                     ORDER BY next_at LIMIT $3",
                $lock,
                ") AND status = 'queued' AND (lease_until IS NULL OR lease_until <= $1)
                 RETURNING id, instance_id, sender_id, mail_from, rcpt, blob_sha, size, attempts, created_at, lease_until"
            )
        };
    }
    let sql = match c.conn() {
        Conn::Pg(_) => claim!(" FOR UPDATE SKIP LOCKED"),
        Conn::Sqlite(_) => claim!(""),
    };
    let rows: Vec<Claimed> = on!(c, c => sqlx::query_as(sql)
        .bind(to_us(now)).bind(to_us(lease_until)).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| QueueRow {
            id: r.0,
            instance: InstanceId(r.1),
            sender: r.2.map(UserId),
            mail_from: r.3,
            rcpt: r.4,
            blob_sha: r.5,
            size: r.6,
            attempts: r.7,
            created_at: from_us(r.8),
            lease_until: r.9,
        })
        .collect())
}

/// Marks a claimed row delivered (`sent`) or given up (`failed`). False when the lease was
/// lost to another node meanwhile (then that node decides the row's fate).
pub async fn finish(
    c: &mut impl AsConn,
    row: &QueueRow,
    status: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_queue SET status = $3, last_error = $4, done_at = $5, lease_until = NULL,
                attempts = attempts + 1
          WHERE id = $1 AND lease_until = $2 AND status = 'queued'")
        .bind(row.id).bind(row.lease_until).bind(status).bind(error).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A claimed row failed for now: try again at `next_at`.
pub async fn retry_at(
    c: &mut impl AsConn,
    row: &QueueRow,
    error: &str,
    next_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE mail_queue SET attempts = attempts + 1, last_error = $3, next_at = $4, lease_until = NULL
          WHERE id = $1 AND lease_until = $2 AND status = 'queued'")
        .bind(row.id).bind(row.lease_until).bind(error).bind(to_us(next_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A queue row as the operator (and tests) see it.
#[derive(Clone, Debug)]
pub struct QueueState {
    pub id: Uuid,
    pub rcpt: String,
    pub status: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// The rows of a school, oldest first.
pub async fn of_instance(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<QueueState>, StoreError> {
    let rows: Vec<(Uuid, String, String, i64, i64, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT id, rcpt, status, attempts, next_at, last_error FROM mail_queue
          WHERE instance_id = $1 ORDER BY created_at, id")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| QueueState {
            id: r.0,
            rcpt: r.1,
            status: r.2,
            attempts: r.3,
            next_at: from_us(r.4),
            last_error: r.5,
        })
        .collect())
}

/// Forgets finished rows done before `before` (their content may then be collected).
pub async fn purge_done(c: &mut impl AsConn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM mail_queue WHERE status <> 'queued' AND done_at < $1")
        .bind(to_us(before)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// A notification mail of the outbox (table `mail_outbox`) waiting for the queue.
#[derive(Clone, Debug)]
pub struct NoticeRow {
    pub instance: InstanceId,
    pub id: Uuid,
    pub user: UserId,
    pub to: String,
    pub kind: String,
    pub params: String,
    pub created_at: DateTime<Utc>,
}

/// Up to `limit` unsent notification mails, oldest first, locked for this transaction (on
/// PostgreSQL rows another node is handing over right now are skipped).
pub async fn pending_notices(
    c: &mut impl AsConn,
    limit: i64,
) -> Result<Vec<NoticeRow>, StoreError> {
    macro_rules! pending {
        ($lock:literal) => {
            concat!(
                "SELECT instance_id, id, user_id, to_addr, kind, params, created_at FROM mail_outbox
                  WHERE sent_at IS NULL ORDER BY created_at LIMIT $1",
                $lock
            )
        };
    }
    let sql = match c.conn() {
        Conn::Pg(_) => pending!(" FOR UPDATE SKIP LOCKED"),
        Conn::Sqlite(_) => pending!(""),
    };
    let rows: Vec<(Uuid, Uuid, Uuid, String, String, String, i64)> = on!(c, c => sqlx::query_as(sql)
        .bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| NoticeRow {
            instance: InstanceId(r.0),
            id: r.1,
            user: UserId(r.2),
            to: r.3,
            kind: r.4,
            params: r.5,
            created_at: from_us(r.6),
        })
        .collect())
}

/// Marks a notification mail as handed to the queue.
pub async fn notice_sent(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE mail_outbox SET sent_at = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
