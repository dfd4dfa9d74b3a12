//! Attempts: started with a seed and a deadline, answers saved as they go, graded once on
//! submission. Every write to an attempt requires it to be still open, so a late save can
//! never change a graded attempt.

use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRow {
    pub id: Uuid,
    pub activity_id: ActivityId,
    pub user_id: UserId,
    pub number: i64,
    pub seed: i64,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    pub extended: bool,
    pub saved_at: i64,
    pub submitted_at: Option<i64>,
    /// JSON {question id: answer}.
    pub answers: String,
    /// JSON {question id: hundredths}, once graded.
    pub points: Option<String>,
    pub score: Option<i64>,
    pub max_score: Option<i64>,
}

macro_rules! columns {
    () => {
        "SELECT id, activity_id, user_id, number, seed, started_at, deadline_at, extended,
                saved_at, submitted_at, answers, points, score, max_score
           FROM lms_quiz_attempts "
    };
}

type Raw = (
    Uuid,
    Uuid,
    Uuid,
    i64,
    i64,
    i64,
    Option<i64>,
    bool,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn row(r: Raw) -> AttemptRow {
    AttemptRow {
        id: r.0,
        activity_id: ActivityId(r.1),
        user_id: UserId(r.2),
        number: r.3,
        seed: r.4,
        started_at: r.5,
        deadline_at: r.6,
        extended: r.7,
        saved_at: r.8,
        submitted_at: r.9,
        answers: r.10,
        points: r.11,
        score: r.12,
        max_score: r.13,
    }
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<AttemptRow>, StoreError> {
    let q = concat!(columns!(), "WHERE instance_id = $1 AND id = $2");
    let r: Option<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(id)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// One person's attempts at a quiz, first first.
pub async fn of_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Vec<AttemptRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3 ORDER BY number"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(activity.0)
        .bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Every attempt at a quiz (the teacher's results), by person and number.
pub async fn of_quiz(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<AttemptRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE instance_id = $1 AND activity_id = $2 ORDER BY user_id, number"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(activity.0)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Open attempts of a quiz whose time ran out before `cutoff` (deadline plus grace).
pub async fn overdue(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    cutoff: i64,
) -> Result<Vec<AttemptRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE instance_id = $1 AND activity_id = $2 AND submitted_at IS NULL
           AND deadline_at IS NOT NULL AND deadline_at < $3"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(activity.0)
        .bind(cutoff).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Starts an attempt. Fails with a unique violation when the same number was taken at
/// the same moment.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    a: &AttemptRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_quiz_attempts (instance_id, id, activity_id, user_id, number, seed,
                started_at, deadline_at, extended, saved_at, submitted_at, answers, points,
                score, max_score)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, NULL, NULL, NULL)")
        .bind(instance.0).bind(a.id).bind(a.activity_id.0).bind(a.user_id.0).bind(a.number)
        .bind(a.seed).bind(a.started_at).bind(a.deadline_at).bind(a.extended).bind(a.saved_at)
        .bind(&a.answers)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Saves the answers of an open attempt; false when it is already submitted.
pub async fn save(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    answers: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lms_quiz_attempts SET answers = $3, saved_at = $4
          WHERE instance_id = $1 AND id = $2 AND submitted_at IS NULL")
        .bind(instance.0).bind(id).bind(answers).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Takes the extension: the new deadline (`None`: no limit any more).
pub async fn extend(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    deadline: Option<i64>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lms_quiz_attempts SET deadline_at = $3, extended = TRUE
          WHERE instance_id = $1 AND id = $2 AND submitted_at IS NULL AND NOT extended")
        .bind(instance.0).bind(id).bind(deadline)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The grading of a finished attempt.
#[derive(Clone, Debug)]
pub struct Graded<'a> {
    pub answers: &'a str,
    pub points: &'a str,
    pub score: i64,
    pub max_score: i64,
    pub submitted_at: i64,
}

/// Submits and grades an open attempt; false when it was submitted before.
pub async fn finish(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    g: &Graded<'_>,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lms_quiz_attempts SET answers = $3, points = $4, score = $5, max_score = $6,
                submitted_at = $7, saved_at = $7
          WHERE instance_id = $1 AND id = $2 AND submitted_at IS NULL")
        .bind(instance.0).bind(id).bind(g.answers).bind(g.points).bind(g.score)
        .bind(g.max_score).bind(g.submitted_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
