//! Schools as the operators see them: metadata and counts, never content.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// One school in the operators' list.
#[derive(Clone, Debug)]
pub struct SchoolSummary {
    pub id: InstanceId,
    pub school_number: String,
    pub name: String,
    pub mail_domain: String,
    pub created_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Logins of the school (persons and function accounts).
    pub accounts: i64,
    /// Bytes of files (with versions, trash and the Safe) and of mail.
    pub file_bytes: i64,
    pub mail_bytes: i64,
}

type Raw = (
    Uuid,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    i64,
    i64,
);

fn summary(r: Raw) -> SchoolSummary {
    SchoolSummary {
        id: InstanceId(r.0),
        school_number: r.1,
        name: r.2,
        mail_domain: r.3,
        created_at: from_us(r.4),
        deactivated_at: r.5.map(from_us),
        accounts: r.6,
        file_bytes: r.7,
        mail_bytes: r.8,
    }
}

macro_rules! summary_sql {
    ($where:literal) => {
        concat!(
            "SELECT i.id, i.school_number, i.name, i.mail_domain, i.created_at, i.deactivated_at,
               CAST((SELECT COUNT(*) FROM users u WHERE u.instance_id = i.id) AS BIGINT),
               CAST(COALESCE((SELECT SUM(f.size) FROM file_nodes f WHERE f.instance_id = i.id), 0)
                  + COALESCE((SELECT SUM(v.size) FROM file_versions v WHERE v.instance_id = i.id), 0)
                 AS BIGINT),
               CAST(COALESCE((SELECT SUM(m.bytes) FROM mail_usage m WHERE m.instance_id = i.id), 0)
                 AS BIGINT)
             FROM instances i WHERE i.deleted_at IS NULL ",
            $where
        )
    };
}

/// Every school that is not deleted, with its counts: one statement for the whole list.
pub async fn list(c: &mut impl AsConn) -> Result<Vec<SchoolSummary>, StoreError> {
    const SQL: &str = summary_sql!("ORDER BY i.school_number");
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(SQL).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(summary).collect())
}

/// One school that is not deleted, by its number.
pub async fn find(c: &mut impl AsConn, number: &str) -> Result<Option<SchoolSummary>, StoreError> {
    const SQL: &str = summary_sql!("AND i.school_number = $1");
    let r: Option<Raw> =
        on!(c, c => sqlx::query_as(SQL).bind(number).fetch_optional(&mut *c).await)?;
    Ok(r.map(summary))
}

/// Whether a number is taken, by a live or a deleted school not yet purged.
pub async fn number_taken(c: &mut impl AsConn, number: &str) -> Result<bool, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM instances WHERE school_number = $1")
        .bind(number).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

pub async fn rename(c: &mut impl AsConn, id: InstanceId, name: &str) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET name = $2 WHERE id = $1")
        .bind(id.0).bind(name).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deactivates (`Some`) or reactivates (`None`) a school.
pub async fn set_deactivated(
    c: &mut impl AsConn,
    id: InstanceId,
    at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET deactivated_at = $2 WHERE id = $1")
        .bind(id.0).bind(at.map(to_us)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a school deleted: it is gone for everyone at once, its data waits for the purge.
pub async fn mark_deleted(
    c: &mut impl AsConn,
    id: InstanceId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE instances SET deleted_at = $2, deactivated_at = COALESCE(deactivated_at, $2) WHERE id = $1")
        .bind(id.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether the school's logins may log in (it exists, is neither deactivated nor deleted).
pub async fn is_open(c: &mut impl AsConn, id: InstanceId) -> Result<bool, StoreError> {
    let r: Option<(Option<i64>,)> = on!(c, c => sqlx::query_as(
        "SELECT deactivated_at FROM instances WHERE id = $1")
        .bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(matches!(r, Some((None,))))
}

/// Ends every session of a school's logins.
pub async fn end_sessions(c: &mut impl AsConn, id: InstanceId) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM sessions WHERE instance_id = $1")
        .bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// Schools marked deleted whose data is not purged yet.
pub async fn deleted(c: &mut impl AsConn) -> Result<Vec<InstanceId>, StoreError> {
    let r: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM instances WHERE deleted_at IS NOT NULL ORDER BY deleted_at")
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(i,)| InstanceId(i)).collect())
}
