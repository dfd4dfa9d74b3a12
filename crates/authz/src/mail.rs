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
}
