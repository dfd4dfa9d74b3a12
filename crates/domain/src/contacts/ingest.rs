//! The one way a contact enters or leaves a book, whether from the web form, a vCard import
//! or a CardDAV PUT/DELETE: read and checked by calcard, the caller's preconditions and the
//! book's UID rule enforced, the book's sync token raised, all in one transaction.

use schulhof_authz::contacts::BookOp;
use schulhof_store::Tx;
use schulhof_store::contacts::books;
use schulhof_store::contacts::cards::{self, CardData, Key};
use schulhof_types::{AddressBookId, ContactId, InstanceId};
use sha2::{Digest, Sha256};

use super::books::book_for;
use super::vcard::{self, ContactForm, Indexed};
use super::{ContactInfo, ContactsError, MAX_CARD, Precondition, PutOutcome};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// The ETag of a stored text: the first 32 hex digits of its SHA-256, without quotes.
pub(crate) fn etag_of(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A resource name a client may choose: one path segment of printable characters.
fn check_href(href: &str) -> Result<(), ContactsError> {
    let ok = !href.is_empty()
        && href.len() <= 255
        && href != "."
        && href != ".."
        && !href.contains(['/', '\\'])
        && !href.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid("href", "not a valid resource name").into())
    }
}

/// A fresh resource name for a contact made here.
pub(crate) fn new_href() -> String {
    format!("{}.vcf", uuid::Uuid::now_v7())
}

fn holds(pre: &Precondition, stored: Option<&str>) -> bool {
    match (pre, stored) {
        (Precondition::None, _) => true,
        (Precondition::IfNoneMatch, s) => s.is_none(),
        (Precondition::IfMatch(_), None) => false,
        (Precondition::IfMatch(want), Some(etag)) => {
            let want = want.trim().trim_start_matches("W/").trim_matches('"');
            want == "*" || want == etag
        }
    }
}

/// A card read and ready to store: its final text (with a UID added if it had none).
pub(crate) struct Ready {
    pub text: String,
    pub uid: String,
    pub indexed: Indexed,
    pub as_sent: bool,
}

/// Reads a card sent by anyone; refuses it before any transaction starts.
pub(crate) fn prepare(raw: &[u8]) -> Result<Ready, ContactsError> {
    if raw.len() > MAX_CARD {
        return Err(ContactsError::TooLarge { max: MAX_CARD });
    }
    let text = std::str::from_utf8(raw)
        .map_err(|_| ContactsError::invalid(None, "the vCard is not UTF-8 text"))?;
    let (_, indexed) = vcard::read(text)?;
    match indexed.uid.clone() {
        Some(uid) if uid.len() <= 255 => Ok(Ready {
            text: text.to_owned(),
            uid,
            indexed,
            as_sent: true,
        }),
        Some(_) => Err(ContactsError::invalid(None, "the UID is too long")),
        None => {
            let uid = uuid::Uuid::now_v7().to_string();
            Ok(Ready {
                text: vcard::with_uid(text, &uid),
                uid,
                indexed,
                as_sent: false,
            })
        }
    }
}

