//! Actions, the decision for each, and the proof of a positive decision.

use schulhof_types::{FunctionRole, GroupId, InstanceId, RightCategory, RightId, UserId};

use crate::matrix::{self, Granter, Mark};
use crate::token::{AccessToken, Principal};

/// Why an action was refused. `NotFound` hides that the object exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("the right {right} can never be granted to {to}")]
    NotGrantable { right: RightId, to: &'static str },
    #[error("the right {0} is granted by default and cannot be granted or revoked")]
    IsDefault(RightId),
    #[error("only the Schulleitung grants Safe rights")]
    SafeRightsBySchulleitung,
    #[error("you cannot do this to your own login")]
    OwnLogin,
    /// Someone else set this login's password; a second person has not confirmed it yet.
    #[error(
        "your password was reset by someone else: your own files and the Safe stay closed until a second person confirms the reset"
    )]
    PrivateAreasOnHold,
    /// Four eyes: the confirming person must not be the one who asked.
    #[error("a second person must confirm this, not the one who asked for it")]
    SamePerson,
}

/// Something a caller wants to do. Each action decides for itself, from the token alone.
pub trait Action {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied>;
}

/// Proof that `action` was allowed for the actor. Only [`check`] makes one.
#[derive(Debug)]
pub struct Grant<A> {
    action: A,
    instance: InstanceId,
    actor: UserId,
    principal: Principal,
}

impl<A> Grant<A> {
    pub fn action(&self) -> &A {
        &self.action
    }
    pub fn instance(&self) -> InstanceId {
        self.instance
    }
    pub fn actor(&self) -> UserId {
        self.actor
    }
    pub fn principal(&self) -> Principal {
        self.principal
    }
}

/// The one entry point of the policy.
pub fn check<A: Action>(token: &AccessToken, action: A) -> Result<Grant<A>, Denied> {
    action.decide(token)?;
    Ok(Grant {
        action,
        instance: token.instance(),
        actor: token.user(),
        principal: token.principal(),
    })
}

/// What the policy needs to know about a login that is the object of an action.
#[derive(Clone, Debug)]
pub struct TargetUser {
    pub instance: InstanceId,
    pub id: UserId,
    pub principal: Principal,
    pub groups: Vec<GroupId>,
}

fn same_instance(token: &AccessToken, instance: InstanceId) -> Result<(), Denied> {
    if token.instance() == instance {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

fn require(token: &AccessToken, right: RightId) -> Result<(), Denied> {
    if token.has(right) {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

macro_rules! own_account_action {
    ($($(#[$doc:meta])* $name:ident => $right:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Action for $name {
            fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
                require(token, RightId::$right)
            }
        }
    )+};
}

own_account_action! {
    /// Read the own user card, groups and rights.
    ReadSelf => AccountReadSelf;
    /// Change the own password.
    ChangeOwnPassword => AccountPassword;
    /// Add, change or delete the own external mail address.
    EditOwnExternalMail => AccountExternalMail;
    /// Read the log of administrative actions.
    ReadAdminLog => AdminAuditLog;
    /// Put log entries on a documented hold so retention keeps them.
    HoldLogEntries => AdminAuditLog;
    /// Create and change groups and their members.
    ManageGroups => AdminGroups;
    /// Create new logins.
    CreateUser => AdminUsers;
    /// Publish a new version of the school's terms of use and privacy policy.
    PublishConsentTexts => AdminUsers;
    /// Import persons, groups and memberships from a file, and read the import protocol.
    ImportUsers => AdminUsers;
    /// Archive a school year's classes and courses and start the next year.
    ChangeSchoolYear => AdminUsers;
    /// See and set the deletion periods; confirm deletions an import proposed.
    ManageDeletion => AdminUsers;
    /// Change the school's settings (its time zone).
    ManageSchoolSettings => AdminUsers;
}

/// Consent and sessions of the own login: every login decides these for itself.
#[derive(Debug, Clone, Copy)]
pub struct OwnAccount;
impl Action for OwnAccount {
    fn decide(&self, _token: &AccessToken) -> Result<(), Denied> {
        Ok(())
    }
}

/// Which logins a list may show; the store turns this into its WHERE clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserScope {
    /// Every login of the instance, with the right to change them.
    AllEditable,
    /// Every login of the instance, read-only (Schulleitung).
    AllReadOnly,
    /// Members of the groups this viewer is in (a teacher's own groups); students only
    /// with groups.read_students.
    GroupMembersOf { viewer: UserId, students: bool },
}

/// The user list a caller may see, or `Forbidden`.
pub fn user_scope(token: &AccessToken) -> Result<UserScope, Denied> {
    if token.has(RightId::AdminUsers) {
        Ok(UserScope::AllEditable)
    } else if token.has(RightId::UsersReadOnly) {
        Ok(UserScope::AllReadOnly)
    } else if token.has(RightId::GroupsReadOwn) {
        Ok(UserScope::GroupMembersOf {
            viewer: token.user(),
            students: token.has(RightId::GroupsReadStudents),
        })
    } else {
        Err(Denied::Forbidden)
    }
}

/// Whether a member of a group the caller reads is shown to it: students only to who holds
/// groups.read_students (or reads every login).
pub fn may_see_member(token: &AccessToken, member: Principal) -> bool {
    member != Principal::Person(schulhof_types::AccountType::Schueler)
        || token.has(RightId::GroupsReadStudents)
        || token.has(RightId::AdminUsers)
        || token.has(RightId::UsersReadOnly)
}

/// Which groups a list may show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupScope {
    All,
    /// Only the groups this login is a member of.
    MemberOf(UserId),
}

/// The group list a caller may see, or `Forbidden`.
pub fn group_scope(token: &AccessToken) -> Result<GroupScope, Denied> {
    if token.has(RightId::AdminGroups) || token.has(RightId::UsersReadOnly) {
        Ok(GroupScope::All)
    } else if token.has(RightId::GroupsReadOwn) {
        Ok(GroupScope::MemberOf(token.user()))
    } else {
        Err(Denied::Forbidden)
    }
}

/// Read one login's user card.
#[derive(Debug, Clone)]
pub struct ReadUser(pub TargetUser);
impl Action for ReadUser {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        same_instance(token, self.0.instance)?;
        if token.user() == self.0.id && token.has(RightId::AccountReadSelf) {
            return Ok(());
        }
        match user_scope(token).map_err(|_| Denied::NotFound)? {
            UserScope::AllEditable | UserScope::AllReadOnly => Ok(()),
            UserScope::GroupMembersOf { students, .. } => {
                let student =
                    self.0.principal == Principal::Person(schulhof_types::AccountType::Schueler);
                if token.shares_group_with(&self.0.groups) && (students || !student) {
                    Ok(())
                } else {
                    Err(Denied::NotFound)
                }
            }
        }
    }
}

