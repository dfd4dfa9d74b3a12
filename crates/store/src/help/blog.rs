//! The help network's blog: posts support writes, newest first.

use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A blog post with its author's login (times µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlogRow {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub author: String,
    pub published_at: i64,
    pub updated_at: i64,
}

type Raw = (Uuid, String, String, String, i64, i64);

fn row(r: Raw) -> BlogRow {
    BlogRow {
        id: r.0,
        title: r.1,
        body: r.2,
        author: r.3,
        published_at: r.4,
        updated_at: r.5,
    }
}

macro_rules! columns {
    () => {
        "SELECT b.id, b.title, b.body, COALESCE(o.login, ''), b.published_at, b.updated_at \
         FROM help_blog_posts b LEFT JOIN operators o ON o.id = b.author_id "
    };
}

/// Stores a new post; returns its id.
pub async fn insert(
    c: &mut impl AsConn,
    author: Uuid,
    title: &str,
    body: &str,
    now: i64,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO help_blog_posts (id, title, body, author_id, published_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(id).bind(title).bind(body).bind(author).bind(now)
        .execute(&mut *c).await.map(|_| ()))?;
    Ok(id)
}

/// Changes a post's text; whether it exists.
pub async fn update(
    c: &mut impl AsConn,
    id: Uuid,
    title: &str,
    body: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE help_blog_posts SET title = $2, body = $3, updated_at = $4 WHERE id = $1")
        .bind(id).bind(title).bind(body).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Deletes a post; whether it existed.
pub async fn delete(c: &mut impl AsConn, id: Uuid) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM help_blog_posts WHERE id = $1")
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Posts newest first, `limit` from `offset` on.
pub async fn list(
    c: &mut impl AsConn,
    limit: i64,
    offset: i64,
) -> Result<Vec<BlogRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(),
        "ORDER BY b.published_at DESC, b.id DESC LIMIT $1 OFFSET $2"))
        .bind(limit).bind(offset).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// One post.
pub async fn get(c: &mut impl AsConn, id: Uuid) -> Result<Option<BlogRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!(columns!(), "WHERE b.id = $1"))
        .bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}
