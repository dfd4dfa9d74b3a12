//! Assignments: the settings of an activity of kind 'assignment', extensions per student,
//! the instruction files (in `lms_activity_files`), and the course-linked group a student
//! hands in with. Submissions and grades are in the sub-modules.

pub mod grades;
pub mod submissions;

use schulhof_types::{ActivityId, CourseId, GroupId, InstanceId, SectionId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// The settings of an assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentRow {
    pub activity_id: ActivityId,
    pub allow_from: Option<i64>,
    pub cutoff_at: Option<i64>,
    /// Comma list of "text", "files", "audio".
    pub types: String,
    pub group_mode: bool,
    /// "points", "scale" or "passfail".
    pub grading: String,
    pub max_points: i64,
    pub pass_points: i64,
    /// Scale labels, one per line, best first.
    pub scale: String,
}

type Raw = (
    Uuid,
    Option<i64>,
    Option<i64>,
    String,
    bool,
    String,
    i64,
    i64,
    String,
);

fn row(r: Raw) -> AssignmentRow {
    AssignmentRow {
        activity_id: ActivityId(r.0),
        allow_from: r.1,
        cutoff_at: r.2,
        types: r.3,
        group_mode: r.4,
        grading: r.5,
        max_points: r.6,
        pass_points: r.7,
        scale: r.8,
    }
}

/// Inserts or replaces the settings of an assignment.
pub async fn upsert(
    c: &mut impl AsConn,
    instance: InstanceId,
    a: &AssignmentRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_assignments (instance_id, activity_id, allow_from, cutoff_at, types,
                group_mode, grading, max_points, pass_points, scale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (instance_id, activity_id) DO UPDATE SET allow_from = excluded.allow_from,
             cutoff_at = excluded.cutoff_at, types = excluded.types,
             group_mode = excluded.group_mode, grading = excluded.grading,
             max_points = excluded.max_points, pass_points = excluded.pass_points,
             scale = excluded.scale")
        .bind(instance.0).bind(a.activity_id.0).bind(a.allow_from).bind(a.cutoff_at)
        .bind(&a.types).bind(a.group_mode).bind(&a.grading).bind(a.max_points)
        .bind(a.pass_points).bind(&a.scale)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Option<AssignmentRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(
        "SELECT activity_id, allow_from, cutoff_at, types, group_mode, grading, max_points,
                pass_points, scale
           FROM lms_assignments WHERE instance_id = $1 AND activity_id = $2")
        .bind(instance.0).bind(activity.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The course a section belongs to.
pub async fn section_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    section: SectionId,
) -> Result<Option<CourseId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT course_id FROM lms_sections WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(section.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| CourseId(r.0)))
}

/// Sets (or with `None` removes) a student's later due date.
pub async fn set_extension(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
    due: Option<i64>,
) -> Result<(), StoreError> {
    match due {
        Some(d) => on!(c, c => sqlx::query(
            "INSERT INTO lms_extensions (instance_id, activity_id, user_id, due_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, activity_id, user_id)
             DO UPDATE SET due_at = excluded.due_at")
            .bind(instance.0).bind(activity.0).bind(user.0).bind(d)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?,
        None => on!(c, c => sqlx::query(
            "DELETE FROM lms_extensions WHERE instance_id = $1 AND activity_id = $2
                AND user_id = $3")
            .bind(instance.0).bind(activity.0).bind(user.0)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?,
    };
    Ok(())
}

pub async fn extension(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Option<i64>, StoreError> {
    let r: Option<(i64,)> = on!(c, c => sqlx::query_as(
        "SELECT due_at FROM lms_extensions WHERE instance_id = $1 AND activity_id = $2
            AND user_id = $3")
        .bind(instance.0).bind(activity.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| r.0))
}

/// The course-linked group `user` hands in with (the first by name), if any.
pub async fn member_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
) -> Result<Option<GroupId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT g.id FROM lms_course_groups l
           JOIN user_groups g ON g.instance_id = l.instance_id AND g.id = l.group_id
           JOIN memberships m ON m.instance_id = l.instance_id AND m.group_id = l.group_id
          WHERE l.instance_id = $1 AND l.course_id = $2 AND m.user_id = $3
          ORDER BY g.name, g.id LIMIT 1")
        .bind(instance.0).bind(course.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| GroupId(r.0)))
}

/// A file of an activity (instruction material or the audio instruction).
#[derive(Clone, Debug)]
pub struct ActivityFileRow {
    pub id: Uuid,
    pub activity_id: ActivityId,
    /// "material" or "instruction_audio".
    pub role: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub blob_sha: String,
}

type FileRaw = (Uuid, Uuid, String, String, String, i64, String);

fn file_row(r: FileRaw) -> ActivityFileRow {
    ActivityFileRow {
        id: r.0,
        activity_id: ActivityId(r.1),
        role: r.2,
        name: r.3,
        mime: r.4,
        size: r.5,
        blob_sha: r.6,
    }
}

/// Adds a file at the end of the activity's files.
pub async fn add_activity_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    f: &ActivityFileRow,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_activity_files (instance_id, id, activity_id, role, name, mime, size,
                blob_sha, node_id, position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, (SELECT COALESCE(MAX(position), -1) + 1
                 FROM lms_activity_files WHERE instance_id = $1 AND activity_id = $3), $9)")
        .bind(instance.0).bind(f.id).bind(f.activity_id.0).bind(&f.role).bind(&f.name)
        .bind(&f.mime).bind(f.size).bind(&f.blob_sha).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn activity_files(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<ActivityFileRow>, StoreError> {
    let r: Vec<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, activity_id, role, name, mime, size, blob_sha FROM lms_activity_files
          WHERE instance_id = $1 AND activity_id = $2 ORDER BY position, id")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(file_row).collect())
}

pub async fn activity_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<ActivityFileRow>, StoreError> {
    let r: Option<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, activity_id, role, name, mime, size, blob_sha FROM lms_activity_files
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(file_row))
}

/// Removes the activity's files of `role` (a new audio instruction replaces the old one).
pub async fn delete_activity_files(
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

pub async fn delete_activity_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM lms_activity_files WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
