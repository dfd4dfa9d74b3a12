//! Mail filtering: messages a virus scanner held back (the quarantine), and the counters of
//! outgoing mail per login with the school's limits. The counters live in the database so
//! that every node of an installation counts against the same limit.

use chrono::{DateTime, Duration, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A message held back for one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub id: Uuid,
    pub held_at: DateTime<Utc>,
    /// "in" (from outside), "local" (between logins here) or "out" (to another domain).
    pub direction: String,
    pub mail_from: String,
    pub rcpt_addr: String,
    pub rcpt_id: Option<UserId>,
    pub sender_id: Option<UserId>,
    pub blob_sha: String,
    pub size: i64,
    pub subject: String,
    /// What the scanner found (e.g. `Eicar-Test-Signature`).
    pub finding: String,
}

pub async fn hold(c: &mut impl AsConn, instance: InstanceId, h: &Held) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_quarantine (instance_id, id, held_at, direction, mail_from, rcpt_addr,
                                      rcpt_id, sender_id, blob_sha, size, subject, finding)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(instance.0).bind(h.id).bind(to_us(h.held_at)).bind(&h.direction).bind(&h.mail_from)
        .bind(&h.rcpt_addr).bind(h.rcpt_id.map(|u| u.0)).bind(h.sender_id.map(|u| u.0))
        .bind(&h.blob_sha).bind(h.size).bind(&h.subject).bind(&h.finding)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type HeldRow = (
    Uuid,
    i64,
    String,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    String,
    i64,
    String,
    String,
);

/// The newest held messages of a school, newest first.
pub async fn held(
    c: &mut impl AsConn,
    instance: InstanceId,
    limit: i64,
) -> Result<Vec<Held>, StoreError> {
    let rows: Vec<HeldRow> = on!(c, c => sqlx::query_as(
        "SELECT id, held_at, direction, mail_from, rcpt_addr, rcpt_id, sender_id, blob_sha, size,
                subject, finding
         FROM mail_quarantine WHERE instance_id = $1 ORDER BY held_at DESC, id DESC LIMIT $2")
        .bind(instance.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Held {
            id: r.0,
            held_at: from_us(r.1),
            direction: r.2,
            mail_from: r.3,
            rcpt_addr: r.4,
            rcpt_id: r.5.map(UserId),
            sender_id: r.6.map(UserId),
            blob_sha: r.7,
            size: r.8,
            subject: r.9,
            finding: r.10,
        })
        .collect())
}

/// Counts `n` more recipients for `user` and returns the count of the window including
/// them, in one statement: parallel sends on any node each see every send before them. A
/// window older than `window` starts afresh.
pub async fn count_sent(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    n: i64,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (now_us, cut) = (to_us(now), to_us(now - window));
    let (sent,): (i64,) = on!(c, c => sqlx::query_as(
        "INSERT INTO mail_send_counter (instance_id, user_id, window_start, sent)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET
           sent = CASE WHEN mail_send_counter.window_start <= $5 THEN $4
                       ELSE mail_send_counter.sent + $4 END,
           window_start = CASE WHEN mail_send_counter.window_start <= $5 THEN $3
                               ELSE mail_send_counter.window_start END
         RETURNING sent")
        .bind(instance.0).bind(user.0).bind(now_us).bind(n).bind(cut)
        .fetch_one(&mut *c).await)?;
    Ok(sent)
}

/// When the current window of `user` started (`None`: nothing sent yet).
pub async fn window_start(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT window_start FROM mail_send_counter WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(w,)| from_us(w)))
}

/// The school's own limit for an account type (recipients per hour), if it set one.
pub async fn limit_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    account_type: &str,
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT per_hour FROM mail_send_limit WHERE instance_id = $1 AND account_type = $2")
        .bind(instance.0).bind(account_type).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(n,)| n))
}

/// Sets (or with `None` removes) the school's limit for an account type.
pub async fn set_limit(
    c: &mut impl AsConn,
    instance: InstanceId,
    account_type: &str,
    per_hour: Option<i64>,
) -> Result<(), StoreError> {
    match per_hour {
        Some(n) => on!(c, c => sqlx::query(
            "INSERT INTO mail_send_limit (instance_id, account_type, per_hour) VALUES ($1, $2, $3)
             ON CONFLICT (instance_id, account_type) DO UPDATE SET per_hour = excluded.per_hour")
            .bind(instance.0).bind(account_type).bind(n).execute(&mut *c).await.map(|r| r.rows_affected()))?,
        None => on!(c, c => sqlx::query(
            "DELETE FROM mail_send_limit WHERE instance_id = $1 AND account_type = $2")
            .bind(instance.0).bind(account_type).execute(&mut *c).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}
