//! What the course page, the dashboard and the progress overview read: each in one
//! statement, whatever the number of sections and activities. The participant filter
//! ([`crate::lms::visible_activity`]) is part of every statement.

use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId, UserId};
use uuid::Uuid;

use super::activities::{self, ActivityRow, COLUMNS};
use super::course_role;
use super::sections::SectionRow;
use crate::{AsConn, StoreError, on};

/// An activity with the caller's completion state.
#[derive(Clone, Debug)]
pub struct OutlineRow {
    pub activity: ActivityRow,
    pub viewed_at: Option<i64>,
    pub completed_at: Option<i64>,
    /// The caller's own later due date (an extension), if any.
    pub extension: Option<i64>,
}

fn decode_outline<'r, R>(r: &'r R) -> Result<OutlineRow, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(OutlineRow {
        activity: activities::decode(r)?,
        viewed_at: r.try_get(COLUMNS)?,
        completed_at: r.try_get(COLUMNS + 1)?,
        extension: r.try_get(COLUMNS + 2)?,
    })
}

/// The activities of a course the caller sees (`editor`: all), in the order of their
/// sections, with the caller's completion and extension. One statement.
pub async fn activities_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
    editor: bool,
    now: i64,
) -> Result<Vec<OutlineRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        crate::lms_activity_columns!(),
        ", co.viewed_at, co.completed_at, x.due_at
           FROM lms_activities a
           JOIN lms_sections s ON s.instance_id = a.instance_id AND s.id = a.section_id
           LEFT JOIN lms_completion co ON co.instance_id = a.instance_id
                AND co.activity_id = a.id AND co.user_id = $3
           LEFT JOIN lms_extensions x ON x.instance_id = a.instance_id AND x.activity_id = a.id
                AND x.user_id = $3
          WHERE a.instance_id = $1 AND a.course_id = $2 AND ",
        crate::lms_visible_activity!("$4", "$5", "$3"),
        " ORDER BY s.position, a.position, a.id"
    );
    let r = on!(c, c => {
        let rows = sqlx::query(q).bind(instance.0).bind(course.0).bind(user.0).bind(editor)
            .bind(now).fetch_all(&mut *c).await?;
        rows.iter().map(decode_outline).collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    Ok(r)
}

/// A section with its activities the caller sees, for the course page.
#[derive(Clone, Debug)]
pub struct SectionOutline {
    pub section: SectionRow,
    pub activities: Vec<OutlineRow>,
}

/// The sections of a course the caller sees, in order, each with its activities the
/// caller sees (with completion and extension, as [`activities_of`]). One statement: the
/// sections left-joined with their activities — one round trip less for every course page
/// than reading sections and activities apart.
pub async fn sections_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
    editor: bool,
    now: i64,
) -> Result<Vec<SectionOutline>, StoreError> {
    let q = concat!(
        "SELECT ",
        crate::lms_activity_columns!(),
        ", co.viewed_at, co.completed_at, x.due_at,
                s.id, s.course_id, s.position, s.title, s.summary, s.hidden, s.visible_from
           FROM lms_sections s
           LEFT JOIN lms_activities a ON a.instance_id = s.instance_id AND a.section_id = s.id
                AND a.course_id = s.course_id AND ",
        crate::lms_visible_activity!("$4", "$5", "$3"),
        " LEFT JOIN lms_completion co ON co.instance_id = a.instance_id
                AND co.activity_id = a.id AND co.user_id = $3
           LEFT JOIN lms_extensions x ON x.instance_id = a.instance_id AND x.activity_id = a.id
                AND x.user_id = $3
          WHERE s.instance_id = $1 AND s.course_id = $2
            AND ($4 OR (NOT s.hidden AND (s.visible_from IS NULL OR s.visible_from <= $5)))
          ORDER BY s.position, s.id, a.position, a.id"
    );
    let r = on!(c, c => {
        let rows = sqlx::query(q).bind(instance.0).bind(course.0).bind(user.0).bind(editor)
            .bind(now).fetch_all(&mut *c).await?;
        let mut out: Vec<SectionOutline> = Vec::new();
        for r in &rows {
            use sqlx::Row;
            let at = COLUMNS + 3;
            let id = SectionId(r.try_get(at)?);
            if out.last().is_none_or(|o| o.section.id != id) {
                out.push(SectionOutline {
                    section: SectionRow {
                        id,
                        course_id: CourseId(r.try_get(at + 1)?),
                        position: r.try_get(at + 2)?,
                        title: r.try_get(at + 3)?,
                        summary: r.try_get(at + 4)?,
                        hidden: r.try_get(at + 5)?,
                        visible_from: r.try_get(at + 6)?,
                    },
                    activities: Vec::new(),
                });
            }
            // A section without (visible) activities comes as one row without an activity.
            if r.try_get::<Option<Uuid>, _>(0)?.is_some()
                && let Some(o) = out.last_mut()
            {
                o.activities.push(decode_outline(r)?);
            }
        }
        Ok::<_, sqlx::Error>(out)
    })?;
    Ok(r)
}

