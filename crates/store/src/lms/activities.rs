//! Activities of a course: the rows every kind shares (material, assignments, quizzes).
//! Kind-specific data lives in the owning module's tables, keyed by the activity id.

use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId, UserId};
use uuid::Uuid;

use super::course_role;
use crate::{AsConn, StoreError, on};

/// The kinds of activity.
pub const KINDS: &[&str] = &[
    "page",
    "link",
    "file",
    "folder",
    "media",
    "assignment",
    "quiz",
];
/// What completes an activity.
pub const COMPLETIONS: &[&str] = &["none", "view", "submit", "grade", "pass", "manual"];

/// The shared fields of an activity.
#[derive(Clone, Debug)]
pub struct ActivityRow {
    pub id: ActivityId,
    pub course_id: CourseId,
    pub section_id: SectionId,
    pub position: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub transcript: String,
    pub hidden: bool,
    pub visible_from: Option<i64>,
    pub restricted: bool,
    pub completion: String,
    pub due_at: Option<i64>,
    pub settings: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The columns [`decode`] reads, from `lms_activities a`, first in a SELECT.
#[macro_export]
macro_rules! lms_activity_columns {
    () => {
        "a.id, a.course_id, a.section_id, a.position, a.kind, a.title, a.body, a.url, \
         a.transcript, a.hidden, a.visible_from, a.restricted, a.completion, a.due_at, \
         a.settings, a.created_at, a.updated_at"
    };
}
pub use lms_activity_columns as columns;

/// How many columns [`columns`] has: further columns of a statement start here.
pub const COLUMNS: usize = 17;

/// Reads an activity from the first [`COLUMNS`] columns of a row of either backend (sqlx
/// decodes tuples of at most 16 fields).
pub fn decode<'r, R>(r: &'r R) -> Result<ActivityRow, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ActivityRow {
        id: ActivityId(r.try_get(0)?),
        course_id: CourseId(r.try_get(1)?),
        section_id: SectionId(r.try_get(2)?),
        position: r.try_get(3)?,
        kind: r.try_get(4)?,
        title: r.try_get(5)?,
        body: r.try_get(6)?,
        url: r.try_get(7)?,
        transcript: r.try_get(8)?,
        hidden: r.try_get(9)?,
        visible_from: r.try_get(10)?,
        restricted: r.try_get(11)?,
        completion: r.try_get(12)?,
        due_at: r.try_get(13)?,
        settings: r.try_get(14)?,
        created_at: r.try_get(15)?,
        updated_at: r.try_get(16)?,
    })
}

/// An activity as a caller reaches it: the activity, its course's state and the caller's
/// role, and whether a participant may see it now (section and activity visibility,
/// restriction).
#[derive(Clone, Debug)]
pub struct ActivityInContext {
    pub activity: ActivityRow,
    pub course_archived: bool,
    /// "editor", "participant" or `None`.
    pub role: Option<String>,
    /// Whether a participant sees it at `now`.
    pub visible_to_participant: bool,
}

fn decode_context<'r, R>(r: &'r R) -> Result<ActivityInContext, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let archived: Option<i64> = r.try_get(COLUMNS)?;
    Ok(ActivityInContext {
        activity: decode(r)?,
        course_archived: archived.is_some(),
        role: r.try_get(COLUMNS + 1)?,
        visible_to_participant: r.try_get(COLUMNS + 2)?,
    })
}

/// One statement: the activity with everything the policy needs about it for `user`
/// (`$4`: whether the user's account type edits through a linked group). `None`: no such
/// activity in this school.
pub async fn in_context(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    user: UserId,
    edits_by_group: bool,
    now: i64,
) -> Result<Option<ActivityInContext>, StoreError> {
    let q = concat!(
        "SELECT ",
        lms_activity_columns!(),
        ", c.archived_at, ",
        course_role!(),
        ", (NOT s.hidden AND (s.visible_from IS NULL OR s.visible_from <= $5) AND NOT a.hidden
          AND (a.visible_from IS NULL OR a.visible_from <= $5) AND (NOT a.restricted OR EXISTS
          (SELECT 1 FROM lms_activity_people ap WHERE ap.instance_id = a.instance_id
             AND ap.activity_id = a.id AND ap.user_id = $3)))
         FROM lms_activities a
         JOIN lms_sections s ON s.instance_id = a.instance_id AND s.id = a.section_id
         JOIN lms_courses c ON c.instance_id = a.instance_id AND c.id = a.course_id
        WHERE a.instance_id = $1 AND a.id = $2"
    );
    let r = on!(c, c => {
        let row = sqlx::query(q).bind(instance.0).bind(id.0).bind(user.0).bind(edits_by_group)
            .bind(now).fetch_optional(&mut *c).await?;
        row.as_ref().map(decode_context).transpose()
    })?;
    Ok(r)
}

/// The fields of a new activity (appended at the end of its section).
#[derive(Clone, Debug)]
pub struct NewActivity<'a> {
    pub id: ActivityId,
    pub course_id: CourseId,
    pub section_id: SectionId,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub url: Option<&'a str>,
    pub transcript: &'a str,
    pub hidden: bool,
    pub visible_from: Option<i64>,
    pub restricted: bool,
    pub completion: &'a str,
    pub due_at: Option<i64>,
    pub settings: &'a str,
    pub now: i64,
}

/// Inserts an activity at the end of its section.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewActivity<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_activities (instance_id, id, course_id, section_id, position, kind,
                title, body, url, transcript, hidden, visible_from, restricted, completion,
                due_at, settings, created_at, updated_at)
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), -1) + 1 FROM lms_activities
                 WHERE instance_id = $1 AND section_id = $4),
                 $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)")
        .bind(instance.0).bind(n.id.0).bind(n.course_id.0).bind(n.section_id.0).bind(n.kind)
        .bind(n.title).bind(n.body).bind(n.url).bind(n.transcript).bind(n.hidden)
        .bind(n.visible_from).bind(n.restricted).bind(n.completion).bind(n.due_at)
        .bind(n.settings).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes the shared fields of an activity (not its kind, course or place).
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewActivity<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_activities SET title = $3, body = $4, url = $5, transcript = $6,
                hidden = $7, visible_from = $8, restricted = $9, completion = $10, due_at = $11,
                settings = $12, updated_at = $13
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(n.id.0).bind(n.title).bind(n.body).bind(n.url)
        .bind(n.transcript).bind(n.hidden).bind(n.visible_from).bind(n.restricted)
        .bind(n.completion).bind(n.due_at).bind(n.settings).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query("DELETE FROM lms_activities WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Records a first view; completes the activity when its rule is "view".
pub async fn mark_viewed(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    user: UserId,
    completes: bool,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_completion (instance_id, activity_id, user_id, viewed_at, completed_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN $4 END)
         ON CONFLICT (instance_id, activity_id, user_id) DO UPDATE
            SET viewed_at = COALESCE(lms_completion.viewed_at, excluded.viewed_at),
                completed_at = COALESCE(lms_completion.completed_at, excluded.completed_at)")
        .bind(instance.0).bind(id.0).bind(user.0).bind(now).bind(completes)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets or clears completion (submitted, graded, passed, ticked by the student).
pub async fn set_completed(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: ActivityId,
    user: UserId,
    at: Option<i64>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_completion (instance_id, activity_id, user_id, viewed_at, completed_at)
         VALUES ($1, $2, $3, NULL, $4)
         ON CONFLICT (instance_id, activity_id, user_id) DO UPDATE SET completed_at = excluded.completed_at")
        .bind(instance.0).bind(id.0).bind(user.0).bind(at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
