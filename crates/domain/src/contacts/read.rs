//! Reading a book: pages and search for the web, the listing, multiget and changes since a
//! sync token for CardDAV, and the export as one .vcf file.

use schulhof_authz::contacts::BookOp;
use schulhof_store::contacts::cards::{self, CardRow, Key};
use schulhof_types::{AddressBookId, ContactId};

use super::books::book_for;
use super::{Changes, ContactInfo, ContactsError, StoredContact};
use crate::Platform;
use crate::identity::Actor;

fn stored((row, raw): (CardRow, String)) -> StoredContact {
    StoredContact {
        info: ContactInfo::from(row),
        raw,
    }
}

impl Platform {
    /// A page of a book's contacts by name, those whose name, nickname, organisation or
    /// address contains `query`; and how many match in all. Two statements after the book's.
    pub async fn contacts(
        &self,
        a: &Actor,
        book: AddressBookId,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ContactInfo>, i64), ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Read).await?;
        let q = query.trim().to_lowercase();
        let (rows, total) = cards::list(
            &mut c,
            a.token.instance(),
            book,
            &q,
            limit.clamp(1, 500),
            offset.max(0),
        )
        .await?;
        Ok((rows.into_iter().map(ContactInfo::from).collect(), total))
    }

    /// One contact by id, with its text.
    pub async fn contact_by_id(
        &self,
        a: &Actor,
        book: AddressBookId,
        id: ContactId,
    ) -> Result<StoredContact, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Read).await?;
        let r = cards::get(&mut c, a.token.instance(), book, Key::Id(id)).await?;
        r.map(stored).ok_or(ContactsError::NotFound)
    }

    /// One contact by resource name, with its text exactly as stored (CardDAV GET).
    pub async fn contact_get(
        &self,
        a: &Actor,
        book: AddressBookId,
        href: &str,
    ) -> Result<StoredContact, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Read).await?;
        let r = cards::get(&mut c, a.token.instance(), book, Key::Href(href)).await?;
        r.map(stored).ok_or(ContactsError::NotFound)
    }

    /// Every contact of a book with its text (PROPFIND depth 1, addressbook-query).
    pub async fn contact_all(
        &self,
        a: &Actor,
        book: AddressBookId,
    ) -> Result<Vec<StoredContact>, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Read).await?;
        let rows = cards::all_full(&mut c, a.token.instance(), book).await?;
        Ok(rows.into_iter().map(stored).collect())
    }

    /// The contacts at these resource names (addressbook-multiget); absent ones are left
    /// out, for the DAV layer to answer 404 each.
    pub async fn contact_multiget(
        &self,
        a: &Actor,
        book: AddressBookId,
        hrefs: &[String],
    ) -> Result<Vec<StoredContact>, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Read).await?;
        let rows = cards::by_hrefs(&mut c, a.token.instance(), book, hrefs).await?;
        Ok(rows.into_iter().map(stored).collect())
    }

    /// What changed since sync token `since` (None or 0: everything, no deletions). A token
    /// from the future or below the tombstone floor is `InvalidSyncToken`.
    pub async fn contact_changes(
        &self,
        a: &Actor,
        book: AddressBookId,
        since: Option<i64>,
    ) -> Result<Changes, ContactsError> {
        let mut c = self.db.read().await?;
        let row = book_for(&mut c, a, book, BookOp::Read).await?;
        let since = since.unwrap_or(0);
        if since < 0 || since > row.sync_token || (since > 0 && since < row.tombstone_floor) {
            return Err(ContactsError::InvalidSyncToken);
        }
        let (changed, mut deleted) =
            cards::changed_since(&mut c, a.token.instance(), book, since).await?;
        if since == 0 {
            deleted.clear();
        }
        Ok(Changes {
            modseq: row.sync_token,
            changed: changed.into_iter().map(ContactInfo::from).collect(),
            deleted,
        })
    }

    /// The book as one .vcf file: the stored texts one after another, each ending in a line
    /// break.
    pub async fn address_book_export(
        &self,
        a: &Actor,
        book: AddressBookId,
    ) -> Result<String, ContactsError> {
        let all = self.contact_all(a, book).await?;
        let mut out = String::with_capacity(all.iter().map(|s| s.raw.len() + 2).sum());
        for s in all {
            out.push_str(&s.raw);
            if !s.raw.ends_with('\n') {
                out.push_str("\r\n");
            }
        }
        Ok(out)
    }
}
