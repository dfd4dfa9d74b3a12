//! Address books: listing what the caller sees (its personal book made on first use),
//! creating further books, renaming, deleting and sharing them within the school.

use schulhof_authz::check;
use schulhof_authz::contacts::{BookOp, OwnBooks, ShareLevel, UseBook, book_scope};
use schulhof_store::contacts::books::{self, BookRow, NewBook, ShareTarget, Viewer};
use schulhof_store::{AsConn, groups, users};
use schulhof_types::{AddressBookId, GroupId, UserId};
use serde::Serialize;

use super::{BookAccess, BookInfo, BookKind, ContactsError};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The name a personal book is stored with (pages show their own words for it).
const PERSONAL_NAME: &str = "Persönliches Adressbuch";

/// Who a book is shared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ShareWith {
    User(UserId),
    Group(GroupId),
}

/// One share of a book, for its owner.
#[derive(Clone, Debug)]
pub struct Share {
    pub with: ShareWith,
    /// The person's or group's name.
    pub name: String,
    pub level: ShareLevel,
}

pub(crate) fn viewer(a: &Actor) -> Viewer<'_> {
    Viewer {
        instance: a.token.instance(),
        user: a.token.user(),
        groups: a.token.groups(),
    }
}

fn level_of(row: &BookRow) -> Option<ShareLevel> {
    row.shared_write.map(|w| {
        if w {
            ShareLevel::Write
        } else {
            ShareLevel::Read
        }
    })
}

fn info(a: &Actor, row: BookRow) -> BookInfo {
    let access = if row.owner == a.token.user() {
        BookAccess::Owner
    } else if row.shared_write == Some(true) {
        BookAccess::Write
    } else {
        BookAccess::Read
    };
    BookInfo {
        id: row.id,
        kind: if row.personal {
            BookKind::Personal
        } else {
            BookKind::Shared
        },
        name: row.name,
        description: row.description,
        owner: row.owner,
        owner_name: row.owner_name,
        access,
        modseq: row.sync_token,
        count: row.count,
        updated_at: row.updated_at,
    }
}

/// Loads a book the caller may `op`; hidden or absent: `NotFound`.
pub(crate) async fn book_for(
    c: &mut impl AsConn,
    a: &Actor,
    id: AddressBookId,
    op: BookOp,
) -> Result<BookRow, ContactsError> {
    let row = books::get_visible(c, viewer(a), id)
        .await?
        .ok_or(ContactsError::NotFound)?;
    check(
        &a.token,
        UseBook {
            instance: a.token.instance(),
            owner: row.owner,
            share: level_of(&row),
            op,
        },
    )?;
    Ok(row)
}

fn check_text(field: &'static str, v: &str, max: usize) -> Result<String, DomainError> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("must have at most {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_owned())
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let v = check_text("name", name, 100)?;
    if v.is_empty() {
        return Err(DomainError::invalid("name", "must not be empty"));
    }
    Ok(v)
}

