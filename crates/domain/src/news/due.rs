//! Scheduled items: when their period begins, their audience is notified once. Visibility
//! itself needs no job (the queries compare with the time); only the notifications do.

use schulhof_store::news::notify;
use schulhof_store::to_us;

use crate::notify::Kind;
use crate::{DomainError, Platform};

/// Items handled per run.
const BATCH: i64 = 100;

impl Platform {
    /// Notifies the audiences of published items whose period has begun and who were not
    /// notified yet. Each item is claimed with `UPDATE … WHERE notified_at IS NULL` in the
    /// transaction that writes its notifications, so two nodes never notify twice. Returns
    /// how many items this run notified.
    pub async fn publish_due_news(&self) -> Result<usize, DomainError> {
        let now = self.now();
        let due = {
            let mut c = self.db.read().await?;
            notify::due(&mut c, to_us(now), BATCH).await?
        };
        let mut done = 0;
        for (instance, id, title, public, _author) in due {
            let params =
                serde_json::json!({ "news_id": id.to_string(), "title": title }).to_string();
            let mut tx = self.db.begin().await?;
            let Some(n) = notify::notify_audience(
                &mut tx,
                instance,
                id,
                Kind::NewsPublished.as_str(),
                &params,
                to_us(now),
            )
            .await?
            else {
                // Another node claimed it first.
                continue;
            };
            if public {
                self.feed_changed_within(&mut tx, instance).await?;
            }
            tx.commit().await?;
            if public {
                self.news_feed_changed(instance);
            }
            tracing::debug!(news = %id, notified = n, "scheduled news became visible");
            done += 1;
        }
        Ok(done)
    }
}
