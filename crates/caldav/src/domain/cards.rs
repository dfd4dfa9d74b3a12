//! Address books over CardDAV: the caller's personal book, further books of its own or
//! shared with it, and the read-only school address book generated from the school's
//! people, each one domain service. Served only while the school's CardDAV switch is on;
//! off, every address-book path answers 404 (RFC 6352 leaves the status open: 404 says
//! nothing about which books exist, and clients treat it as "no address books here").

use schulhof_domain::contacts::{
    self as ct, AddressBookId, BookAccess, BookInfo, BookKind, CardPropFilter, CardQuery,
    CardTextMatch, ContactsError, MatchKind, SchoolCards, StoredContact,
};

use super::DomainStore;
use super::errors::domain;
use crate::store::{
    CardFilter, Changes, Collection, CollectionProps, CollectionRef, Kind, MatchType, Object,
    ObjectMeta, Precondition, StoreError, StoreResult, Written,
};

/// The segment of the school address book in every home.
pub(super) const SCHOOL: &str = "schule";

/// A book as the adapter resolved it.
pub(super) enum Book {
    Stored(BookInfo),
    School,
}

pub(super) fn map(e: ContactsError) -> StoreError {
    match e {
        ContactsError::NotFound => StoreError::NotFound,
        ContactsError::Forbidden => StoreError::Forbidden,
        ContactsError::PreconditionFailed => StoreError::PreconditionFailed,
        ContactsError::InvalidData { line, message } => StoreError::InvalidData(match line {
            Some(n) => format!("Zeile {n}: {message}"),
            None => message,
        }),
        ContactsError::UidConflict { href } => StoreError::UidConflict(href),
        ContactsError::TooLarge { .. } => StoreError::TooLarge,
        ContactsError::InvalidSyncToken => StoreError::InvalidSyncToken,
        ContactsError::Domain(d) => domain(d),
    }
}

/// The URL segment of a book in the caller's home: the own personal book by a fixed name,
/// the others by id, prefixed so they cannot clash with it or the school book.
fn segment(b: &BookInfo) -> String {
    match (b.kind, b.access) {
        (BookKind::Personal, BookAccess::Owner) => "persoenlich".to_owned(),
        (_, BookAccess::Owner) => format!("buch-{}", b.id.0.simple()),
        _ => format!("geteilt-{}", b.id.0.simple()),
    }
}

/// A sync token from the school book's CTag (its first 60 bits): it changes whenever any
/// generated card or the set of people does.
fn school_token(cards: &SchoolCards) -> u64 {
    cards
        .ctag
        .get(..15)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}

fn precondition(p: &Precondition) -> ct::Precondition {
    match p {
        Precondition::None => ct::Precondition::None,
        Precondition::IfMatch(e) => ct::Precondition::IfMatch(e.clone()),
        Precondition::Exists => ct::Precondition::IfMatch("*".to_owned()),
        Precondition::Absent => ct::Precondition::IfNoneMatch,
    }
}

fn object(s: StoredContact) -> Object {
    Object {
        meta: ObjectMeta {
            name: s.info.href,
            etag: s.info.etag,
        },
        data: s.raw,
    }
}

fn query(f: &CardFilter) -> CardQuery {
    CardQuery {
        props: f
            .props
            .iter()
            .map(|p| CardPropFilter {
                name: p.name.clone(),
                is_not_defined: p.is_not_defined,
                text_matches: p
                    .text_match
                    .iter()
                    .map(|m| CardTextMatch {
                        text: m.text.clone(),
                        kind: match m.match_type {
                            MatchType::Equals => MatchKind::Equals,
                            MatchType::Contains => MatchKind::Contains,
                            MatchType::StartsWith => MatchKind::StartsWith,
                            MatchType::EndsWith => MatchKind::EndsWith,
                        },
                        case_sensitive: m.case_sensitive,
                        negate: m.negate,
                    })
                    .collect(),
                all_of: p.all_of,
            })
            .collect(),
        all_of: f.all_of,
    }
}

impl DomainStore {
    fn book_collection(&self, b: &BookInfo) -> Collection {
        Collection {
            id: CollectionRef {
                kind: Kind::AddressBook,
                home: self.me.login.clone(),
                name: segment(b),
            },
            display_name: b.name.clone(),
            description: (!b.description.is_empty()).then(|| b.description.clone()),
            color: None,
            sync_token: u64::try_from(b.modseq).unwrap_or(0),
            writable: b.access.may_write(),
            manageable: b.access == BookAccess::Owner,
            components: vec![],
        }
    }

