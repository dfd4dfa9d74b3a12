//! Resumable uploads under way (`file_uploads`): where each goes and how long it will be.
//! The content itself is staged on disk by the domain.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct UploadRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub folder_id: NodeId,
    pub name: String,
    pub mime: Option<String>,
    pub length: i64,
    pub expires_at: DateTime<Utc>,
}

type Raw = (Uuid, Uuid, Uuid, String, Option<String>, i64, i64);

fn row((id, user, folder, name, mime, length, expires): Raw) -> UploadRow {
    UploadRow {
        id,
        user_id: UserId(user),
        folder_id: NodeId(folder),
        name,
        mime,
        length,
        expires_at: from_us(expires),
    }
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    up: &UploadRow,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_uploads (instance_id, id, user_id, folder_id, name, mime, length, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(instance.0).bind(up.id).bind(up.user_id.0).bind(up.folder_id.0).bind(&up.name)
        .bind(&up.mime).bind(up.length).bind(to_us(now)).bind(to_us(up.expires_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The login's own upload with this id; another login's is none of its business.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
) -> Result<Option<UploadRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, user_id, folder_id, name, mime, length, expires_at FROM file_uploads
         WHERE instance_id = $1 AND user_id = $2 AND id = $3")
        .bind(instance.0).bind(user.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The bytes the login's unfinished uploads have announced: held back from its quota.
pub async fn pending_bytes(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<u64, StoreError> {
    let r: (Option<i64>,) = on!(c, c => sqlx::query_as(
        "SELECT CAST(SUM(length) AS BIGINT) FROM file_uploads WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_one(&mut *c).await)?;
    Ok(r.0.unwrap_or(0).max(0) as u64)
}

/// The bytes all unfinished uploads of a school have announced: held back from its quota.
pub async fn pending_bytes_school(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<u64, StoreError> {
    let r: (Option<i64>,) = on!(c, c => sqlx::query_as(
        "SELECT CAST(SUM(length) AS BIGINT) FROM file_uploads WHERE instance_id = $1")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(r.0.unwrap_or(0).max(0) as u64)
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM file_uploads WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Removes the uploads of every school that expired before `now` and returns their ids.
pub async fn system_take_expired(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "DELETE FROM file_uploads WHERE expires_at < $1 RETURNING id")
        .bind(to_us(now)).fetch_all(&mut *c).await)?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Whether any school still has an upload with this id (a staged file without one is left over).
pub async fn system_exists(c: &mut impl AsConn, id: Uuid) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as("SELECT 1 FROM file_uploads WHERE id = $1")
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}
