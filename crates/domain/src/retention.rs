//! Retention: log data is deleted 7 days after it was written, unless an admin put it on
//! a documented hold; expired sessions and stale throttle counters go too.

use chrono::Duration;
use schulhof_store::{audit, dav_locks, files, import_runs, sessions, throttle};

use crate::{DomainError, Platform};

pub const LOG_RETENTION: Duration = Duration::days(7);

/// What one run deleted (counts only, never names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub log_entries: u64,
    pub sessions: u64,
    pub throttle_counters: u64,
    /// Expired WebDAV locks (they are ignored once expired; this only tidies up).
    pub dav_locks: u64,
}

impl Platform {
    /// The daily job. Safe to run on several nodes at once: it only deletes.
    pub async fn system_purge_expired(&self) -> Result<Purged, DomainError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let purged = Purged {
            log_entries: audit::system_purge(&mut tx, now - LOG_RETENTION).await?,
            sessions: sessions::purge(&mut tx, now, now - self.config.session_idle).await?,
            throttle_counters: throttle::system_purge(&mut tx, now - Duration::days(1), now)
                .await?
                + files::system_purge_counters(&mut tx, now - Duration::days(1)).await?,
            dav_locks: dav_locks::system_purge(&mut tx, now).await?,
        };
        // An import takes seconds; one still running after an hour was cut off.
        import_runs::system_fail_stale(&mut tx, now - Duration::hours(1)).await?;
        tx.commit().await?;
        tracing::info!(?purged, "retention job");
        Ok(purged)
    }
}
