//! `/kurse`: the learning management — the caller's courses, a course page with sections
//! and material, assignments with submissions and feedback, quizzes, progress. The domain
//! (`schulhof_domain::lms`) decides every right; what a caller may not see answers 404.

pub mod assignments;
pub mod course;
pub mod dates;
mod dates_feed;
pub mod import;
pub mod lti;
pub mod quizzes;

use axum::Router;
use schulhof_front::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(course::routes())
        .merge(assignments::routes())
        .merge(quizzes::routes())
        .merge(import::routes())
        .merge(lti::routes())
        .merge(dates_feed::routes())
}
