//! The course page: sections in order with the activities the caller sees, their files and
//! the caller's completion — three statements however big the course is. Editors add,
//! change and delete sections here (arranging them is `arrange.rs`).

use schulhof_store::lms::outline::{self, FileRow};
use schulhof_store::lms::sections::{self, SectionRow};
use schulhof_types::{CourseId, SectionId};

use super::{ActivityRow, CourseCtx};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The course page's content.
#[derive(Clone, Debug)]
pub struct CourseView {
    pub course: CourseCtx,
    pub sections: Vec<SectionView>,
}

#[derive(Clone, Debug)]
pub struct SectionView {
    pub row: SectionRow,
    pub activities: Vec<ActivityItem>,
}

/// An activity on the course page with the caller's completion and its files.
#[derive(Clone, Debug)]
pub struct ActivityItem {
    /// The activity; `due_at` is the caller's own (their extension, if any).
    pub row: ActivityRow,
    pub viewed: bool,
    pub completed: bool,
    pub files: Vec<FileRow>,
    /// Whether `row.due_at` is the caller's extension.
    pub extended: bool,
}

/// What a section is given in its form.
#[derive(Clone, Debug, Default)]
pub struct SectionInput {
    pub title: String,
    pub summary: String,
    pub hidden: bool,
    /// Unix µs; `None`: at once.
    pub visible_from: Option<i64>,
}

fn checked(input: &SectionInput) -> Result<(String, String), DomainError> {
    let t = input.title.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(DomainError::invalid(
            "title",
            "Bitte einen Titel mit höchstens 200 Zeichen angeben.",
        ));
    }
    Ok((t.to_owned(), input.summary.trim().to_owned()))
}

impl Platform {
    /// The course page for the caller: participants get only what they may see now, due
    /// dates as they apply to them (an extension replaces the assignment's).
    pub async fn lms_outline(&self, a: &Actor, id: CourseId) -> Result<CourseView, DomainError> {
        let course = self.lms_course(a, id).await?;
        let scope = self.lms_scope(a, &course.facts)?;
        let inst = course.facts.instance;
        let mut c = self.db.read().await?;
        let secs =
            outline::sections_of(&mut c, inst, id, scope.user, scope.editor, scope.now).await?;
        let files =
            outline::files_of_course(&mut c, inst, id, scope.user, scope.editor, scope.now).await?;
        let sections = secs
            .into_iter()
            .map(|s| SectionView {
                activities: s
                    .activities
                    .iter()
                    .map(|o| ActivityItem {
                        row: ActivityRow {
                            due_at: o.extension.or(o.activity.due_at),
                            ..o.activity.clone()
                        },
                        extended: o.extension.is_some(),
                        viewed: o.viewed_at.is_some(),
                        completed: o.completed_at.is_some(),
                        files: files
                            .iter()
                            .filter(|f| f.activity_id == o.activity.id)
                            .cloned()
                            .collect(),
                    })
                    .collect(),
                row: s.section,
            })
            .collect();
        Ok(CourseView { course, sections })
    }

    /// Appends a section to a course the caller edits.
    pub async fn lms_add_section(
        &self,
        a: &Actor,
        course: CourseId,
        input: &SectionInput,
    ) -> Result<SectionId, DomainError> {
        let (title, summary) = checked(input)?;
        let ctx = self.lms_course_for_edit(a, course).await?;
        let row = SectionRow {
            id: SectionId::new(),
            course_id: course,
            position: 0,
            title,
            summary,
            hidden: input.hidden,
            visible_from: input.visible_from,
        };
        let mut tx = self.db.begin().await?;
        sections::insert(&mut tx, ctx.facts.instance, &row).await?;
        tx.commit().await?;
        Ok(row.id)
    }

    /// A section of a course the caller edits, with that course.
    pub async fn lms_section_for_edit(
        &self,
        a: &Actor,
        id: SectionId,
    ) -> Result<(SectionRow, CourseCtx), DomainError> {
        let row = {
            let mut c = self.db.read().await?;
            sections::get(&mut c, a.token.instance(), id)
                .await?
                .ok_or(DomainError::NotFound)?
        };
        let ctx = self.lms_course_for_edit(a, row.course_id).await?;
        Ok((row, ctx))
    }

    /// Renames, hides or schedules a section.
    pub async fn lms_update_section(
        &self,
        a: &Actor,
        id: SectionId,
        input: &SectionInput,
    ) -> Result<(), DomainError> {
        let (title, summary) = checked(input)?;
        let (row, ctx) = self.lms_section_for_edit(a, id).await?;
        let row = SectionRow {
            title,
            summary,
            hidden: input.hidden,
            visible_from: input.visible_from,
            ..row
        };
        let mut tx = self.db.begin().await?;
        sections::update(&mut tx, ctx.facts.instance, &row).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a section with everything in it.
    pub async fn lms_delete_section(&self, a: &Actor, id: SectionId) -> Result<(), DomainError> {
        let (_, ctx) = self.lms_section_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        sections::delete(&mut tx, ctx.facts.instance, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
