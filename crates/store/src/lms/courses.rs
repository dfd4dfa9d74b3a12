//! Courses, the groups and persons that make up their members, and the caller's role.

use schulhof_types::{ActivityId, CourseId, GroupId, InstanceId, UserId};
use uuid::Uuid;

use super::assignments::grades::GradeRow;
use super::{PersonRow, course_role};
use crate::{AsConn, StoreError, on};

/// A course with the caller's role (`None`: not a member).
#[derive(Clone, Debug)]
pub struct CourseRow {
    pub id: CourseId,
    pub name: String,
    pub summary: String,
    pub group_id: Option<GroupId>,
    pub school_year: String,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The simple view for primary schools (large tiles, read-aloud) for participants.
    pub simple_view: bool,
    /// "editor", "participant" or `None`.
    pub role: Option<String>,
}

type Raw = (
    Uuid,
    String,
    String,
    Option<Uuid>,
    String,
    Option<i64>,
    i64,
    i64,
    bool,
    Option<String>,
);

fn row(r: Raw) -> CourseRow {
    CourseRow {
        id: CourseId(r.0),
        name: r.1,
        summary: r.2,
        group_id: r.3.map(GroupId),
        school_year: r.4,
        archived_at: r.5,
        created_at: r.6,
        updated_at: r.7,
        simple_view: r.8,
        role: r.9,
    }
}

macro_rules! columns {
    () => {
        concat!(
            "c.id, c.name, c.summary, c.group_id, c.school_year, c.archived_at, c.created_at, \
             c.updated_at, c.simple_view, ",
            course_role!(),
            " AS role FROM lms_courses c"
        )
    };
}

/// Who asks: the user and whether their account type edits through a linked group.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub user: UserId,
    pub edits_by_group: bool,
}

/// One course with `who`'s role in it.
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CourseId,
    who: Member,
) -> Result<Option<CourseRow>, StoreError> {
    let r: Option<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT ", columns!(),
        " WHERE c.instance_id = $1 AND c.id = $2"))
        .bind(instance.0).bind(id.0).bind(who.user.0).bind(who.edits_by_group)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// The courses `who` is a member of (open ones first, then the archive), by name.
pub async fn list_for(
    c: &mut impl AsConn,
    instance: InstanceId,
    who: Member,
) -> Result<Vec<CourseRow>, StoreError> {
    // $2 is unused but keeps the role macro's numbering ($3, $4) shared with `get`.
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(concat!("SELECT * FROM (SELECT ", columns!(),
        " WHERE c.instance_id = $1 AND $2 = $2) x WHERE x.role IS NOT NULL
          ORDER BY x.archived_at IS NOT NULL, x.name, x.id"))
        .bind(instance.0).bind(0_i64).bind(who.user.0).bind(who.edits_by_group)
        .fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// The open course made for `group`, whoever asks (role `None`).
pub async fn for_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    group: GroupId,
) -> Result<Option<CourseId>, StoreError> {
    let r: Option<(Uuid,)> = on!(c, c => sqlx::query_as(
        "SELECT id FROM lms_courses WHERE instance_id = $1 AND group_id = $2
            AND archived_at IS NULL")
        .bind(instance.0).bind(group.0).fetch_optional(&mut *c).await)?;
    Ok(r.map(|r| CourseId(r.0)))
}

/// The fields of a new course.
#[derive(Clone, Debug)]
pub struct NewCourse<'a> {
    pub id: CourseId,
    pub name: &'a str,
    pub summary: &'a str,
    pub group_id: Option<GroupId>,
    pub school_year: &'a str,
    pub copied_from: Option<CourseId>,
    pub created_by: UserId,
    pub now: i64,
}

/// Inserts a course and links its group (if any). Fails with a unique violation when the
/// group already has an open course.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    n: &NewCourse<'_>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_courses (instance_id, id, name, summary, group_id, school_year,
                archived_at, copied_from, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $9)")
        .bind(instance.0).bind(n.id.0).bind(n.name).bind(n.summary).bind(n.group_id.map(|g| g.0))
        .bind(n.school_year).bind(n.copied_from.map(|g| g.0)).bind(n.created_by.0).bind(n.now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if let Some(g) = n.group_id {
        link_group(c, instance, n.id, g).await?;
    }
    Ok(())
}

/// Changes name and summary.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CourseId,
    name: &str,
    summary: &str,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_courses SET name = $3, summary = $4, updated_at = $5
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(name).bind(summary).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Switches the simple view for primary schools on or off.
pub async fn set_simple_view(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CourseId,
    on: bool,
    now: i64,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_courses SET simple_view = $3, updated_at = $4
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(on).bind(now)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Moves a course to the archive (or back with `None`).
pub async fn set_archived(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: CourseId,
    at: Option<i64>,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_courses SET archived_at = $3 WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).bind(at)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Archives every open course of a school (the school-year change); returns how many.
pub async fn archive_all(
    c: &mut impl AsConn,
    instance: InstanceId,
    at: i64,
) -> Result<u64, StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_courses SET archived_at = $2 WHERE instance_id = $1 AND archived_at IS NULL")
        .bind(instance.0).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))
    .map_err(Into::into)
}

