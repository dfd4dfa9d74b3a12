//! Retention: log data and mail traffic data are deleted 7 days after they were written,
//! unless an admin put them on a documented hold; expired sessions, stale throttle counters
//! and used or expired password-reset links go too, and so do held malware after 30 days
//! and four-eyes accesses to a mailbox once they have ended.

use chrono::Duration;
use schulhof_store::mail::{quarantine, traffic};
use schulhof_store::{audit, dav_locks, files, import_runs, password_resets, sessions, throttle};

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
    /// Traffic data of mail (date, sender, recipient, message id, size, subject).
    pub mail_traffic: u64,
    /// Password-reset links used or expired.
    pub password_resets: u64,
    /// Messages a virus scanner held back longer than [`QUARANTINE_RETENTION`] ago.
    pub mail_quarantine: u64,
    /// Four-eyes accesses to a mailbox that have ended.
    pub mail_inspections: u64,
    /// Approved abuse-control cases (stage 2) that ended and were closed.
    pub mail_abuse_cases_ended: u64,
}

/// How long a message held back for malware is kept (for questions of the recipient or
/// sender) before it is deleted.
pub const QUARANTINE_RETENTION: Duration = Duration::days(30);

impl Platform {
    /// The daily job. Safe to run on several nodes at once: it only deletes.
    pub async fn system_purge_expired(&self) -> Result<Purged, DomainError> {
        let now = self.now();
        // Ended stage-2 cases first: closing them drops their holds on traffic data.
        let mail_abuse_cases_ended = self.system_close_ended_scopes().await?;
        let mut tx = self.db.begin().await?;
        let purged = Purged {
            mail_abuse_cases_ended,
            log_entries: audit::system_purge(&mut tx, now - LOG_RETENTION).await?,
            sessions: sessions::purge(&mut tx, now, now - self.config.session_idle).await?,
            throttle_counters: throttle::system_purge(&mut tx, now - Duration::days(1), now)
                .await?
                + files::system_purge_counters(&mut tx, now - Duration::days(1)).await?
                + schulhof_store::mail::ip_limits::system_purge(&mut tx, now - Duration::hours(1))
                    .await?,
            dav_locks: dav_locks::system_purge(&mut tx, now).await?,
            mail_traffic: traffic::system_purge(&mut tx, now - LOG_RETENTION).await?,
            password_resets: password_resets::system_purge(&mut tx, now - Duration::days(1))
                .await?,
            mail_quarantine: quarantine::system_purge(&mut tx, now - QUARANTINE_RETENTION).await?,
            mail_inspections: quarantine::system_purge_inspections(&mut tx, now).await?,
        };
        // An import takes seconds; one still running after an hour was cut off.
        import_runs::system_fail_stale(&mut tx, now - Duration::hours(1)).await?;
        tx.commit().await?;
        tracing::info!(?purged, "retention job");
        Ok(purged)
    }
}
