//! Four eyes: paths by which one person could reach someone else's Safe or private files
//! (a reset of both passwords, a new holder of the Safe-granting function account) need a
//! second, different person. Persons are compared, not logins: a function account acts
//! for its holder.

use schulhof_types::{AccountType, FunctionRole, InstanceId, UserId};

use crate::policy::{Action, Denied, ResetPassword, TargetUser};
use crate::token::{AccessToken, Principal};

/// What waits for a second person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// The admin asks for a forgotten Safe password; the Schulleitung generates it.
    SafePassword,
    /// Someone else set a login's password; its private areas wait on hold.
    LoginReset,
    /// A further Schulleitung function account, inactive until confirmed.
    SchulleitungCreate,
    /// A new holder of a Schulleitung function account.
    SchulleitungHolder,
    /// The Schulleitung asks to read someone's mailbox (read-only, for a time, with a
    /// reason); a member of the staff council confirms.
    MailboxInspection,
}

impl RequestKind {
    pub const ALL: [RequestKind; 5] = [
        RequestKind::SafePassword,
        RequestKind::LoginReset,
        RequestKind::SchulleitungCreate,
        RequestKind::SchulleitungHolder,
        RequestKind::MailboxInspection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::SafePassword => "safe_password",
            RequestKind::LoginReset => "login_reset",
            RequestKind::SchulleitungCreate => "schulleitung_create",
            RequestKind::SchulleitungHolder => "schulleitung_holder",
            RequestKind::MailboxInspection => "mailbox_inspection",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether a function account can reach Safe contents or hand out Safe passwords: creating
/// one, changing its holder or resetting its password needs four eyes.
pub fn grants_safe_access(p: Principal) -> bool {
    p.is(FunctionRole::Schulleitung)
}

/// Confirming or rejecting a pending request.
#[derive(Clone, Debug)]
pub struct DecideRequest {
    pub kind: RequestKind,
    pub instance: InstanceId,
    /// The person who asked (or who reset the password).
    pub requester_person: UserId,
    pub target: TargetUser,
    /// The holder of the target, when it is a function account.
    pub target_holder: Option<UserId>,
    /// The caller is a member of the staff council (the admin assigns it; the domain
    /// looks it up).
    pub decider_on_council: bool,
}

impl Action for DecideRequest {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        // Nobody confirms what concerns the own login, except that the current Schulleitung
        // account agrees to a new holder of itself.
        let own = token.user() == self.target.id && self.kind != RequestKind::SchulleitungHolder;
        if token.instance() != self.instance || own {
            return Err(Denied::NotFound);
        }
        let schulleitung = token.principal().is(FunctionRole::Schulleitung);
        let allowed = match self.kind {
            RequestKind::SafePassword
            | RequestKind::SchulleitungCreate
            | RequestKind::SchulleitungHolder => schulleitung,
            RequestKind::LoginReset => {
                // Who may also reset that login, the Schulleitung for staff and function
                // accounts, or the person holding the reset function account.
                let staff = matches!(
                    self.target.principal,
                    Principal::Person(AccountType::Lehrer | AccountType::Personal)
                        | Principal::Function(_)
                );
                ResetPassword(self.target.clone()).decide(token).is_ok()
                    || (schulleitung && staff)
                    || self.target_holder == Some(token.user())
            }
            // The second pair of eyes on a mailbox is the staff council's, never the
            // Schulleitung's own.
            RequestKind::MailboxInspection => self.decider_on_council,
        };
        if !allowed {
            return Err(Denied::NotFound);
        }
        if token.person() == self.requester_person {
            return Err(Denied::SamePerson);
        }
        if token.private_on_hold() {
            return Err(Denied::PrivateAreasOnHold);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use schulhof_types::GroupId;

    fn token(instance: InstanceId, p: Principal, holder: Option<UserId>) -> AccessToken {
        AccessToken::resolve(instance, UserId::new(), p, Vec::<GroupId>::new(), [])
            .with_holder(holder)
    }

    #[test]
    fn the_same_person_never_confirms_its_own_request() {
        let i = InstanceId::new();
        let person = UserId::new();
        let admin = token(i, Principal::Function(FunctionRole::Admin), Some(person));
        let same = token(
            i,
            Principal::Function(FunctionRole::Schulleitung),
            Some(person),
        );
        let other = token(i, Principal::Function(FunctionRole::Schulleitung), None);
        let teacher = TargetUser {
            instance: i,
            id: UserId::new(),
            principal: Principal::Person(AccountType::Lehrer),
            groups: vec![],
        };
        let req = |kind| DecideRequest {
            kind,
            instance: i,
            requester_person: admin.person(),
            target: teacher.clone(),
            target_holder: None,
            decider_on_council: false,
        };
        for kind in RequestKind::ALL {
            if kind == RequestKind::MailboxInspection {
                continue;
            }
            assert_eq!(check(&same, req(kind)).err(), Some(Denied::SamePerson));
            assert!(check(&other, req(kind)).is_ok(), "{kind:?}");
            assert!(check(&admin, req(kind)).is_err());
        }
        let held = other.clone().with_private_hold(true);
        assert_eq!(
            check(&held, req(RequestKind::SafePassword)).err(),
            Some(Denied::PrivateAreasOnHold)
        );
    }

    #[test]
    fn a_mailbox_is_opened_only_with_a_staff_council_member() {
        let i = InstanceId::new();
        let schulleitung = token(i, Principal::Function(FunctionRole::Schulleitung), None);
        let council = token(i, Principal::Person(AccountType::Lehrer), None);
        let teacher = TargetUser {
            instance: i,
            id: UserId::new(),
            principal: Principal::Person(AccountType::Lehrer),
            groups: vec![],
        };
        let req = |on_council| DecideRequest {
            kind: RequestKind::MailboxInspection,
            instance: i,
            requester_person: UserId::new(),
            target: teacher.clone(),
            target_holder: None,
            decider_on_council: on_council,
        };
        assert_eq!(
            check(&schulleitung, req(false)).err(),
            Some(Denied::NotFound)
        );
        assert_eq!(check(&council, req(false)).err(), Some(Denied::NotFound));
        assert!(check(&council, req(true)).is_ok());
        let own = DecideRequest {
            target: TargetUser {
                id: council.user(),
                ..teacher.clone()
            },
            ..req(true)
        };
        assert_eq!(check(&council, own).err(), Some(Denied::NotFound));
    }
}