    fn school_collection(&self, cards: &SchoolCards) -> Collection {
        Collection {
            id: CollectionRef {
                kind: Kind::AddressBook,
                home: self.me.login.clone(),
                name: SCHOOL.to_owned(),
            },
            display_name: format!("Schuladressbuch {}", self.actor.school_name),
            description: Some("Nur lesbar: aus den Personen der Schule erzeugt.".to_owned()),
            color: None,
            sync_token: school_token(cards),
            writable: false,
            manageable: false,
            components: vec![],
        }
    }

    /// Whether the school serves address books over CardDAV at all (one statement).
    async fn card_served(&self) -> StoreResult<bool> {
        if let Some(on) = self.carddav.get() {
            return Ok(*on);
        }
        let on = self
            .platform
            .carddav_enabled(&self.actor)
            .await
            .map_err(domain)?;
        let _ = self.carddav.set(on);
        Ok(on)
    }

    /// The own and shared books, none without `contacts.personal`.
    async fn stored_books(&self) -> StoreResult<Vec<BookInfo>> {
        match self.platform.address_books(&self.actor).await {
            Ok(v) => Ok(v),
            Err(ContactsError::Forbidden | ContactsError::NotFound) => Ok(vec![]),
            Err(e) => Err(map(e)),
        }
    }

    /// The school book, `None` without `contacts.school`.
    async fn school_cards(&self) -> StoreResult<Option<SchoolCards>> {
        match self.platform.school_address_book_cards(&self.actor).await {
            Ok(c) => Ok(Some(c)),
            Err(ContactsError::Forbidden | ContactsError::NotFound) => Ok(None),
            Err(e) => Err(map(e)),
        }
    }

    /// Every book of the home; `NotFound` when CardDAV is off or the caller has no books.
    pub(super) async fn card_collections(&self) -> StoreResult<Vec<Collection>> {
        if !self.card_served().await? {
            return Err(StoreError::NotFound);
        }
        let books = self.stored_books().await?;
        let school = self.school_cards().await?;
        if books.is_empty() && school.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut out: Vec<Collection> = books.iter().map(|b| self.book_collection(b)).collect();
        if let Some(s) = school {
            out.push(self.school_collection(&s));
        }
        Ok(out)
    }

    pub(super) async fn card_resolve(&self, id: &CollectionRef) -> StoreResult<Book> {
        self.own_home(&id.home)?;
        if id.kind != Kind::AddressBook || !self.card_served().await? {
            return Err(StoreError::NotFound);
        }
        if id.name == SCHOOL {
            return match self.school_cards().await? {
                Some(_) => Ok(Book::School),
                None => Err(StoreError::NotFound),
            };
        }
        let books = self.stored_books().await?;
        books
            .into_iter()
            .find(|b| segment(b) == id.name)
            .map(Book::Stored)
            .ok_or(StoreError::NotFound)
    }

