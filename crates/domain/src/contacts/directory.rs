//! The school address book: read-only, generated from the school's people as the caller's
//! account type may see them (the policy's `DirectoryScope`), never stored as vCards. Only
//! names, official addresses, the kind of account and the groups the caller shares with a
//! person leave it; never an external address or a birthday.

use std::collections::HashMap;

use calcard::vcard::{VCard, VCardEntry, VCardKind, VCardProperty, VCardValue, VCardVersion};
use schulhof_authz::contacts::{DirectoryScope, directory_scope};
use schulhof_store::contacts::directory::{self, PersonRow, Visible};
use schulhof_types::{AccountType, GroupId, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ContactsError;
use super::ingest::etag_of;
use crate::Platform;
use crate::identity::Actor;

/// One person of the school address book.
#[derive(Clone, Debug, Serialize)]
pub struct DirectoryPerson {
    pub id: UserId,
    pub first_name: String,
    pub last_name: String,
    /// The official school address.
    pub mail: String,
    pub account_type: Option<AccountType>,
    /// The groups the caller shares with the person, by name.
    pub groups: Vec<String>,
}

impl DirectoryPerson {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DirectoryPage {
    pub people: Vec<DirectoryPerson>,
    pub total: i64,
}

/// A generated vCard of the school address book, for CardDAV.
#[derive(Clone, Debug, Serialize)]
pub struct GeneratedCard {
    /// `<user id>.vcf`.
    pub href: String,
    /// Without quotes; changes only when the card's text does.
    pub etag: String,
    pub vcard: String,
}

/// The whole school address book as the caller sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SchoolCards {
    /// Changes whenever any card, or who is in the book, changes.
    pub ctag: String,
    pub cards: Vec<GeneratedCard>,
}

fn visible(s: &DirectoryScope, only: Option<UserId>) -> Visible<'_> {
    Visible {
        instance: s.instance,
        everyone: &s.everyone,
        in_own_groups: &s.in_own_groups,
        classes_only: s.classes_only,
        groups: &s.groups,
        only,
    }
}

fn text(prop: VCardProperty, v: &str) -> VCardEntry {
    VCardEntry::new(prop).with_value(v.to_owned())
}

/// The vCard 4.0 of a person: name, official address, school, shared groups.
fn card_of(p: &DirectoryPerson, school: &str) -> String {
    let mut card = VCard::default();
    card.entries
        .push(text(VCardProperty::Uid, &format!("urn:uuid:{}", p.id)));
    card.entries.push(
        VCardEntry::new(VCardProperty::Kind).with_value(VCardValue::Kind(VCardKind::Individual)),
    );
    card.entries.push(text(VCardProperty::Fn, &p.name()));
    card.entries
        .push(VCardEntry::new(VCardProperty::N).with_values(vec![
            VCardValue::Text(p.last_name.clone()),
            VCardValue::Text(p.first_name.clone()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
        ]));
    card.entries.push(text(VCardProperty::Email, &p.mail));
    card.entries.push(text(VCardProperty::Org, school));
    if !p.groups.is_empty() {
        card.entries.push(
            VCardEntry::new(VCardProperty::Categories)
                .with_values(p.groups.iter().cloned().map(VCardValue::Text).collect()),
        );
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = card.write_to(&mut out, VCardVersion::V4_0);
    out
}

impl Platform {
    /// People and their shared groups: two or three statements whatever the page size.
    async fn directory_people(
        &self,
        a: &Actor,
        only: Option<UserId>,
        query: &str,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<DirectoryPage, ContactsError> {
        let scope = directory_scope(&a.token)?;
        let mut c = self.db.read().await?;
        let q = query.trim().to_lowercase();
        let (rows, total) =
            directory::people(&mut c, visible(&scope, only), &q, limit, offset.max(0)).await?;
        let ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
        let mut groups: HashMap<UserId, Vec<String>> = HashMap::new();
        let shared: Vec<(UserId, GroupId, String)> =
            directory::shared_groups(&mut c, scope.instance, &ids, &scope.groups).await?;
        for (u, _, name) in shared {
            groups.entry(u).or_default().push(name);
        }
        let people = rows
            .into_iter()
            .map(|r: PersonRow| DirectoryPerson {
                groups: groups.remove(&r.id).unwrap_or_default(),
                account_type: AccountType::parse(&r.kind),
                id: r.id,
                first_name: r.first_name,
                last_name: r.last_name,
                mail: r.mail,
            })
            .collect();
        Ok(DirectoryPage { people, total })
    }

    /// A page of the school address book, those whose name or address contains `query`.
    pub async fn school_directory(
        &self,
        a: &Actor,
        query: &str,
        limit: i64,
        offset: i64,
    ) -> Result<DirectoryPage, ContactsError> {
        self.directory_people(a, None, query, Some(limit.clamp(1, 500)), offset)
            .await
    }

    /// One person of the school address book; one the caller may not see is `NotFound`.
    pub async fn school_directory_person(
        &self,
        a: &Actor,
        id: UserId,
    ) -> Result<DirectoryPerson, ContactsError> {
        let page = self.directory_people(a, Some(id), "", None, 0).await?;
        page.people
            .into_iter()
            .next()
            .ok_or(ContactsError::NotFound)
    }

    /// The whole school address book as vCards, for CardDAV: each card's ETag is the hash
    /// of its text, the CTag the hash of every card's ETag. A client whose sync token is not
    /// the current CTag is told to sync again from scratch.
    pub async fn school_address_book_cards(&self, a: &Actor) -> Result<SchoolCards, ContactsError> {
        let page = self.directory_people(a, None, "", None, 0).await?;
        let mut hash = Sha256::new();
        let cards: Vec<GeneratedCard> = page
            .people
            .iter()
            .map(|p| {
                let vcard = card_of(p, &a.school_name);
                let etag = etag_of(&vcard);
                hash.update(p.id.0.as_bytes());
                hash.update(etag.as_bytes());
                GeneratedCard {
                    href: format!("{}.vcf", p.id),
                    etag,
                    vcard,
                }
            })
            .collect();
        let ctag = hash
            .finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(SchoolCards { ctag, cards })
    }
}
