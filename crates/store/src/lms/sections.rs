//! Sections of a course (topics or weeks), in order. Participants never receive hidden or
//! not yet released sections: the filter is part of the statement.

use schulhof_types::{CourseId, InstanceId, SectionId};
use uuid::Uuid;

use crate::{AsConn, StoreError, on};

/// A section as the course page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionRow {
    pub id: SectionId,
    pub course_id: CourseId,
    pub position: i64,
    pub title: String,
    pub summary: String,
    pub hidden: bool,
    pub visible_from: Option<i64>,
}

type Raw = (Uuid, Uuid, i64, String, String, bool, Option<i64>);

fn row(r: Raw) -> SectionRow {
    SectionRow {
        id: SectionId(r.0),
        course_id: CourseId(r.1),
        position: r.2,
        title: r.3,
        summary: r.4,
        hidden: r.5,
        visible_from: r.6,
    }
}

macro_rules! columns {
    () => {
        "SELECT id, course_id, position, title, summary, hidden, visible_from FROM lms_sections "
    };
}

/// The sections of a course in order; with `editor` false only those a participant sees at
/// `now`.
pub async fn of_course(
    c: &mut impl AsConn,
    instance: InstanceId,
    course: CourseId,
    editor: bool,
    now: i64,
) -> Result<Vec<SectionRow>, StoreError> {
    let q = concat!(
        columns!(),
        "WHERE instance_id = $1 AND course_id = $2
           AND ($3 OR (NOT hidden AND (visible_from IS NULL OR visible_from <= $4)))
         ORDER BY position, id"
    );
    let r: Vec<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(course.0)
        .bind(editor).bind(now).fetch_all(&mut *c).await)?;
    Ok(r.into_iter().map(row).collect())
}

/// One section (whatever its visibility; the caller decides).
pub async fn get(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: SectionId,
) -> Result<Option<SectionRow>, StoreError> {
    let q = concat!(columns!(), "WHERE instance_id = $1 AND id = $2");
    let r: Option<Raw> = on!(c, c => sqlx::query_as(q).bind(instance.0).bind(id.0)
        .fetch_optional(&mut *c).await)?;
    Ok(r.map(row))
}

/// Appends a section at the end of its course.
pub async fn insert(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &SectionRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "INSERT INTO lms_sections (instance_id, id, course_id, position, title, summary, hidden,
                visible_from)
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), -1) + 1 FROM lms_sections
                 WHERE instance_id = $1 AND course_id = $3), $4, $5, $6, $7)")
        .bind(instance.0).bind(s.id.0).bind(s.course_id.0).bind(&s.title).bind(&s.summary)
        .bind(s.hidden).bind(s.visible_from)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Changes title, summary, visibility and release date.
pub async fn update(
    c: &mut impl AsConn,
    instance: InstanceId,
    s: &SectionRow,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query(
        "UPDATE lms_sections SET title = $3, summary = $4, hidden = $5, visible_from = $6
          WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(s.id.0).bind(&s.title).bind(&s.summary).bind(s.hidden)
        .bind(s.visible_from)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes a section with its activities.
pub async fn delete(
    c: &mut impl AsConn,
    instance: InstanceId,
    id: SectionId,
) -> Result<(), StoreError> {
    on!(c, c => sqlx::query("DELETE FROM lms_sections WHERE instance_id = $1 AND id = $2")
        .bind(instance.0).bind(id.0).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
