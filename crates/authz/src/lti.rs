//! LTI 1.3 inside the LMS: who launches which tool in which course, who picks content in a
//! tool (deep linking), and what a tool's service token reaches (roster, grades).
//!
//! A launch needs both: the person may use the tool (`oidc::UseTool`: a school's tool is
//! invisible elsewhere, function accounts never use tools) and may see the course (a
//! non-member learns nothing: NotFound). Deep linking changes the course, so only its
//! editors. A tool's services reach a course only in a school the tool serves and only
//! while the tool is placed in that course; the roster carries name and mail address of a
//! person only where that person agreed (`oidc::released`) and the school's under-16 rule
//! lets them (`oidc::person_may_share_personal`), as a login to the tool does.

use schulhof_types::InstanceId;

use crate::lms::{CourseFacts, CourseRole, EditCourse, ViewCourse};
use crate::oidc::{self, Claim, ToolFacts, UseTool};
use crate::policy::{Action, Denied, check};
use crate::token::AccessToken;

/// Launch a tool placed in a course (an LTI activity the caller may see).
#[derive(Clone, Debug)]
pub struct LaunchTool {
    pub tool: ToolFacts,
    pub course: CourseFacts,
}

impl Action for LaunchTool {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        check(token, ViewCourse(self.course))?;
        check(token, UseTool(self.tool.clone())).map(|_| ())
    }
}

/// Pick content in a tool for a course section (deep linking): the course's editors.
#[derive(Clone, Debug)]
pub struct PickContent {
    pub tool: ToolFacts,
    pub course: CourseFacts,
}

impl Action for PickContent {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        check(token, EditCourse(self.course))?;
        check(token, UseTool(self.tool.clone())).map(|_| ())
    }
}

/// The LIS role IRIs a course role is sent as.
pub fn roles(role: CourseRole) -> &'static [&'static str] {
    match role {
        CourseRole::Editor => &["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        CourseRole::Participant => &["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    }
}

/// Whether a tool's service token reaches a course of `course_school`: the tool must serve
/// that school and be placed in the course. Anything else is NotFound (the tool learns
/// nothing about courses it is not in).
pub fn tool_serves_course(
    tool: &ToolFacts,
    course_school: InstanceId,
    placed: bool,
) -> Result<(), Denied> {
    if oidc::visible_to(tool, course_school) && placed {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// What a roster entry or a launch carries beyond the pseudonym: the registered and
/// consented personal claims (name, email) of that person.
pub fn personal_claims(tool: &ToolFacts, consented: &[Claim]) -> Vec<Claim> {
    oidc::released(tool, &[Claim::Name, Claim::Email], consented)
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, CourseId, FunctionRole, UserId};
    use uuid::Uuid;

    use super::*;
    use crate::token::Principal;

    fn token(instance: InstanceId, p: Principal) -> AccessToken {
        AccessToken::resolve(instance, UserId(Uuid::now_v7()), p, vec![], [])
    }

    fn course(instance: InstanceId, role: Option<CourseRole>) -> CourseFacts {
        CourseFacts {
            instance,
            id: CourseId::new(),
            role,
            archived: false,
        }
    }

    #[test]
    fn members_launch_editors_pick_others_see_nothing() {
        let (a, b) = (InstanceId(Uuid::now_v7()), InstanceId(Uuid::now_v7()));
        let tool = ToolFacts {
            owner: Some(a),
            allowed: vec![],
        };
        let pupil = token(a, Principal::Person(AccountType::Schueler));
        let learner = course(a, Some(CourseRole::Participant));
        let launch = |c| LaunchTool {
            tool: tool.clone(),
            course: c,
        };
        assert!(check(&pupil, launch(learner)).is_ok());
        assert_eq!(
            check(&pupil, launch(course(a, None))).err(),
            Some(Denied::NotFound)
        );
        let pick = PickContent {
            tool: tool.clone(),
            course: learner,
        };
        assert_eq!(check(&pupil, pick).err(), Some(Denied::Forbidden));
        let teacher = token(a, Principal::Person(AccountType::Lehrer));
        let pick = PickContent {
            tool: tool.clone(),
            course: course(a, Some(CourseRole::Editor)),
        };
        assert!(check(&teacher, pick).is_ok());
        // Another school's tool does not exist for a member of a course there.
        let other = token(b, Principal::Person(AccountType::Schueler));
        let there = course(b, Some(CourseRole::Participant));
        assert_eq!(check(&other, launch(there)).err(), Some(Denied::NotFound));
        let admin = token(a, Principal::Function(FunctionRole::Admin));
        assert!(check(&admin, launch(learner)).is_err());
    }

    #[test]
    fn services_reach_placed_courses_of_served_schools_only() {
        let (a, b) = (InstanceId(Uuid::now_v7()), InstanceId(Uuid::now_v7()));
        let own = ToolFacts {
            owner: Some(a),
            allowed: vec![Claim::Name],
        };
        assert!(tool_serves_course(&own, a, true).is_ok());
        assert_eq!(tool_serves_course(&own, a, false), Err(Denied::NotFound));
        assert_eq!(tool_serves_course(&own, b, true), Err(Denied::NotFound));
        let state = ToolFacts {
            owner: None,
            allowed: vec![],
        };
        assert!(tool_serves_course(&state, b, true).is_ok());
        assert!(personal_claims(&own, &[]).is_empty());
        assert_eq!(
            personal_claims(&own, &[Claim::Name, Claim::Email]),
            vec![Claim::Name]
        );
    }
}
