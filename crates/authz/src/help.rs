//! The help network: the documentation and FAQ every account type reads (help.docs).

use schulhof_types::{InstanceId, RightId, UserId};

use crate::operator::{OperatorAction, OperatorRole, OperatorToken};
use crate::policy::{Action, Denied};
use crate::token::AccessToken;

/// Read the documentation and the FAQ, and search them.
#[derive(Clone, Copy, Debug)]
pub struct ReadHelp;

impl Action for ReadHelp {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::HelpDocs) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

// The forums: state-wide, where teachers and staff of all schools meet (help.forum.read,
// help.forum.post). A reader sees of an author only the name and the school; the store's
// forum queries select nothing else. Support and operator-admins moderate (hide, lock,
// move) from the operators' console; a hidden post is gone for everyone else.

/// Read the forums.
#[derive(Clone, Copy, Debug)]
pub struct ReadForum;
impl Action for ReadForum {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::HelpForumRead) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Open a topic or answer in one that is not locked.
#[derive(Clone, Copy, Debug)]
pub struct PostInForum {
    pub locked: bool,
}
impl Action for PostInForum {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if !token.has(RightId::HelpForumRead) || !token.has(RightId::HelpForumPost) || self.locked {
            Err(Denied::Forbidden)
        } else {
            Ok(())
        }
    }
}

/// Moderate the forums (hide, lock, move): support and operator-admins, not the DPO.
#[derive(Clone, Copy, Debug)]
pub struct ModerateForum;
impl OperatorAction for ModerateForum {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        support_or_admin(token)
    }
}

// Tickets: a person with help.tickets writes to support and follows only their own
// tickets; another person's ticket (of the same school or another) is unknown (404).
// Support and operator-admins read every ticket, answer and close them.

/// Open a ticket.
#[derive(Clone, Copy, Debug)]
pub struct OpenTicket;
impl Action for OpenTicket {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::HelpTickets) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// What the policy needs to know about a stored ticket.
#[derive(Clone, Copy, Debug)]
pub struct TicketFacts {
    pub instance: InstanceId,
    pub user: UserId,
}

/// Read, answer or close one's own ticket.
#[derive(Clone, Copy, Debug)]
pub struct OwnTicket(pub TicketFacts);
impl Action for OwnTicket {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.instance() != self.0.instance || token.user() != self.0.user {
            return Err(Denied::NotFound);
        }
        OpenTicket.decide(token)
    }
}

/// Read every ticket, answer, close: support and operator-admins.
#[derive(Clone, Copy, Debug)]
pub struct SupportTickets;
impl OperatorAction for SupportTickets {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        support_or_admin(token)
    }
}

// The guides: shipped in German, edited and extended by support and operator-admins from
// the console. The blog: written there, read by every account type with help.blog.read.

/// Edit, add or reset the guides.
#[derive(Clone, Copy, Debug)]
pub struct EditGuides;
impl OperatorAction for EditGuides {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        support_or_admin(token)
    }
}

/// Read the blog.
#[derive(Clone, Copy, Debug)]
pub struct ReadBlog;
impl Action for ReadBlog {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::HelpBlogRead) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Write, change and delete blog posts.
#[derive(Clone, Copy, Debug)]
pub struct WriteBlog;
impl OperatorAction for WriteBlog {
    fn decide(&self, token: &OperatorToken) -> Result<(), Denied> {
        support_or_admin(token)
    }
}

fn support_or_admin(token: &OperatorToken) -> Result<(), Denied> {
    match token.role() {
        OperatorRole::Admin | OperatorRole::Support => Ok(()),
        OperatorRole::Dpo => Err(Denied::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::AccountType;
    use uuid::Uuid;

    use super::*;
    use crate::operator::check_operator;
    use crate::policy::check;
    use crate::token::Principal;

    /// A person with the matrix's default rights of its account type.
    fn person(t: AccountType) -> AccessToken {
        AccessToken::resolve(
            InstanceId(Uuid::from_u128(1)),
            UserId(Uuid::from_u128(2)),
            Principal::Person(t),
            vec![],
            vec![],
        )
    }

    #[test]
    fn students_neither_read_nor_post_nor_open_tickets() {
        let s = person(AccountType::Schueler);
        assert!(check(&s, ReadForum).is_err());
        assert!(check(&s, PostInForum { locked: false }).is_err());
        assert!(check(&s, OpenTicket).is_err());
    }

    #[test]
    fn teachers_post_except_in_locked_topics_and_see_only_their_tickets() {
        let t = person(AccountType::Lehrer);
        assert!(check(&t, ReadForum).is_ok());
        assert!(check(&t, PostInForum { locked: false }).is_ok());
        assert!(check(&t, PostInForum { locked: true }).is_err());
        let mine = TicketFacts {
            instance: t.instance(),
            user: t.user(),
        };
        assert!(check(&t, OwnTicket(mine)).is_ok());
        let colleague = TicketFacts {
            instance: t.instance(),
            user: UserId(Uuid::from_u128(9)),
        };
        assert_eq!(
            check(&t, OwnTicket(colleague)).err(),
            Some(Denied::NotFound)
        );
        let elsewhere = TicketFacts {
            instance: InstanceId(Uuid::from_u128(7)),
            user: t.user(),
        };
        assert_eq!(
            check(&t, OwnTicket(elsewhere)).err(),
            Some(Denied::NotFound)
        );
    }

    #[test]
    fn support_and_admins_moderate_the_dpo_does_not() {
        for (role, ok) in [
            (OperatorRole::Admin, true),
            (OperatorRole::Support, true),
            (OperatorRole::Dpo, false),
        ] {
            let op = OperatorToken::resolve(Uuid::from_u128(3), role);
            assert_eq!(check_operator(&op, ModerateForum).is_ok(), ok, "{role:?}");
            assert_eq!(check_operator(&op, SupportTickets).is_ok(), ok, "{role:?}");
            assert_eq!(check_operator(&op, EditGuides).is_ok(), ok, "{role:?}");
            assert_eq!(check_operator(&op, WriteBlog).is_ok(), ok, "{role:?}");
        }
    }

    #[test]
    fn every_account_type_reads_the_blog() {
        for t in [
            AccountType::Schueler,
            AccountType::Lehrer,
            AccountType::Personal,
            AccountType::Extern,
        ] {
            assert!(check(&person(t), ReadBlog).is_ok(), "{t:?}");
        }
    }
}
