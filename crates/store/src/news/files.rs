//! Pictures and attachments of news items; their content lives in the blob store.

use schulhof_types::InstanceId;
use uuid::Uuid;

use super::NewsId;
use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug)]
pub struct NewsFileRow {
    pub id: Uuid,
    pub news: NewsId,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub blob_sha: String,
    pub image: bool,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    f: &NewsFileRow,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO news_files (instance_id, id, news_id, name, mime, size, blob_sha, image, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(instance.0).bind(f.id).bind(f.news.0).bind(&f.name).bind(&f.mime).bind(f.size)
        .bind(&f.blob_sha).bind(f.image).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type Raw = (Uuid, Uuid, String, String, i64, String, bool);

fn row(r: Raw) -> NewsFileRow {
    NewsFileRow {
        id: r.0,
        news: NewsId(r.1),
        name: r.2,
        mime: r.3,
        size: r.4,
        blob_sha: r.5,
        image: r.6,
    }
}

/// The files of an item, in upload order.
pub async fn of_news(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
) -> Result<Vec<NewsFileRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, news_id, name, mime, size, blob_sha, image FROM news_files
          WHERE instance_id = $1 AND news_id = $2 ORDER BY id")
        .bind(instance.0).bind(news.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<NewsFileRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT id, news_id, name, mime, size, blob_sha, image FROM news_files
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

pub async fn delete(c: &mut impl AsConn, instance: InstanceId, id: Uuid) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM news_files WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
