//! What students hand in: one row per student (or group) and activity, and its files.

use schulhof_types::{ActivityId, InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A submission. `owner_id` is the student, or the group when `is_group`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRow {
    pub id: Uuid,
    pub activity_id: ActivityId,
    pub owner_id: Uuid,
    pub is_group: bool,
    pub text: String,
    /// "submitted" or "reopened".
    pub status: String,
    pub late: bool,
    pub submitted_by: UserId,
    pub submitted_at: i64,
}

type Raw = (Uuid, Uuid, Uuid, bool, String, String, bool, Uuid, i64);

fn row(r: Raw) -> SubmissionRow {
    SubmissionRow {
        id: r.0,
        activity_id: ActivityId(r.1),
        owner_id: r.2,
        is_group: r.3,
        text: r.4,
        status: r.5,
        late: r.6,
        submitted_by: UserId(r.7),
        submitted_at: r.8,
    }
}

macro_rules! columns {
    () => {
        "id, activity_id, owner_id, is_group, text, status, late, submitted_by, \
                       submitted_at FROM lms_submissions"
    };
}

pub async fn of_owner(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
    owner: Uuid,
) -> Result<Option<SubmissionRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        columns!(),
        " WHERE instance_id = $1 AND activity_id = $2 AND owner_id = $3"
    );
    let r: Option<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(activity.0).bind(owner).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Every submission of an activity (students' and groups'). One statement.
pub async fn of_activity(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<SubmissionRow>, StoreError> {
    let q = concat!(
        "SELECT ",
        columns!(),
        " WHERE instance_id = $1 AND activity_id = $2"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<SubmissionRow>, StoreError> {
    let q = concat!("SELECT ", columns!(), " WHERE instance_id = $1 AND id = $2");
    let r: Option<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Hands in (again): creates the row or updates text, lateness and time, and sets the
/// status back to "submitted". Returns the submission's id.
pub async fn hand_in(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &SubmissionRow,
) -> Result<Uuid, StoreError> {
    let (id,): (Uuid,) = on!(c, c => sqlx::query_as(
        "INSERT INTO lms_submissions (instance_id, id, activity_id, owner_id, is_group, text,
                status, late, submitted_by, submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9)
         ON CONFLICT (instance_id, activity_id, owner_id) DO UPDATE SET text = excluded.text,
             status = 'submitted', late = excluded.late, submitted_by = excluded.submitted_by,
             submitted_at = excluded.submitted_at
         RETURNING id")
        .bind(instance.0).bind(s.id).bind(s.activity_id.0).bind(s.owner_id).bind(s.is_group)
        .bind(&s.text).bind(s.late).bind(s.submitted_by.0).bind(s.submitted_at)
        .fetch_one(&mut *c).await)?;
    Ok(id)
}

/// Sets "reopened" (a resubmission was asked for) or "submitted".
pub async fn set_status(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
    status: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_submissions SET status = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).bind(status)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A file handed in or given as feedback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub id: Uuid,
    /// "file" or "audio".
    pub role: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub blob_sha: String,
}

pub(crate) type FileRaw = (Uuid, String, String, String, i64, String);

pub(crate) fn file_row(r: FileRaw) -> FileRow {
    FileRow {
        id: r.0,
        role: r.1,
        name: r.2,
        mime: r.3,
        size: r.4,
        blob_sha: r.5,
    }
}

pub async fn add_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    submission: Uuid,
    f: &FileRow,
    by: UserId,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_submission_files (instance_id, id, submission_id, role, name, mime,
                size, blob_sha, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(instance.0).bind(f.id).bind(submission).bind(&f.role).bind(&f.name)
        .bind(&f.mime).bind(f.size).bind(&f.blob_sha).bind(by.0).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn files(
    c: &mut impl AsConn,
    instance: InstanceId,
    submission: Uuid,
) -> Result<Vec<FileRow>, StoreError> {
    let r: Vec<FileRaw> = on!(c, c => sqlx::query_as(
        "SELECT id, role, name, mime, size, blob_sha FROM lms_submission_files
          WHERE instance_id = $1 AND submission_id = $2 ORDER BY created_at, id")
        .bind(instance.0).bind(submission).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(file_row).collect())
}

/// A file with the submission it belongs to.
pub async fn file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<Option<(FileRow, Uuid)>, StoreError> {
    let r: Option<(Uuid, String, String, String, i64, String, Uuid)> = on!(c, c => sqlx::query_as(
        "SELECT id, role, name, mime, size, blob_sha, submission_id FROM lms_submission_files
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| (file_row((r.0, r.1, r.2, r.3, r.4, r.5)), r.6)))
}

pub async fn delete_file(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: Uuid,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM lms_submission_files WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every file of an activity's submissions with the owner it belongs to (for the ZIP).
pub async fn files_of_activity(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<(Uuid, FileRow)>, StoreError> {
    let r: Vec<(Uuid, Uuid, String, String, String, i64, String)> = on!(c, c => sqlx::query_as(
        "SELECT s.owner_id, f.id, f.role, f.name, f.mime, f.size, f.blob_sha
           FROM lms_submission_files f JOIN lms_submissions s
             ON s.instance_id = f.instance_id AND s.id = f.submission_id
          WHERE f.instance_id = $1 AND s.activity_id = $2 ORDER BY f.created_at, f.id")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| (r.0, file_row((r.1, r.2, r.3, r.4, r.5, r.6))))
        .collect())
}

/// One student's line of the overview: the submission that counts for them (their own, or
/// their group's) with its number of files.
#[derive(Clone, Debug)]
pub struct WorkLine {
    pub user: UserId,
    pub submission: SubmissionRow,
    pub files: i64,
}

/// The submissions of an activity per student, group submissions spread to the group's
/// members. One statement.
pub async fn per_student(
    c: &mut impl AsConn,
    instance: InstanceId,
    activity: ActivityId,
) -> Result<Vec<WorkLine>, StoreError> {
    type Line = (
        Uuid,
        Uuid,
        Uuid,
        Uuid,
        bool,
        String,
        String,
        bool,
        Uuid,
        i64,
        i64,
    );
    let r: Vec<Line> = on!(c, c => sqlx::query_as(
        "SELECT COALESCE(m.user_id, s.owner_id), s.id, s.activity_id, s.owner_id, s.is_group,
                s.text, s.status, s.late, s.submitted_by, s.submitted_at,
                (SELECT COUNT(*) FROM lms_submission_files f
                  WHERE f.instance_id = s.instance_id AND f.submission_id = s.id)
           FROM lms_submissions s
           LEFT JOIN memberships m ON s.is_group AND m.instance_id = s.instance_id
                AND m.group_id = s.owner_id
          WHERE s.instance_id = $1 AND s.activity_id = $2")
        .bind(instance.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|r| WorkLine {
            user: UserId(r.0),
            submission: row((r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9)),
            files: r.10,
        })
        .collect())
}
