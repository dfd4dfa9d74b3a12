//! Courses made by the school's setting rather than by a click: for every open class (and,
//! if the admin chose so, every course group) without an open course. Three set statements
//! whatever the number of groups, each safe to repeat: what exists is left alone.

use schulhof_types::{InstanceId, UserId};
use uuid::Uuid;

use crate::{AsConn, Conn, StoreError, on};

/// The creator recorded on courses the setting made: no person made them.
pub const AUTO_CREATOR: UserId = UserId(Uuid::nil());

/// The school's setting: `aus`, `klassen` or `klassen_kurse` (see migration 0065).
pub async fn setting(c: &mut impl AsConn, instance: InstanceId) -> Result<String, StoreError> {
    let r: Option<(String,)> = on!(c, c => sqlx::query_as(
        "SELECT lms_auto_courses FROM instances WHERE id = $1")
        .bind(instance.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| r.0).unwrap_or_else(|| "aus".into()))
}

pub async fn set_setting(
    c: &mut impl AsConn,
    instance: InstanceId,
    value: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("UPDATE instances SET lms_auto_courses = $2 WHERE id = $1")
        .bind(instance.0).bind(value).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// `$1` school, `$2` school year, `$3` creator, `$4` now, `$5` course groups too. The id is
/// made by the database; a group that got its course meanwhile (another node, a click) is
/// skipped by the one-open-course-per-group index instead of failing.
macro_rules! courses_for_groups {
    ($id:literal) => {
        concat!(
            "INSERT INTO lms_courses (instance_id, id, name, summary, group_id, school_year,
                    archived_at, copied_from, created_by, created_at, updated_at)
             SELECT g.instance_id, ",
            $id,
            ", g.name, '', g.id, $2, NULL, NULL, $3, $4, $4 FROM user_groups g
              WHERE g.instance_id = $1 AND g.archived_at IS NULL
                AND (g.kind = 'klasse' OR ($5 AND g.kind = 'kurs'))
                AND NOT EXISTS (SELECT 1 FROM lms_courses c WHERE c.instance_id = g.instance_id
                     AND c.group_id = g.id AND c.archived_at IS NULL)
             ON CONFLICT DO NOTHING"
        )
    };
}

/// The first section ("Allgemeines", as the one-click path makes it) of every course made
/// at `$2` by `$3` that has none yet.
macro_rules! first_sections {
    ($id:literal) => {
        concat!(
            "INSERT INTO lms_sections (instance_id, id, course_id, position, title, summary,
                    hidden, visible_from)
             SELECT c.instance_id, ",
            $id,
            ", c.id, 0, 'Allgemeines', '', FALSE, NULL FROM lms_courses c
              WHERE c.instance_id = $1 AND c.created_at = $2 AND c.created_by = $3
                AND NOT EXISTS (SELECT 1 FROM lms_sections s
                     WHERE s.instance_id = c.instance_id AND s.course_id = c.id)"
        )
    };
}

/// Creates the course of every open class (`with_course_groups`: and course group) of the
/// school that has no open course, linked to its group (its teachers edit, its students
/// take part) with one empty section. Returns how many courses were made.
pub async fn create_for_groups(
    c: &mut impl AsConn,
    instance: InstanceId,
    with_course_groups: bool,
    school_year: &str,
    now: i64,
) -> Result<u64, StoreError> {
    let made = match c.conn() {
        Conn::Sqlite(c) => sqlx::query(courses_for_groups!("randomblob(16)"))
            .bind(instance.0)
            .bind(school_year)
            .bind(AUTO_CREATOR.0)
            .bind(now)
            .bind(with_course_groups)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(courses_for_groups!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(school_year)
            .bind(AUTO_CREATOR.0)
            .bind(now)
            .bind(with_course_groups)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    if made == 0 {
        return Ok(0);
    }
    // The link that makes the group's members the course's members, as `insert` makes it.
    on!(c, c => sqlx::query(
        "INSERT INTO lms_course_groups (instance_id, course_id, group_id)
         SELECT c.instance_id, c.id, c.group_id FROM lms_courses c
          WHERE c.instance_id = $1 AND c.created_at = $2 AND c.created_by = $3
            AND c.group_id IS NOT NULL
         ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(now).bind(AUTO_CREATOR.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    match c.conn() {
        Conn::Sqlite(c) => sqlx::query(first_sections!("randomblob(16)"))
            .bind(instance.0)
            .bind(now)
            .bind(AUTO_CREATOR.0)
            .execute(&mut *c)
            .await?
            .rows_affected(),
        Conn::Pg(c) => sqlx::query(first_sections!("gen_random_uuid()"))
            .bind(instance.0)
            .bind(now)
            .bind(AUTO_CREATOR.0)
            .execute(&mut *c)
            .await?
            .rows_affected(),
    };
    Ok(made)
}
