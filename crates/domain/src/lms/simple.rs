//! The simple view for primary schools (issue 15, "a simple view for primary schools:
//! large tiles, read-aloud of instructions"): a course setting its editors switch; the
//! course page then shows participants one large tile per activity, and instructions get a
//! read-aloud button. Editors keep the full page to arrange the course.

use schulhof_store::lms::courses;
use schulhof_store::to_us;
use schulhof_types::CourseId;

use crate::identity::Actor;
use crate::{DomainError, Platform};

impl Platform {
    /// Switches the simple view of a course the caller edits.
    pub async fn lms_set_simple_view(
        &self,
        a: &Actor,
        id: CourseId,
        on: bool,
    ) -> Result<(), DomainError> {
        let ctx = self.lms_course_for_edit(a, id).await?;
        let mut tx = self.db.begin().await?;
        let now = to_us(self.now());
        courses::set_simple_view(&mut tx, ctx.facts.instance, id, on, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
