//! The news rows. Every reading query filters the audience in SQL: a row the reader may not
//! see never leaves the database.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::{NewsId, Reader};
use crate::{AsConn, StoreError, on};

/// A stored item (times µs UTC).
#[derive(Clone, Debug)]
pub struct NewsRow {
    pub id: NewsId,
    pub author: UserId,
    /// The author's display name (joined; empty when the login is gone).
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub summary: String,
    pub public: bool,
    pub visible_from: i64,
    pub visible_until: Option<i64>,
    pub published_at: Option<i64>,
    pub notified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "n.id, n.author_id, COALESCE(u.first_name || ' ' || u.last_name, ''), n.title, n.body, \
         n.summary, n.public, n.visible_from, n.visible_until, n.published_at, n.notified_at, \
         n.created_at, n.updated_at FROM news n LEFT JOIN users u \
         ON u.instance_id = n.instance_id AND u.id = n.author_id"
    };
}

/// Published, inside its period at `$2`, and for this reader (`$1` instance, `$3` user,
/// `$4` account type or NULL).
macro_rules! visible {
    () => {
        "n.instance_id = $1 AND n.published_at IS NOT NULL AND n.visible_from <= $2 \
         AND (n.visible_until IS NULL OR n.visible_until > $2) \
         AND (n.public OR ($4 IS NOT NULL AND EXISTS (SELECT 1 FROM news_audience a \
              WHERE a.instance_id = n.instance_id AND a.news_id = n.id \
              AND (a.user_id = $3 OR a.account_type = $4 OR a.group_id IN \
                   (SELECT m.group_id FROM memberships m WHERE m.instance_id = $1 AND m.user_id = $3)))))"
    };
}
pub(crate) use visible;

type Raw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    String,
    bool,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
);

fn row(r: Raw) -> NewsRow {
    NewsRow {
        id: NewsId(r.0),
        author: UserId(r.1),
        author_name: r.2,
        title: r.3,
        body: r.4,
        summary: r.5,
        public: r.6,
        visible_from: r.7,
        visible_until: r.8,
        published_at: r.9,
        notified_at: r.10,
        created_at: r.11,
        updated_at: r.12,
    }
}

/// The fields a write sets.
#[derive(Clone, Debug)]
pub struct NewsWrite<'a> {
    pub id: NewsId,
    pub author: UserId,
    pub title: &'a str,
    pub body: &'a str,
    pub summary: &'a str,
    pub public: bool,
    pub visible_from: i64,
    pub visible_until: Option<i64>,
    pub published_at: Option<i64>,
    pub now: i64,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewsWrite<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO news (instance_id, id, author_id, title, body, summary, public, visible_from,
                           visible_until, published_at, notified_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $11)")
        .bind(instance.0).bind(n.id.0).bind(n.author.0).bind(n.title).bind(n.body).bind(n.summary)
        .bind(n.public).bind(n.visible_from).bind(n.visible_until).bind(n.published_at).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes an item's content, period, audience kind and publication (not its author).
/// Once notified, an item is not notified again.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewsWrite<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE news SET title = $3, body = $4, summary = $5, public = $6, visible_from = $7,
                visible_until = $8, published_at = $9, updated_at = $10
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(n.id.0).bind(n.title).bind(n.body).bind(n.summary).bind(n.public)
        .bind(n.visible_from).bind(n.visible_until).bind(n.published_at).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NewsId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM news WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// One item whatever its state (the editor; the policy decides who may see it).
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: NewsId,
) -> Result<Option<NewsRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE n.instance_id = $1 AND n.id = $2"))
        .bind(instance.0).bind(id.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// One item if `reader` may read it at `now`.
pub async fn get_visible(
    c: &mut impl AsConn,
    instance: InstanceId,
    reader: Reader<'_>,
    id: NewsId,
    now: i64,
) -> Result<Option<NewsRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE ", visible!(), " AND n.id = $5"))
        .bind(instance.0).bind(now).bind(reader.user.0).bind(reader.account_type).bind(id.0)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The newest items `reader` may read at `now`, each with whether the reader opened it;
/// `offset` skips that many (the API pages through them).
pub async fn list_visible(
    c: &mut impl AsConn,
    instance: InstanceId,
    reader: Reader<'_>,
    now: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<(NewsRow, bool)>, StoreError> {
    type WithRead = (
        bool,
        Uuid,
        Uuid,
        String,
        String,
        String,
        String,
        bool,
        i64,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
        i64,
    );
    let r: Vec<WithRead> = on!(c, c => sqlx::query_as(concat!(
        "SELECT EXISTS (SELECT 1 FROM news_reads r WHERE r.instance_id = n.instance_id
                AND r.news_id = n.id AND r.user_id = $3), ", columns!(),
        " WHERE ", visible!(), " ORDER BY n.visible_from DESC, n.id DESC LIMIT $5 OFFSET $6"))
        .bind(instance.0).bind(now).bind(reader.user.0).bind(reader.account_type).bind(limit)
        .bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| {
            (
                row((
                    r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13,
                )),
                r.0,
            )
        })
        .collect())
}

/// The newest public items of a school at `now` (the start page and the feeds).
pub async fn list_public(
    c: &mut impl AsConn,
    instance: InstanceId,
    now: i64,
    limit: i64,
) -> Result<Vec<NewsRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE n.instance_id = $1 AND n.public AND n.published_at IS NOT NULL
           AND n.visible_from <= $2 AND (n.visible_until IS NULL OR n.visible_until > $2)
         ORDER BY n.visible_from DESC, n.id DESC LIMIT $3"))
        .bind(instance.0).bind(now).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Items an author wrote, or every item for a news admin (`author` None): drafts,
/// scheduled, current and expired, newest change first.
pub async fn list_written(
    c: &mut impl AsConn,
    instance: InstanceId,
    author: Option<UserId>,
    limit: i64,
) -> Result<Vec<NewsRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE n.instance_id = $1 AND ($2 IS NULL OR n.author_id = $2)
         ORDER BY n.updated_at DESC, n.id DESC LIMIT $3"))
        .bind(instance.0).bind(author.map(|a| a.0)).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The next moment after `now` at which a public item appears or disappears: the feeds'
/// cached copy is good until then.
pub async fn next_public_change(
    c: &mut impl AsConn,
    instance: InstanceId,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let (a, b): (Option<i64>, Option<i64>) = on!(c, c => sqlx::query_as(
        "SELECT MIN(CASE WHEN visible_from > $2 THEN visible_from END),
                MIN(CASE WHEN visible_until > $2 THEN visible_until END)
           FROM news WHERE instance_id = $1 AND public AND published_at IS NOT NULL")
        .bind(instance.0).bind(now).fetch_one(&mut *c).await)?;
    Ok(match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}
