//! The caller, resolved once per request into an immutable token.

use std::collections::BTreeSet;

use schulhof_types::{AccountType, FunctionRole, GroupId, InstanceId, RightId, UserId};

use crate::matrix::{self, Mark};

/// What kind of login acts: a person of an account type, or a function account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    Person(AccountType),
    Function(FunctionRole),
}

impl Principal {
    pub fn account_type(self) -> Option<AccountType> {
        match self {
            Principal::Person(t) => Some(t),
            Principal::Function(_) => None,
        }
    }

    pub fn function_role(self) -> Option<FunctionRole> {
        match self {
            Principal::Person(_) => None,
            Principal::Function(r) => Some(r),
        }
    }

    pub fn is(self, role: FunctionRole) -> bool {
        self == Principal::Function(role)
    }
}

/// Who is asking, with everything the policy needs to decide.
#[derive(Clone, Debug)]
pub struct AccessToken {
    instance: InstanceId,
    user: UserId,
    principal: Principal,
    groups: Vec<GroupId>,
    rights: BTreeSet<RightId>,
    /// The real person acting: the holder of a function account, else the login itself.
    person: UserId,
    /// Someone else set this login's password and no second person confirmed it yet: its
    /// private areas (own files, the Safe) and its Safe powers stay closed.
    private_hold: bool,
}

impl AccessToken {
    /// Builds the token from stored facts: the groups the login is in and the O-rights
    /// granted to it directly or through a group. Grants that the matrix does not allow for
    /// this account type have no effect, whatever the database holds.
    pub fn resolve(
        instance: InstanceId,
        user: UserId,
        principal: Principal,
        mut groups: Vec<GroupId>,
        grants: impl IntoIterator<Item = RightId>,
    ) -> Self {
        groups.sort_unstable();
        groups.dedup();
        Self {
            instance,
            user,
            principal,
            groups,
            rights: effective_rights(principal, grants),
            person: user,
            private_hold: false,
        }
    }

    /// Names the person holding a function account (four-eyes decisions compare persons).
    pub fn with_holder(mut self, holder: Option<UserId>) -> Self {
        if let Some(h) = holder {
            self.person = h;
        }
        self
    }

    /// Marks the login's private areas as on hold after a password reset by someone else.
    pub fn with_private_hold(mut self, held: bool) -> Self {
        self.private_hold = held;
        self
    }

    pub fn person(&self) -> UserId {
        self.person
    }

    pub fn private_on_hold(&self) -> bool {
        self.private_hold
    }

    pub fn instance(&self) -> InstanceId {
        self.instance
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn principal(&self) -> Principal {
        self.principal
    }

    pub fn groups(&self) -> &[GroupId] {
        &self.groups
    }

    pub fn is_member(&self, group: GroupId) -> bool {
        self.groups.binary_search(&group).is_ok()
    }

    pub fn shares_group_with(&self, other_groups: &[GroupId]) -> bool {
        other_groups.iter().any(|g| self.is_member(*g))
    }

    pub fn has(&self, right: RightId) -> bool {
        self.rights.contains(&right)
    }

    /// The effective rights, sorted by their identifier.
    pub fn rights_sorted(&self) -> Vec<RightId> {
        let mut v: Vec<RightId> = self.rights.iter().copied().collect();
        v.sort_unstable_by_key(|r| r.as_str());
        v
    }
}

/// Defaults of the account type plus those grants the matrix allows (O) for it.
pub fn effective_rights(
    principal: Principal,
    grants: impl IntoIterator<Item = RightId>,
) -> BTreeSet<RightId> {
    match principal {
        Principal::Function(role) => matrix::function_rights(role).iter().copied().collect(),
        Principal::Person(t) => {
            let mut set: BTreeSet<RightId> = RightId::ALL
                .iter()
                .copied()
                .filter(|r| matrix::mark(*r, t) == Mark::Default)
                .collect();
            set.extend(
                grants
                    .into_iter()
                    .filter(|r| matrix::mark(*r, t) == Mark::Grantable),
            );
            set
        }
    }
}
