//! Due dates of assignments and closing times of quizzes for the calendar views and the
//! calendar export: read-only dates computed from the courses, never stored as events, so
//! they follow every change of an assignment at once. A caller sees the dates of what the
//! course page shows them (members only; hidden, scheduled and restricted activities are
//! filtered inside the one statement, as on the dashboard).

use chrono::{DateTime, Utc};
use schulhof_store::lms::dates;
use schulhof_store::to_us;

use super::context::member;
use crate::identity::Actor;
use crate::{DomainError, Platform};

pub use schulhof_store::lms::dates::DateRow;

impl Platform {
    /// The caller's assignment due dates and quiz closing times in [`start`, `end`), by
    /// time, from all their open courses in one statement. Function accounts have none.
    pub async fn lms_dates_between(
        &self,
        a: &Actor,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<DateRow>, DomainError> {
        if a.token.principal().account_type().is_none() {
            return Ok(Vec::new());
        }
        let m = member(a);
        let mut c = self.db.read().await?;
        let range = (to_us(start), to_us(end));
        let now = to_us(self.now());
        let inst = a.token.instance();
        Ok(dates::between(&mut c, inst, m.user, m.edits_by_group, now, range).await?)
    }
}
