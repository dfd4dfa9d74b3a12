//! Whether stored content is still referred to anywhere: every table of every module that
//! keeps a blob's hash is named here, so the collector of unreferenced content has one place
//! to learn of a new one.

use crate::{AsConn, StoreError, on};

/// Whether a node or a version of any school still refers to stored content.
pub async fn system_blob_referenced(c: &mut impl AsConn, sha: &str) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) WHERE EXISTS (SELECT 1 FROM file_nodes WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM file_versions WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM file_previews WHERE pdf_sha = $1)
            OR EXISTS (SELECT 1 FROM mail_messages WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM mail_queue WHERE blob_sha = $1 AND status = 'queued')
            OR EXISTS (SELECT 1 FROM homepage_images WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM news_files WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM lms_activity_files WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM calendar_attachments WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM lms_submission_files WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM lms_feedback_files WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM mail_quarantine WHERE blob_sha = $1)
            OR EXISTS (SELECT 1 FROM chat_attachments WHERE sha = $1)")
        .bind(sha).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}
