//! The start page's pictures. Their content lives in the blob store; the rows count
//! against the school's quota (see `files::usage`).

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRow {
    pub id: Uuid,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub blob_sha: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

type Raw = (Uuid, String, String, i64, String, Option<Uuid>, i64);

fn row(r: Raw) -> ImageRow {
    ImageRow {
        id: r.0,
        name: r.1,
        content_type: r.2,
        size: r.3,
        blob_sha: r.4,
        created_by: r.5.map(UserId),
        created_at: from_us(r.6),
    }
}

macro_rules! columns {
    () => {
        "SELECT id, name, content_type, size, blob_sha, created_by, created_at FROM homepage_images"
    };
}

pub async fn list(c: &mut impl AsConn, instance: InstanceId) -> Result<Vec<ImageRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), " WHERE instance_id = $1 ORDER BY created_at DESC")).bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<ImageRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), " WHERE instance_id = $1 AND id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// A picture of the school with the given number (the public address names the school by
/// its number).
pub async fn get_by_number(
    c: &mut impl AsConn,
    number: &str,
    id: Uuid,
) -> Result<Option<ImageRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT m.id, m.name, m.content_type, m.size, m.blob_sha, m.created_by, m.created_at
         FROM homepage_images m JOIN instances i ON i.id = m.instance_id
         WHERE i.school_number = $1 AND m.id = $2")
        .bind(number).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    m: &ImageRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO homepage_images (instance_id, id, name, content_type, size, blob_sha, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(instance.0).bind(m.id).bind(&m.name).bind(&m.content_type).bind(m.size).bind(&m.blob_sha)
        .bind(m.created_by.map(|u| u.0)).bind(to_us(m.created_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM homepage_images WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
