//! Which items a login has opened.

use schulhof_types::{InstanceId, UserId};

use super::{NewsId, Reader};
use crate::{AsConn, StoreError, on};

/// Marks an item read by `user` (idempotent).
pub async fn mark(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO news_reads (instance_id, news_id, user_id, read_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, user_id, news_id) DO NOTHING")
        .bind(instance.0).bind(news.0).bind(user.0).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// How many items visible to `reader` at `now` it has not opened: the home page's mark.
pub async fn unread_count(
    c: &mut impl AsConn,
    instance: InstanceId,
    reader: Reader<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(concat!(
        "SELECT COUNT(*) FROM news n WHERE ", super::items::visible!(),
        " AND NOT EXISTS (SELECT 1 FROM news_reads r WHERE r.instance_id = n.instance_id
                           AND r.news_id = n.id AND r.user_id = $3)"))
        .bind(instance.0).bind(now).bind(reader.user.0).bind(reader.account_type)
        .fetch_one(&mut *c).await)?;
    Ok(n)
}

/// The newest `limit` items visible to `reader` at `now` that it has not opened, each with
/// (id, title, visible_from µs), and how many there are in all: one statement for the home
/// page however many wait.
pub async fn unread_top(
    c: &mut impl AsConn,
    instance: InstanceId,
    reader: Reader<'_>,
    now: i64,
    limit: i64,
) -> Result<(i64, Vec<(NewsId, String, i64)>), StoreError> {
    let rows: Vec<(uuid::Uuid, String, i64, i64)> = on!(c, c => sqlx::query_as(concat!(
        "SELECT n.id, n.title, n.visible_from, COUNT(*) OVER () FROM news n WHERE ",
        super::items::visible!(),
        " AND NOT EXISTS (SELECT 1 FROM news_reads r WHERE r.instance_id = n.instance_id
                           AND r.news_id = n.id AND r.user_id = $3)
         ORDER BY n.visible_from DESC, n.id DESC LIMIT $5"))
        .bind(instance.0).bind(now).bind(reader.user.0).bind(reader.account_type).bind(limit)
        .fetch_all(&mut *c).await)?;
    let total = rows.first().map_or(0, |r| r.3);
    Ok((
        total,
        rows.into_iter()
            .map(|(id, t, f, _)| (NewsId(id), t, f))
            .collect(),
    ))
}
