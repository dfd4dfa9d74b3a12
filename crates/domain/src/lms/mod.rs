//! Learning management (issue 15): courses tied to the school's groups, sections with
//! material, assignments, quizzes, progress. Every access goes through
//! `schulhof_authz::lms`: [`Platform::lms_course`] and [`Platform::lms_activity`] are the
//! only ways to reach a course or an activity, and they answer `NotFound` for what the caller
//! may not see (a participant never learns that hidden or restricted material exists).

mod arrange;
pub mod assignments;
pub(crate) mod auto_courses;
mod bench;
pub mod captions;
mod context;
pub mod import;
pub mod quiz;

pub use arrange::Move;
pub use auto_courses::AutoCourses;
pub use bench::{BENCH_PASSWORD, BenchCourse, BenchShape};
pub use context::{ActivityCtx, CourseCtx};
pub use schulhof_authz::lms::CourseRole;
pub use schulhof_store::lms::PersonRow;
pub use schulhof_store::lms::activities::ActivityRow;
pub use schulhof_store::lms::courses::CourseRow;

mod courses;
mod dates;
mod dates_feed;
mod dates_ics;
pub mod demo;
mod material;
mod notify;
mod outline;
mod page_images;
pub mod page_text;
mod posts;
mod progress;
mod simple;

pub use dates::DateRow;
pub use dates_ics::{DueEvent, listing_token};
pub use material::{MAX_FILE, MAX_IMAGE, MAX_MEDIA, MaterialInput, MaterialView, media_type};
pub use outline::{ActivityItem, CourseView, SectionInput, SectionView};
pub use page_images::IMAGE_ROLE;
pub use progress::{Cell, Progress};
pub use schulhof_store::lms::outline::{DueRow, FileRow};
pub use schulhof_store::lms::posts::PostRow;
pub use schulhof_store::lms::sections::SectionRow;

/// The kinds of activity this module creates (assignments and quizzes have their own).
pub const MATERIAL_KINDS: &[&str] = &["page", "link", "file", "folder", "media"];

/// The groups and hand-added persons (with role) of a course.
#[derive(Clone, Debug)]
pub struct CourseMembers {
    pub groups: Vec<(schulhof_types::GroupId, String)>,
    pub people: Vec<(PersonRow, String)>,
}
