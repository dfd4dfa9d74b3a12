//! Private ICS subscription URLs: only the hash of each secret is stored.

use chrono::{DateTime, Utc};
use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use super::{CalendarId, SubscriptionId};
use crate::{AsConn, StoreError, from_us, on, to_us};

#[derive(Clone, Debug)]
pub struct SubscriptionRow {
    pub id: SubscriptionId,
    pub calendar: CalendarId,
    pub user: UserId,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &SubscriptionRow,
    token_hash: &[u8],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO calendar_subscriptions (instance_id, id, calendar_id, user_id, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(instance.0).bind(s.id.0).bind(s.calendar.0).bind(s.user.0).bind(token_hash)
        .bind(to_us(s.created_at)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The live subscription with this secret's hash, with its school.
pub async fn by_hash(
    c: &mut impl AsConn,
    token_hash: &[u8],
) -> Result<Option<(InstanceId, SubscriptionRow)>, StoreError> {
    let r: Option<(Uuid, Uuid, Uuid, Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT instance_id, id, calendar_id, user_id, created_at FROM calendar_subscriptions
         WHERE token_hash = $1 AND revoked_at IS NULL")
        .bind(token_hash).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(i, id, cal, u, at)| {
        (
            InstanceId(i),
            SubscriptionRow {
                id: SubscriptionId(id),
                calendar: CalendarId(cal),
                user: UserId(u),
                created_at: from_us(at),
            },
        )
    }))
}

/// The live subscriptions a login made.
pub async fn of_user(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let r: Vec<(Uuid, Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, calendar_id, created_at FROM calendar_subscriptions
         WHERE instance_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY created_at")
        .bind(instance.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, cal, at)| SubscriptionRow {
            id: SubscriptionId(id),
            calendar: CalendarId(cal),
            user,
            created_at: from_us(at),
        })
        .collect())
}

/// Revokes a login's subscription; returns whether it was live.
pub async fn revoke(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    id: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE calendar_subscriptions SET revoked_at = $4
         WHERE instance_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL")
        .bind(instance.0).bind(user.0).bind(id.0).bind(to_us(now))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
