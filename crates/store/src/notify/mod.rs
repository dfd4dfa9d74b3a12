//! Notifications in the platform, the outbox of mail to external addresses, the owner's
//! preferences ([`prefs`]) and the delivery worker's claims ([`delivery`]).

pub mod delivery;
pub mod prefs;

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct NotificationRow {
    pub id: Uuid,
    pub kind: String,
    /// JSON object with the facts the text needs.
    pub params: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub(crate) type Raw = (Uuid, String, String, i64, Option<i64>);

pub(crate) fn row((id, kind, params, at, read): Raw) -> NotificationRow {
    NotificationRow {
        id,
        kind,
        params,
        created_at: from_us(at),
        read_at: read.map(from_us),
    }
}

/// A notification waiting for the delivery worker (mail state `pending`).
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    kind: &str,
    params: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_state(c, instance, user, kind, params, "pending", now).await
}

/// A notification with its mail state decided already (`sent`: mailed through the outbox).
pub async fn insert_state(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    kind: &str,
    params: &str,
    mail_state: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at, mail_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(instance.0).bind(Uuid::now_v7()).bind(user.0).bind(kind).bind(params)
        .bind(to_us(now)).bind(mail_state).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Members of group `$2` but `$3`, active, who did not switch kind `$4` off; `$5` params,
/// `$6` now. The row id is made by the database (one statement for any number of members).
macro_rules! group_fan_out {
    ($id:literal) => {
        concat!(
            "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at)
             SELECT m.instance_id, ",
            $id,
            ", m.user_id, $4, $5, $6 FROM memberships m
               JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id AND u.active
              WHERE m.instance_id = $1 AND m.group_id = $2 AND m.user_id <> $3
                AND NOT EXISTS (SELECT 1 FROM notification_prefs p
                                 WHERE p.instance_id = m.instance_id AND p.user_id = m.user_id
                                   AND p.kind = $4 AND p.mode = 'off')"
        )
    };
}

/// Notifies every active member of a group but `except` in one statement, leaving out
/// members who switched the kind off. Returns how many rows were written.
pub async fn insert_for_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
    except: UserId,
    kind: &str,
    params: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(group_fan_out!("randomblob(16)"))
            .bind(instance.0)
            .bind(group.0)
            .bind(except.0)
            .bind(kind)
            .bind(params)
            .bind(to_us(now))
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(group_fan_out!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(group.0)
            .bind(except.0)
            .bind(kind)
            .bind(params)
            .bind(to_us(now))
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(n)
}

/// Queues a mail to an external address; the outgoing mail worker sends it.
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

/// A login's newest notifications first, without those switched off; `before` pages on.
pub async fn of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    page(c, instance, user, None, limit).await
}

/// One page of a login's notifications, newest first, older than `before` if given.
pub async fn page(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    before: Option<DateTime<Utc>>,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, kind, params, created_at, read_at FROM notifications
          WHERE instance_id = $1 AND user_id = $2 AND mail_state <> 'off' AND created_at < $3
          ORDER BY created_at DESC LIMIT $4")
        .bind(instance.0).bind(user.0).bind(before.map_or(i64::MAX, to_us)).bind(limit)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// One notification of a login; another login's is `None`.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
) -> Result<Option<NotificationRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, kind, params, created_at, read_at FROM notifications
          WHERE instance_id = $1 AND id = $2 AND user_id = $3")
        .bind(instance.0).bind(id).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// How many unread notifications a login has (from the partial index alone).
pub async fn unread_count(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE instance_id = $1 AND user_id = $2 AND read_at IS NULL")
        .bind(instance.0).bind(user.0).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// Marks one notification of a login read; false when the login has no such notification.
pub async fn mark_read(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $4)
          WHERE instance_id = $1 AND id = $2 AND user_id = $3")
        .bind(instance.0).bind(id).bind(user.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
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

/// The condition on `params` that picks the notifications about one thing (every `about`
/// key has the given value), its values bound from `$first` on. Keys are fixed codes
/// (lower-case letters and `_`), never input.
fn about_sql(pg: bool, about: &[(&str, &str)], first: usize) -> String {
    assert!(
        about
            .iter()
            .all(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')),
        "param keys are lower-case letters and underscores"
    );
    let mut sql = String::new();
    for (i, (k, _)) in about.iter().enumerate() {
        let field = match pg {
            false => format!("json_extract(params, '$.{k}')"),
            true => format!("(params::jsonb ->> '{k}')"),
        };
        sql.push_str(&format!(" AND {field} = ${}", i + first));
    }
    sql
}

/// Withdraws the notifications of `kind` of the logins `users` about one thing (every
/// `about` key of the params has the given value): a mention taken back by an edit, or a
/// message deleted. Mailed rows go from the notification centre too (the mail itself
/// cannot be called back, but the centre must not keep what is gone); a row being mailed
/// now only loses its entry, its worker's finish finds nothing. How many.
pub async fn withdraw(
    c: &mut impl AsConn,
    instance: InstanceId,
    users: &[UserId],
    kind: &str,
    about: &[(&str, &str)],
) -> Result<u64, StoreError> {
    let pg = matches!(c.conn(), Conn::Pg(_));
    let sql = format!(
        "DELETE FROM notifications WHERE instance_id = $1 AND user_id = $2 AND kind = $3{}",
        about_sql(pg, about, 4)
    );
    let mut total = 0;
    for user in users {
        total += on!(c, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(instance.0).bind(user.0).bind(kind);
            for (_, v) in about {
                q = q.bind(*v);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(total)
}

/// Sets the param `key` (a fixed code) to `value` in the notifications of `kind` of the
/// logins `users` about one thing, mailed or not: an edited message's mentions show its
/// new text. How many.
pub async fn refresh(
    c: &mut impl AsConn,
    instance: InstanceId,
    users: &[UserId],
    kind: &str,
    about: &[(&str, &str)],
    key: &str,
    value: &str,
) -> Result<u64, StoreError> {
    assert!(
        !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "param keys are lower-case letters and underscores"
    );
    let pg = matches!(c.conn(), Conn::Pg(_));
    let set = match pg {
        false => format!("json_set(params, '$.{key}', $4)"),
        true => format!("jsonb_set(params::jsonb, '{{{key}}}', to_jsonb($4::text))::text"),
    };
    let sql = format!(
        "UPDATE notifications SET params = {set}
          WHERE instance_id = $1 AND user_id = $2 AND kind = $3{}",
        about_sql(pg, about, 5)
    );
    let mut total = 0;
    for user in users {
        total += on!(c, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(instance.0).bind(user.0).bind(kind).bind(value);
            for (_, v) in about {
                q = q.bind(*v);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(total)
}

/// Withdraws a school's notifications of `kind` created before `cutoff` (µs): the mentions
/// of chat messages the deletion period removed (a mention is made with its message, or
/// later when a held message is released). How many.
pub async fn withdraw_older(
    c: &mut impl AsConn,
    instance: InstanceId,
    kind: &str,
    cutoff: i64,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM notifications WHERE instance_id = $1 AND kind = $2 AND created_at < $3")
        .bind(instance.0).bind(kind).bind(cutoff).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
