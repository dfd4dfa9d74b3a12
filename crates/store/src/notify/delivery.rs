//! The delivery worker's side of notifications. Rows start `pending`; one statement per
//! outcome settles those that stay in the platform, are switched off or wait for the
//! digest; rows to mail at once are claimed with a lease (as the mail queue does), so of
//! several nodes only one mails a row. A digest is claimed per login on its settings row.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::NotificationRow;
use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

/// Which kinds always go by mail, and which go by mail unless their owner chose otherwise
/// (every other kind stays in the platform by default).
#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    pub forced: &'a [&'a str],
    pub mail_by_default: &'a [&'a str],
}

/// `('a', 'b')` for SQL; kinds are fixed codes of lower-case letters and `_`, never input.
fn in_list(kinds: &[&str]) -> String {
    assert!(
        kinds
            .iter()
            .all(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
        "kind codes are lower-case letters and underscores"
    );
    if kinds.is_empty() {
        return "('')".to_owned();
    }
    let quoted: Vec<String> = kinds.iter().map(|k| format!("'{k}'")).collect();
    format!("({})", quoted.join(", "))
}

/// The mode a row's owner wants for its kind, for a row aliased `n`.
fn effective(p: &Policy<'_>) -> String {
    format!(
        "COALESCE((SELECT pr.mode FROM notification_prefs pr
                    WHERE pr.instance_id = n.instance_id AND pr.user_id = n.user_id AND pr.kind = n.kind),
                  CASE WHEN n.kind IN {} THEN 'mail' ELSE 'platform' END)",
        in_list(p.mail_by_default)
    )
}

/// Settles pending rows that need no immediate mail: `platform` → `none`, `digest` →
/// `digest`, `off` → `off` (and read, so the bell does not count it). Returns rows settled.
pub async fn settle(
    c: &mut impl AsConn,
    p: &Policy<'_>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut total = 0;
    for (mode, state) in [("platform", "none"), ("digest", "digest"), ("off", "off")] {
        let read = if mode == "off" {
            ", read_at = COALESCE(read_at, $2)"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE notifications SET mail_state = $1{read}
              WHERE (instance_id, id) IN (
                SELECT n.instance_id, n.id FROM notifications n
                 WHERE n.mail_state = 'pending' AND n.kind NOT IN {forced} AND {eff} = $3)
                AND mail_state = 'pending'",
            forced = in_list(p.forced),
            eff = effective(p),
        );
        total += on!(c, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(state).bind(to_us(now)).bind(mode)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(total)
}

/// A row claimed for an immediate mail.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub instance: InstanceId,
    pub user: UserId,
    pub row: NotificationRow,
    /// The lease this claim holds; finishing checks it is still ours.
    pub lease_until: i64,
}

type ClaimRaw = (Uuid, Uuid, Uuid, String, String, i64, i64);

/// Claims up to `limit` due rows to mail at once until `lease_until` (on PostgreSQL rows
/// another node is claiming right now are skipped; SQLite has one writer).
pub async fn claim_mail(
    c: &mut impl AsConn,
    p: &Policy<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let lock = match c.conn() {
        Conn::Pg(_) => " FOR UPDATE SKIP LOCKED",
        Conn::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE notifications SET lease_until = $2
          WHERE (instance_id, id) IN (
            SELECT n.instance_id, n.id FROM notifications n
             WHERE n.mail_state = 'pending' AND n.due_at <= $1
               AND (n.lease_until IS NULL OR n.lease_until <= $1)
               AND (n.kind IN {forced} OR {eff} = 'mail')
             ORDER BY n.due_at LIMIT $3{lock})
            AND mail_state = 'pending' AND (lease_until IS NULL OR lease_until <= $1)
          RETURNING instance_id, user_id, id, kind, params, created_at, lease_until",
        forced = in_list(p.forced),
        eff = effective(p),
    );
    let rows: Vec<ClaimRaw> = on!(c, c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(to_us(now)).bind(to_us(lease_until)).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Claimed {
            instance: InstanceId(r.0),
            user: UserId(r.1),
            row: NotificationRow {
                id: r.2,
                kind: r.3,
                params: r.4,
                created_at: from_us(r.5),
                read_at: None,
            },
            lease_until: r.6,
        })
        .collect())
}

