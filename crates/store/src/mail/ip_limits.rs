//! Per-address counters of the mail listeners, in fixed windows: one statement counts a hit
//! and returns the count of the window, so parallel connections on any node each see all
//! hits before them.

use chrono::{DateTime, Duration, Utc};

use crate::{AsConn, StoreError, from_us, on, to_us};

/// A counter after a hit (or as it stands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub hits: i64,
    pub start: DateTime<Utc>,
}

/// Counts one hit against `key`; a window older than `window` starts afresh.
pub async fn hit(
    c: &mut impl AsConn,
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Window, StoreError> {
    let (now_us, cut) = (to_us(now), to_us(now - window));
    let (hits, start): (i64, i64) = on!(c, c => sqlx::query_as(
        "INSERT INTO mail_ip_limits (limit_key, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (limit_key) DO UPDATE SET
           hits = CASE WHEN mail_ip_limits.window_start <= $3 THEN 1 ELSE mail_ip_limits.hits + 1 END,
           window_start = CASE WHEN mail_ip_limits.window_start <= $3 THEN $2 ELSE mail_ip_limits.window_start END
         RETURNING hits, window_start")
        .bind(key).bind(now_us).bind(cut).fetch_one(&mut *c).await)?;
    Ok(Window {
        hits,
        start: from_us(start),
    })
}

/// The hits of `key` in its current window (0 when the window is over or never began).
pub async fn get(
    c: &mut impl AsConn,
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<Window, StoreError> {
    let r: Option<(i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT hits, window_start FROM mail_ip_limits WHERE limit_key = $1 AND window_start > $2")
        .bind(key).bind(to_us(now - window)).fetch_optional(&mut *c).await)?;
    Ok(match r {
        Some((hits, start)) => Window {
            hits,
            start: from_us(start),
        },
        None => Window {
            hits: 0,
            start: now,
        },
    })
}

/// System job: forgets counters whose window began before `cutoff`.
pub async fn system_purge(c: &mut impl AsConn, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(
        on!(c, c => sqlx::query("DELETE FROM mail_ip_limits WHERE window_start < $1")
        .bind(to_us(cutoff)).execute(&mut *c).await.map(|r| r.rows_affected()))?,
    )
}
