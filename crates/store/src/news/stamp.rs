//! The per-school stamp of the public feeds: it grows in the transaction of every change of
//! public news or public school-calendar events.

use schulhof_types::InstanceId;

use crate::{AsConn, StoreError, on};

/// Raises the stamp of a school (creating it on first use); returns the new value.
pub async fn bump(c: &mut impl AsConn, instance: InstanceId, now: i64) -> Result<i64, StoreError> {
    let (s,): (i64,) = on!(c, c => sqlx::query_as(
        "INSERT INTO news_feed_stamp (instance_id, stamp, changed_at) VALUES ($1, 1, $2)
         ON CONFLICT (instance_id) DO UPDATE SET stamp = news_feed_stamp.stamp + 1,
                changed_at = excluded.changed_at
         RETURNING stamp")
        .bind(instance.0).bind(now).fetch_one(&mut *c).await)?;
    Ok(s)
}

/// The stamp and when it last changed (µs), or (0, 0) for a school without changes yet.
pub async fn get(c: &mut impl AsConn, instance: InstanceId) -> Result<(i64, i64), StoreError> {
    let r: Option<(i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT stamp, changed_at FROM news_feed_stamp WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.unwrap_or((0, 0)))
}
