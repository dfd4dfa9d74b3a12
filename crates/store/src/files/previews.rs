//! Office documents converted to PDF for their preview: one row per school and content,
//! claimed with a lease by the node that converts it.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

/// Where the conversion of one content stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreviewState {
    /// Waiting for, or in, a conversion.
    Pending,
    /// The PDF, stored as content of its own.
    Done { pdf_sha: String },
    /// LibreOffice could not convert it (in time); the file is only downloaded.
    Failed,
}

/// The state of the preview of `source_sha`, if one was asked for.
pub async fn state(
    c: &mut impl AsConn,
    instance: InstanceId,
    source_sha: &str,
) -> Result<Option<PreviewState>, StoreError> {
    let r: Option<(String, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT status, pdf_sha FROM file_previews WHERE instance_id = $1 AND source_sha = $2")
        .bind(instance.0).bind(source_sha).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(status, pdf)| match (status.as_str(), pdf) {
        ("done", Some(pdf_sha)) => PreviewState::Done { pdf_sha },
        ("failed", _) => PreviewState::Failed,
        _ => PreviewState::Pending,
    }))
}

/// Asks for a conversion; a content already asked for keeps its row.
pub async fn request(
    c: &mut impl AsConn,
    instance: InstanceId,
    source_sha: &str,
    ext: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO file_previews (instance_id, source_sha, ext, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $4, $4)
         ON CONFLICT (instance_id, source_sha) DO NOTHING")
        .bind(instance.0).bind(source_sha).bind(ext).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A conversion this node took on.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub instance: InstanceId,
    pub source_sha: String,
    pub ext: String,
    /// The lease; the outcome is stored only while it is still this node's.
    pub claimed_at: i64,
}

/// Takes the oldest waiting conversion (or one whose lease ran out before `stale_before`).
/// The state is checked again on the row itself, so two nodes never take the same one.
pub async fn system_claim(
    c: &mut impl AsConn,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<Option<Claimed>, StoreError> {
    let lease = to_us(now);
    let r: Option<(Uuid, String, String)> = on!(c, c => sqlx::query_as(
        "UPDATE file_previews SET status = 'working', claimed_at = $1, updated_at = $1
         WHERE (instance_id, source_sha) IN (
            SELECT p.instance_id, p.source_sha FROM file_previews p
            WHERE p.status = 'pending' OR (p.status = 'working' AND p.claimed_at < $2)
            ORDER BY p.updated_at LIMIT 1)
           AND (status = 'pending' OR (status = 'working' AND claimed_at < $2))
         RETURNING instance_id, source_sha, ext")
        .bind(lease).bind(to_us(stale_before)).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, source_sha, ext)| Claimed {
        instance: InstanceId(i),
        source_sha,
        ext,
        claimed_at: lease,
    }))
}

/// Stores the outcome: the PDF's content, or `None` when the conversion failed. Returns
/// false when the lease was lost meanwhile (another node took over).
pub async fn system_finish(
    c: &mut impl AsConn,
    job: &Claimed,
    pdf_sha: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let status = if pdf_sha.is_some() { "done" } else { "failed" };
    let n = on!(c, c => sqlx::query(
        "UPDATE file_previews SET status = $4, pdf_sha = $5, claimed_at = NULL, updated_at = $6
         WHERE instance_id = $1 AND source_sha = $2 AND status = 'working' AND claimed_at = $3")
        .bind(job.instance.0).bind(&job.source_sha).bind(job.claimed_at).bind(status)
        .bind(pdf_sha).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Forgets the previews of content no file or version holds any more; their PDFs are then
/// collected with other unreferenced content. Returns how many were forgotten.
pub async fn system_forget_orphans(c: &mut impl AsConn) -> Result<u64, StoreError> {
    Ok(on!(c, c => sqlx::query(
        "DELETE FROM file_previews
         WHERE NOT EXISTS (SELECT 1 FROM file_nodes n WHERE n.instance_id = file_previews.instance_id
                AND n.blob_sha = file_previews.source_sha)
           AND NOT EXISTS (SELECT 1 FROM file_versions v WHERE v.instance_id = file_previews.instance_id
                AND v.blob_sha = file_previews.source_sha)")
        .execute(&mut *c).await.map(|r| r.rows_affected()))?)
}
