//! The uploaded archive between preview and import. It waits in the blob store (so any node
//! can finish the import), behind a header naming school, course and uploader: the content id
//! the form carries then only opens what this person uploaded for this course, never other
//! content whose id someone learnt. Nothing refers to it, so the blob collector removes it
//! after a day; a finished import removes it at once.

use schulhof_types::{CourseId, InstanceId, UserId};

use super::{ImportFailure, MAX_ARCHIVE};
use crate::{DomainError, Platform};

const MAGIC: &[u8] = b"schulhof-lms-import-v1\0";

fn header(instance: InstanceId, course: CourseId, user: UserId) -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(instance.0.as_bytes());
    h.extend_from_slice(course.0.as_bytes());
    h.extend_from_slice(user.0.as_bytes());
    h
}

fn header_len() -> u64 {
    (MAGIC.len() + 48) as u64
}

fn internal(e: schulhof_blob::BlobError) -> ImportFailure {
    ImportFailure::Domain(DomainError::Internal(e.to_string()))
}

impl Platform {
    /// Stores `archive` for the confirmation; returns the token the form carries.
    pub(super) async fn stage_archive(
        &self,
        owner: (InstanceId, CourseId, UserId),
        archive: &[u8],
    ) -> Result<String, ImportFailure> {
        let head = header(owner.0, owner.1, owner.2);
        let mut w = self
            .blobs
            .writer(MAX_ARCHIVE + header_len())
            .await
            .map_err(internal)?;
        w.write(&head).await.map_err(internal)?;
        w.write(archive).await.map_err(internal)?;
        Ok(w.finish().await.map_err(internal)?.sha256)
    }

    /// The archive staged under `token` by `owner`; `Expired` when it is gone or another's.
    pub(super) async fn staged_archive(
        &self,
        owner: (InstanceId, CourseId, UserId),
        token: &str,
    ) -> Result<Vec<u8>, ImportFailure> {
        let mut r = match self.blobs.open_read(token).await {
            Ok(r) => r,
            Err(schulhof_blob::BlobError::NotFound | schulhof_blob::BlobError::BadId) => {
                return Err(ImportFailure::Expired);
            }
            Err(e) => return Err(internal(e)),
        };
        if r.size() > MAX_ARCHIVE + header_len() || r.size() < header_len() {
            return Err(ImportFailure::Expired);
        }
        let mut buf = Vec::with_capacity(r.size() as usize);
        loop {
            let chunk = r
                .chunk(1 << 20)
                .await
                .map_err(|e| ImportFailure::Domain(DomainError::Internal(e.to_string())))?;
            if chunk.is_empty() {
                break;
            }
            buf.extend_from_slice(&chunk);
            // Before reading all: a foreign blob stops at its first piece.
            if buf.len() >= header_len() as usize
                && !buf.starts_with(&header(owner.0, owner.1, owner.2))
            {
                return Err(ImportFailure::Expired);
            }
        }
        if !buf.starts_with(&header(owner.0, owner.1, owner.2)) {
            return Err(ImportFailure::Expired);
        }
        buf.drain(..header_len() as usize);
        Ok(buf)
    }

    /// Forgets a staged archive (after its import); failures only delay the collector.
    pub(super) async fn drop_staged(&self, token: &str) {
        if let Err(e) = self.blobs.delete(token).await {
            tracing::warn!(error = %e, "staged course archive not removed");
        }
    }
}
