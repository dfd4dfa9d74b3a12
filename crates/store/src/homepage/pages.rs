//! The start page's pages, in menu order.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// Sanitised HTML.
    pub body: String,
    pub position: i64,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
}

type Raw = (Uuid, String, String, String, i64, bool, i64);

fn row(r: Raw) -> PageRow {
    PageRow {
        id: r.0,
        slug: r.1,
        title: r.2,
        body: r.3,
        position: r.4,
        published: r.5,
        updated_at: from_us(r.6),
    }
}

macro_rules! columns {
    () => {
        "SELECT id, slug, title, body, position, published, updated_at FROM homepage_pages"
    };
}

/// Every page of the school (the editor's list), or only the published ones (the public
/// page), in menu order.
pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    published_only: bool,
) -> Result<Vec<PageRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), " WHERE instance_id = $1 AND (published OR $2) ORDER BY position, title"))
        .bind(instance.0).bind(!published_only).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<PageRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), " WHERE instance_id = $1 AND id = $2"))
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    p: &PageRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO homepage_pages (instance_id, id, slug, title, body, position, published, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
        .bind(instance.0).bind(p.id).bind(&p.slug).bind(&p.title).bind(&p.body).bind(p.position)
        .bind(p.published).bind(to_us(p.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes a page; false if the school has no such page.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    p: &PageRow,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE homepage_pages SET slug = $3, title = $4, body = $5, position = $6, published = $7, updated_at = $8
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(p.id).bind(&p.slug).bind(&p.title).bind(&p.body).bind(p.position)
        .bind(p.published).bind(to_us(p.updated_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Deletes a page; false if the school has no such page.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM homepage_pages WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The next free menu position (after the last page).
pub async fn next_position(c: &mut impl AsConn, instance: InstanceId) -> Result<i64, StoreError> {
    let (max,): (Option<i64>,) = on!(c, c => sqlx::query_as(
        "SELECT CAST(MAX(position) AS BIGINT) FROM homepage_pages WHERE instance_id = $1")
        .bind(instance.0).fetch_one(&mut *c).await)?;
    Ok(max.map_or(1, |m| m + 1))
}