pub async fn link_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    group: GroupId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_course_groups (instance_id, course_id, group_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING")
        .bind(instance.0).bind(course.0).bind(group.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn unlink_group(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    group: GroupId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM lms_course_groups WHERE instance_id = $1 AND course_id = $2 AND group_id = $3")
        .bind(instance.0).bind(course.0).bind(group.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The groups linked to a course with their names.
pub async fn groups_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<(GroupId, String)>, StoreError> {
    let r: Vec<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT g.id, g.name FROM lms_course_groups l JOIN user_groups g
            ON g.instance_id = l.instance_id AND g.id = l.group_id
          WHERE l.instance_id = $1 AND l.course_id = $2 ORDER BY g.name")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(id, n)| (GroupId(id), n)).collect())
}

/// Adds a person by hand (`role` "editor" for a co-teacher, or "participant").
pub async fn set_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
    role: &str,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_course_people (instance_id, course_id, user_id, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id, course_id, user_id) DO UPDATE SET role = excluded.role")
        .bind(instance.0).bind(course.0).bind(user.0).bind(role)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn remove_person(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    user: UserId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "DELETE FROM lms_course_people WHERE instance_id = $1 AND course_id = $2 AND user_id = $3")
        .bind(instance.0).bind(course.0).bind(user.0)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The participants of course `$2` in school `$1` with further columns `$extra` from
/// further tables `$join` (the rule of [`super::participant_of`]); active logins only, by
/// name.
macro_rules! participants_sql {
    ($extra:literal, $join:literal) => {
        concat!(
            "SELECT u.id, u.login, u.first_name, u.last_name",
            $extra,
            " FROM users u ",
            $join,
            " WHERE u.instance_id = $1 AND u.active AND ",
            super::participant_of!("$1", "$2"),
            " ORDER BY u.last_name, u.first_name, u.login"
        )
    };
}

/// The participants of a course (see [`participants_sql`]). One statement.
pub async fn participants(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<PersonRow>, StoreError> {
    let r: Vec<PersonRaw> = on!(c, c => sqlx::query_as(participants_sql!("", ""))
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(people(r))
}

/// A participant as the grading overview lists them: with their extension of the
/// activity (a later due date) and their grade, if any.
#[derive(Clone, Debug)]
pub struct GradingLine {
    pub person: PersonRow,
    pub extension: Option<i64>,
    /// Without `feedback` and `spoken_transcript` (left empty: the overview shows neither).
    pub grade: Option<GradeRow>,
}

/// The participants of a course with their extension of `activity` and their grade for
/// it, for the grading overview. One statement (the grade is one row per person, so the
/// join adds no rows; written feedback is not read).
pub async fn participants_for_grading(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    activity: ActivityId,
) -> Result<Vec<GradingLine>, StoreError> {
    let q = participants_sql!(
        ", (SELECT e.due_at FROM lms_extensions e WHERE e.instance_id = u.instance_id
             AND e.activity_id = $3 AND e.user_id = u.id),
           g.grade, g.passed, g.graded_by, g.graded_at, g.released_at",
        "LEFT JOIN lms_grades g ON g.instance_id = u.instance_id AND g.activity_id = $3
            AND g.user_id = u.id"
    );
    type Raw = (
        Uuid,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<bool>,
        Option<Uuid>,
        Option<i64>,
        Option<i64>,
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q)
        .bind(instance.0).bind(course.0).bind(activity.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(
            |(id, login, first_name, last_name, extension, grade, passed, by, at, released)| {
                let person = PersonRow {
                    id: UserId(id),
                    login,
                    first_name,
                    last_name,
                };
                // A grade row always has its grader and time: they say whether there is one.
                let grade = by.zip(at).map(|(by, at)| GradeRow {
                    user: person.id,
                    grade,
                    passed,
                    feedback: String::new(),
                    spoken_transcript: String::new(),
                    graded_by: UserId(by),
                    graded_at: at,
                    released_at: released,
                });
                GradingLine {
                    person,
                    extension,
                    grade,
                }
            },
        )
        .collect())
}

/// The editors of a course: teachers and staff of its linked groups and co-teachers (the
/// rule of [`super::editor_of`]).
pub async fn editors(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<PersonRow>, StoreError> {
    let r: Vec<PersonRaw> = on!(c, c => sqlx::query_as(
        concat!(
            "SELECT u.id, u.login, u.first_name, u.last_name FROM users u
              WHERE u.instance_id = $1 AND u.active AND ",
            super::editor_of!("$1", "$2"),
            " ORDER BY u.last_name, u.first_name, u.login"
        ))
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(people(r))
}

/// Classes and course groups of the school without an open course, by name: those `member`
/// belongs to, or all of them (`None`, the admin). One statement.
pub async fn groups_without_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    member: Option<UserId>,
) -> Result<Vec<(GroupId, String)>, StoreError> {
    let r: Vec<(Uuid, String)> = on!(c, c => sqlx::query_as(
        "SELECT g.id, g.name FROM user_groups g
          WHERE g.instance_id = $1 AND g.archived_at IS NULL AND g.kind IN ('klasse', 'kurs')
            AND ($2 IS NULL OR EXISTS (SELECT 1 FROM memberships m
                 WHERE m.instance_id = g.instance_id AND m.group_id = g.id AND m.user_id = $2))
            AND NOT EXISTS (SELECT 1 FROM lms_courses c WHERE c.instance_id = g.instance_id
                 AND c.group_id = g.id AND c.archived_at IS NULL)
          ORDER BY g.name_key")
        .bind(instance.0).bind(member.map(|u| u.0)).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|(id, n)| (GroupId(id), n)).collect())
}

/// The persons added by hand to a course, with their role.
pub async fn people_of(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<(PersonRow, String)>, StoreError> {
    let r: Vec<(Uuid, String, String, String, String)> = on!(c, c => sqlx::query_as(
        "SELECT u.id, u.login, u.first_name, u.last_name, p.role FROM lms_course_people p
           JOIN users u ON u.instance_id = p.instance_id AND u.id = p.user_id
          WHERE p.instance_id = $1 AND p.course_id = $2
          ORDER BY u.last_name, u.first_name, u.login")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter()
        .map(|(id, login, first_name, last_name, role)| {
            let p = PersonRow {
                id: UserId(id),
                login,
                first_name,
                last_name,
            };
            (p, role)
        })
        .collect())
}

type PersonRaw = (Uuid, String, String, String);

fn people(r: Vec<PersonRaw>) -> Vec<PersonRow> {
    r.into_iter()
        .map(|(id, login, first_name, last_name)| PersonRow {
            id: UserId(id),
            login,
            first_name,
            last_name,
        })
        .collect()
}