/// A file of an activity, without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub id: Uuid,
    pub activity_id: ActivityId,
    pub role: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub blob_sha: String,
    pub node_id: Option<Uuid>,
    pub position: i64,
    /// A caption track's language (BCP 47, e.g. "de"); `None` for every other file.
    pub lang: Option<String>,
}

type FileRaw = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i64,
    String,
    Option<Uuid>,
    i64,
    Option<String>,
);

fn file_row(r: FileRaw) -> FileRow {
    FileRow {
        id: r.0,
        activity_id: ActivityId(r.1),
        role: r.2,
        name: r.3,
        mime: r.4,
        size: r.5,
        blob_sha: r.6,
        node_id: r.7,
        position: r.8,
        lang: r.9,
    }
}

/// The files of every activity of a course the caller sees. One statement.
pub async fn files_of_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
    editor: bool,
    now: i64,
) -> Result<Vec<FileRow>, StoreError> {
    let q = concat!(
        "SELECT f.id, f.activity_id, f.role, f.name, f.mime, f.size, f.blob_sha, f.node_id,
                f.position, f.lang
           FROM lms_activity_files f
           JOIN lms_activities a ON a.instance_id = f.instance_id AND a.id = f.activity_id
           JOIN lms_sections s ON s.instance_id = a.instance_id AND s.id = a.section_id
          WHERE f.instance_id = $1 AND a.course_id = $2 AND ",
        crate::lms_visible_activity!("$4", "$5", "$3"),
        " ORDER BY f.activity_id, f.position, f.id"
    );
    let r: Vec<FileRaw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(course.0)
        .bind(user.0).bind(editor).bind(now).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(file_row).collect())
}

/// The files of one activity.
pub async fn files_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<FileRow>, StoreError> {
    let r: Vec<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, activity_id, role, name, mime, size, blob_sha, node_id, position, lang
           FROM lms_activity_files WHERE instance_id = $1 AND activity_id = $2
          ORDER BY position, id")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(file_row).collect())
}

/// Adds a file to an activity (at the end).
pub async fn insert_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    f: &FileRow,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_activity_files (instance_id, id, activity_id, role, name, mime, size,
                blob_sha, node_id, position, created_at, lang)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, (SELECT COALESCE(MAX(position), -1) + 1
                 FROM lms_activity_files WHERE instance_id = $1 AND activity_id = $3), $10, $11)")
        .bind(instance.0).bind(f.id).bind(f.activity_id.0).bind(&f.role).bind(&f.name)
        .bind(&f.mime).bind(f.size).bind(&f.blob_sha).bind(f.node_id).bind(now).bind(&f.lang)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One file of an activity by its id (the caller checks the activity is visible).
pub async fn file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<FileRow>, StoreError> {
    let r: Option<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, activity_id, role, name, mime, size, blob_sha, node_id, position, lang
           FROM lms_activity_files WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(file_row))
}

