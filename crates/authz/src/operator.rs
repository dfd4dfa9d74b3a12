//! Operators: the people who run the platform above all schools (operator-admin, support,
//! data-protection officer). A principal kind of its own.
//!
//! An [`OperatorToken`] is not an [`crate::AccessToken`], and nothing converts one into the
//! other: every school check ([`crate::check`] and the content checks of files, mail,
//! calendars, contacts and the Safe) takes an `AccessToken`, so an operator cannot pass any
//! of them — the compiler keeps it so. What an operator may do is decided here, from the
//! role alone, and concerns only schools as a whole: their metadata and counts, never their
//! content.

use uuid::Uuid;

use crate::Denied;

/// The role of an operator account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorRole {
    /// Creates, renames, deactivates and deletes schools; sets the state-wide defaults;
    /// reads the operators' audit log.
    Admin,
    /// Helps schools (the help network): sees the list of schools.
    Support,
    /// The data-protection officer: sees the list of schools (mail governance uses the role).
    Dpo,
}

impl OperatorRole {
    pub const ALL: [OperatorRole; 3] = [
        OperatorRole::Admin,
        OperatorRole::Support,
        OperatorRole::Dpo,
    ];

    pub fn parse(s: &str) -> Option<OperatorRole> {
        match s.trim() {
            "operator-admin" => Some(OperatorRole::Admin),
            "support" => Some(OperatorRole::Support),
            "dpo" => Some(OperatorRole::Dpo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::Admin => "operator-admin",
            OperatorRole::Support => "support",
            OperatorRole::Dpo => "dpo",
        }
    }
}

/// An authenticated operator (password and TOTP), resolved once per request.
#[derive(Clone, Debug)]
pub struct OperatorToken {
    operator: Uuid,
    role: OperatorRole,
}

impl OperatorToken {
    /// Only the operator login (domain) builds one, after password and second factor.
    pub fn resolve(operator: Uuid, role: OperatorRole) -> OperatorToken {
        OperatorToken { operator, role }
    }

    pub fn operator(&self) -> Uuid {
        self.operator
    }

    pub fn role(&self) -> OperatorRole {
        self.role
    }
}

/// Something an operator wants to do.
pub trait OperatorAction {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied>;
}

/// Proof that an operator action was allowed. Only [`check_operator`] makes one.
#[derive(Debug)]
pub struct OperatorGrant<A> {
    action: A,
    operator: Uuid,
}

impl<A> OperatorGrant<A> {
    pub fn action(&self) -> &A {
        &self.action
    }
    pub fn operator(&self) -> Uuid {
        self.operator
    }
}

/// The one entry point for operator actions.
pub fn check_operator<A: OperatorAction>(
    token: &OperatorToken,
    action: A,
) -> Result<OperatorGrant<A>, Denied> {
    action.decide(token)?;
    Ok(OperatorGrant {
        action,
        operator: token.operator,
    })
}

fn admin_only(token: &OperatorToken) -> Result<(), Denied> {
    if token.role == OperatorRole::Admin {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// See the schools with their storage and number of accounts (metadata only).
#[derive(Debug, Clone, Copy)]
pub struct ViewSchools;
impl OperatorAction for ViewSchools {
    fn decide(&self, _: &OperatorToken) -> Result<(), Denied> {
        Ok(())
    }
}

/// Create, rename, deactivate, reactivate and delete schools.
#[derive(Debug, Clone, Copy)]
pub struct ManageSchools;
impl OperatorAction for ManageSchools {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        admin_only(token)
    }
}

/// Set the state-wide defaults new schools take.
#[derive(Debug, Clone, Copy)]
pub struct SetStateDefaults;
impl OperatorAction for SetStateDefaults {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        admin_only(token)
    }
}

/// Read the operators' audit log.
#[derive(Debug, Clone, Copy)]
pub struct ReadOperatorLog;
impl OperatorAction for ReadOperatorLog {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        admin_only(token)
    }
}

/// Change the own password.
#[derive(Debug, Clone, Copy)]
pub struct ChangeOwnOperatorPassword;
impl OperatorAction for ChangeOwnOperatorPassword {
    fn decide(&self, _: &OperatorToken) -> Result<(), Denied> {
        Ok(())
    }
}

/// See how many own recovery codes remain and make new ones (the old ones stop working).
#[derive(Debug, Clone, Copy)]
pub struct ManageOwnRecoveryCodes;
impl OperatorAction for ManageOwnRecoveryCodes {
    fn decide(&self, _: &OperatorToken) -> Result<(), Denied> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: OperatorRole) -> OperatorToken {
        OperatorToken::resolve(Uuid::nil(), role)
    }

    #[test]
    fn only_operator_admins_manage_schools_defaults_and_the_log() {
        for role in OperatorRole::ALL {
            let t = token(role);
            let admin = role == OperatorRole::Admin;
            assert!(check_operator(&t, ViewSchools).is_ok());
            assert!(check_operator(&t, ChangeOwnOperatorPassword).is_ok());
            assert!(check_operator(&t, ManageOwnRecoveryCodes).is_ok());
            assert_eq!(check_operator(&t, ManageSchools).is_ok(), admin, "{role:?}");
            assert_eq!(
                check_operator(&t, SetStateDefaults).is_ok(),
                admin,
                "{role:?}"
            );
            assert_eq!(
                check_operator(&t, ReadOperatorLog).is_ok(),
                admin,
                "{role:?}"
            );
        }
    }

    #[test]
    fn roles_parse_by_their_command_line_names_only() {
        for role in OperatorRole::ALL {
            assert_eq!(OperatorRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(OperatorRole::parse("admin"), None);
        assert_eq!(OperatorRole::parse("schulleitung"), None);
        assert_eq!(OperatorRole::parse(""), None);
    }
}
