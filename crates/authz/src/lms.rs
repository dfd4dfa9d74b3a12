//! Learning management: who edits a course, who takes part, what a participant sees.
//!
//! A course's role for a caller is a stored fact the store computes in one query (teachers
//! and staff of a linked group and co-teachers edit; everyone else of a linked group and
//! persons added by hand take part). This module turns that fact into decisions; the store
//! turns [`ActivityScope`] into its WHERE clause, so hidden or restricted material never
//! leaves the database for a participant. Function accounts never see course content: the
//! admin creates courses for groups and archives them, nothing more.

use schulhof_types::{AccountType, CourseId, InstanceId, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// A caller's role in one course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CourseRole {
    Participant,
    Editor,
}

impl CourseRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseRole::Participant => "participant",
            CourseRole::Editor => "editor",
        }
    }
}

/// Whether a member of a linked group edits the course: teachers and staff do.
pub fn edits_by_group(account_type: AccountType) -> bool {
    matches!(account_type, AccountType::Lehrer | AccountType::Personal)
}

/// What the policy needs to know about one course and the caller.
#[derive(Clone, Copy, Debug)]
pub struct CourseFacts {
    pub instance: InstanceId,
    pub id: CourseId,
    /// The caller's role as the store resolved it for `token.user()`; `None`: not a member.
    pub role: Option<CourseRole>,
    pub archived: bool,
}

/// What a participant's queries return: the store's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivityScope {
    pub user: UserId,
    /// Editors see hidden, scheduled and restricted material too.
    pub editor: bool,
    /// Unix µs: material with a later `visible_from` stays hidden for participants.
    pub now: i64,
}

/// The filter for `course` seen by the caller at `now`; `NotFound` for non-members.
pub fn activity_scope(
    token: &AccessToken,
    course: &CourseFacts,
    now: i64,
) -> Result<ActivityScope, Denied> {
    let role = member_role(token, course)?;
    Ok(ActivityScope {
        user: token.user(),
        editor: role == CourseRole::Editor,
        now,
    })
}

fn member_role(token: &AccessToken, course: &CourseFacts) -> Result<CourseRole, Denied> {
    if token.instance() != course.instance {
        return Err(Denied::NotFound);
    }
    match (token.principal(), course.role) {
        (Principal::Person(_), Some(role)) => Ok(role),
        _ => Err(Denied::NotFound),
    }
}

/// Open a course and read what the scope lets through.
#[derive(Debug, Clone, Copy)]
pub struct ViewCourse(pub CourseFacts);
impl Action for ViewCourse {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        member_role(token, &self.0).map(|_| ())
    }
}

