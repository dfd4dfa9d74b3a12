//! Quizzes (issue 15 item 4): questions of seven kinds graded automatically, attempts with
//! a time limit that can always be extended, shuffling from a stored seed, review by the
//! teacher's rule. [`engine`] is pure; the service methods on `Platform` reach the quiz
//! through `lms_activity_for_edit` / `lms_activity_for_participant`.

mod attempt;
mod demo;
mod edit;
pub mod engine;
mod results;
mod review;
mod settings;
mod view;

pub use attempt::{Answers, GRACE_US, Saved};
pub use demo::demo_questions;
pub use edit::{QuizEditor, QuizQuestion};
pub use results::{PersonResult, QuestionResult, QuizResults};
pub use review::{AttemptView, ReviewView};
pub use schulhof_store::lms::quiz::attempts::AttemptRow;
pub use schulhof_store::lms::quiz::extensions::Extension;
pub use settings::{Counts, QuizInput, QuizSettings, Review, local_of};
pub use view::{AttemptLine, QuizOverview, Shown, Window};