/// Change a login's data, deactivate or reactivate it.
#[derive(Debug, Clone)]
pub struct EditUser(pub TargetUser);
impl Action for EditUser {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        same_instance(token, self.0.instance)?;
        require(token, RightId::AdminUsers)?;
        if self.0.id == token.user() {
            Err(Denied::OwnLogin)
        } else {
            Ok(())
        }
    }
}

/// Delete a login for good.
#[derive(Debug, Clone)]
pub struct DeleteUser(pub TargetUser);
impl Action for DeleteUser {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        EditUser(self.0.clone()).decide(token)
    }
}

/// Set a new password for someone else: the admin for anyone, a teacher (or staff with
/// the right) for students of their own groups.
#[derive(Debug, Clone)]
pub struct ResetPassword(pub TargetUser);
impl Action for ResetPassword {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let target = &self.0;
        same_instance(token, target.instance)?;
        if target.id == token.user() {
            return Err(Denied::OwnLogin);
        }
        if token.has(RightId::AdminUsers) {
            return Ok(());
        }
        if !token.shares_group_with(&target.groups) {
            return Err(Denied::NotFound);
        }
        let is_student =
            target.principal == Principal::Person(schulhof_types::AccountType::Schueler);
        if is_student && token.has(RightId::GroupsResetStudentPassword) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Read a group and its members.
#[derive(Debug, Clone, Copy)]
pub struct ReadGroup {
    pub instance: InstanceId,
    pub group: GroupId,
}
impl Action for ReadGroup {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        same_instance(token, self.instance)?;
        if token.has(RightId::AdminGroups) || token.has(RightId::UsersReadOnly) {
            return Ok(());
        }
        if token.is_member(self.group) && token.has(RightId::GroupsReadOwn) {
            Ok(())
        } else {
            Err(Denied::NotFound)
        }
    }
}

/// Who receives a granted right.
#[derive(Debug, Clone)]
pub enum GrantSubject {
    User(TargetUser),
    Group { instance: InstanceId, id: GroupId },
}

/// Grant or revoke an O-right. The same decision covers both directions.
#[derive(Debug, Clone)]
pub struct ChangeRight {
    pub right: RightId,
    pub subject: GrantSubject,
}

impl Action for ChangeRight {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let instance = match &self.subject {
            GrantSubject::User(u) => u.instance,
            GrantSubject::Group { instance, .. } => *instance,
        };
        same_instance(token, instance)?;
        match matrix::granter(self.right) {
            Granter::Admin => require(token, RightId::AdminRights)?,
            Granter::Schulleitung => {
                if !token.principal().is(FunctionRole::Schulleitung) {
                    return Err(Denied::SafeRightsBySchulleitung);
                }
                if token.private_on_hold() {
                    return Err(Denied::PrivateAreasOnHold);
                }
            }
        }
        if self.right.category() == RightCategory::Function {
            return Err(Denied::NotGrantable {
                right: self.right,
                to: "persons",
            });
        }
        match &self.subject {
            GrantSubject::User(u) => match u.principal {
                Principal::Function(_) => Err(Denied::NotGrantable {
                    right: self.right,
                    to: "function accounts",
                }),
                Principal::Person(t) => match matrix::mark(self.right, t) {
                    Mark::Grantable => Ok(()),
                    Mark::Default => Err(Denied::IsDefault(self.right)),
                    Mark::Never => Err(Denied::NotGrantable {
                        right: self.right,
                        to: t.as_str(),
                    }),
                },
            },
            // A group may mix account types; the grant works only for members whose type
            // allows it, so it must be grantable to at least one type.
            GrantSubject::Group { .. } => {
                let any = schulhof_types::AccountType::ALL
                    .iter()
                    .any(|t| matrix::mark(self.right, *t) == Mark::Grantable);
                if any {
                    Ok(())
                } else {
                    Err(Denied::NotGrantable {
                        right: self.right,
                        to: "any account type",
                    })
                }
            }
        }
    }
}
