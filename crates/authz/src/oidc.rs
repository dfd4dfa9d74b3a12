//! Connected tools (OpenID Connect clients): which person may use which tool, and which
//! claims the tool receives.
//!
//! A school's tool is invisible to every other school; a state-wide tool (registered by the
//! operator) serves every school. Only persons use tools: a function account is shared by
//! whoever holds it and has no identity a tool could know. A tool always gets the pairwise
//! subject; the school only where it is registered for it; the role where it is registered
//! for it and asks; name, mail address and groups only where it is registered for them,
//! asks for them, and the person agreed.

use schulhof_types::InstanceId;

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// A claim beyond `sub`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Claim {
    /// The school number: not personal, but it narrows a pseudonym down to one school, so
    /// only where the tool is registered for it.
    School,
    /// The account type (lehrer, schueler, …): not personal, but only where needed.
    Role,
    /// Given and family name.
    Name,
    /// The platform mail address.
    Email,
    /// The names of the person's classes, courses and groups.
    Groups,
}

impl Claim {
    pub const ALL: [Claim; 5] = [
        Claim::School,
        Claim::Role,
        Claim::Name,
        Claim::Email,
        Claim::Groups,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Claim::School => "school",
            Claim::Role => "role",
            Claim::Name => "name",
            Claim::Email => "email",
            Claim::Groups => "groups",
        }
    }

    pub fn parse(s: &str) -> Option<Claim> {
        Claim::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Personal data: only with the person's consent.
    pub fn personal(self) -> bool {
        !matches!(self, Claim::School | Claim::Role)
    }

    /// Released by the registration alone, asked for or not: a tool registered for the
    /// school relies on it at every login (tools registered before the claim was a choice
    /// were given it and ask for no scope).
    pub fn by_registration(self) -> bool {
        matches!(self, Claim::School)
    }
}

/// What the policy knows about a tool.
#[derive(Clone, Debug)]
pub struct ToolFacts {
    /// `None`: state-wide.
    pub owner: Option<InstanceId>,
    /// The claims it is registered for.
    pub allowed: Vec<Claim>,
}

/// Use a tool (log in to it, have its tokens redeemed or refreshed).
#[derive(Clone, Debug)]
pub struct UseTool(pub ToolFacts);

impl Action for UseTool {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if self.0.owner.is_some_and(|o| o != token.instance()) {
            return Err(Denied::NotFound);
        }
        match token.principal() {
            Principal::Person(_) => Ok(()),
            Principal::Function(_) => Err(Denied::Forbidden),
        }
    }
}

/// Register and list the school's own tools, see how many of its people use each tool
/// (counts only), and set the under-16 rule: the school's user administrators.
#[derive(Clone, Copy, Debug)]
pub struct ManageSchoolTools;

