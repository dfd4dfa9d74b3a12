//! O-rights granted to users or groups. The matrix decides whether they take effect.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// Who holds a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    User(Uuid),
    Group(Uuid),
}

impl Subject {
    fn parts(self) -> (&'static str, Uuid) {
        match self {
            Subject::User(id) => ("user", id),
            Subject::Group(id) => ("group", id),
        }
    }
}

/// Records a grant; granting twice changes nothing. Returns whether a row was added.
pub async fn grant(
    c: &mut impl AsConn,
    instance: InstanceId,
    subject: Subject,
    right: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (kind, id) = subject.parts();
    let done = on!(c, c => sqlx::query(
        "INSERT INTO right_grants (instance_id, subject_kind, subject_id, right_id, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id, subject_kind, subject_id, right_id) DO NOTHING")
        .bind(instance.0).bind(kind).bind(id).bind(right).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Removes a grant. Returns whether there was one.
pub async fn revoke(
    c: &mut impl AsConn,
    instance: InstanceId,
    subject: Subject,
    right: &str,
) -> Result<bool, StoreError> {
    let (kind, id) = subject.parts();
    let done = on!(c, c => sqlx::query(
        "DELETE FROM right_grants WHERE instance_id = $1 AND subject_kind = $2 AND subject_id = $3 AND right_id = $4")
        .bind(instance.0).bind(kind).bind(id).bind(right).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Rights granted to the subject itself (not through groups).
pub async fn of_subject(
    c: &mut impl AsConn,
    instance: InstanceId,
    subject: Subject,
) -> Result<Vec<String>, StoreError> {
    let (kind, id) = subject.parts();
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT right_id FROM right_grants WHERE instance_id = $1 AND subject_kind = $2 AND subject_id = $3
         ORDER BY right_id")
        .bind(instance.0).bind(kind).bind(id).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(r,)| r).collect())
}

/// Every right granted to the user directly or through one of the user's groups.
pub async fn for_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<String>, StoreError> {
    let r: Vec<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT DISTINCT g.right_id FROM right_grants g
         WHERE g.instance_id = $1 AND (
             (g.subject_kind = 'user' AND g.subject_id = $2)
             OR (g.subject_kind = 'group' AND g.subject_id IN
                 (SELECT m.group_id FROM memberships m WHERE m.instance_id = $1 AND m.user_id = $2)))")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(r,)| r).collect())
}
