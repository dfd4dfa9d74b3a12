//! Assignments: the settings of an activity of kind 'assignment', extensions per student,
//! and the course-linked group a student hands in with. Instruction files are activity
//! files like any other ([`crate::lms::outline`], roles `material` and
//! `instruction_audio`). Submissions and grades are in the sub-modules.

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

/// For every member of a course-linked group: the group they hand in with (the first by
/// name, as [`member_group`]). One statement.
pub async fn member_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<std::collections::HashMap<UserId, GroupId>, StoreError> {
    let r: Vec<(Uuid, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT m.user_id, g.id FROM lms_course_groups l
           JOIN user_groups g ON g.instance_id = l.instance_id AND g.id = l.group_id
           JOIN memberships m ON m.instance_id = l.instance_id AND m.group_id = l.group_id
          WHERE l.instance_id = $1 AND l.course_id = $2
          ORDER BY m.user_id, g.name, g.id")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    let mut out = std::collections::HashMap::new();
    for (user, group) in r {
        out.entry(UserId(user)).or_insert(GroupId(group));
    }
    Ok(out)
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
