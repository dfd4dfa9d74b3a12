//! Sessions live in the database so any node can serve them. Only a hash of the token is
//! stored: a stolen database yields no usable session.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use sqlx::Row;
use uuid::Uuid;

use crate::users::{self, UserRow};
use crate::{AsConn, StoreError, from_us, on, to_us, user_cols};

/// A session with its login and the consent state, read in one round trip.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub user: UserRow,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Highest consent version the user accepted and has not revoked.
    pub consented_version: Option<i64>,
    /// The school's current consent text version.
    pub current_version: Option<i64>,
    pub school_number: String,
    pub school_name: String,
    pub demo: bool,
    /// The school's time zone (an IANA name).
    pub time_zone: String,
    /// Whether the school addresses its students with "du".
    pub du_students: bool,
    /// Unread notifications of the login, for the bell in every page's header.
    pub unread_notifications: i64,
    /// Unread chat messages of others in the login's rooms it has not silenced.
    pub unread_chat: i64,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
    user: UserId,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO sessions (instance_id, token_hash, user_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $4, $5)")
        .bind(instance.0).bind(token_hash).bind(user.0).bind(to_us(now)).bind(to_us(expires))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

macro_rules! decode_session {
    ($r:expr) => {{
        let r = $r;
        let raw: users::Raw = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
            r.try_get(7)?,
            r.try_get(8)?,
            r.try_get(9)?,
            r.try_get(10)?,
            r.try_get(11)?,
            r.try_get(12)?,
            r.try_get(13)?,
        );
        Ok::<_, sqlx::Error>(SessionRow {
            user: users::row(raw),
            last_seen_at: from_us(r.try_get(14)?),
            expires_at: from_us(r.try_get(15)?),
            consented_version: r.try_get(16)?,
            current_version: r.try_get(17)?,
            school_number: r.try_get(18)?,
            school_name: r.try_get(19)?,
            demo: r.try_get(20)?,
            time_zone: r.try_get(21)?,
            du_students: r.try_get(22)?,
            unread_notifications: r.try_get(23)?,
            unread_chat: r.try_get(24)?,
        })
    }};
}

pub async fn lookup(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<SessionRow>, StoreError> {
    const SQL: &str = concat!(
        "SELECT ", user_cols!(), ", s.last_seen_at, s.expires_at,
           (SELECT MAX(k.version) FROM consents k
              WHERE k.instance_id = s.instance_id AND k.user_id = s.user_id AND k.revoked_at IS NULL),
           (SELECT MAX(t.version) FROM consent_texts t WHERE t.instance_id = s.instance_id),
           i.school_number, i.name, i.demo, i.time_zone, i.du_students,
           (SELECT COUNT(*) FROM notifications n
              WHERE n.instance_id = s.instance_id AND n.user_id = s.user_id AND n.read_at IS NULL),
           (SELECT CAST(COALESCE(SUM((SELECT COUNT(*) FROM chat_messages cm
                  WHERE cm.instance_id = r.instance_id AND cm.room_id = r.id
                    AND cm.deleted_at IS NULL AND cm.notice IS NULL AND cm.visible_from IS NULL
                    AND cm.author_id <> s.user_id
                    AND cm.seq > COALESCE((SELECT rd.last_read FROM chat_reads rd
                        WHERE rd.instance_id = r.instance_id AND rd.room_id = r.id
                          AND rd.user_id = s.user_id), 0))), 0) AS BIGINT)
              FROM chat_rooms r WHERE r.instance_id = s.instance_id
                AND (r.group_id IN (SELECT ms.group_id FROM memberships ms
                        WHERE ms.instance_id = s.instance_id AND ms.user_id = s.user_id)
                     OR r.id IN (SELECT cmb.room_id FROM chat_members cmb
                        WHERE cmb.instance_id = s.instance_id AND cmb.user_id = s.user_id))
                AND NOT EXISTS (SELECT 1 FROM chat_silenced si WHERE si.instance_id = r.instance_id
                    AND si.room_id = r.id AND si.user_id = s.user_id))
         FROM sessions s JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id
           JOIN instances i ON i.id = s.instance_id
         WHERE s.instance_id = $1 AND s.token_hash = $2 AND i.deactivated_at IS NULL");
    let row = on!(c, c => {
        match sqlx::query(SQL).bind(instance.0).bind(token_hash).fetch_optional(&mut *c).await? {
            Some(r) => Some(decode_session!(&r)?),
            None => None,
        }
    });
    Ok(row)
}

/// Records activity; callers do this at most once a minute per session, to spare writes.
pub async fn touch(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE sessions SET last_seen_at = $3 WHERE instance_id = $1 AND token_hash = $2")
        .bind(instance.0).bind(token_hash).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<UserId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "DELETE FROM sessions WHERE instance_id = $1 AND token_hash = $2 RETURNING user_id")
        .bind(instance.0).bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(u,)| UserId(u)))
}

/// Ends every session of a login (central logout, deactivation, password reset).
pub async fn delete_for_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query("DELETE FROM sessions WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Ends every other session of a login (after a password change).
pub async fn delete_others(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    keep: &[u8],
) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query(
        "DELETE FROM sessions WHERE instance_id = $1 AND user_id = $2 AND token_hash <> $3")
        .bind(instance.0).bind(user.0).bind(keep).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Removes sessions past their absolute expiry or idle for longer than `idle_cutoff`.
pub async fn purge(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
    idle_cutoff: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
        .bind(to_us(now)).bind(to_us(idle_cutoff)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
