//! Reaching a course or an activity: one statement that loads it with the caller's role,
//! then the policy's decision.

use schulhof_authz::lms::{
    self as policy, ActivityScope, CourseFacts, CourseRole, EditCourse, TakePart, ViewCourse,
};
use schulhof_authz::{Principal, check};
use schulhof_store::lms::activities::{self, ActivityRow};
use schulhof_store::lms::courses::{self, CourseRow, Member};
use schulhof_types::{ActivityId, CourseId};

use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A course as the caller reaches it.
#[derive(Clone, Debug)]
pub struct CourseCtx {
    pub row: CourseRow,
    pub facts: CourseFacts,
    pub role: CourseRole,
}

impl CourseCtx {
    pub fn is_editor(&self) -> bool {
        self.role == CourseRole::Editor
    }
}

/// An activity as the caller reaches it, with its course's facts.
#[derive(Clone, Debug)]
pub struct ActivityCtx {
    pub activity: ActivityRow,
    pub course: CourseFacts,
    pub role: CourseRole,
}

impl ActivityCtx {
    pub fn is_editor(&self) -> bool {
        self.role == CourseRole::Editor
    }
}

/// The store's view of who asks.
pub(crate) fn member(a: &Actor) -> Member {
    let edits = match a.token.principal() {
        Principal::Person(t) => policy::edits_by_group(t),
        Principal::Function(_) => false,
    };
    Member {
        user: a.token.user(),
        edits_by_group: edits,
    }
}

pub(crate) fn role_of(stored: Option<&str>) -> Option<CourseRole> {
    match stored {
        Some("editor") => Some(CourseRole::Editor),
        Some("participant") => Some(CourseRole::Participant),
        _ => None,
    }
}

fn facts_of(a: &Actor, row: &CourseRow) -> CourseFacts {
    CourseFacts {
        instance: a.token.instance(),
        id: row.id,
        role: role_of(row.role.as_deref()),
        archived: row.archived_at.is_some(),
    }
}

impl Platform {
    /// The caller's courses (open first, then archived).
    pub async fn lms_courses(&self, a: &Actor) -> Result<Vec<CourseRow>, DomainError> {
        if a.token.principal().account_type().is_none() {
            return Ok(Vec::new());
        }
        let mut c = self.db.read().await?;
        Ok(courses::list_for(&mut c, a.token.instance(), member(a)).await?)
    }

    /// A course the caller is a member of; `NotFound` otherwise.
    pub async fn lms_course(&self, a: &Actor, id: CourseId) -> Result<CourseCtx, DomainError> {
        let mut c = self.db.read().await?;
        let row = courses::get(&mut c, a.token.instance(), id, member(a))
            .await?
            .ok_or(DomainError::NotFound)?;
        let facts = facts_of(a, &row);
        check(&a.token, ViewCourse(facts))?;
        let role = facts.role.ok_or(DomainError::NotFound)?;
        Ok(CourseCtx { row, facts, role })
    }

    /// A course the caller edits (open, editor); `NotFound` for non-members.
    pub async fn lms_course_for_edit(
        &self,
        a: &Actor,
        id: CourseId,
    ) -> Result<CourseCtx, DomainError> {
        let ctx = self.lms_course(a, id).await?;
        check(&a.token, EditCourse(ctx.facts))?;
        Ok(ctx)
    }

    /// The filter a caller's course queries use.
    pub fn lms_scope(&self, a: &Actor, course: &CourseFacts) -> Result<ActivityScope, DomainError> {
        Ok(policy::activity_scope(
            &a.token,
            course,
            schulhof_store::to_us(self.now()),
        )?)
    }

    /// An activity the caller may see now: editors see everything of their courses,
    /// participants only visible, released, unrestricted (or restricted to them) activities.
    pub async fn lms_activity(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let mut c = self.db.read().await?;
        let now = schulhof_store::to_us(self.now());
        let m = member(a);
        let got = activities::in_context(
            &mut c,
            a.token.instance(),
            id,
            m.user,
            m.edits_by_group,
            now,
        )
        .await?
        .ok_or(DomainError::NotFound)?;
        let course = CourseFacts {
            instance: a.token.instance(),
            id: got.activity.course_id,
            role: role_of(got.role.as_deref()),
            archived: got.course_archived,
        };
        check(&a.token, ViewCourse(course))?;
        let role = course.role.ok_or(DomainError::NotFound)?;
        if role == CourseRole::Participant && !got.visible_to_participant {
            return Err(DomainError::NotFound);
        }
        Ok(ActivityCtx {
            activity: got.activity,
            course,
            role,
        })
    }

    /// An activity the caller edits.
    pub async fn lms_activity_for_edit(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        check(&a.token, EditCourse(ctx.course))?;
        Ok(ctx)
    }

    /// An activity the caller takes part in (submits, attempts, ticks).
    pub async fn lms_activity_for_participant(
        &self,
        a: &Actor,
        id: ActivityId,
    ) -> Result<ActivityCtx, DomainError> {
        let ctx = self.lms_activity(a, id).await?;
        check(&a.token, TakePart(ctx.course))?;
        Ok(ctx)
    }
}
