//! Mail held back and abuse control, stage 2 (issue 17). The quarantine: malware a virus
//! scanner held back is seen (its envelope and finding, never its content) and deleted by
//! the school's admin, and it is never released — a held message is never delivered.
//! Stage 2 of abuse control (Nutzungsbedingungen 7): the Schulleitung asks with purpose,
//! scope and period, a staff council member takes part, the data-protection officer
//! decides; only then are person-specific traffic data of that scope shown.

use schulhof_types::{FunctionRole, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// See the school's held messages (envelope, subject, finding) and delete them: the
/// school's admin. There is no action to deliver one.
#[derive(Debug, Clone, Copy)]
pub struct ManageQuarantine;

impl Action for ManageQuarantine {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::AdminUsers) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// The most logins one stage-2 case may name: a scope, never a sweep.
pub const MAX_SCOPE: usize = 20;

/// Stage 2: ask for the person-specific traffic data of `scope` logins of the school's
/// `persons`. The Schulleitung account only; the scope names at least one and never all
/// (nor more than [`MAX_SCOPE`]).
#[derive(Debug, Clone, Copy)]
pub struct RequestAbuseScope {
    pub scope: usize,
    pub persons: usize,
}

impl Action for RequestAbuseScope {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.principal().is(FunctionRole::Schulleitung) {
            return Err(Denied::Forbidden);
        }
        if self.scope == 0 || self.scope > MAX_SCOPE || self.scope >= self.persons {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}

/// A staff council member takes part in a stage-2 case: a member (as the domain found),
/// never the login that asked nor the person holding it, and never a person the case is
/// about — for them the case does not exist (404, as any case they may not see), so it
/// still needs another member.
#[derive(Debug, Clone, Copy)]
pub struct TakePartInAbuseCase<'a> {
    pub is_council: bool,
    pub requester: UserId,
    /// The person holding the requesting function account, if one does.
    pub requester_holder: Option<UserId>,
    /// The logins whose traffic data the case asks for.
    pub scope: &'a [UserId],
}

impl TakePartInAbuseCase<'_> {
    /// The decision for `member`, who need not be the one asking: the domain also uses it
    /// to choose whom of the council to tell of a case.
    pub fn for_member(&self, member: UserId) -> Result<(), Denied> {
        if !self.is_council {
            Err(Denied::Forbidden)
        } else if self.scope.contains(&member) {
            Err(Denied::NotFound)
        } else if self.requester == member || self.requester_holder == Some(member) {
            Err(Denied::SamePerson)
        } else {
            Ok(())
        }
    }
}

impl Action for TakePartInAbuseCase<'_> {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        self.for_member(token.user())
    }
}

/// An approved stage-2 case as stored, for reading its data.
#[derive(Debug, Clone, Copy)]
pub struct ScopeCase {
    pub requester: UserId,
    /// Approved by the officer, not closed.
    pub approved: bool,
    /// When it ends on its own (unix microseconds), and now.
    pub ends_us: i64,
    pub now_us: i64,
}

/// See the person-specific traffic data of an approved stage-2 case: the login that asked,
/// while it is approved and has not ended. Anything else is "not found".
#[derive(Debug, Clone, Copy)]
pub struct ReadAbuseScope(pub Option<ScopeCase>);

impl Action for ReadAbuseScope {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match self.0 {
            Some(c) if c.requester == token.user() && c.approved && c.now_us < c.ends_us => Ok(()),
            _ => Err(Denied::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, GroupId, InstanceId};

    use super::*;
    use crate::{Principal, check};

    fn token(p: Principal) -> AccessToken {
        AccessToken::resolve(
            InstanceId(uuid::Uuid::nil()),
            UserId(uuid::Uuid::now_v7()),
            p,
            Vec::<GroupId>::new(),
            [],
        )
    }

    #[test]
    fn a_scope_is_named_by_the_schulleitung_and_never_everyone() {
        let sl = token(Principal::Function(FunctionRole::Schulleitung));
        let teacher = token(Principal::Person(AccountType::Lehrer));
        let ask = |scope, persons| RequestAbuseScope { scope, persons };
        assert!(check(&sl, ask(2, 100)).is_ok());
        assert!(check(&teacher, ask(2, 100)).is_err());
        assert!(check(&sl, ask(0, 100)).is_err());
        assert!(check(&sl, ask(3, 3)).is_err());
        assert!(check(&sl, ask(MAX_SCOPE + 1, 1000)).is_err());
    }

    #[test]
    fn the_council_takes_part_and_only_the_asker_reads_until_the_end() {
        let sl = token(Principal::Function(FunctionRole::Schulleitung));
        let council = token(Principal::Person(AccountType::Personal));
        let part = |is_council, requester| TakePartInAbuseCase {
            is_council,
            requester,
            requester_holder: None,
            scope: &[],
        };
        let held_by_me = TakePartInAbuseCase {
            is_council: true,
            requester: sl.user(),
            requester_holder: Some(council.user()),
            scope: &[],
        };
        // A member whose own traffic data the case asks for: the case is hidden from them.
        let about_me = [UserId(uuid::Uuid::now_v7()), council.user()];
        let named = TakePartInAbuseCase {
            scope: &about_me,
            ..part(true, sl.user())
        };
        assert_eq!(check(&council, named).err(), Some(Denied::NotFound));
        let other = token(Principal::Person(AccountType::Lehrer));
        assert!(check(&other, named).is_ok());
        assert_eq!(named.for_member(council.user()), Err(Denied::NotFound));
        assert_eq!(check(&council, held_by_me).err(), Some(Denied::SamePerson));
        assert!(check(&council, part(true, sl.user())).is_ok());
        assert!(check(&council, part(false, sl.user())).is_err());
        assert_eq!(
            check(&council, part(true, council.user())).err(),
            Some(Denied::SamePerson)
        );
        let case = |approved, ends_us| {
            ReadAbuseScope(Some(ScopeCase {
                requester: sl.user(),
                approved,
                ends_us,
                now_us: 10,
            }))
        };
        assert!(check(&sl, case(true, 11)).is_ok());
        assert!(check(&sl, case(true, 10)).is_err());
        assert!(check(&sl, case(false, 11)).is_err());
        assert!(check(&council, case(true, 11)).is_err());
        assert!(check(&council, ManageQuarantine).is_err());
    }
}
