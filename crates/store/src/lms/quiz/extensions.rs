//! More time for single participants.

use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// An extension: extra minutes, or no limit at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension {
    pub extra_minutes: i64,
    pub no_limit: bool,
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Option<Extension>, StoreError> {
    let r: Option<(i64, bool)> = on!(c, c => sqlx::query_as(
        "SELECT extra_minutes, no_limit FROM lms_quiz_extensions
          WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3")
        .bind(instance.0).bind(activity.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|(extra_minutes, no_limit)| Extension {
        extra_minutes,
        no_limit,
    }))
}

pub async fn of_quiz(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<(UserId, Extension)>, StoreError> {
    let r: Vec<(Uuid, i64, bool)> = on!(c, c => sqlx::query_as(
        "SELECT user_id, extra_minutes, no_limit FROM lms_quiz_extensions
          WHERE instance_id = $1 AND activity_id = $2")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(u, extra_minutes, no_limit)| {
            (
                UserId(u),
                Extension {
                    extra_minutes,
                    no_limit,
                },
            )
        })
        .collect())
}

/// Grants (or with `None` withdraws) an extension.
pub async fn set(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
    e: Option<Extension>,
) -> Result<(), StoreError> {
    match e {
        Some(e) => on!(c, c => sqlx::query(
            "INSERT INTO lms_quiz_extensions (instance_id, activity_id, user_id, extra_minutes,
                    no_limit) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (instance_id, activity_id, user_id) DO UPDATE
                SET extra_minutes = excluded.extra_minutes, no_limit = excluded.no_limit")
            .bind(instance.0).bind(activity.0).bind(user.0).bind(e.extra_minutes).bind(e.no_limit)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?,
        None => on!(c, c => sqlx::query(
            "DELETE FROM lms_quiz_extensions
              WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3")
            .bind(instance.0).bind(activity.0).bind(user.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}
