//! Grades and feedback per student: written feedback, a spoken feedback's transcript, and
//! feedback files (role "audio" is the spoken feedback). Released grades reach the student.

use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use super::submissions::{FileRaw, FileRow, file_row};
use crate::{AsConn, StoreError, on};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeRow {
    pub user: UserId,
    /// Points as text, a scale label, "pass" or "fail"; `None`: feedback without grade yet.
    pub grade: Option<String>,
    pub passed: Option<bool>,
    pub feedback: String,
    pub spoken_transcript: String,
    pub graded_by: UserId,
    pub graded_at: i64,
    pub released_at: Option<i64>,
}

type Raw = (
    Uuid,
    Option<String>,
    Option<bool>,
    String,
    String,
    Uuid,
    i64,
    Option<i64>,
);

fn row(r: Raw) -> GradeRow {
    GradeRow {
        user: UserId(r.0),
        grade: r.1,
        passed: r.2,
        feedback: r.3,
        spoken_transcript: r.4,
        graded_by: UserId(r.5),
        graded_at: r.6,
        released_at: r.7,
    }
}

macro_rules! columns {
    () => {
        "user_id, grade, passed, feedback, spoken_transcript, graded_by, \
                       graded_at, released_at FROM lms_grades"
    };
}

/// Stores a grade. A changed grade is released again (or now, with `released_at`): the
/// student never sees a grade the teacher has not released as it stands.
pub async fn upsert(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    g: &GradeRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_grades (instance_id, activity_id, user_id, grade, passed, feedback,
                spoken_transcript, graded_by, graded_at, released_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (instance_id, activity_id, user_id) DO UPDATE SET grade = excluded.grade,
             passed = excluded.passed, feedback = excluded.feedback,
             spoken_transcript = excluded.spoken_transcript, graded_by = excluded.graded_by,
             graded_at = excluded.graded_at,
             released_at = excluded.released_at")
        .bind(instance.0).bind(activity.0).bind(g.user.0).bind(&g.grade).bind(g.passed)
        .bind(&g.feedback).bind(&g.spoken_transcript).bind(g.graded_by.0).bind(g.graded_at)
        .bind(g.released_at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn of_student(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Option<GradeRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        columns!(),
        " WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3"
    );
    let r: Option<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(activity.0).bind(user.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// All grades of an activity. One statement.
pub async fn of_activity(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<GradeRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        columns!(),
        " WHERE instance_id = $1 AND activity_id = $2"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// Releases the unreleased grades of an activity (all, or one student's); returns whose.
pub async fn release(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    only: Option<UserId>,
    now: i64,
) -> Result<Vec<UserId>, StoreError> {
    let r: Vec<(Uuid,)> = on!(c, c => sqlx::query_as(
        "UPDATE lms_grades SET released_at = $4
          WHERE instance_id = $1 AND activity_id = $2 AND released_at IS NULL
            AND ($3 IS NULL OR user_id = $3)
         RETURNING user_id")
        .bind(instance.0).bind(activity.0).bind(only.map(|u| u.0)).bind(now)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|r| UserId(r.0)).collect())
}

pub async fn add_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
    f: &FileRow,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_feedback_files (instance_id, id, activity_id, user_id, role, name,
                mime, size, blob_sha, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(instance.0).bind(f.id).bind(activity.0).bind(user.0).bind(&f.role)
        .bind(&f.name).bind(&f.mime).bind(f.size).bind(&f.blob_sha).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn files(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
) -> Result<Vec<FileRow>, StoreError> {
    let r: Vec<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, role, name, mime, size, blob_sha FROM lms_feedback_files
          WHERE instance_id = $1 AND activity_id = $2 AND user_id = $3
          ORDER BY created_at, id")
        .bind(instance.0).bind(activity.0).bind(user.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(file_row).collect())
}

/// A feedback file with its activity and student.
pub async fn file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<(FileRow, ActivityId, UserId)>, StoreError> {
    type R = (Uuid, String, String, String, i64, String, Uuid, Uuid);
    let r: Option<R> = on!(c, c => sqlx::query_as(
        "SELECT id, role, name, mime, size, blob_sha, activity_id, user_id
           FROM lms_feedback_files WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| {
        (
            file_row((r.0, r.1, r.2, r.3, r.4, r.5)),
            ActivityId(r.6),
            UserId(r.7),
        )
    }))
}

/// Removes a student's feedback files of `role` (a new spoken feedback replaces the old).
pub async fn delete_files(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    user: UserId,
    role: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM lms_feedback_files WHERE instance_id = $1 AND activity_id = $2
            AND user_id = $3 AND role = $4")
        .bind(instance.0).bind(activity.0).bind(user.0).bind(role)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
