//! Due dates of assignments and closing times of quizzes for the calendars: read-only,
//! never stored as calendar events. One statement over all the caller's open courses.

use schulhof_types::{ActivityId, CourseId, InstanceId, UserId};
use uuid::Uuid;

use super::course_role;
use crate::{AsConn, StoreError, on};

/// An activity's due (assignment) or closing (quiz) time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateRow {
    pub activity: ActivityId,
    pub course: CourseId,
    pub course_name: String,
    /// `assignment` or `quiz`.
    pub kind: String,
    pub title: String,
    pub due_at: i64,
}

/// Assignments and quizzes the caller sees in their open courses that are due in
/// [`start`, `end`), by time (`$4`: whether the account type edits through a linked group;
/// participants see only what the course page shows them at `now`). A student with an
/// extension sees their own later date, so the calendar (and its sync token) follows it.
pub async fn between(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    edits_by_group: bool,
    now: i64,
    (start, end): (i64, i64),
) -> Result<Vec<DateRow>, StoreError> {
    let q = concat!(
        "SELECT a.id, r.id, r.name, a.kind, a.title, COALESCE(x.due_at, a.due_at) AS due
           FROM (SELECT c.id, c.name, ",
        course_role!(),
        " AS role FROM lms_courses c WHERE c.instance_id = $1 AND c.archived_at IS NULL) r
           JOIN lms_activities a ON a.instance_id = $1 AND a.course_id = r.id
           JOIN lms_sections s ON s.instance_id = a.instance_id AND s.id = a.section_id
           LEFT JOIN lms_extensions x ON x.instance_id = a.instance_id AND x.activity_id = a.id
                AND x.user_id = $3
          WHERE r.role IS NOT NULL AND a.kind IN ('assignment', 'quiz')
            AND COALESCE(x.due_at, a.due_at) >= $5 AND COALESCE(x.due_at, a.due_at) < $6 AND ",
        crate::lms_visible_activity!("r.role = 'editor'", "$2", "$3"),
        " ORDER BY due, a.id"
    );
    type Raw = (Uuid, Uuid, String, String, String, i64);
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(now).bind(user.0)
        .bind(edits_by_group).bind(start).bind(end).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(a, co, course_name, kind, title, due_at)| DateRow {
            activity: ActivityId(a),
            course: CourseId(co),
            course_name,
            kind,
            title,
            due_at,
        })
        .collect())
}
