//! Who may enter the Daten-Safe and who manages Safe passwords.

use schulhof_types::{AccountType, FunctionRole, RightId};

use crate::files::{Area, FileRole};
use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// Whether a person may have any role in the common Safe area: only with safe.common.read
/// or safe.common.contribute, which the Schulleitung grants.
fn common_open(token: &AccessToken) -> bool {
    token.principal().is(FunctionRole::Schulleitung)
        || token.has(RightId::SafeCommonRead)
        || token.has(RightId::SafeCommonContribute)
}

/// Entering the Safe at all: whoever has an own Safe area or may be given folders of the
/// common area. Others do not learn it exists. A login whose password someone else reset
/// stays out until a second person confirms the reset.
#[derive(Debug, Clone, Copy)]
pub struct EnterSafe;

impl Action for EnterSafe {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !(token.has(RightId::SafeOwnCoordinate) || common_open(token)) {
            return Err(Denied::NotFound);
        }
        if token.private_on_hold() {
            return Err(Denied::PrivateAreasOnHold);
        }
        Ok(())
    }
}

/// Whether a login of this kind may ever have a Safe password.
pub fn may_have_safe_password(target: Principal) -> bool {
    match target {
        Principal::Person(t) => matches!(t, AccountType::Lehrer | AccountType::Personal),
        Principal::Function(r) => r == FunctionRole::Schulleitung,
    }
}

fn safe_target(target: Principal) -> Result<(), Denied> {
    if may_have_safe_password(target) {
        Ok(())
    } else {
        Err(Denied::NotGrantable {
            right: RightId::SafeOwnCoordinate,
            to: "this account type",
        })
    }
}

/// Generating a Safe password for a login: only the Schulleitung (safe.admin), who hands it
/// over (and sets its own first one: the Schulleitung account is the owner of its Safe).
/// The admin never sees one: she asks for a reset ([`RequestSafePasswordReset`]). A
/// Schulleitung whose login password someone else reset generates none until confirmed.
#[derive(Debug, Clone, Copy)]
pub struct SetSafePassword {
    pub target: Principal,
}

impl Action for SetSafePassword {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.has(RightId::SafeAdmin) {
            return Err(Denied::Forbidden);
        }
        if token.private_on_hold() {
            return Err(Denied::PrivateAreasOnHold);
        }
        safe_target(self.target)
    }
}

/// Asking for a forgotten Safe password to be reset (admin.safe_password_reset): a request
/// that a Schulleitung of another person confirms.
#[derive(Debug, Clone, Copy)]
pub struct RequestSafePasswordReset {
    pub target: Principal,
}

impl Action for RequestSafePasswordReset {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.has(RightId::AdminSafePasswordReset) {
            return Err(Denied::Forbidden);
        }
        safe_target(self.target)
    }
}

/// The online editor of Safe documents (safe.editor; the Schulleitung always).
#[derive(Debug, Clone, Copy)]
pub struct UseSafeEditor;

impl Action for UseSafeEditor {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::SafeEditor) || token.principal().is(FunctionRole::Schulleitung) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// The role a caller keeps in the common Safe area: folder grants count only up to what
/// the Safe rights allow (Viewer with safe.common.read, more with safe.common.contribute).
pub fn common_role(token: &AccessToken, role: Option<FileRole>) -> Option<FileRole> {
    if token.principal().is(FunctionRole::Schulleitung) || token.has(RightId::SafeCommonContribute)
    {
        role
    } else if token.has(RightId::SafeCommonRead) {
        role.map(|r| r.min(FileRole::Viewer))
    } else {
        None
    }
}

/// The areas of the Safe a login sees.
pub fn safe_areas(token: &AccessToken) -> Vec<Area> {
    let mut v = Vec::new();
    if token.has(RightId::SafeOwnCoordinate) {
        v.push(Area::SafeOwn);
    }
    if common_open(token) {
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
            (Principal::Person(AccountType::Personal), false),
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
            [Area::SafeOwn],
            "safe.common.read is O: the Schulleitung grants it"
        );
        assert!(
            safe_areas(&token(Principal::Person(AccountType::Personal))).is_empty(),
            "safe.own.coordinate is O for staff"
        );
        assert!(safe_areas(&token(Principal::Function(FunctionRole::Admin))).is_empty());
    }

    #[test]
    fn safe_passwords_come_from_the_schulleitung_only() {
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
        assert!(check(&token(Principal::Function(FunctionRole::Admin)), teacher).is_err());
        let ask = RequestSafePasswordReset {
            target: Principal::Person(AccountType::Lehrer),
        };
        assert!(check(&token(Principal::Function(FunctionRole::Admin)), ask).is_ok());
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
