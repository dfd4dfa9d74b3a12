//! "Passwort vergessen": single-use reset links, stored only as the hash of their secret.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on, to_us};

pub async fn insert(
    c: &mut impl AsConn,
    token_hash: &[u8],
    instance: InstanceId,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO password_resets (token_hash, instance_id, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash).bind(instance.0).bind(user.0).bind(to_us(now)).bind(to_us(expires_at))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The login of an unused, unexpired link.
pub async fn peek(
    c: &mut impl AsConn,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(InstanceId, UserId)>, StoreError> {
    let r: Option<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, user_id FROM password_resets
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash).bind(to_us(now)).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, u)| (InstanceId(i), UserId(u))))
}

/// Uses a link: marks it used and returns its login, in one statement, so two requests
/// with the same link cannot both succeed.
pub async fn take(
    c: &mut impl AsConn,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(InstanceId, UserId)>, StoreError> {
    let r: Option<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "UPDATE password_resets SET used_at = $2
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
          RETURNING instance_id, user_id")
        .bind(token_hash).bind(to_us(now)).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, u)| (InstanceId(i), UserId(u))))
}

/// Ends every open link of a login (after a reset, the others are void).
pub async fn void_for_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE password_resets SET used_at = $3
          WHERE instance_id = $1 AND user_id = $2 AND used_at IS NULL")
        .bind(instance.0).bind(user.0).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}

/// How many links a login was sent since `since`.
pub async fn count_since(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    since: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (n,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT COUNT(*) FROM password_resets WHERE instance_id = $1 AND user_id = $2 AND created_at >= $3")
        .bind(instance.0).bind(user.0).bind(to_us(since)).fetch_one(&mut *c).await)?;
    Ok(n)
}

/// System job: forgets links that expired before `before`.
pub async fn system_purge(c: &mut impl AsConn, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM password_resets WHERE expires_at < $1")
        .bind(to_us(before)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
