//! Shares of personal calendars with logins or groups of the same school.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use super::CalendarId;
use crate::{AsConn, StoreError, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareRow {
    /// `user` or `group`.
    pub subject_kind: String,
    pub subject_id: Uuid,
    /// `read` or `write`.
    pub access: String,
    /// The login's "first last" or the group's name.
    pub subject_name: String,
}

/// Adds or changes a share.
pub async fn put(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    subject_kind: &str,
    subject_id: Uuid,
    access: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_shares (instance_id, calendar_id, subject_kind, subject_id, access, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, calendar_id, subject_kind, subject_id) DO UPDATE SET access = excluded.access")
        .bind(instance.0).bind(cal.0).bind(subject_kind).bind(subject_id).bind(access).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a share; returns whether there was one.
pub async fn remove(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
    subject_kind: &str,
    subject_id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM calendar_shares WHERE instance_id = $1 AND calendar_id = $2 AND subject_kind = $3 AND subject_id = $4")
        .bind(instance.0).bind(cal.0).bind(subject_kind).bind(subject_id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The shares of a calendar with the names of who they go to.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    cal: CalendarId,
) -> Result<Vec<ShareRow>, StoreError> {
    let r: Vec<(String, Uuid, String, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT s.subject_kind, s.subject_id, s.access,
            COALESCE(u.first_name || ' ' || u.last_name, g.name)
         FROM calendar_shares s
         LEFT JOIN users u ON s.subject_kind = 'user' AND u.instance_id = s.instance_id AND u.id = s.subject_id
         LEFT JOIN user_groups g ON s.subject_kind = 'group' AND g.instance_id = s.instance_id AND g.id = s.subject_id
         WHERE s.instance_id = $1 AND s.calendar_id = $2 ORDER BY s.subject_kind, s.created_at")
        .bind(instance.0).bind(cal.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(k, id, a, n)| ShareRow {
            subject_kind: k,
            subject_id: id,
            access: a,
            subject_name: n.unwrap_or_default(),
        })
        .collect())
}
