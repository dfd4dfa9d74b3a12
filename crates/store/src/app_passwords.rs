//! App passwords of a login, for protocol clients.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct AppPasswordRow {
    pub id: Uuid,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
    label: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO app_passwords (instance_id, id, user_id, label, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(instance.0).bind(id).bind(user.0).bind(label).bind(hash).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn list(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<AppPasswordRow>, StoreError> {
    let r: Vec<(Uuid, String, i64, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT id, label, created_at, last_used_at FROM app_passwords WHERE instance_id = $1 AND user_id = $2
         ORDER BY created_at")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, label, at, used)| AppPasswordRow {
            id,
            label,
            created_at: from_us(at),
            last_used_at: used.map(from_us),
        })
        .collect())
}

/// The app password with this hash, if the login has one.
pub async fn find(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    hash: &str,
) -> Result<Option<Uuid>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM app_passwords WHERE instance_id = $1 AND user_id = $2 AND hash = $3")
        .bind(instance.0).bind(user.0).bind(hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(id,)| id))
}

pub async fn touch(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE app_passwords SET last_used_at = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(to_us(now)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM app_passwords WHERE instance_id = $1 AND user_id = $2 AND id = $3")
        .bind(instance.0).bind(user.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether the app password still exists (it is gone once revoked).
pub async fn exists(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM app_passwords WHERE instance_id = $1 AND user_id = $2 AND id = $3")
        .bind(instance.0).bind(user.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.is_some())
}

/// Deletes every app password of a login; returns how many there were.
pub async fn delete_all(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<u64, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM app_passwords WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
