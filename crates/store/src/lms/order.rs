//! Arranging a course: sections within their course and activities within their section
//! (or into another section of the course) take new positions in one statement however
//! many move (`CASE id WHEN … THEN …`), the same text on SQLite and PostgreSQL. Only rows of
//! the given course (or section) change, so an id from elsewhere is ignored rather than
//! pulled in.

use schulhof_types::{ActivityId, CourseId, InstanceId, SectionId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// `UPDATE <table> SET position = CASE id WHEN $3 THEN 0 … END WHERE instance_id = $1 AND
/// <scope> = $2 AND id IN ($3, …)`; positions are the indexes themselves (numbers, never
/// input), ids are bound.
fn statement(table: &str, scope: &str, positions: &[i64]) -> String {
    statement_also(table, scope, positions, "")
}

/// [`statement`] with further assignments (`also`, starting with a comma) after the
/// position's.
fn statement_also(table: &str, scope: &str, positions: &[i64], also: &str) -> String {
    let mut case = String::from("CASE id");
    let mut ids = Vec::with_capacity(positions.len());
    for (i, p) in positions.iter().enumerate() {
        let n = i + 3;
        case.push_str(&format!(" WHEN ${n} THEN {p}"));
        ids.push(format!("${n}"));
    }
    format!(
        "UPDATE {table} SET position = {case} END{also}
          WHERE instance_id = $1 AND {scope} = $2 AND id IN ({})",
        ids.join(", ")
    )
}

async fn renumber(
    c: &mut impl AsConn,
    table: &str,
    scope: &str,
    instance: InstanceId,
    owner: Uuid,
    moves: &[(Uuid, i64)],
) -> Result<u64, StoreError> {
    if moves.is_empty() {
        return Ok(0);
    }
    let positions: Vec<i64> = moves.iter().map(|m| m.1).collect();
    let sql = statement(table, scope, &positions);
    let n = on!(c, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(instance.0).bind(owner);
        for (id, _) in moves {
            q = q.bind(*id);
        }
        q.execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// Gives sections of `course` new positions; returns how many rows changed.
pub async fn sections(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    moves: &[(SectionId, i64)],
) -> Result<u64, StoreError> {
    let moves: Vec<(Uuid, i64)> = moves.iter().map(|(s, p)| (s.0, *p)).collect();
    renumber(c, "lms_sections", "course_id", instance, course.0, &moves).await
}

/// Gives activities of `section` new positions; returns how many rows changed.
pub async fn activities(
    c: &mut impl AsConn,
    instance: InstanceId,
    section: SectionId,
    moves: &[(ActivityId, i64)],
) -> Result<u64, StoreError> {
    let moves: Vec<(Uuid, i64)> = moves.iter().map(|(a, p)| (a.0, *p)).collect();
    renumber(
        c,
        "lms_activities",
        "section_id",
        instance,
        section.0,
        &moves,
    )
    .await
}

/// Moves activity `moved` into section `to` of `course` and gives the activities of both
/// sections their new positions (`moves`, which must name `moved`), in one statement;
/// returns how many rows changed. The caller checks that `to` belongs to `course`.
pub async fn activity_to_section(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    moved: ActivityId,
    to: SectionId,
    moves: &[(ActivityId, i64)],
) -> Result<u64, StoreError> {
    let positions: Vec<i64> = moves.iter().map(|m| m.1).collect();
    let (id, section) = (moves.len() + 3, moves.len() + 4);
    let also = format!(", section_id = CASE WHEN id = ${id} THEN ${section} ELSE section_id END");
    let sql = statement_also("lms_activities", "course_id", &positions, &also);
    let n = on!(c, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(instance.0).bind(course.0);
        for (id, _) in moves {
            q = q.bind(id.0);
        }
        q.bind(moved.0).bind(to.0).execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// The activities of a section with their positions, in order (editors' view: everything).
pub async fn activities_of_section(
    c: &mut impl AsConn,
    instance: InstanceId,
    section: SectionId,
) -> Result<Vec<(ActivityId, i64)>, StoreError> {
    let r: Vec<(Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, position FROM lms_activities WHERE instance_id = $1 AND section_id = $2
          ORDER BY position, id")
        .bind(instance.0).bind(section.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|r| (ActivityId(r.0), r.1)).collect())
}

/// The sections of a course with their positions, in order (editors' view: everything).
pub async fn sections_of_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
) -> Result<Vec<(SectionId, i64)>, StoreError> {
    let r: Vec<(Uuid, i64)> = on!(c, c => sqlx::query_as(
        "SELECT id, position FROM lms_sections WHERE instance_id = $1 AND course_id = $2
          ORDER BY position, id")
        .bind(instance.0).bind(course.0).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(|r| (SectionId(r.0), r.1)).collect())
}

#[cfg(test)]
mod tests {
    use super::statement;

    #[test]
    fn one_statement_binds_ids_and_writes_positions() {
        let s = statement("lms_sections", "course_id", &[2, 0]);
        assert!(
            s.contains("CASE id WHEN $3 THEN 2 WHEN $4 THEN 0 END"),
            "{s}"
        );
        assert!(s.contains("id IN ($3, $4)"), "{s}");
    }

    #[test]
    fn a_move_across_sections_sets_the_section_in_the_same_statement() {
        let s = super::statement_also("lms_activities", "course_id", &[1], ", x = 2");
        assert!(s.contains("CASE id WHEN $3 THEN 1 END, x = 2\n"), "{s}");
        assert!(s.contains("course_id = $2 AND id IN ($3)"), "{s}");
    }
}