impl Platform {
    /// Makes the caller's personal book if it has none yet.
    async fn ensure_personal_book(&self, a: &Actor) -> Result<(), ContactsError> {
        check(&a.token, OwnBooks)?;
        let mut tx = self.db.begin().await?;
        let book = NewBook {
            instance: a.token.instance(),
            id: AddressBookId::new(),
            owner: a.token.user(),
            name: PERSONAL_NAME,
            description: "",
            personal: true,
        };
        books::insert(&mut tx, &book, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every book the caller sees: its personal book (made on first use) first, then its
    /// own and those shared with it or its groups, by name. One statement once the personal
    /// book exists.
    pub async fn address_books(&self, a: &Actor) -> Result<Vec<BookInfo>, ContactsError> {
        book_scope(&a.token)?;
        let me = a.token.user();
        let has_personal = |rows: &[BookRow]| rows.iter().any(|r| r.personal && r.owner == me);
        let mut rows = books::visible(&mut self.db.read().await?, viewer(a)).await?;
        if !has_personal(&rows) {
            self.ensure_personal_book(a).await?;
            rows = books::visible(&mut self.db.read().await?, viewer(a)).await?;
        }
        Ok(rows.into_iter().map(|r| info(a, r)).collect())
    }

    /// The caller's personal book (made on first use).
    pub async fn personal_address_book(&self, a: &Actor) -> Result<BookInfo, ContactsError> {
        let me = a.token.user();
        self.address_books(a)
            .await?
            .into_iter()
            .find(|b| b.kind == BookKind::Personal && b.owner == me)
            .ok_or(ContactsError::NotFound)
    }

    /// One book the caller sees; hidden or absent: `NotFound`.
    pub async fn address_book(
        &self,
        a: &Actor,
        id: AddressBookId,
    ) -> Result<BookInfo, ContactsError> {
        let row = book_for(&mut self.db.read().await?, a, id, BookOp::Read).await?;
        Ok(info(a, row))
    }

    /// A further book of the caller's, to fill and share.
    pub async fn address_book_create(
        &self,
        a: &Actor,
        name: &str,
        description: &str,
    ) -> Result<BookInfo, ContactsError> {
        check(&a.token, OwnBooks)?;
        let name = check_name(name)?;
        let description = check_text("description", description, 1000)?;
        let id = AddressBookId::new();
        let mut tx = self.db.begin().await?;
        let book = NewBook {
            instance: a.token.instance(),
            id,
            owner: a.token.user(),
            name: &name,
            description: &description,
            personal: false,
        };
        books::insert(&mut tx, &book, self.now()).await?;
        tx.commit().await?;
        self.address_book(a, id).await
    }

    /// Renames a book of the caller's and changes its description.
    pub async fn address_book_update(
        &self,
        a: &Actor,
        id: AddressBookId,
        name: &str,
        description: &str,
    ) -> Result<(), ContactsError> {
        let name = check_name(name)?;
        let description = check_text("description", description, 1000)?;
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, id, BookOp::Manage).await?;
        books::update(
            &mut tx,
            a.token.instance(),
            id,
            &name,
            &description,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a further book of the caller's with all its contacts. The personal book
    /// stays.
    pub async fn address_book_delete(
        &self,
        a: &Actor,
        id: AddressBookId,
    ) -> Result<(), ContactsError> {
        let mut tx = self.db.begin().await?;
        let row = book_for(&mut tx, a, id, BookOp::Manage).await?;
        if row.personal {
            return Err(DomainError::conflict(
                "book",
                "the personal address book cannot be deleted",
            )
            .into());
        }
        books::delete(&mut tx, a.token.instance(), id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who the caller's book is shared with.
    pub async fn address_book_shares(
        &self,
        a: &Actor,
        id: AddressBookId,
    ) -> Result<Vec<Share>, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, id, BookOp::Manage).await?;
        let rows = books::shares(&mut c, a.token.instance(), id).await?;
        Ok(rows
            .into_iter()
            .map(|s| Share {
                with: match s.target {
                    ShareTarget::User(u) => ShareWith::User(u),
                    ShareTarget::Group(g) => ShareWith::Group(g),
                },
                name: s.name,
                level: if s.can_write {
                    ShareLevel::Write
                } else {
                    ShareLevel::Read
                },
            })
            .collect())
    }

    /// A person (login or school address) or group (name) of the caller's school to share
    /// with; anything else, or a function account, is refused at the field.
    pub async fn address_book_share_target(
        &self,
        a: &Actor,
        who: &str,
    ) -> Result<ShareWith, ContactsError> {
        check(&a.token, OwnBooks)?;
        let who = who.trim();
        let instance = a.token.instance();
        let mut c = self.db.read().await?;
        // Logins are lower case; a school address may be stored with capitals.
        let mut person = users::find_by_login_or_mail(&mut c, instance, who).await?;
        if person.is_none() {
            person = users::find_by_login_or_mail(&mut c, instance, &who.to_lowercase()).await?;
        }
        if let Some(u) = person
            && u.function_role.is_none()
            && u.active
        {
            return Ok(ShareWith::User(u.id));
        }
        if let Some(g) = groups::find_by_name(&mut c, instance, who).await? {
            return Ok(ShareWith::Group(g.id));
        }
        Err(DomainError::invalid(
            "share_with",
            "no person or group of this school has this name",
        )
        .into())
    }

    /// Shares the caller's book with a person or group of the school (again: changes the
    /// level).
    pub async fn address_book_share(
        &self,
        a: &Actor,
        id: AddressBookId,
        with: ShareWith,
        level: ShareLevel,
    ) -> Result<(), ContactsError> {
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, id, BookOp::Manage).await?;
        let target = match with {
            ShareWith::User(u) => {
                let row = users::get(&mut tx, instance, u).await?;
                let ok = row.is_some_and(|r| r.function_role.is_none() && r.id != a.token.user());
                if !ok {
                    return Err(
                        DomainError::invalid("share_with", "not a person of this school").into(),
                    );
                }
                ShareTarget::User(u)
            }
            ShareWith::Group(g) => {
                if groups::get(&mut tx, instance, g).await?.is_none() {
                    return Err(
                        DomainError::invalid("share_with", "not a group of this school").into(),
                    );
                }
                ShareTarget::Group(g)
            }
        };
        let write = level == ShareLevel::Write;
        books::put_share(&mut tx, instance, id, &target, write, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a share of the caller's book.
    pub async fn address_book_unshare(
        &self,
        a: &Actor,
        id: AddressBookId,
        with: ShareWith,
    ) -> Result<(), ContactsError> {
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, id, BookOp::Manage).await?;
        let target = match with {
            ShareWith::User(u) => ShareTarget::User(u),
            ShareWith::Group(g) => ShareTarget::Group(g),
        };
        books::remove_share(&mut tx, a.token.instance(), id, &target).await?;
        tx.commit().await?;
        Ok(())
    }
}
