//! Who may enter the Daten-Safe and who manages Safe passwords.

use schulhof_types::{AccountType, FunctionRole, RightId};

use crate::files::Area;
use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// Entering the Safe at all: whoever may have an own Safe area or may be given folders of
/// the common area (teachers, staff, the Schulleitung). Others do not learn it exists.
#[derive(Debug, Clone, Copy)]
pub struct EnterSafe;

impl Action for EnterSafe {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let p = token.principal();
        let allowed = token.has(RightId::SafeOwnCoordinate)
            || p.is(FunctionRole::Schulleitung)
            || matches!(
                p,
                Principal::Person(AccountType::Lehrer | AccountType::Personal)
            );
        if allowed {
            Ok(())
        } else {
            Err(Denied::NotFound)
        }
    }
}

/// Generating a Safe password for a login: the Schulleitung (safe.admin), or the admin
/// resetting a forgotten one (admin.safe_password_reset). Only for logins that may enter.
#[derive(Debug, Clone, Copy)]
pub struct SetSafePassword {
    pub target: Principal,
}

impl Action for SetSafePassword {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !(token.has(RightId::SafeAdmin) || token.has(RightId::AdminSafePasswordReset)) {
            return Err(Denied::Forbidden);
        }
        let may_enter = match self.target {
            Principal::Person(t) => matches!(t, AccountType::Lehrer | AccountType::Personal),
            Principal::Function(r) => r == FunctionRole::Schulleitung,
        };
        if may_enter {
            Ok(())
        } else {
            Err(Denied::NotGrantable {
                right: RightId::SafeOwnCoordinate,
                to: "this account type",
            })
        }
    }
}

/// The areas of the Safe a login sees.
pub fn safe_areas(token: &AccessToken) -> Vec<Area> {
    let mut v = Vec::new();
    if token.has(RightId::SafeOwnCoordinate) {
        v.push(Area::SafeOwn);
    }
    let p = token.principal();
    if p.is(FunctionRole::Schulleitung)
        || matches!(
            p,
            Principal::Person(AccountType::Lehrer | AccountType::Personal)
        )
    {
        v.push(Area::SafeCommon);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use schulhof_types::{GroupId, InstanceId, UserId};

    fn token(p: Principal) -> AccessToken {
        AccessToken::resolve(
            InstanceId::new(),
            UserId::new(),
            p,
            Vec::<GroupId>::new(),
            [],
        )
    }

    #[test]
    fn students_externals_and_the_admin_never_enter_the_safe() {
        for (p, enters) in [
            (Principal::Person(AccountType::Lehrer), true),
            (Principal::Person(AccountType::Personal), true),
            (Principal::Person(AccountType::Extern), false),
            (Principal::Person(AccountType::Schueler), false),
            (Principal::Function(FunctionRole::Schulleitung), true),
            (Principal::Function(FunctionRole::Admin), false),
            (Principal::Function(FunctionRole::Sekretariat), false),
        ] {
            assert_eq!(check(&token(p), EnterSafe).is_ok(), enters, "{p:?}");
        }
        assert_eq!(
            safe_areas(&token(Principal::Person(AccountType::Lehrer))),
            [Area::SafeOwn, Area::SafeCommon]
        );
        assert_eq!(
            safe_areas(&token(Principal::Person(AccountType::Personal))),
            [Area::SafeCommon],
            "safe.own.coordinate is O for staff"
        );
        assert!(safe_areas(&token(Principal::Function(FunctionRole::Admin))).is_empty());
    }

    #[test]
    fn safe_passwords_come_from_the_schulleitung_or_an_admin_reset() {
        let teacher = SetSafePassword {
            target: Principal::Person(AccountType::Lehrer),
        };
        let student = SetSafePassword {
            target: Principal::Person(AccountType::Schueler),
        };
        assert!(
            check(
                &token(Principal::Function(FunctionRole::Schulleitung)),
                teacher
            )
            .is_ok()
        );
        assert!(check(&token(Principal::Function(FunctionRole::Admin)), teacher).is_ok());
        assert!(check(&token(Principal::Person(AccountType::Lehrer)), teacher).is_err());
        assert!(
            check(
                &token(Principal::Function(FunctionRole::Schulleitung)),
                student
            )
            .is_err()
        );
    }
}
