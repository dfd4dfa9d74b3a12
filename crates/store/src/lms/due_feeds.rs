//! Private subscription addresses for a person's due dates (`lms_due_feeds`): the secret's
//! SHA-256 only, one address per person.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// Sets the person's address (replacing an older one: the old secret stops working).
pub async fn put(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    token_hash: &[u8],
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_due_feeds (instance_id, user_id, token_hash, created_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, user_id)
         DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at")
        .bind(instance.0).bind(user.0).bind(token_hash).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes the person's address; whether there was one.
pub async fn remove(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM lms_due_feeds WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// When the person's address was made, if they have one.
pub async fn created_at(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT created_at FROM lms_due_feeds WHERE instance_id = $1 AND user_id = $2")
        .bind(instance.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(t,)| t))
}

/// The school and person of a secret's hash.
pub async fn by_hash(
    c: &mut impl AsConn,
    token_hash: &[u8],
) -> Result<Option<(InstanceId, UserId)>, StoreError> {
    let r: Option<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, user_id FROM lms_due_feeds WHERE token_hash = $1")
        .bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, u)| (InstanceId(i), UserId(u))))
}
