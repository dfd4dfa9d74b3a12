//! News: who reads which items, who writes, publishes, edits and deletes them.
//!
//! Reading is a scope the store turns into its WHERE clause (the audience is filtered inside
//! the query, never after fetching). Public items are for everyone, also without login;
//! restricted ones need news.read and a match of the audience (group, person, account type).
//! Authors (news.author) handle their own items, news admins (news.admin) anyone's; the
//! Sekretariat function account writes (news.author) and publishes (news.publish). A person
//! acting as the Sekretariat's holder acts with its rights: that is how it delegates them.

use schulhof_types::{InstanceId, RightId, UserId};

use crate::policy::{Action, Denied};
use crate::token::{AccessToken, Principal};

/// What a reader's list may contain; the store turns it into SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadScope {
    pub instance: InstanceId,
    pub user: UserId,
    /// The stored account type (`users.kind`) audience rows are compared with; `None`:
    /// restricted items never match (no news.read).
    pub account_type: Option<&'static str>,
}

/// The news a caller may read.
pub fn read_scope(token: &AccessToken) -> ReadScope {
    let account_type = match token.principal() {
        Principal::Person(t) if token.has(RightId::NewsRead) => Some(t.as_str()),
        // A function account reads restricted items only where it is named as a person.
        Principal::Function(_) if token.has(RightId::NewsRead) => Some("function"),
        _ => None,
    };
    ReadScope {
        instance: token.instance(),
        user: token.user(),
        account_type,
    }
}

/// Whether restricted items reach this caller at all (news.read).
pub fn reads_restricted(token: &AccessToken) -> bool {
    token.has(RightId::NewsRead)
}

/// Whether the caller writes news at all (the editor, the drafts list).
pub fn is_author(token: &AccessToken) -> bool {
    token.has(RightId::NewsAuthor) || token.has(RightId::NewsAdmin)
}

/// Whether the caller handles everyone's items.
pub fn is_admin(token: &AccessToken) -> bool {
    token.has(RightId::NewsAdmin)
}

/// What the policy needs to know about one stored item.
#[derive(Clone, Copy, Debug)]
pub struct NewsFacts {
    pub instance: InstanceId,
    pub author: UserId,
}

fn own_or_admin(token: &AccessToken, item: &NewsFacts, own_right: RightId) -> Result<(), Denied> {
    if token.instance() != item.instance {
        return Err(Denied::NotFound);
    }
    if token.has(RightId::NewsAdmin) || (item.author == token.user() && token.has(own_right)) {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

/// Write a new item (a draft or published at once, see [`PublishNews`]).
#[derive(Debug, Clone, Copy)]
pub struct WriteNews;
impl Action for WriteNews {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if is_author(token) {
            Ok(())
        } else {
            Err(Denied::Forbidden)
        }
    }
}

/// Change an item: its author (news.author), or a news admin.
#[derive(Debug, Clone, Copy)]
pub struct EditNews(pub NewsFacts);
impl Action for EditNews {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        own_or_admin(token, &self.0, RightId::NewsAuthor)
    }
}

/// Publish an item (now or scheduled): its author with news.author or news.publish, or a
/// news admin.
#[derive(Debug, Clone, Copy)]
pub struct PublishNews(pub NewsFacts);
impl Action for PublishNews {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        if token.has(RightId::NewsPublish) && self.0.author == token.user() {
            return own_or_admin(token, &self.0, RightId::NewsPublish);
        }
        own_or_admin(token, &self.0, RightId::NewsAuthor)
    }
}

/// Delete an item: its author, or a news admin.
#[derive(Debug, Clone, Copy)]
pub struct DeleteNews(pub NewsFacts);
impl Action for DeleteNews {
    fn decide(&self, token: &AccessToken) -> Result<(), Denied> {
        own_or_admin(token, &self.0, RightId::NewsAuthor)
    }
}

#[cfg(test)]
mod tests {
    use schulhof_types::{AccountType, FunctionRole};
    use uuid::Uuid;

    use super::*;
    use crate::check;

    fn token(p: Principal, grants: Vec<RightId>) -> AccessToken {
        AccessToken::resolve(
            InstanceId(Uuid::nil()),
            UserId(Uuid::now_v7()),
            p,
            vec![],
            grants,
        )
    }

    fn facts(t: &AccessToken, own: bool) -> NewsFacts {
        NewsFacts {
            instance: t.instance(),
            author: if own {
                t.user()
            } else {
                UserId(Uuid::now_v7())
            },
        }
    }

    #[test]
    fn authors_handle_their_own_items_admins_everyones() {
        let author = token(
            Principal::Person(AccountType::Lehrer),
            vec![RightId::NewsAuthor],
        );
        assert!(check(&author, WriteNews).is_ok());
        assert!(check(&author, EditNews(facts(&author, true))).is_ok());
        assert!(check(&author, PublishNews(facts(&author, true))).is_ok());
        assert!(check(&author, DeleteNews(facts(&author, true))).is_ok());
        assert_eq!(
            check(&author, EditNews(facts(&author, false))).err(),
            Some(Denied::Forbidden)
        );
        assert!(check(&author, DeleteNews(facts(&author, false))).is_err());
        let admin = token(
            Principal::Person(AccountType::Personal),
            vec![RightId::NewsAdmin],
        );
        assert!(check(&admin, EditNews(facts(&admin, false))).is_ok());
        assert!(check(&admin, PublishNews(facts(&admin, false))).is_ok());
        assert!(check(&admin, DeleteNews(facts(&admin, false))).is_ok());
    }

    #[test]
    fn plain_readers_and_other_schools_write_nothing() {
        let pupil = token(Principal::Person(AccountType::Schueler), vec![]);
        assert!(check(&pupil, WriteNews).is_err());
        assert!(check(&pupil, EditNews(facts(&pupil, true))).is_err());
        // news.admin is never grantable to students: the grant has no effect.
        let pupil = token(
            Principal::Person(AccountType::Schueler),
            vec![RightId::NewsAdmin],
        );
        assert!(!is_admin(&pupil));
        let admin = token(
            Principal::Person(AccountType::Lehrer),
            vec![RightId::NewsAdmin],
        );
        let other = NewsFacts {
            instance: InstanceId(Uuid::now_v7()),
            author: admin.user(),
        };
        assert_eq!(check(&admin, EditNews(other)).err(), Some(Denied::NotFound));
    }

    #[test]
    fn the_sekretariat_writes_and_publishes_and_the_admin_account_does_not() {
        let sek = token(Principal::Function(FunctionRole::Sekretariat), vec![]);
        assert!(check(&sek, WriteNews).is_ok());
        assert!(check(&sek, PublishNews(facts(&sek, true))).is_ok());
        assert!(check(&sek, PublishNews(facts(&sek, false))).is_err());
        let admin = token(Principal::Function(FunctionRole::Admin), vec![]);
        assert!(check(&admin, WriteNews).is_err());
        assert_eq!(read_scope(&admin).account_type, None);
    }

    #[test]
    fn readers_match_restricted_items_by_their_account_type() {
        let t = token(Principal::Person(AccountType::Extern), vec![]);
        assert_eq!(read_scope(&t).account_type, Some("extern"));
    }
}
