//! Assignment and Grade Services: line items of a course (one tool's gradebook columns) and
//! the latest score per person. Also what the services need to know about a course: whether
//! the tool is placed in it (the roster's read is [`super::roster`]).

use schulhof_types::{ActivityId, CourseId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug)]
pub struct LineItemRow {
    pub id: Uuid,
    pub course: CourseId,
    pub client_ref: Uuid,
    pub activity: Option<ActivityId>,
    pub label: String,
    /// Thousandths of a point.
    pub score_maximum: i64,
    pub resource_id: String,
    pub tag: String,
}

type ItemRaw = (Uuid, Uuid, Uuid, Option<Uuid>, String, i64, String, String);

fn item(r: ItemRaw) -> LineItemRow {
    LineItemRow {
        id: r.0,
        course: CourseId(r.1),
        client_ref: r.2,
        activity: r.3.map(ActivityId),
        label: r.4,
        score_maximum: r.5,
        resource_id: r.6,
        tag: r.7,
    }
}

macro_rules! item_columns {
    () => {
        "SELECT id, course_id, client_ref, activity_id, label, score_maximum, resource_id, tag \
         FROM lti_line_items "
    };
}

pub async fn insert_item(
    c: &mut impl AsConn,
    instance: InstanceId,
    i: &LineItemRow,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lti_line_items (instance_id, id, course_id, client_ref, activity_id, label,
             score_maximum, resource_id, tag, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(instance.0).bind(i.id).bind(i.course.0).bind(i.client_ref)
        .bind(i.activity.map(|a| a.0)).bind(&i.label).bind(i.score_maximum)
        .bind(&i.resource_id).bind(&i.tag).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The line items of one tool in a course, oldest first.
pub async fn items(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    client_ref: Uuid,
) -> Result<Vec<LineItemRow>, StoreError> {
    let q = concat!(
        item_columns!(),
        "WHERE instance_id = $1 AND course_id = $2 AND client_ref = $3 ORDER BY created_at, id"
    );
    let r: Vec<ItemRaw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(course.0)
        .bind(client_ref).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(item).collect())
}

/// Changes a line item's label, maximum, resource id and tag (AGS PUT); returns whether
/// it exists.
pub async fn update_item(
    c: &mut impl AsConn,
    instance: InstanceId,
    i: &LineItemRow,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "UPDATE lti_line_items SET label = $3, score_maximum = $4, resource_id = $5, tag = $6
         WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(i.id).bind(&i.label).bind(i.score_maximum)
        .bind(&i.resource_id).bind(&i.tag)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Deletes a line item and its scores (the foreign key cascades); returns whether it existed.
pub async fn delete_item(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<bool, StoreError> {
    on!(c, c => sqlx::query("DELETE FROM lti_scores WHERE instance_id = $1 AND line_item_id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let n = on!(c, c => sqlx::query("DELETE FROM lti_line_items WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A score of an LTI activity: (activity, person, points given, the score's maximum, the
/// line item's maximum), points in thousandths.
pub type CourseScore = (ActivityId, UserId, Option<i64>, Option<i64>, i64);

type CourseScoreRaw = (Uuid, Uuid, Option<i64>, Option<i64>, i64);

/// The scores of every LTI activity of a course (the progress overview), one statement.
pub async fn course_scores(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<CourseScore>, StoreError> {
    let r: Vec<CourseScoreRaw> = on!(c, c => sqlx::query_as(
        "SELECT i.activity_id, s.user_id, s.score_given, s.score_maximum, i.score_maximum
           FROM lti_scores s JOIN lti_line_items i
             ON i.instance_id = s.instance_id AND i.id = s.line_item_id
          WHERE i.instance_id = $1 AND i.course_id = $2 AND i.activity_id IS NOT NULL")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(a, u, g, m, im)| (ActivityId(a), UserId(u), g, m, im))
        .collect())
}

/// The line item of an activity (made with it).
pub async fn item_of_activity(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Option<LineItemRow>, StoreError> {
    let q = concat!(
        item_columns!(),
        "WHERE instance_id = $1 AND activity_id = $2"
    );
    let r: Option<ItemRaw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(activity.0)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(item))
}

/// Whether `client_ref` is placed in the course (an LTI activity of it exists there): only
/// then may it read the roster or write grades.
pub async fn tool_in_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    client_id: &str,
) -> Result<bool, StoreError> {
    let (placed,): (bool,) = on!(c, c => sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM lms_activities WHERE instance_id = $1 AND course_id = $2
            AND kind = 'lti' AND settings LIKE $3)")
        .bind(instance.0).bind(course.0).bind(format!("%\"tool\":\"{client_id}\"%"))
        .fetch_one(&mut *c).await)?;
    Ok(placed)
}

/// A score as a tool posted it.
#[derive(Clone, Debug)]
pub struct ScoreRow {
    pub line_item: Uuid,
    pub user: UserId,
    pub score_given: Option<i64>,
    pub score_maximum: Option<i64>,
    pub activity_progress: String,
    pub grading_progress: String,
    pub comment: String,
    pub scored_at: i64,
}

/// Keeps the newest score: an older timestamp than the stored one changes nothing (AGS
/// §3.4: a score older than the one held is ignored).
pub async fn put_score(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &ScoreRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lti_scores (instance_id, line_item_id, user_id, score_given, score_maximum,
             activity_progress, grading_progress, comment, scored_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (instance_id, line_item_id, user_id) DO UPDATE SET
             score_given = excluded.score_given, score_maximum = excluded.score_maximum,
             activity_progress = excluded.activity_progress,
             grading_progress = excluded.grading_progress, comment = excluded.comment,
             scored_at = excluded.scored_at
         WHERE lti_scores.scored_at <= excluded.scored_at")
        .bind(instance.0).bind(s.line_item).bind(s.user.0).bind(s.score_given)
        .bind(s.score_maximum).bind(&s.activity_progress).bind(&s.grading_progress)
        .bind(&s.comment).bind(s.scored_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

type ScoreRaw = (
    Uuid,
    Uuid,
    Option<i64>,
    Option<i64>,
    String,
    String,
    String,
    i64,
);

/// The scores of a line item, or of one person when `only` is given.
pub async fn scores(
    c: &mut impl AsConn,
    instance: InstanceId,
    line_item: Uuid,
    only: Option<UserId>,
) -> Result<Vec<ScoreRow>, StoreError> {
    let r: Vec<ScoreRaw> = on!(c, c => sqlx::query_as(
        "SELECT line_item_id, user_id, score_given, score_maximum, activity_progress,
                grading_progress, comment, scored_at
           FROM lti_scores WHERE instance_id = $1 AND line_item_id = $2
            AND ($3 IS NULL OR user_id = $3) ORDER BY user_id")
        .bind(instance.0).bind(line_item).bind(only.map(|u| u.0))
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| ScoreRow {
            line_item: r.0,
            user: UserId(r.1),
            score_given: r.2,
            score_maximum: r.3,
            activity_progress: r.4,
            grading_progress: r.5,
            comment: r.6,
            scored_at: r.7,
        })
        .collect())
}
