//! Traffic data of every message (date, time, sender, recipient, message id, size, subject),
//! kept seven days for abuse control and then deleted by the retention job.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

/// Records one message for one recipient. `direction`: "in", "out" or "local".
#[allow(clippy::too_many_arguments)]
pub async fn record(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    at: DateTime<Utc>,
    direction: &str,
    sender: &str,
    recipient: &str,
    message_id: &str,
    size: i64,
    subject: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO mail_traffic (instance_id, id, at, direction, sender, recipient, message_id, size, subject)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(instance.0).bind(id).bind(to_us(at)).bind(direction).bind(sender).bind(recipient)
        .bind(message_id).bind(size).bind(subject)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// System job: deletes traffic data recorded before `before` in every school, except rows a
/// documented hold covers (the whole school, or a login whose address sent or received the
/// message). Returns how many rows went.
pub async fn system_purge(c: &mut impl AsConn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM mail_traffic WHERE at < $1 AND NOT EXISTS (
            SELECT 1 FROM audit_holds h WHERE h.instance_id = mail_traffic.instance_id
              AND mail_traffic.at BETWEEN h.from_at AND h.until_at
              AND (h.subject_id IS NULL
                   OR EXISTS (SELECT 1 FROM users u WHERE u.instance_id = h.instance_id AND u.id = h.subject_id
                                AND lower(u.mail) IN (lower(mail_traffic.sender), lower(mail_traffic.recipient)))
                   OR EXISTS (SELECT 1 FROM mail_aliases a WHERE a.instance_id = h.instance_id AND a.user_id = h.subject_id
                                AND a.address IN (lower(mail_traffic.sender), lower(mail_traffic.recipient)))))")
        .bind(to_us(before)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// One recorded message.
#[derive(Clone, Debug)]
pub struct TrafficRow {
    pub at: DateTime<Utc>,
    pub direction: String,
    pub sender: String,
    pub recipient: String,
    pub message_id: String,
    pub size: i64,
    pub subject: String,
}

/// A school's traffic data, oldest first (abuse control and tests).
pub async fn of_instance(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Vec<TrafficRow>, StoreError> {
    let rows: Vec<(i64, String, String, String, String, i64, String)> = on!(c, c => sqlx::query_as(
        "SELECT at, direction, sender, recipient, message_id, size, subject FROM mail_traffic
          WHERE instance_id = $1 ORDER BY at, id")
        .bind(instance.0).fetch_all(&mut *c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| TrafficRow {
            at: from_us(r.0),
            direction: r.1,
            sender: r.2,
            recipient: r.3,
            message_id: r.4,
            size: r.5,
            subject: r.6,
        })
        .collect())
}
