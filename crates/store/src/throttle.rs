//! Failed-guess counters, shared by all nodes through the database.
//!
//! A guess is *reserved* before the password is checked: one statement counts it and says
//! whether it may be checked at all. Reading the counter, checking the slow hash and then
//! writing the (by then stale) counter back would let every request in flight through.

use chrono::{DateTime, Duration, Utc};
use schulhof_types::{InstanceId, UserId};

use crate::{AsConn, StoreError, from_us, on, to_us};

/// Known-good addresses are forgotten after this long without a successful login.
const KNOWN_ADDRESS_KEPT: Duration = Duration::days(180);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub window_start: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
}

/// How a counter blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Failures are forgotten after this long without a new one.
    pub window: Duration,
    /// The failure that starts the first block (`i64::MAX`: never blocks).
    pub blocking_from: i64,
    /// The first block; each further failure doubles it, up to `max_block`.
    pub first_block: Duration,
    pub max_block: Duration,
}

/// The outcome of one reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reserved {
    /// Failures counted, this attempt included unless it was refused.
    pub failures: i64,
    pub blocked_until: DateTime<Utc>,
    /// The counter was blocked: the attempt must not be checked, and was not counted.
    pub refused: bool,
}

/// The failure number this attempt gets: 1 after a quiet window, else one more.
macro_rules! next {
    () => {
        "(CASE WHEN login_throttle.window_start <= $4 THEN 1 ELSE login_throttle.failures + 1 END)"
    };
}
macro_rules! blocked {
    () => {
        "login_throttle.blocked_until > $3"
    };
}
/// The block this attempt sets in case it fails: `first << (n - blocking_from)`.
macro_rules! shifted {
    () => {
        concat!(
            "(CAST($6 AS BIGINT) << CAST(",
            next!(),
            " - $5 AS INTEGER))"
        )
    };
}

/// Every expression of the update sees the row as it was before this statement.
const RESERVE: &str = concat!(
    "INSERT INTO login_throttle (instance_id, throttle_key, failures, window_start, blocked_until, last_refused)
     VALUES ($1, $2, 1, $3, CASE WHEN $5 <= 1 THEN $3 + $6 ELSE $3 END, 0)
     ON CONFLICT (instance_id, throttle_key) DO UPDATE SET
       last_refused = CASE WHEN ", blocked!(), " THEN 1 ELSE 0 END,
       failures = CASE WHEN ", blocked!(), " THEN login_throttle.failures ELSE ", next!(), " END,
       window_start = CASE WHEN ", blocked!(), " THEN login_throttle.window_start ELSE $3 END,
       blocked_until = CASE
         WHEN ", blocked!(), " THEN login_throttle.blocked_until
         WHEN ", next!(), " < $5 THEN login_throttle.blocked_until
         WHEN ", next!(), " - $5 >= 30 OR ", shifted!(), " > $7 THEN $3 + $7
         ELSE $3 + ", shifted!(), " END
     RETURNING failures, blocked_until, last_refused"
);

/// Counts one attempt against `key` unless the key is blocked, in one statement, so
/// parallel attempts each see the count including all attempts before them. An attempt
/// that reaches the limit sets the block at once (as if it fails): the ones after it are
/// refused while it is being checked; [`release`] lifts it again if it succeeds.
pub async fn reserve(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &str,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<Reserved, StoreError> {
    let (now_us, cut) = (to_us(now), to_us(now - limits.window));
    let first = limits.first_block.num_microseconds().unwrap_or(i64::MAX);
    let max = limits.max_block.num_microseconds().unwrap_or(i64::MAX);
    let (failures, blocked, refused): (i64, i64, i64) = on!(c, c => sqlx::query_as(RESERVE)
        .bind(instance.0).bind(key).bind(now_us).bind(cut).bind(limits.blocking_from).bind(first).bind(max)
        .fetch_one(&mut *c).await)?;
    Ok(Reserved {
        failures,
        blocked_until: from_us(blocked),
        refused: refused != 0,
    })
}

/// Takes back one reserved attempt that turned out right; the block it set goes with it
/// unless enough other failures remain.
pub async fn release(
    c: &mut impl AsConn,
    instance: InstanceId,
    key: &str,
    limits: Limits,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1,
           blocked_until = CASE WHEN failures - 1 < $4 THEN $3 ELSE blocked_until END
         WHERE instance_id = $1 AND throttle_key = $2 AND failures > 0")
        .bind(instance.0).bind(key).bind(to_us(now)).bind(limits.blocking_from)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
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

pub async fn clear(c: &mut impl AsConn, instance: InstanceId, key: &str) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM login_throttle WHERE instance_id = $1 AND throttle_key = $2")
        .bind(instance.0).bind(key).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Remembers that `user` logged in successfully from `address`.
pub async fn remember_address(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO login_known_addresses (instance_id, user_id, address, last_success_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, user_id, address) DO UPDATE SET last_success_at = $4")
        .bind(instance.0).bind(user.0).bind(address).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `user` logged in successfully from `address` within the last 180 days.
pub async fn is_known_address(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    address: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT last_success_at FROM login_known_addresses
         WHERE instance_id = $1 AND user_id = $2 AND address = $3 AND last_success_at > $4")
        .bind(instance.0).bind(user.0).bind(address).bind(to_us(now - KNOWN_ADDRESS_KEPT))
        .fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

/// System job: forgets counters whose window began before `cutoff` and which block nothing,
/// and known-good addresses not used for 180 days.
pub async fn system_purge(
    c: &mut impl AsConn,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = on!(c, c => sqlx::query("DELETE FROM login_throttle WHERE window_start < $1 AND blocked_until < $2")
        .bind(to_us(cutoff)).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let known = on!(c, c => sqlx::query("DELETE FROM login_known_addresses WHERE last_success_at < $1")
        .bind(to_us(now - KNOWN_ADDRESS_KEPT)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(done + known)
}
