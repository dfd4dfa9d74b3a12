//! The "news published" notifications: one INSERT … SELECT over the audience, in the
//! transaction that makes the item visible, and the claim of scheduled items that came due.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::NewsId;
use crate::{AsConn, Conn, StoreError};

/// Persons of the item's audience, active, not the author. Public items reach every person
/// of the school. `$1` instance, `$2` item, `$3` kind, `$4` params, `$5` now.
macro_rules! fan_out {
    ($id:literal) => {
        concat!(
            "INSERT INTO notifications (instance_id, id, user_id, kind, params, created_at)
             SELECT u.instance_id, ", $id, ", u.id, $3, $4, $5
               FROM users u JOIN news n ON n.instance_id = u.instance_id AND n.id = $2
              WHERE u.instance_id = $1 AND u.active AND u.kind <> 'function' AND u.id <> n.author_id
                AND (n.public OR EXISTS (SELECT 1 FROM news_audience a
                     WHERE a.instance_id = n.instance_id AND a.news_id = n.id
                       AND (a.user_id = u.id OR a.account_type = u.kind OR a.group_id IN
                            (SELECT m.group_id FROM memberships m
                              WHERE m.instance_id = u.instance_id AND m.user_id = u.id))))"
        )
    };
}

/// Notifies the item's audience and marks it notified. Returns how many notifications were
/// written, or `None` when the item was notified before (or by another node meanwhile).
pub async fn notify_audience(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
    kind: &str,
    params: &str,
    now: i64,
) -> Result<Option<u64>, StoreError> {
    if !claim(c, instance, news, now).await? {
        return Ok(None);
    }
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(fan_out!("randomblob(16)"))
            .bind(instance.0)
            .bind(news.0)
            .bind(kind)
            .bind(params)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(fan_out!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(news.0)
            .bind(kind)
            .bind(params)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(Some(n))
}

/// Marks an item notified unless it was: of two nodes (or two requests) only one wins.
async fn claim(
    c: &mut impl AsConn,
    instance: InstanceId,
    news: NewsId,
    now: i64,
) -> Result<bool, StoreError> {
    let n = crate::on!(c, c => sqlx::query(
        "UPDATE news SET notified_at = $3
          WHERE instance_id = $1 AND id = $2 AND notified_at IS NULL AND published_at IS NOT NULL")
        .bind(instance.0).bind(news.0).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Published items whose period began by `now` and whose audience was not notified yet,
/// oldest first (across schools: the sweep runs for the whole installation).
pub async fn due(
    c: &mut impl AsConn,
    now: i64,
    limit: i64,
) -> Result<Vec<(InstanceId, NewsId, String, bool, UserId)>, StoreError> {
    let r: Vec<(Uuid, Uuid, String, bool, Uuid)> = crate::on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, title, public, author_id FROM news
          WHERE published_at IS NOT NULL AND notified_at IS NULL AND visible_from <= $1
            AND (visible_until IS NULL OR visible_until > $1)
          ORDER BY visible_from LIMIT $2")
        .bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, n, t, p, a)| (InstanceId(i), NewsId(n), t, p, UserId(a)))
        .collect())
}
