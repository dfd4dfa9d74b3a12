//! Guides of the help network as support saved them: each row overrides the shipped page of
//! its slug or adds one. The table holds a few dozen rows, so readers take all of them.

use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A saved guide (times µs UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideRow {
    pub slug: String,
    pub title: String,
    /// Platform paths, space-separated.
    pub context: String,
    pub body: String,
    pub body_du: String,
    pub updated_by: Uuid,
    pub updated_at: i64,
}

type Raw = (String, String, String, String, String, Uuid, i64);

fn row(r: Raw) -> GuideRow {
    GuideRow {
        slug: r.0,
        title: r.1,
        context: r.2,
        body: r.3,
        body_du: r.4,
        updated_by: r.5,
        updated_at: r.6,
    }
}

/// Every saved guide, by slug.
pub async fn all(c: &mut impl AsConn) -> Result<Vec<GuideRow>, StoreError> {
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT slug, title, context, body, body_du, updated_by, updated_at FROM help_guides
         ORDER BY slug")
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Saves a guide (insert or replace by slug).
pub async fn save(c: &mut impl AsConn, g: &GuideRow) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO help_guides (slug, title, context, body, body_du, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, context = excluded.context,
             body = excluded.body, body_du = excluded.body_du,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at")
        .bind(&g.slug).bind(&g.title).bind(&g.context).bind(&g.body).bind(&g.body_du)
        .bind(g.updated_by).bind(g.updated_at).execute(&mut *c).await.map(|_| ()))?;
    Ok(())
}

/// Removes a saved guide (the shipped page of its slug shows again); whether it existed.
pub async fn delete(c: &mut impl AsConn, slug: &str) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM help_guides WHERE slug = $1")
        .bind(slug).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
