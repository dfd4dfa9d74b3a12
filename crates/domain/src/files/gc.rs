//! Content nothing refers to any more (purged trash, deleted logins, old versions) leaves
//! the store. Only content older than a day is considered, so an upload that has stored its
//! content but not yet committed its row is never collected.

use std::time::Duration;

use schulhof_store::files as store;

use crate::{DomainError, Platform};

/// Content younger than this is never collected.
pub const MIN_AGE: Duration = Duration::from_secs(24 * 3600);

impl Platform {
    /// Deletes stored content no file or version refers to, and leftovers of unfinished
    /// uploads. Returns how many contents were deleted.
    pub async fn system_collect_blobs(&self, min_age: Duration) -> Result<usize, DomainError> {
        let candidates = self
            .blobs
            .list_older_than(min_age)
            .await
            .map_err(super::blob_error)?;
        let mut deleted = 0;
        for sha in candidates {
            // Checked one by one, right before deleting, against the current database.
            let mut c = self.db.read().await?;
            let used = store::system_blob_referenced(&mut c, &sha).await?;
            drop(c);
            if !used {
                self.blobs.delete(&sha).await.map_err(super::blob_error)?;
                deleted += 1;
            }
        }
        self.blobs
            .delete_temporary_older_than(min_age)
            .await
            .map_err(super::blob_error)?;
        if deleted > 0 {
            tracing::info!(deleted, "removed unreferenced file contents");
        }
        Ok(deleted)
    }
}
