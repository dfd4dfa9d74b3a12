//! Mail: who may use a mailbox, through which front-end, and write or receive whom.

use schulhof_types::{GroupId, RightId};

use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// Read and write the own mailbox in webmail.
#[derive(Debug, Clone, Copy)]
pub struct UseOwnMailbox;

impl Action for UseOwnMailbox {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        // Every person has a mailbox for mail within the school; function accounts get
        // theirs with mail governance.
        if token.has(RightId::MailInternal) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Use the own mailbox in external programs (IMAP, SMTP submission).
#[derive(Debug, Clone, Copy)]
pub struct UseMailClients;

impl Action for UseMailClients {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::MailInternal) && token.has(RightId::MailClients) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Where a message goes, seen from its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A login of the sender's own school.
    SameSchool,
    /// Anyone else: another domain, or another school on this platform.
    Outside,
    /// The mail list of a group of the sender's school.
    List(GroupId),
}

/// Send a message to a recipient.
#[derive(Debug, Clone, Copy)]
pub struct SendMail(pub Recipient);

impl Action for SendMail {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let allowed = match self.0 {
            Recipient::SameSchool => token.has(RightId::MailInternal),
            Recipient::Outside => token.has(RightId::MailExternal),
            // Lists of the own groups only: a list is for its members.
            Recipient::List(g) => token.has(RightId::MailGroup) && token.groups().contains(&g),
        };
        if allowed {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Where a message comes from, seen from its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    SameSchool,
    Outside,
}

/// Receive a message (decided on the recipient's token).
#[derive(Debug, Clone, Copy)]
pub struct ReceiveMail(pub Origin);

impl Action for ReceiveMail {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        let allowed = token.has(RightId::MailInternal)
            && (self.0 == Origin::SameSchool || token.has(RightId::MailExternal));
        if allowed {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// How far a delegation reaches into the owner's mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MailboxAccess {
    /// See folders and messages; change nothing (IMAP answers `[READ-ONLY]`).
    Read,
    /// Also flag, move, delete and append.
    Write,
}

impl MailboxAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            MailboxAccess::Read => "read",
            MailboxAccess::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<MailboxAccess> {
        match s {
            "read" => Some(MailboxAccess::Read),
            "write" => Some(MailboxAccess::Write),
            _ => None,
        }
    }
}

/// One stored delegation from a mailbox's owner straight to the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delegation {
    pub access: MailboxAccess,
    pub send_as: bool,
}

/// Whom a delegation would go to, as the domain found the login in the owner's school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelegateTarget {
    /// An active person's login (not a function or confidential-role account).
    Person,
    /// The owner's own login.
    OwnLogin,
    /// No such login in this school, or not a person: reported as "not found".
    NotAPerson,
}

/// Give the own mailbox to another person of the school (`mail.delegate`, O for teachers
/// and staff). Without the right the answer is "forbidden" before anything is looked up.
#[derive(Debug, Clone, Copy)]
pub struct DelegateOwnMailbox(pub DelegateTarget);

impl Action for DelegateOwnMailbox {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.has(RightId::MailDelegate) || !token.has(RightId::MailInternal) {
            return Err(Denied::Forbidden);
        }
        match self.0 {
            DelegateTarget::Person => Ok(()),
            DelegateTarget::OwnLogin => Err(Denied::OwnLogin),
            DelegateTarget::NotAPerson => Err(Denied::NotFound),
        }
    }
}

/// Open someone else's mailbox with `need`. The only input is the delegation from that
/// mailbox's owner *directly* to the actor (`None` when there is none): a chain of
/// delegations cannot even be expressed, so a mailbox given to a holder is never passed on
/// when the holder gives their own mailbox away (one level only, by construction). The
/// domain lists a delegated mailbox's own folders only, never what its owner was given.
/// A missing delegation is "not found": nobody learns that a mailbox exists.
#[derive(Debug, Clone, Copy)]
pub struct OpenDelegatedMailbox {
    pub grant: Option<Delegation>,
    pub need: MailboxAccess,
}

impl Action for OpenDelegatedMailbox {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.has(RightId::MailInternal) {
            return Err(Denied::Forbidden);
        }
        match self.grant {
            None => Err(Denied::NotFound),
            Some(g) if g.access >= self.need => Ok(()),
            Some(_) => Err(Denied::Forbidden),
        }
    }
}

/// Send with the addresses of the mailbox given by `grant` (send-as).
#[derive(Debug, Clone, Copy)]
pub struct SendAsOwner {
    pub grant: Option<Delegation>,
}

