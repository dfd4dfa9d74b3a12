//! The life cycle of a school's data: the school year, archiving classes and courses,
//! leavers, and deleting accounts and archives when their deletion period ends.

use chrono::{DateTime, Utc};
use schulhof_types::{GroupId, InstanceId, UserId};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A school's deletion periods, in years after the end of the calendar year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Periods {
    pub students: i64,
    pub staff: i64,
    pub organisation: i64,
}

/// The current school year and the deletion periods.
pub async fn settings(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<(Option<String>, Periods), StoreError> {
    let r: (Option<String>, i64, i64, i64) = on!(c, c => sqlx::query_as(
        "SELECT school_year, retention_students_years, retention_staff_years, retention_org_years
         FROM instances WHERE id = $1")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok((
        r.0,
        Periods {
            students: r.1,
            staff: r.2,
            organisation: r.3,
        },
    ))
}

pub async fn set_school_year(
    c: &mut impl AsConn,
    instance: InstanceId,
    year: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET school_year = $2 WHERE id = $1")
        .bind(instance.0).bind(year).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_periods(
    c: &mut impl AsConn,
    instance: InstanceId,
    p: Periods,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE instances SET retention_students_years = $2, retention_staff_years = $3,
            retention_org_years = $4 WHERE id = $1")
        .bind(instance.0).bind(p.students).bind(p.staff).bind(p.organisation)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The current classes and courses of `year` (or without a year), which a school-year
/// change archives.
pub async fn groups_of_year(
    c: &mut impl AsConn,
    instance: InstanceId,
    year: &str,
) -> Result<Vec<(GroupId, String)>, StoreError> {
    let r: Vec<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT id, name FROM user_groups WHERE instance_id = $1 AND archived_at IS NULL
           AND kind IN ('klasse', 'kurs') AND (school_year = $2 OR school_year IS NULL)
         ORDER BY name_key")
        .bind(instance.0).bind(year).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(id, n)| (GroupId(id), n)).collect())
}

/// Archives the classes and courses of `year`: read-only, named with their year so the
/// new year's groups can take the names.
pub async fn archive_groups_of_year(
    c: &mut impl AsConn,
    instance: InstanceId,
    year: &str,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let suffix = format!(" ({year})");
    on!(c, c => sqlx::query(
        "UPDATE user_groups SET archived_at = $3, school_year = $2, name = name || $4,
            name_key = name_key || $4
         WHERE instance_id = $1 AND archived_at IS NULL AND kind IN ('klasse', 'kurs')
           AND (school_year = $2 OR school_year IS NULL)")
        .bind(instance.0).bind(year).bind(to_us(now)).bind(&suffix)
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

/// How many persons of the school are marked for deletion.
pub async fn marked_count(c: &mut impl AsConn, instance: InstanceId) -> Result<u64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND marked_for_deletion_at IS NOT NULL")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A person marked for deletion by an import.
#[derive(Clone, Debug)]
pub struct Marked {
    pub id: UserId,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub kind: String,
    pub source: Option<String>,
    pub active: bool,
    pub marked_at: DateTime<Utc>,
}

pub async fn marked(c: &mut impl AsConn, instance: InstanceId) -> Result<Vec<Marked>, StoreError> {
    type Raw = (
        Uuid,
        String,
        String,
        String,
        String,
        Option<String>,
        bool,
        i64,
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, login, first_name, last_name, kind, source, active, marked_for_deletion_at
         FROM users WHERE instance_id = $1 AND marked_for_deletion_at IS NOT NULL
         ORDER BY last_name, first_name, login")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| Marked {
            id: UserId(r.0),
            login: r.1,
            first_name: r.2,
            last_name: r.3,
            kind: r.4,
            source: r.5,
            active: r.6,
            marked_at: from_us(r.7),
        })
        .collect())
}

/// Deactivates the given marked persons and ends their sessions; their deletion period
/// starts now. Returns how many were active.
pub async fn deactivate_marked(
    c: &mut impl AsConn,
    instance: InstanceId,
    ids: &[UserId],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut done = 0;
    for chunk in ids.chunks(400) {
        done += on!(c, c => {
            let mut q = QueryBuilder::new("UPDATE users SET active = ");
            q.push_bind(false).push(", deactivated_at = ").push_bind(to_us(now))
                .push(", updated_at = ").push_bind(to_us(now))
                .push(" WHERE instance_id = ").push_bind(instance.0)
                .push(" AND marked_for_deletion_at IS NOT NULL AND active = ").push_bind(true)
                .push(" AND id");
            crate::push_in_list(&mut q, chunk.iter().map(|id| id.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        on!(c, c => {
            let mut q = QueryBuilder::new("DELETE FROM sessions WHERE instance_id = ");
            q.push_bind(instance.0).push(" AND user_id");
            crate::push_in_list(&mut q, chunk.iter().map(|id| id.0));
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(done)
}

/// Deactivated persons (not function accounts) with their type and when they were
/// deactivated, for the deletion overview and the deletion job.
pub async fn deactivated(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(UserId, String, DateTime<Utc>)>, StoreError> {
    let r: Vec<(Uuid, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, kind, deactivated_at FROM users
         WHERE instance_id = $1 AND active = $2 AND deactivated_at IS NOT NULL AND kind <> 'function'")
        .bind(instance.0).bind(false).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, k, at)| (UserId(id), k, from_us(at)))
        .collect())
}

/// Deletes a person whose deletion period ended, if still deactivated (an import may have
/// brought the person back in the meantime). Returns whether it was deleted.
pub async fn delete_deactivated(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: UserId,
) -> Result<bool, StoreError> {
    // The DELETE itself decides, so no reactivation can slip in between check and delete.
    let n = on!(c, c => sqlx::query(
        "DELETE FROM users WHERE instance_id = $1 AND id = $2 AND active = $3")
        .bind(instance.0).bind(id.0).bind(false).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 0 {
        return Ok(false);
    }
    on!(c, c => sqlx::query(
        "DELETE FROM right_grants WHERE instance_id = $1 AND subject_kind = 'user' AND subject_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on!(c, c => sqlx::query("UPDATE users SET holder_id = NULL WHERE instance_id = $1 AND holder_id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    crate::files::delete_owned_by(c, instance, id).await?;
    Ok(true)
}

/// Archived groups with when they were archived.
pub async fn archived_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<(GroupId, DateTime<Utc>)>, StoreError> {
    let r: Vec<(Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, archived_at FROM user_groups WHERE instance_id = $1 AND archived_at IS NOT NULL")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, at)| (GroupId(id), from_us(at)))
        .collect())
}
