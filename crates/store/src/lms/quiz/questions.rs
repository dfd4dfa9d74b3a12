//! The questions of a quiz, in their order.

use schulhof_types::{ActivityId, InstanceId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug)]
pub struct QuestionRow {
    pub id: Uuid,
    pub position: i64,
    pub kind: String,
    pub points: i64,
    /// The engine's JSON.
    pub definition: String,
}

/// A question as it is written.
#[derive(Clone, Debug)]
pub struct QuestionWrite<'a> {
    pub id: Uuid,
    pub activity: ActivityId,
    pub kind: &'a str,
    pub points: i64,
    pub definition: &'a str,
    pub now: i64,
}

pub async fn of_quiz(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<QuestionRow>, StoreError> {
    let r: Vec<(Uuid, i64, String, i64, String)> = on!(c, c => sqlx::query_as(
        "SELECT id, position, kind, points, definition FROM lms_quiz_questions
          WHERE instance_id = $1 AND activity_id = $2 ORDER BY position, id")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, position, kind, points, definition)| QuestionRow {
            id,
            position,
            kind,
            points,
            definition,
        })
        .collect())
}

/// Appends a question at the end.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    q: &QuestionWrite<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_quiz_questions (instance_id, id, activity_id, position, kind, points,
                definition, created_at, updated_at)
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), -1) + 1 FROM lms_quiz_questions
                 WHERE instance_id = $1 AND activity_id = $3), $4, $5, $6, $7, $7)")
        .bind(instance.0).bind(q.id).bind(q.activity.0).bind(q.kind).bind(q.points)
        .bind(q.definition).bind(q.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes a question of this quiz; false when there is none.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    q: &QuestionWrite<'_>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lms_quiz_questions SET kind = $4, points = $5, definition = $6, updated_at = $7
          WHERE instance_id = $1 AND id = $2 AND activity_id = $3")
        .bind(instance.0).bind(q.id).bind(q.activity.0).bind(q.kind).bind(q.points)
        .bind(q.definition).bind(q.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM lms_quiz_questions WHERE instance_id = $1 AND activity_id = $2 AND id = $3")
        .bind(instance.0).bind(activity.0).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Sets one question's position (the caller renumbers the whole quiz).
pub async fn set_position(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    id: Uuid,
    position: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_quiz_questions SET position = $4
          WHERE instance_id = $1 AND activity_id = $2 AND id = $3")
        .bind(instance.0).bind(activity.0).bind(id).bind(position)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