impl Action for ManageSchoolTools {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(schulhof_types::RightId::AdminUsers) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Register and list state-wide tools (the operator console): operator administrators.
#[derive(Clone, Copy, Debug)]
pub struct ManageStateTools;

impl crate::operator::OperatorAction for ManageStateTools {
    fn decide(&self, token: &crate::operator::OperatorToken) -> Result<(), Denied> {
        if token.role() == crate::operator::OperatorRole::Admin {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Whether the tool exists for this school at all (a school's tool is invisible to others).
pub fn visible_to(tool: &ToolFacts, instance: InstanceId) -> bool {
    tool.owner.is_none_or(|o| o == instance)
}

/// The personal claims the consent screen must ask for: registered and requested.
pub fn consent_needed(tool: &ToolFacts, requested: &[Claim]) -> Vec<Claim> {
    let mut v: Vec<Claim> = requested
        .iter()
        .copied()
        .filter(|c| c.personal() && tool.allowed.contains(c))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The claims the tool receives (besides `sub`): registered, and requested unless the
/// registration alone releases them, and for personal ones also consented.
pub fn released(tool: &ToolFacts, requested: &[Claim], consented: &[Claim]) -> Vec<Claim> {
    let by_registration = tool.allowed.iter().copied().filter(|c| c.by_registration());
    let mut v: Vec<Claim> = requested
        .iter()
        .copied()
        .chain(by_registration)
        .filter(|c| tool.allowed.contains(c))
        .filter(|c| !c.personal() || consented.contains(c))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Who consents to sharing personal data with tools for pupils under 16 (the school's
/// setting; GDPR Art. 8 lets the school keep it from the pupil).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Under16 {
    /// The pupil decides on the consent screen.
    #[default]
    Student,
    /// Nobody: tools get only the pseudonym (and the role where registered).
    School,
}

impl Under16 {
    pub fn as_str(self) -> &'static str {
        match self {
            Under16::Student => "student",
            Under16::School => "school",
        }
    }

    pub fn parse(s: &str) -> Option<Under16> {
        match s {
            "student" => Some(Under16::Student),
            "school" => Some(Under16::School),
            _ => None,
        }
    }
}

/// Whether the person may agree to share personal data with a tool. `age`: whole years
/// where the birthday is known. A pupil whose age is unknown counts as under 16 (the safe
/// side) where the school keeps the decision.
pub fn may_share_personal(token: &AccessToken, rule: Under16, age: Option<u32>) -> bool {
    person_may_share_personal(token.principal().account_type(), rule, age)
}

/// [`may_share_personal`] for a person known only by account type (`None`: not a person),
/// such as the members of a roster a tool reads: the same rule.
pub fn person_may_share_personal(
    kind: Option<schulhof_types::AccountType>,
    rule: Under16,
    age: Option<u32>,
) -> bool {
    let pupil = kind == Some(schulhof_types::AccountType::Schueler);
    !(pupil && rule == Under16::School && age.is_none_or(|a| a < 16))
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, FunctionRole, UserId};
    use uuid::Uuid;

    use super::*;
    use crate::check;

    fn token(instance: InstanceId, p: Principal) -> AccessToken {
        AccessToken::resolve(instance, UserId(Uuid::now_v7()), p, vec![], [])
    }

    #[test]
    fn school_tools_stay_in_their_school() {
        let (a, b) = (InstanceId(Uuid::now_v7()), InstanceId(Uuid::now_v7()));
        let own = ToolFacts {
            owner: Some(a),
            allowed: vec![],
        };
        let state = ToolFacts {
            owner: None,
            allowed: vec![],
        };
        let pupil_a = token(a, Principal::Person(AccountType::Schueler));
        let pupil_b = token(b, Principal::Person(AccountType::Schueler));
        assert!(check(&pupil_a, UseTool(own.clone())).is_ok());
        assert_eq!(
            check(&pupil_b, UseTool(own.clone())).err(),
            Some(Denied::NotFound)
        );
        assert!(check(&pupil_b, UseTool(state.clone())).is_ok());
        assert!(!visible_to(&own, b) && visible_to(&state, b));
        let admin = token(a, Principal::Function(FunctionRole::Admin));
        assert_eq!(check(&admin, UseTool(own)).err(), Some(Denied::Forbidden));
    }

    #[test]
    fn the_school_may_keep_the_decision_for_pupils_under_16() {
        let i = InstanceId(Uuid::now_v7());
        let pupil = token(i, Principal::Person(AccountType::Schueler));
        let teacher = token(i, Principal::Person(AccountType::Lehrer));
        assert!(may_share_personal(&pupil, Under16::Student, Some(12)));
        assert!(!may_share_personal(&pupil, Under16::School, Some(15)));
        assert!(!may_share_personal(&pupil, Under16::School, None));
        assert!(may_share_personal(&pupil, Under16::School, Some(16)));
        assert!(may_share_personal(&teacher, Under16::School, None));
    }

    #[test]
    fn personal_claims_need_registration_request_and_consent() {
        let tool = ToolFacts {
            owner: None,
            allowed: vec![Claim::Role, Claim::Name, Claim::Groups],
        };
        let asked = [Claim::Role, Claim::Name, Claim::Email, Claim::Groups];
        assert_eq!(
            consent_needed(&tool, &asked),
            vec![Claim::Name, Claim::Groups]
        );
        assert_eq!(released(&tool, &asked, &[]), vec![Claim::Role]);
        assert_eq!(
            released(&tool, &asked, &[Claim::Name, Claim::Email]),
            vec![Claim::Role, Claim::Name]
        );
        assert_eq!(
            released(&tool, &[Claim::Name], &[Claim::Name]),
            vec![Claim::Name]
        );
        let bare = ToolFacts {
            owner: None,
            allowed: vec![],
        };
        assert!(released(&bare, &asked, &asked).is_empty());
    }

    #[test]
    fn the_school_goes_only_to_tools_registered_for_it() {
        let with = ToolFacts {
            owner: None,
            allowed: vec![Claim::School, Claim::Role],
        };
        let without = ToolFacts {
            owner: None,
            allowed: vec![Claim::Role],
        };
        // Registered: released without a scope asking for it, and without consent.
        assert_eq!(released(&with, &[], &[]), vec![Claim::School]);
        assert_eq!(
            released(&with, &[Claim::Role, Claim::School], &[]),
            vec![Claim::School, Claim::Role]
        );
        assert!(consent_needed(&with, &[Claim::School]).is_empty());
        // Not registered: never, even when asked for.
        assert!(released(&without, &[Claim::School], &[Claim::School]).is_empty());
        assert_eq!(Claim::parse("school"), Some(Claim::School));
    }
}