/// Removes the activity's files of `role` (a new audio instruction replaces the old one).
pub async fn delete_role(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    role: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM lms_activity_files WHERE instance_id = $1 AND activity_id = $2
            AND role = $3")
        .bind(instance.0).bind(activity.0).bind(role)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a file of an activity; false when there is none.
pub async fn delete_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    id: Uuid,
) -> Result<bool, StoreError> {
    let n = on!(c, c => sqlx::query(
        "DELETE FROM lms_activity_files WHERE instance_id = $1 AND activity_id = $2 AND id = $3")
        .bind(instance.0).bind(activity.0).bind(id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The persons an activity is restricted to.
pub async fn people_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<UserId>, StoreError> {
    let r: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT user_id FROM lms_activity_people WHERE instance_id = $1 AND activity_id = $2")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|r| UserId(r.0)).collect())
}

/// Replaces the persons an activity is restricted to.
pub async fn set_people(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    people: &[UserId],
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM lms_activity_people WHERE instance_id = $1 AND activity_id = $2")
        .bind(instance.0).bind(activity.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for u in people {
        on!(c, c => sqlx::query(
            "INSERT INTO lms_activity_people (instance_id, activity_id, user_id)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(instance.0).bind(activity.0).bind(u.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// An open activity with a due date, across the caller's courses.
#[derive(Clone, Debug)]
pub struct DueRow {
    pub activity: ActivityRow,
    pub course_name: String,
    pub completed_at: Option<i64>,
    /// The due date that applies to the caller: their extension, else the activity's.
    pub due_at: i64,
    /// Whether `due_at` is the caller's extension.
    pub extended: bool,
}

/// Activities with a due date in the caller's open courses that the caller sees, by due
/// date (`$4`: whether the account type edits through a linked group). A student with an
/// extension gets their own later date, like the calendar. One statement.
pub async fn due_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    user: UserId,
    edits_by_group: bool,
    now: i64,
) -> Result<Vec<DueRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        crate::lms_activity_columns!(),
        ", r.name, co.completed_at, COALESCE(x.due_at, a.due_at) AS due, x.due_at IS NOT NULL
           FROM (SELECT c.id, c.name, ",
        course_role!(),
        " AS role FROM lms_courses c WHERE c.instance_id = $1 AND c.archived_at IS NULL) r
           JOIN lms_activities a ON a.instance_id = $1 AND a.course_id = r.id
           JOIN lms_sections s ON s.instance_id = a.instance_id AND s.id = a.section_id
           LEFT JOIN lms_completion co ON co.instance_id = a.instance_id
                AND co.activity_id = a.id AND co.user_id = $3
           LEFT JOIN lms_extensions x ON x.instance_id = a.instance_id AND x.activity_id = a.id
                AND x.user_id = $3
          WHERE r.role IS NOT NULL AND a.due_at IS NOT NULL AND ",
        crate::lms_visible_activity!("r.role = 'editor'", "$2", "$3"),
        " ORDER BY due, a.id"
    );
    let r = on!(c, c => {
        let rows = sqlx::query(q).bind(instance.0).bind(now).bind(user.0).bind(edits_by_group)
            .fetch_all(&mut *c).await?;
        rows.iter().map(|r| {
            use sqlx::Row;
            Ok(DueRow {
                activity: activities::decode(r)?,
                course_name: r.try_get(COLUMNS)?,
                completed_at: r.try_get(COLUMNS + 1)?,
                due_at: r.try_get(COLUMNS + 2)?,
                extended: r.try_get(COLUMNS + 3)?,
            })
        }).collect::<Result<Vec<_>, sqlx::Error>>()
    })?;
    Ok(r)
}

/// Every completion row of a course's activities: (activity, user, viewed, completed).
/// One statement; the caller keeps only participants (teachers are never monitored).
pub async fn completion_of_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<(ActivityId, UserId, Option<i64>, Option<i64>)>, StoreError> {
    let r: Vec<(Uuid, Uuid, Option<i64>, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT co.activity_id, co.user_id, co.viewed_at, co.completed_at
           FROM lms_completion co JOIN lms_activities a
             ON a.instance_id = co.instance_id AND a.id = co.activity_id
          WHERE co.instance_id = $1 AND a.course_id = $2")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(a, u, v, d)| (ActivityId(a), UserId(u), v, d))
        .collect())
}

/// One person's completion of one activity: (viewed, completed); `None`: no record.
pub async fn completion_of_activity(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Option<(Option<i64>, Option<i64>)>, StoreError> {
    let r: Option<(Option<i64>, Option<i64>)> = on!(c, c => sqlx::query_as(
        "SELECT viewed_at, completed_at FROM lms_completion
          WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3")
        .bind(instance.0).bind(activity.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r)
}