/// Stores a prepared card at `href` of a book the caller may write (checked by the caller
/// in the same transaction). The one place contacts are written.
pub(crate) async fn store(
    tx: &mut Tx,
    instance: InstanceId,
    book: AddressBookId,
    href: &str,
    card: &Ready,
    pre: &Precondition,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<PutOutcome, ContactsError> {
    let existing = cards::get(tx, instance, book, Key::Href(href)).await?;
    if !holds(pre, existing.as_ref().map(|(r, _)| r.etag.as_str())) {
        return Err(ContactsError::PreconditionFailed);
    }
    if let Some((other, _)) = cards::get(tx, instance, book, Key::Uid(&card.uid)).await?
        && other.href != href
    {
        return Err(ContactsError::UidConflict { href: other.href });
    }
    let modseq = books::next_token(tx, instance, book, now).await?;
    let etag = etag_of(&card.text);
    let emails = card.indexed.emails.join("\n");
    let data = CardData {
        instance,
        id: existing.as_ref().map_or_else(ContactId::new, |(r, _)| r.id),
        book,
        href,
        uid: &card.uid,
        vcard: &card.text,
        etag: &etag,
        modseq,
        display_name: &card.indexed.display_name,
        sort_key: &card.indexed.sort_key,
        emails: &emails,
        search_text: &card.indexed.search_text,
    };
    if existing.is_some() {
        cards::update(tx, &data, now).await?;
    } else {
        cards::insert(tx, &data, now).await?;
    }
    let stored = cards::get(tx, instance, book, Key::Href(href))
        .await?
        .ok_or_else(|| DomainError::Internal("contact vanished while storing".into()))?;
    Ok(PutOutcome {
        info: ContactInfo::from(stored.0),
        created: existing.is_none(),
        stored_as_sent: card.as_sent,
    })
}

impl Platform {
    /// Stores `raw` (one vCard 3.0 or 4.0) at `href` in a book the caller may write, under
    /// the caller's precondition: CardDAV PUT, and through it the web form and the import.
    pub async fn contact_put(
        &self,
        a: &Actor,
        book: AddressBookId,
        href: &str,
        raw: &[u8],
        pre: Precondition,
    ) -> Result<PutOutcome, ContactsError> {
        check_href(href)?;
        let card = prepare(raw)?;
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, book, BookOp::Write).await?;
        let out = store(
            &mut tx,
            a.token.instance(),
            book,
            href,
            &card,
            &pre,
            self.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Deletes the contact at `href`, leaving a tombstone for clients that sync later.
    pub async fn contact_delete(
        &self,
        a: &Actor,
        book: AddressBookId,
        href: &str,
        pre: Precondition,
    ) -> Result<(), ContactsError> {
        let instance = a.token.instance();
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, book, BookOp::Write).await?;
        let (row, _) = cards::get(&mut tx, instance, book, Key::Href(href))
            .await?
            .ok_or(ContactsError::NotFound)?;
        if !holds(&pre, Some(&row.etag)) {
            return Err(ContactsError::PreconditionFailed);
        }
        let modseq = books::next_token(&mut tx, instance, book, self.now()).await?;
        cards::delete(&mut tx, instance, &row, modseq, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves the web form: a new contact (`id` None), or changes to one whose ETag the form
    /// was filled from, so an edit made meanwhile elsewhere is not overwritten.
    pub async fn contact_save_form(
        &self,
        a: &Actor,
        book: AddressBookId,
        id: Option<ContactId>,
        etag: Option<&str>,
        form: &ContactForm,
    ) -> Result<ContactInfo, ContactsError> {
        form.check()?;
        let (href, text, pre) = match id {
            None => {
                let uid = uuid::Uuid::now_v7().to_string();
                let text = vcard::build(None, form, &format!("urn:uuid:{uid}"));
                (new_href(), text, Precondition::IfNoneMatch)
            }
            Some(id) => {
                let stored = self.contact_by_id(a, book, id).await?;
                let text = vcard::build(Some(&stored.raw), form, &stored.info.uid);
                let pre = Precondition::IfMatch(etag.unwrap_or(&stored.info.etag).to_owned());
                (stored.info.href, text, pre)
            }
        };
        let out = self
            .contact_put(a, book, &href, text.as_bytes(), pre)
            .await?;
        Ok(out.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preconditions_hold_as_http_says() {
        assert!(holds(&Precondition::None, None));
        assert!(holds(&Precondition::IfNoneMatch, None));
        assert!(!holds(&Precondition::IfNoneMatch, Some("a")));
        assert!(!holds(&Precondition::IfMatch("a".into()), None));
        assert!(holds(&Precondition::IfMatch("\"a\"".into()), Some("a")));
        assert!(holds(&Precondition::IfMatch("*".into()), Some("b")));
        assert!(!holds(&Precondition::IfMatch("\"a\"".into()), Some("b")));
    }

    #[test]
    fn resource_names_are_one_segment() {
        assert!(check_href("abc.vcf").is_ok());
        assert!(check_href("../x").is_err());
        assert!(check_href("a/b").is_err());
        assert!(check_href("").is_err());
        assert_eq!(etag_of("x").len(), 32);
    }
}
