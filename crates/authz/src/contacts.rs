//! Address books: each login's personal book, further books shared within the school, and
//! the school address book generated from the school's people. A book nobody shared with the
//! caller does not exist for it: every refusal to see one is `NotFound`. Function accounts
//! hold no contacts right, so the admin never sees anyone's personal book.

use schulhof_types::{AccountType, GroupId, InstanceId, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// How far a share lets its receivers into a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShareLevel {
    Read,
    Write,
}

/// What the caller wants to do with a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookOp {
    /// List and read its contacts, export it.
    Read,
    /// Add, change and delete contacts, import into it.
    Write,
    /// Rename, share or delete the book itself: its owner only.
    Manage,
}

/// One book, as the policy needs to see it: whose it is, and the best share that reaches
/// the caller (directly or through one of its groups), as the store found it.
#[derive(Clone, Copy, Debug)]
pub struct UseBook {
    pub instance: InstanceId,
    pub owner: UserId,
    pub share: Option<ShareLevel>,
    pub op: BookOp,
}

impl Action for UseBook {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.instance() != self.instance || !token.has(RightId::ContactsPersonal) {
            return Err(Denied::NotFound);
        }
        if token.user() == self.owner {
            return Ok(());
        }
        match (self.share, self.op) {
            (None, _) => Err(Denied::NotFound),
            (Some(_), BookOp::Read) | (Some(ShareLevel::Write), BookOp::Write) => Ok(()),
            (Some(_), _) => Err(Denied::Forbidden),
        }
    }
}

/// Keep address books of one's own: the personal book, and new books to share.
#[derive(Clone, Copy, Debug)]
pub struct OwnBooks;

impl Action for OwnBooks {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::ContactsPersonal) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Which books a list may show; the store turns it into its WHERE clause: the caller's own
/// books and those shared with the caller or one of its groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookScope {
    pub instance: InstanceId,
    pub user: UserId,
    pub groups: Vec<GroupId>,
}

/// The books a caller may list, or `Forbidden` without contacts.personal.
pub fn book_scope(token: &AccessToken) -> Result<BookScope, Denied> {
    OwnBooks.decide(token)?;
    Ok(BookScope {
        instance: token.instance(),
        user: token.user(),
        groups: token.groups().to_vec(),
    })
}

/// Which people of the school the school address book shows to a caller; the store turns it
/// into its WHERE clause. Only names, official addresses and the groups the caller shares
/// with a person ever leave it; private data (external address, birthday) never does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryScope {
    pub instance: InstanceId,
    pub viewer: UserId,
    /// Account types shown school-wide: the school's teachers and staff.
    pub everyone: Vec<AccountType>,
    /// Account types shown only when they share a group with the caller.
    pub in_own_groups: Vec<AccountType>,
    /// Only classes count for `in_own_groups` (a student sees the own class, not the other
    /// classes' students met in a course).
    pub classes_only: bool,
    /// The caller's groups: both the groups that make members visible and the only groups
    /// shown on a card.
    pub groups: Vec<GroupId>,
}

