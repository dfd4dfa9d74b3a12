//! Due dates of assignments and closing times of quizzes as entries of the calendar views:
//! read-only, leading to the assignment or quiz, in one neutral colour. The domain picks
//! what the caller sees ([`schulhof_domain::Platform::lms_dates_between`]).

use schulhof_domain::DomainError;
use schulhof_domain::calendar::TimeRange;
use schulhof_front::AppState;

use super::course::activity_href;
use crate::auth::Ready;
use crate::pages::calendar::grid::Entry;

/// The colour of course dates (the neutral grey of the calendar's palette).
const COLOUR: &str = "#6b7280";

/// The caller's course dates in `range` as calendar entries (one statement).
pub async fn entries(
    state: &AppState,
    r: &Ready,
    range: TimeRange,
) -> Result<Vec<Entry>, DomainError> {
    let tr = r.page.tr();
    let rows = state
        .platform
        .lms_dates_between(&r.actor, range.start, range.end)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|d| {
            let at = chrono::DateTime::from_timestamp_micros(d.due_at)?;
            let label = tr.t(if d.kind == "quiz" {
                "lms.due.quiz"
            } else {
                "lms.due.assignment"
            });
            Some(Entry {
                href: activity_href(&d.kind, d.activity),
                title: format!("{label}: {}", d.title),
                place: d.course_name,
                calendar: tr.t("lms.due.calendar").to_owned(),
                colour: COLOUR.to_owned(),
                start: at,
                end: at,
                all_day: false,
                recurring: false,
            })
        })
        .collect())
}
