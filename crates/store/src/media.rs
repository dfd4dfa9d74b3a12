//! Mediathek facts: licences and metadata, extracted text for the search index, favourites.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug, Default)]
pub struct MetaRow {
    pub license: Option<String>,
    pub subject: String,
    pub grade: String,
    pub keywords: String,
}

pub async fn meta(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Option<MetaRow>, StoreError> {
    let r: Option<(Option<String>, String, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT license, subject, grade, keywords FROM file_meta WHERE instance_id = $1 AND node_id = $2")
        .bind(instance.0).bind(node.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(license, subject, grade, keywords)| MetaRow {
        license,
        subject,
        grade,
        keywords,
    }))
}

pub async fn set_meta(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    m: &MetaRow,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_meta (instance_id, node_id, license, subject, grade, keywords, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (instance_id, node_id) DO UPDATE SET license = excluded.license, subject = excluded.subject,
            grade = excluded.grade, keywords = excluded.keywords, updated_by = excluded.updated_by,
            updated_at = excluded.updated_at")
        .bind(instance.0).bind(node.0).bind(&m.license).bind(&m.subject).bind(&m.grade).bind(&m.keywords)
        .bind(by.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Asks for the text of a file's (new) content to be extracted.
pub async fn queue_text(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    sha: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_text (instance_id, node_id, blob_sha, status, body, updated_at)
         VALUES ($1, $2, $3, 'pending', '', $4)
         ON CONFLICT (instance_id, node_id) DO UPDATE SET blob_sha = excluded.blob_sha, status = 'pending',
            claimed_at = NULL, updated_at = excluded.updated_at")
        .bind(instance.0).bind(node.0).bind(sha).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Marks a file as changed for the index (metadata, place) without extracting again.
pub async fn touch_text(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE file_text SET updated_at = $3 WHERE instance_id = $1 AND node_id = $2")
        .bind(instance.0).bind(node.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A file whose text is to be extracted.
#[derive(Clone, Debug)]
pub struct PendingText {
    pub instance: InstanceId,
    pub node: NodeId,
    pub blob_sha: String,
    pub name: String,
    pub mime: Option<String>,
    pub size: i64,
}

/// Claims up to `limit` pending extractions of all schools (and ones claimed long ago by a
/// node that stopped). Safe contents are never extracted.
pub async fn system_claim_pending(
    c: &mut impl AsConn,
    limit: i64,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<Vec<PendingText>, StoreError> {
    let r: Vec<(Uuid, Uuid, String, String, Option<String>, i64)> = on!(c, c => sqlx::query_as(
        "UPDATE file_text SET status = 'working', claimed_at = $2
         WHERE (instance_id, node_id) IN (
            SELECT t.instance_id, t.node_id FROM file_text t
            WHERE t.status = 'pending' OR (t.status = 'working' AND t.claimed_at < $3)
            ORDER BY t.updated_at LIMIT $1)
         RETURNING instance_id, node_id, blob_sha,
            (SELECT n.name FROM file_nodes n WHERE n.instance_id = file_text.instance_id AND n.id = file_text.node_id),
            (SELECT n.mime FROM file_nodes n WHERE n.instance_id = file_text.instance_id AND n.id = file_text.node_id),
            (SELECT n.size FROM file_nodes n WHERE n.instance_id = file_text.instance_id AND n.id = file_text.node_id)")
        .bind(limit).bind(to_us(now)).bind(to_us(stale_before)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, n, blob_sha, name, mime, size)| PendingText {
            instance: InstanceId(i),
            node: NodeId(n),
            blob_sha,
            name,
            mime,
            size,
        })
        .collect())
}

/// Stores the outcome of an extraction, unless the content changed meanwhile.
pub async fn set_text(
    c: &mut impl AsConn,
    p: &PendingText,
    status: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE file_text SET status = $4, body = $5, claimed_at = NULL, updated_at = $6
         WHERE instance_id = $1 AND node_id = $2 AND blob_sha = $3 AND status = 'working'")
        .bind(p.instance.0).bind(p.node.0).bind(&p.blob_sha).bind(status).bind(body).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// What the search index holds of one file.
#[derive(Clone, Debug)]
pub struct IndexRow {
    pub instance: InstanceId,
    pub node: NodeId,
    pub name: String,
    pub body: String,
    pub meta: MetaRow,
    /// Live and outside the Safe; otherwise the index drops it.
    pub live: bool,
    pub updated_at: DateTime<Utc>,
}

/// Files changed for the index since `cursor` (inclusive), oldest first.
pub async fn system_changes_since(
    c: &mut impl AsConn,
    cursor: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<IndexRow>, StoreError> {
    type Raw = (
        Uuid,
        Uuid,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        i64,
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(
        "SELECT t.instance_id, t.node_id, n.name, t.body, m.license, m.subject, m.grade, m.keywords,
                (n.deleted_at IS NULL AND n.area NOT IN ('safe_own', 'safe_common')), t.updated_at
         FROM file_text t JOIN file_nodes n ON n.instance_id = t.instance_id AND n.id = t.node_id
         LEFT JOIN file_meta m ON m.instance_id = t.instance_id AND m.node_id = t.node_id
         WHERE t.updated_at >= $1 AND t.status IN ('done', 'failed', 'skipped')
         ORDER BY t.updated_at LIMIT $2")
        .bind(to_us(cursor)).bind(limit).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(
            |(i, n, name, body, license, subject, grade, keywords, live, at)| IndexRow {
                instance: InstanceId(i),
                node: NodeId(n),
                name,
                body,
                meta: MetaRow {
                    license,
                    subject: subject.unwrap_or_default(),
                    grade: grade.unwrap_or_default(),
                    keywords: keywords.unwrap_or_default(),
                },
                live,
                updated_at: from_us(at),
            },
        )
        .collect())
}

/// A licensed, live file outside the Safe, of any school: what the Mediathek may open
/// beyond the own school.
pub async fn system_licensed(
    c: &mut impl AsConn,
    node: NodeId,
) -> Result<Option<(InstanceId, MetaRow)>, StoreError> {
    let r: Option<(Uuid, Option<String>, String, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT m.instance_id, m.license, m.subject, m.grade, m.keywords FROM file_meta m
         JOIN file_nodes n ON n.instance_id = m.instance_id AND n.id = m.node_id
         WHERE m.node_id = $1 AND m.license IS NOT NULL AND n.deleted_at IS NULL
           AND n.area NOT IN ('safe_own', 'safe_common') AND NOT n.is_dir")
        .bind(node.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, license, subject, grade, keywords)| {
        (
            InstanceId(i),
            MetaRow {
                license,
                subject,
                grade,
                keywords,
            },
        )
    }))
}

pub async fn set_favourite(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    node_instance: InstanceId,
    node: NodeId,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if on {
        on!(c, c => sqlx::query(
            "INSERT INTO media_favourites (instance_id, user_id, node_instance_id, node_id, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instance_id, user_id, node_id) DO NOTHING")
            .bind(instance.0).bind(user.0).bind(node_instance.0).bind(node.0).bind(to_us(now))
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    } else {
        on!(c, c => sqlx::query("DELETE FROM media_favourites WHERE instance_id = $1 AND user_id = $2 AND node_id = $3")
            .bind(instance.0).bind(user.0).bind(node.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn favourites(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<(InstanceId, NodeId)>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT node_instance_id, node_id FROM media_favourites WHERE instance_id = $1 AND user_id = $2
         ORDER BY created_at DESC")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(i, n)| (InstanceId(i), NodeId(n)))
        .collect())
}

/// A live node of any school, as the Mediathek shows licensed media.
#[derive(Clone, Debug)]
pub struct NodeBrief {
    pub name: String,
    pub size: i64,
    pub mime: Option<String>,
    pub blob_sha: Option<String>,
    pub modified_at: DateTime<Utc>,
}

/// The live node (any school) with its name, size and content, for licensed media.
pub async fn system_node_brief(
    c: &mut impl AsConn,
    instance: InstanceId,
    node: NodeId,
) -> Result<Option<NodeBrief>, StoreError> {
    type Raw = (String, i64, Option<String>, Option<String>, i64);
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT name, size, mime, blob_sha, modified_at FROM file_nodes WHERE instance_id = $1 AND id = $2 AND deleted_at IS NULL")
        .bind(instance.0).bind(node.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(name, size, mime, blob_sha, at)| NodeBrief {
        name,
        size,
        mime,
        blob_sha,
        modified_at: from_us(at),
    }))
}