/// What the school address book shows the caller, or `Forbidden` without contacts.school.
pub fn directory_scope(token: &AccessToken) -> Result<DirectoryScope, Denied> {
    if !token.has(RightId::ContactsSchool) {
        return Err(Denied::Forbidden);
    }
    let account_type = token.principal().account_type().ok_or(Denied::Forbidden)?;
    let staff = vec![AccountType::Lehrer, AccountType::Personal];
    let (in_own_groups, classes_only) = match account_type {
        AccountType::Schueler => (vec![AccountType::Schueler], true),
        AccountType::Extern => (Vec::new(), false),
        AccountType::Lehrer | AccountType::Personal => {
            // Students of the own groups only with groups.read_students, as everywhere.
            let mut types = vec![AccountType::Extern];
            if token.has(RightId::GroupsReadStudents) {
                types.push(AccountType::Schueler);
            }
            (types, false)
        }
    };
    Ok(DirectoryScope {
        instance: token.instance(),
        viewer: token.user(),
        everyone: staff,
        in_own_groups,
        classes_only,
        groups: token.groups().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use schulhof_types::FunctionRole;

    use super::*;
    use crate::{Principal, check};

    fn token(p: Principal, groups: Vec<GroupId>, grants: Vec<RightId>) -> AccessToken {
        AccessToken::resolve(
            InstanceId(uuid::Uuid::nil()),
            UserId(uuid::Uuid::now_v7()),
            p,
            groups,
            grants,
        )
    }

    fn book(owner: UserId, share: Option<ShareLevel>, op: BookOp) -> UseBook {
        UseBook {
            instance: InstanceId(uuid::Uuid::nil()),
            owner,
            share,
            op,
        }
    }

    #[test]
    fn owners_do_everything_receivers_what_the_share_says() {
        let t = token(Principal::Person(AccountType::Schueler), vec![], vec![]);
        let other = UserId(uuid::Uuid::now_v7());
        for op in [BookOp::Read, BookOp::Write, BookOp::Manage] {
            assert!(check(&t, book(t.user(), None, op)).is_ok());
            assert_eq!(
                check(&t, book(other, None, op)).err(),
                Some(Denied::NotFound)
            );
        }
        assert!(check(&t, book(other, Some(ShareLevel::Read), BookOp::Read)).is_ok());
        assert_eq!(
            check(&t, book(other, Some(ShareLevel::Read), BookOp::Write)).err(),
            Some(Denied::Forbidden)
        );
        assert!(check(&t, book(other, Some(ShareLevel::Write), BookOp::Write)).is_ok());
        assert_eq!(
            check(&t, book(other, Some(ShareLevel::Write), BookOp::Manage)).err(),
            Some(Denied::Forbidden)
        );
    }

    #[test]
    fn function_accounts_and_other_schools_see_no_book() {
        let admin = token(Principal::Function(FunctionRole::Admin), vec![], vec![]);
        let owner = UserId(uuid::Uuid::now_v7());
        let shared = book(owner, Some(ShareLevel::Write), BookOp::Read);
        assert_eq!(check(&admin, shared).err(), Some(Denied::NotFound));
        assert!(book_scope(&admin).is_err());
        assert!(directory_scope(&admin).is_err());
        let t = token(Principal::Person(AccountType::Lehrer), vec![], vec![]);
        let foreign = UseBook {
            instance: InstanceId(uuid::Uuid::now_v7()),
            owner: t.user(),
            share: None,
            op: BookOp::Read,
        };
        assert_eq!(check(&t, foreign).err(), Some(Denied::NotFound));
    }

    #[test]
    fn the_directory_shows_each_type_its_people() {
        let g = GroupId(uuid::Uuid::now_v7());
        let student = directory_scope(&token(
            Principal::Person(AccountType::Schueler),
            vec![g],
            vec![],
        ))
        .expect("student");
        assert_eq!(student.in_own_groups, vec![AccountType::Schueler]);
        assert!(student.classes_only);
        assert_eq!(
            student.everyone,
            vec![AccountType::Lehrer, AccountType::Personal]
        );
        let teacher = directory_scope(&token(
            Principal::Person(AccountType::Lehrer),
            vec![g],
            vec![],
        ))
        .expect("teacher");
        assert!(teacher.in_own_groups.contains(&AccountType::Schueler));
        let staff = directory_scope(&token(
            Principal::Person(AccountType::Personal),
            vec![g],
            vec![],
        ))
        .expect("staff");
        assert!(!staff.in_own_groups.contains(&AccountType::Schueler));
        let granted = directory_scope(&token(
            Principal::Person(AccountType::Personal),
            vec![g],
            vec![RightId::GroupsReadStudents],
        ))
        .expect("staff with the right");
        assert!(granted.in_own_groups.contains(&AccountType::Schueler));
        let ext = directory_scope(&token(
            Principal::Person(AccountType::Extern),
            vec![g],
            vec![],
        ))
        .expect("extern");
        assert!(ext.in_own_groups.is_empty());
    }
}