impl Action for SendAsOwner {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        match self.grant {
            Some(g) if g.send_as && token.has(RightId::MailInternal) => Ok(()),
            _ => Err(Denied::Forbidden),
        }
    }
}

/// Create confidential-role accounts ("Geheimnisträger": Lehrerrat, Personalrat, ...) and
/// give or take back their mailboxes: the admin only, since such an account has no login of
/// its own that could delegate.
#[derive(Debug, Clone, Copy)]
pub struct ManageConfidentialMailboxes;

impl Action for ManageConfidentialMailboxes {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::AdminUsers) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, InstanceId, UserId};

    use super::*;
    use crate::{Principal, check};

    fn token(t: AccountType, groups: Vec<GroupId>, grants: Vec<RightId>) -> AccessToken {
        AccessToken::resolve(
            InstanceId(uuid::Uuid::nil()),
            UserId(uuid::Uuid::now_v7()),
            Principal::Person(t),
            groups,
            grants,
        )
    }

    #[test]
    fn students_write_outside_and_to_lists_only_when_granted() {
        let g = GroupId(uuid::Uuid::now_v7());
        let plain = token(AccountType::Schueler, vec![g], vec![]);
        assert!(check(&plain, SendMail(Recipient::SameSchool)).is_ok());
        assert!(check(&plain, SendMail(Recipient::Outside)).is_err());
        assert!(check(&plain, SendMail(Recipient::List(g))).is_err());
        assert!(check(&plain, ReceiveMail(Origin::Outside)).is_err());
        let granted = token(
            AccountType::Schueler,
            vec![g],
            vec![RightId::MailExternal, RightId::MailGroup],
        );
        assert!(check(&granted, SendMail(Recipient::Outside)).is_ok());
        assert!(check(&granted, SendMail(Recipient::List(g))).is_ok());
        assert!(check(&granted, ReceiveMail(Origin::Outside)).is_ok());
    }

    #[test]
    fn teachers_write_lists_of_their_own_groups_only() {
        let mine = GroupId(uuid::Uuid::now_v7());
        let other = GroupId(uuid::Uuid::now_v7());
        let t = token(AccountType::Lehrer, vec![mine], vec![]);
        assert!(check(&t, SendMail(Recipient::List(mine))).is_ok());
        assert!(check(&t, SendMail(Recipient::List(other))).is_err());
        assert!(check(&t, SendMail(Recipient::Outside)).is_ok());
        assert!(check(&t, UseMailClients).is_ok());
    }

    #[test]
    fn only_teachers_and_staff_with_the_right_delegate() {
        let person = DelegateOwnMailbox(DelegateTarget::Person);
        let plain = token(AccountType::Lehrer, vec![], vec![]);
        assert_eq!(check(&plain, person).err(), Some(Denied::Forbidden));
        let nobody = DelegateOwnMailbox(DelegateTarget::NotAPerson);
        assert_eq!(check(&plain, nobody).err(), Some(Denied::Forbidden));
        let granted = token(AccountType::Lehrer, vec![], vec![RightId::MailDelegate]);
        assert!(check(&granted, person).is_ok());
        assert_eq!(check(&granted, nobody).err(), Some(Denied::NotFound));
        let own = DelegateOwnMailbox(DelegateTarget::OwnLogin);
        assert_eq!(check(&granted, own).err(), Some(Denied::OwnLogin));
        // Never grantable to students: the matrix drops the grant.
        let student = token(AccountType::Schueler, vec![], vec![RightId::MailDelegate]);
        assert!(check(&student, person).is_err());
    }

    #[test]
    fn a_delegated_mailbox_opens_as_far_as_the_direct_grant_reaches() {
        let t = token(AccountType::Lehrer, vec![], vec![]);
        let read = Some(Delegation {
            access: MailboxAccess::Read,
            send_as: false,
        });
        let write = Some(Delegation {
            access: MailboxAccess::Write,
            send_as: true,
        });
        let open = |grant, need| check(&t, OpenDelegatedMailbox { grant, need });
        assert_eq!(
            open(None, MailboxAccess::Read).err(),
            Some(Denied::NotFound)
        );
        assert!(open(read, MailboxAccess::Read).is_ok());
        assert_eq!(
            open(read, MailboxAccess::Write).err(),
            Some(Denied::Forbidden)
        );
        assert!(open(write, MailboxAccess::Write).is_ok());
        assert!(check(&t, SendAsOwner { grant: read }).is_err());
        assert!(check(&t, SendAsOwner { grant: write }).is_ok());
    }
}