/// Change a course: settings, sections, material, activities, grading. Archived courses are
/// read-only for everyone.
#[derive(Debug, Clone, Copy)]
pub struct EditCourse(pub CourseFacts);
impl Action for EditCourse {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match member_role(token, &self.0)? {
            CourseRole::Editor if !self.0.archived => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Take part: submit, attempt a quiz, tick completion, ask. Only participants, only while
/// the course is open (editors try things out in the preview, not as submissions).
#[derive(Debug, Clone, Copy)]
pub struct TakePart(pub CourseFacts);
impl Action for TakePart {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match member_role(token, &self.0)? {
            CourseRole::Participant if !self.0.archived => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Create a course for a group with one click, or archive/copy one: the admin (groups
/// administration) for any group of the school, a teacher for a group they are in.
#[derive(Debug, Clone, Copy)]
pub struct CreateCourseFor {
    pub instance: InstanceId,
    /// Whether the caller is a member of the group.
    pub member_of_group: bool,
}
impl Action for CreateCourseFor {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.instance() != self.instance {
            return Err(Denied::NotFound);
        }
        match token.principal() {
            Principal::Function(_) if token.has(RightId::AdminGroups) => Ok(()),
            Principal::Person(t) if edits_by_group(t) && self.member_of_group => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Whether the caller may see another person's submission, grade or feedback in a course:
/// editors see all of the course, a participant only their own.
pub fn sees_work_of(
    token: &AccessToken,
    course: &CourseFacts,
    owner: UserId,
) -> Result<(), Denied> {
    match member_role(token, course)? {
        CourseRole::Editor => Ok(()),
        CourseRole::Participant if owner == token.user() => Ok(()),
        CourseRole::Participant => Err(Denied::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::FunctionRole;
    use uuid::Uuid;

    use super::*;
    use crate::check;

    fn token(p: Principal) -> AccessToken {
        AccessToken::resolve(
            InstanceId(Uuid::nil()),
            UserId(Uuid::now_v7()),
            p,
            vec![],
            vec![],
        )
    }

    fn course(role: Option<CourseRole>, archived: bool) -> CourseFacts {
        CourseFacts {
            instance: InstanceId(Uuid::nil()),
            id: CourseId::new(),
            role,
            archived,
        }
    }

    #[test]
    fn members_view_others_do_not_know_it_exists() {
        let t = token(Principal::Person(AccountType::Schueler));
        assert!(check(&t, ViewCourse(course(Some(CourseRole::Participant), false))).is_ok());
        assert_eq!(
            check(&t, ViewCourse(course(None, false))).err(),
            Some(Denied::NotFound)
        );
        let mut other = course(Some(CourseRole::Participant), false);
        other.instance = InstanceId(Uuid::now_v7());
        assert_eq!(check(&t, ViewCourse(other)).err(), Some(Denied::NotFound));
    }

    #[test]
    fn editors_edit_open_courses_participants_take_part() {
        let t = token(Principal::Person(AccountType::Lehrer));
        assert!(check(&t, EditCourse(course(Some(CourseRole::Editor), false))).is_ok());
        assert!(check(&t, EditCourse(course(Some(CourseRole::Editor), true))).is_err());
        assert!(check(&t, EditCourse(course(Some(CourseRole::Participant), false))).is_err());
        assert!(check(&t, TakePart(course(Some(CourseRole::Editor), false))).is_err());
        assert!(check(&t, TakePart(course(Some(CourseRole::Participant), false))).is_ok());
        assert!(check(&t, TakePart(course(Some(CourseRole::Participant), true))).is_err());
    }

    #[test]
    fn function_accounts_never_see_content() {
        let admin = AccessToken::resolve(
            InstanceId(Uuid::nil()),
            UserId(Uuid::now_v7()),
            Principal::Function(FunctionRole::Admin),
            vec![],
            vec![],
        );
        assert!(check(&admin, ViewCourse(course(Some(CourseRole::Editor), false))).is_err());
        let create = CreateCourseFor {
            instance: InstanceId(Uuid::nil()),
            member_of_group: false,
        };
        assert!(check(&admin, create).is_ok());
    }

    #[test]
    fn teachers_create_for_their_groups_students_never() {
        let teacher = token(Principal::Person(AccountType::Lehrer));
        let student = token(Principal::Person(AccountType::Schueler));
        let mine = CreateCourseFor {
            instance: InstanceId(Uuid::nil()),
            member_of_group: true,
        };
        let other = CreateCourseFor {
            member_of_group: false,
            ..mine
        };
        assert!(check(&teacher, mine).is_ok());
        assert!(check(&teacher, other).is_err());
        assert!(check(&student, mine).is_err());
    }

    #[test]
    fn participants_see_only_their_own_work() {
        let t = token(Principal::Person(AccountType::Schueler));
        let c = course(Some(CourseRole::Participant), false);
        assert!(sees_work_of(&t, &c, t.user()).is_ok());
        assert_eq!(sees_work_of(&t, &c, UserId::new()), Err(Denied::NotFound));
        let e = course(Some(CourseRole::Editor), false);
        assert!(sees_work_of(&t, &e, UserId::new()).is_ok());
    }
}
