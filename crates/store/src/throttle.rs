//! Failed-login counters, shared by all nodes through the database.

use chrono::{DateTime, Utc};
use schulhof_types::InstanceId;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub window_start: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &str,
) -> Result<Option<Counter>, StoreError> {
    let r: Option<(i64, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT failures, window_start, blocked_until FROM login_throttle WHERE instance_id = $1 AND throttle_key = $2")
        .bind(instance.0).bind(key).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(f, w, b)| Counter {
        failures: f,
        window_start: from_us(w),
        blocked_until: from_us(b),
    }))
}

pub async fn put(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &str,
    v: Counter,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO login_throttle (instance_id, throttle_key, failures, window_start, blocked_until)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, throttle_key) DO UPDATE SET failures = $3, window_start = $4, blocked_until = $5")
        .bind(instance.0).bind(key).bind(v.failures).bind(to_us(v.window_start)).bind(to_us(v.blocked_until))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clear(c: &mut impl AsConn, instance: InstanceId, key: &str) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM login_throttle WHERE instance_id = $1 AND throttle_key = $2")
        .bind(instance.0).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// System job: forgets counters whose window began before `cutoff` and which block nothing.
pub async fn system_purge(
    c: &mut impl AsConn,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query("DELETE FROM login_throttle WHERE window_start < $1 AND blocked_until < $2")
        .bind(to_us(cutoff)).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done)
}
