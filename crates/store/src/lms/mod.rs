//! Learning management: courses and their members, sections, activities, activity files and
//! completion. Every participant-facing query filters hidden, scheduled and restricted
//! material inside SQL (see [`visible_activity`]); the policy (`schulhof_authz::lms`) says
//! which filter applies.

pub mod activities;
pub mod assignments;
pub mod auto_courses;
pub mod copy;
pub mod courses;
pub mod dates;
pub mod due_feeds;
pub mod notify;
pub mod order;
pub mod outline;
pub mod posts;
pub mod private;
pub mod quiz;
pub mod sections;

/// The role SQL of a course `c` for user `$3`; `$4` is whether the user's account type
/// edits through a linked group (teachers and staff). NULL: not a member.
macro_rules! course_role {
    () => {
        "(CASE WHEN EXISTS (SELECT 1 FROM lms_course_people p WHERE p.instance_id = c.instance_id
                  AND p.course_id = c.id AND p.user_id = $3 AND p.role = 'editor')
              OR ($4 AND EXISTS (SELECT 1 FROM lms_course_groups g JOIN memberships m
                  ON m.instance_id = g.instance_id AND m.group_id = g.group_id
                  WHERE g.instance_id = c.instance_id AND g.course_id = c.id AND m.user_id = $3))
             THEN 'editor'
             WHEN EXISTS (SELECT 1 FROM lms_course_people p WHERE p.instance_id = c.instance_id
                  AND p.course_id = c.id AND p.user_id = $3)
              OR EXISTS (SELECT 1 FROM lms_course_groups g JOIN memberships m
                  ON m.instance_id = g.instance_id AND m.group_id = g.group_id
                  WHERE g.instance_id = c.instance_id AND g.course_id = c.id AND m.user_id = $3)
             THEN 'participant' END)"
    };
}
pub(crate) use course_role;

/// Whether person `u` (of `users`) takes part in course `$course` of school `$inst`:
/// students and externals of a linked group and persons added as participants, never
/// co-teachers. The one rule for participant lists, grading and notifications (`IN` over
/// the course's few rows lets the planner start from the course, not from all users).
macro_rules! participant_of {
    ($inst:literal, $course:literal) => {
        concat!(
            "((u.kind IN ('schueler', 'extern') AND u.id IN (SELECT m.user_id
                 FROM lms_course_groups g JOIN memberships m
                   ON m.instance_id = g.instance_id AND m.group_id = g.group_id
                WHERE g.instance_id = ",
            $inst,
            " AND g.course_id = ",
            $course,
            "))
              OR u.id IN (SELECT p.user_id FROM lms_course_people p WHERE p.instance_id = ",
            $inst,
            " AND p.course_id = ",
            $course,
            " AND p.role = 'participant'))
             AND u.id NOT IN (SELECT p.user_id FROM lms_course_people p WHERE p.instance_id = ",
            $inst,
            " AND p.course_id = ",
            $course,
            " AND p.role = 'editor')"
        )
    };
}
pub(crate) use participant_of;

/// Whether person `u` edits course `$course` of school `$inst`: teachers and staff of a
/// linked group and co-teachers. The one rule for editor lists and notifications.
macro_rules! editor_of {
    ($inst:literal, $course:literal) => {
        concat!(
            "((u.kind IN ('lehrer', 'personal') AND u.id IN (SELECT m.user_id
                 FROM lms_course_groups g JOIN memberships m
                   ON m.instance_id = g.instance_id AND m.group_id = g.group_id
                WHERE g.instance_id = ",
            $inst,
            " AND g.course_id = ",
            $course,
            "))
              OR u.id IN (SELECT p.user_id FROM lms_course_people p WHERE p.instance_id = ",
            $inst,
            " AND p.course_id = ",
            $course,
            " AND p.role = 'editor'))"
        )
    };
}
pub(crate) use editor_of;

/// Whether activity `a` in section `s` reaches a participant: `$E` editor flag, `$N` now,
/// `$U` user — given as the bind numbers of the calling statement.
#[macro_export]
macro_rules! lms_visible_activity {
    ($editor:literal, $now:literal, $user:literal) => {
        concat!(
            "(",
            $editor,
            " OR (NOT s.hidden AND (s.visible_from IS NULL OR s.visible_from <= ",
            $now,
            ") AND NOT a.hidden AND (a.visible_from IS NULL OR a.visible_from <= ",
            $now,
            ") AND (NOT a.restricted OR EXISTS (SELECT 1 FROM lms_activity_people ap \
             WHERE ap.instance_id = a.instance_id AND ap.activity_id = a.id AND ap.user_id = ",
            $user,
            "))))"
        )
    };
}
pub use lms_visible_activity as visible_activity;

/// A participant of a course as lists show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRow {
    pub id: schulhof_types::UserId,
    pub login: String,
    pub first_name: String,
    pub last_name: String,
}
