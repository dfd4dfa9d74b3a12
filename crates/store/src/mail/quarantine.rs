//! The quarantine's upkeep: one held message deleted by the admin, and old ones by the
//! retention job (their content goes with the blob collector once no row names it).

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// Deletes one held message of a school; `false`: no such message there.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM mail_quarantine WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// System job: deletes messages held before `before` in every school.
pub async fn system_purge(c: &mut impl AsConn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM mail_quarantine WHERE held_at < $1")
        .bind(to_us(before)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// System job: deletes four-eyes accesses that ended before `before` (they give no access
/// after their end; the audit log keeps what was read).
pub async fn system_purge_inspections(
    c: &mut impl AsConn,
    before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM mail_inspections WHERE until_at < $1")
        .bind(to_us(before)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