    pub(super) async fn card_collection(
        &self,
        id: &CollectionRef,
    ) -> StoreResult<Option<Collection>> {
        match self.card_resolve(id).await {
            Ok(Book::Stored(b)) => Ok(Some(self.book_collection(&b))),
            Ok(Book::School) => Ok(self
                .school_cards()
                .await?
                .map(|s| self.school_collection(&s))),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn school_objects(&self) -> StoreResult<Vec<Object>> {
        let cards = self.school_cards().await?.ok_or(StoreError::NotFound)?;
        Ok(cards
            .cards
            .into_iter()
            .map(|c| Object {
                meta: ObjectMeta {
                    name: c.href,
                    etag: c.etag,
                },
                data: c.vcard,
            })
            .collect())
    }

    fn book_id(book: &Book) -> StoreResult<AddressBookId> {
        match book {
            Book::Stored(b) => Ok(b.id),
            // The school book is generated: nothing can be written into it.
            Book::School => Err(StoreError::Forbidden),
        }
    }

    pub(super) async fn card_objects(&self, book: Book) -> StoreResult<Vec<ObjectMeta>> {
        let all = match book {
            Book::School => self.school_objects().await?,
            Book::Stored(b) => {
                let v = self.platform.contact_all(&self.actor, b.id).await;
                v.map_err(map)?.into_iter().map(object).collect()
            }
        };
        Ok(all.into_iter().map(|o| o.meta).collect())
    }

    pub(super) async fn card_multiget(
        &self,
        book: Book,
        names: &[String],
    ) -> StoreResult<Vec<Object>> {
        match book {
            Book::School => {
                let all = self.school_objects().await?;
                Ok(all
                    .into_iter()
                    .filter(|o| names.contains(&o.meta.name))
                    .collect())
            }
            Book::Stored(b) => {
                let v = self
                    .platform
                    .contact_multiget(&self.actor, b.id, names)
                    .await;
                Ok(v.map_err(map)?.into_iter().map(object).collect())
            }
        }
    }

    pub(super) async fn card_get(&self, book: Book, name: &str) -> StoreResult<Option<Object>> {
        match book {
            Book::School => {
                let all = self.school_objects().await?;
                Ok(all.into_iter().find(|o| o.meta.name == name))
            }
            Book::Stored(b) => match self.platform.contact_get(&self.actor, b.id, name).await {
                Ok(s) => Ok(Some(object(s))),
                Err(ContactsError::NotFound) => Ok(None),
                Err(e) => Err(map(e)),
            },
        }
    }

    pub(super) async fn card_put(
        &self,
        book: Book,
        name: &str,
        data: &str,
        pre: &Precondition,
    ) -> StoreResult<Written> {
        let id = Self::book_id(&book)?;
        let out = self
            .platform
            .contact_put(&self.actor, id, name, data.as_bytes(), precondition(pre))
            .await
            .map_err(map)?;
        Ok(Written {
            created: out.created,
            // A text changed on the way in (a UID added) gets no ETag: the client fetches it.
            etag: if out.stored_as_sent {
                out.info.etag
            } else {
                String::new()
            },
        })
    }

    pub(super) async fn card_delete(
        &self,
        book: Book,
        name: &str,
        pre: &Precondition,
    ) -> StoreResult<()> {
        let id = Self::book_id(&book)?;
        self.platform
            .contact_delete(&self.actor, id, name, precondition(pre))
            .await
            .map_err(map)
    }

    pub(super) async fn card_query(
        &self,
        book: Book,
        f: &CardFilter,
        limit: Option<usize>,
    ) -> StoreResult<Vec<Object>> {
        let q = query(f);
        match book {
            Book::School => {
                let all = self.school_objects().await?;
                Ok(all
                    .into_iter()
                    .filter(|o| ct::card_matches(&o.data, &q))
                    .take(limit.unwrap_or(usize::MAX))
                    .collect())
            }
            Book::Stored(b) => {
                let v = self
                    .platform
                    .contact_query(&self.actor, b.id, &q, limit)
                    .await;
                Ok(v.map_err(map)?.into_iter().map(object).collect())
            }
        }
    }

    /// The school book has no tombstones: a token other than the current one asks the
    /// client to sync again from scratch (RFC 6578 §3.2, valid-sync-token).
    pub(super) async fn card_changes(
        &self,
        book: Book,
        since: Option<u64>,
    ) -> StoreResult<Changes> {
        match book {
            Book::School => {
                let cards = self.school_cards().await?.ok_or(StoreError::NotFound)?;
                let token = school_token(&cards);
                let changed = match since {
                    None => cards
                        .cards
                        .into_iter()
                        .map(|c| ObjectMeta {
                            name: c.href,
                            etag: c.etag,
                        })
                        .collect(),
                    Some(t) if t == token => vec![],
                    Some(_) => return Err(StoreError::InvalidSyncToken),
                };
                Ok(Changes {
                    token,
                    changed,
                    deleted: vec![],
                })
            }
            Book::Stored(b) => {
                let since = since
                    .map(i64::try_from)
                    .transpose()
                    .map_err(|_| StoreError::InvalidSyncToken)?;
                let ch = self
                    .platform
                    .contact_changes(&self.actor, b.id, since)
                    .await
                    .map_err(map)?;
                Ok(Changes {
                    token: u64::try_from(ch.modseq).unwrap_or(0),
                    changed: ch
                        .changed
                        .into_iter()
                        .map(|c| ObjectMeta {
                            name: c.href,
                            etag: c.etag,
                        })
                        .collect(),
                    deleted: ch.deleted,
                })
            }
        }
    }

    pub(super) async fn card_update(&self, book: Book, p: &CollectionProps) -> StoreResult<()> {
        let Book::Stored(b) = book else {
            return Err(StoreError::Forbidden);
        };
        let name = p.display_name.clone().flatten().unwrap_or(b.name);
        let description = match &p.description {
            Some(d) => d.clone().unwrap_or_default(),
            None => b.description,
        };
        self.platform
            .address_book_update(&self.actor, b.id, &name, &description)
            .await
            .map_err(map)
    }

    pub(super) async fn card_delete_collection(&self, book: Book) -> StoreResult<()> {
        match book {
            Book::Stored(b) if b.kind == BookKind::Shared && b.access == BookAccess::Owner => self
                .platform
                .address_book_delete(&self.actor, b.id)
                .await
                .map_err(map),
            // The personal and the school book stay; a shared one only its owner deletes.
            _ => Err(StoreError::Forbidden),
        }
    }
}
