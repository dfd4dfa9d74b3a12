//! The Daten-Safe's own facts: Safe passwords, the school's sealed content key, and when a
//! session last used the Safe.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};

use crate::{AsConn, StoreError, from_us, on, to_us};

pub async fn password(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT hash FROM safe_passwords WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(h,)| h))
}

pub async fn set_password(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    hash: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO safe_passwords (instance_id, user_id, hash, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, user_id) DO UPDATE SET hash = excluded.hash, set_by = excluded.set_by, set_at = excluded.set_at")
        .bind(instance.0).bind(user.0).bind(hash).bind(by.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn sealed_key(
    c: &mut impl AsConn,
    instance: InstanceId,
) -> Result<Option<Vec<u8>>, StoreError> {
    let r: Option<(Vec<u8>,)> = on!(c, c => sqlx::query_as("SELECT sealed_key FROM safe_keys WHERE instance_id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(k,)| k))
}

/// Stores the school's key unless one exists (two nodes racing keep the first).
pub async fn insert_key(
    c: &mut impl AsConn,
    instance: InstanceId,
    sealed: &[u8],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO safe_keys (instance_id, sealed_key, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id) DO NOTHING")
        .bind(instance.0).bind(sealed).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// When the session last used the Safe (None: locked).
pub async fn seen(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let r: Option<(Option<i64>,)> = on!(c, c => sqlx::query_as(
        "SELECT safe_seen_at FROM sessions WHERE instance_id = $1 AND token_hash = $2")
        .bind(instance.0).bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.and_then(|(t,)| t).map(from_us))
}

/// Opens (`Some`) or locks (`None`) the Safe for a session.
pub async fn set_seen(
    c: &mut impl AsConn,
    instance: InstanceId,
    token_hash: &[u8],
    at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE sessions SET safe_seen_at = $3 WHERE instance_id = $1 AND token_hash = $2")
        .bind(instance.0).bind(token_hash).bind(at.map(to_us)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Locks the Safe in every session of a login (after its Safe password changed).
pub async fn lock_all(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE sessions SET safe_seen_at = NULL WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