/// Ends a claim with a final state (`sent`, or `none` when there is nowhere to mail to).
/// False when the lease was lost to another node meanwhile.
pub async fn finish(c: &mut impl AsConn, cl: &Claimed, state: &str) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE notifications SET mail_state = $4, lease_until = NULL
          WHERE instance_id = $1 AND id = $2 AND lease_until = $3 AND mail_state = 'pending'")
        .bind(cl.instance.0).bind(cl.row.id).bind(cl.lease_until).bind(state)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Gives a claim back to wait until `due` (the end of quiet hours).
pub async fn defer(
    c: &mut impl AsConn,
    cl: &Claimed,
    due: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE notifications SET due_at = $4, lease_until = NULL
          WHERE instance_id = $1 AND id = $2 AND lease_until = $3 AND mail_state = 'pending'")
        .bind(cl.instance.0).bind(cl.row.id).bind(cl.lease_until).bind(to_us(due))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A login with rows waiting for its digest, whose digest may be due.
#[derive(Clone, Debug)]
pub struct DigestCandidate {
    pub instance: InstanceId,
    pub user: UserId,
    /// The oldest waiting row.
    pub oldest: DateTime<Utc>,
    pub digest_hour: i64,
    /// `None`: not worked out yet.
    pub due: Option<i64>,
    /// The school's time zone (IANA name).
    pub time_zone: String,
}

/// instance, user, oldest unread, digest hour, digest due, time zone.
type DigestRow = (Uuid, Uuid, i64, Option<i64>, Option<i64>, String);

/// Logins with waiting rows whose digest is due by `now` or not worked out yet.
pub async fn digest_candidates(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DigestCandidate>, StoreError> {
    let rows: Vec<DigestRow> = on!(c, c => sqlx::query_as(
        "SELECT n.instance_id, n.user_id, MIN(n.created_at), s.digest_hour, s.digest_due_at, i.time_zone
           FROM notifications n JOIN instances i ON i.id = n.instance_id
           LEFT JOIN notification_settings s ON s.instance_id = n.instance_id AND s.user_id = n.user_id
          WHERE n.mail_state = 'digest' AND (s.digest_due_at IS NULL OR s.digest_due_at <= $1)
          GROUP BY n.instance_id, n.user_id, s.digest_hour, s.digest_due_at, i.time_zone
          LIMIT $2")
        .bind(to_us(now)).bind(limit).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| DigestCandidate {
            instance: InstanceId(r.0),
            user: UserId(r.1),
            oldest: from_us(r.2),
            digest_hour: r.3.unwrap_or(7),
            due: r.4,
            time_zone: r.5,
        })
        .collect())
}

/// Records when a login's next digest is due (creating its settings row with defaults).
pub async fn set_digest_due(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    due: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO notification_settings (instance_id, user_id, digest_due_at) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET digest_due_at = excluded.digest_due_at")
        .bind(instance.0).bind(user.0).bind(to_us(due))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims the digest due at `due` for a login until `lease`; false when another node holds
/// it or sent it already (then its due time moved on).
pub async fn claim_digest(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    due: i64,
    now: DateTime<Utc>,
    lease: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE notification_settings SET digest_lease = $5
          WHERE instance_id = $1 AND user_id = $2 AND digest_due_at = $3
            AND (digest_lease IS NULL OR digest_lease <= $4)")
        .bind(instance.0).bind(user.0).bind(due).bind(to_us(now)).bind(lease)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The rows waiting for a login's digest, oldest first.
pub async fn digest_rows(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let r: Vec<super::Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, kind, params, created_at, read_at FROM notifications
          WHERE instance_id = $1 AND user_id = $2 AND mail_state = 'digest'
          ORDER BY created_at LIMIT $3")
        .bind(instance.0).bind(user.0).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(super::row).collect())
}

/// Ends a digest claim: the rows up to `upto` are sent, the next digest is due at `next`.
/// False when the lease was lost (then nothing changes).
pub async fn finish_digest(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    lease: i64,
    upto: DateTime<Utc>,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE notification_settings SET digest_lease = NULL, last_digest_at = $4, digest_due_at = $5
          WHERE instance_id = $1 AND user_id = $2 AND digest_lease = $3")
        .bind(instance.0).bind(user.0).bind(lease).bind(to_us(now)).bind(to_us(next))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    on!(c, c => sqlx::query(
        "UPDATE notifications SET mail_state = 'sent'
          WHERE instance_id = $1 AND user_id = $2 AND mail_state = 'digest' AND created_at <= $3")
        .bind(instance.0).bind(user.0).bind(to_us(upto))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(true)
}
