//! Copying a course into a new year: the kind-specific rows of an assignment or a quiz go
//! with its activity, each table in one `INSERT … SELECT`. Dates that belonged to last year
//! (allow-from, cut-off) are left for the teacher to set again; submissions, grades,
//! attempts, extensions and private questions never travel. A placed LTI tool travels with
//! its gradebook column (line item), not with the scores the tool posted.

use schulhof_types::{ActivityId, CourseId, InstanceId};

use crate::{AsConn, Conn, StoreError, on};

/// Copies an assignment's settings from `from` to the new activity `to`, without its dates.
pub async fn assignment(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: ActivityId,
    to: ActivityId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_assignments (instance_id, activity_id, allow_from, cutoff_at, types,
                group_mode, grading, max_points, pass_points, scale)
         SELECT instance_id, $3, NULL, NULL, types, group_mode, grading, max_points,
                pass_points, scale
           FROM lms_assignments WHERE instance_id = $1 AND activity_id = $2")
        .bind(instance.0).bind(from.0).bind(to.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// New question rows of `to` from those of `from`; `$id` makes the row id.
macro_rules! copy_questions {
    ($id:literal) => {
        concat!(
            "INSERT INTO lms_quiz_questions (instance_id, id, activity_id, position, kind, points,
                    definition, created_at, updated_at)
             SELECT instance_id, ",
            $id,
            ", $3, position, kind, points, definition, $4, $4
               FROM lms_quiz_questions WHERE instance_id = $1 AND activity_id = $2"
        )
    };
}

/// Copies a quiz's questions from `from` to the new activity `to`. Returns how many.
pub async fn quiz_questions(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: ActivityId,
    to: ActivityId,
    now: i64,
) -> Result<u64, StoreError> {
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(copy_questions!("randomblob(16)"))
            .bind(instance.0)
            .bind(from.0)
            .bind(to.0)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(copy_questions!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(from.0)
            .bind(to.0)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(n)
}

/// A new line item for the copied LTI activity `to` in course `$4` from the one of `from`
/// (label, maximum, resource id, tag); `$id` makes the row id. Scores stay behind.
macro_rules! copy_line_item {
    ($id:literal) => {
        concat!(
            "INSERT INTO lti_line_items (instance_id, id, course_id, client_ref, activity_id,
                    label, score_maximum, resource_id, tag, created_at)
             SELECT instance_id, ",
            $id,
            ", $4, client_ref, $3, label, score_maximum, resource_id, tag, $5
               FROM lti_line_items WHERE instance_id = $1 AND activity_id = $2"
        )
    };
}

/// Copies the line item of an LTI activity (its placement's gradebook column) from `from`
/// to the new activity `to` of `course`, never its scores. Returns how many (0 or 1).
pub async fn lti_line_item(
    c: &mut impl AsConn,
    instance: InstanceId,
    from: ActivityId,
    to: ActivityId,
    course: CourseId,
    now: i64,
) -> Result<u64, StoreError> {
    let n = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(copy_line_item!("randomblob(16)"))
            .bind(instance.0)
            .bind(from.0)
            .bind(to.0)
            .bind(course.0)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(copy_line_item!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(from.0)
            .bind(to.0)
            .bind(course.0)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(n)
}
