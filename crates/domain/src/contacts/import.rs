//! Importing a .vcf file (vCard 3.0 and 4.0) into a book: a preview that names every
//! problem by line, and the import itself, which stores all cards or none. A card whose UID
//! the book holds already replaces that contact, so importing an export again changes
//! nothing twice.

use std::collections::HashMap;

use schulhof_authz::contacts::BookOp;
use schulhof_store::contacts::cards;
use schulhof_types::AddressBookId;
use serde::Serialize;

use super::books::book_for;
use super::ingest::{Ready, new_href, prepare, store};
use super::vcard::split;
use super::{ContactsError, MAX_IMPORT, MAX_IMPORT_CARDS, Precondition};
use crate::Platform;
use crate::identity::Actor;

/// A problem of the file, by line (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// One card the import would store.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewCard {
    pub line: usize,
    pub display_name: String,
    pub emails: Vec<String>,
    /// A contact with the same UID is in the book already and would be replaced.
    pub replaces: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImportPreview {
    pub cards: Vec<PreviewCard>,
    pub errors: Vec<LineError>,
}

impl ImportPreview {
    /// Whether the import would store anything: no errors, at least one card.
    pub fn importable(&self) -> bool {
        self.errors.is_empty() && !self.cards.is_empty()
    }
}

/// What an import did. With errors, nothing was stored.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<LineError>,
}

fn line_error(line: usize, message: impl Into<String>) -> LineError {
    LineError {
        line,
        message: message.into(),
    }
}

/// The text of the file, or where it stops being UTF-8.
fn utf8(bytes: &[u8]) -> Result<&str, LineError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        line_error(line, "the file is not UTF-8 text")
    })
}

/// The cards of a file that read well, each with its first line, and every problem by line.
type Analysis = (Vec<(usize, Ready)>, Vec<LineError>);

/// Reads every card of the file.
fn analyse(bytes: &[u8]) -> Result<Analysis, ContactsError> {
    if bytes.len() > MAX_IMPORT {
        return Err(ContactsError::TooLarge { max: MAX_IMPORT });
    }
    let text = match utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Ok((Vec::new(), vec![e])),
    };
    let (chunks, stray) = split(text);
    let mut errors: Vec<LineError> = stray.into_iter().map(|(l, m)| line_error(l, m)).collect();
    if chunks.len() > MAX_IMPORT_CARDS {
        errors.push(line_error(
            chunks[MAX_IMPORT_CARDS].first_line,
            format!("at most {MAX_IMPORT_CARDS} vCards per import"),
        ));
        return Ok((Vec::new(), errors));
    }
    let mut ready = Vec::with_capacity(chunks.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for chunk in chunks {
        match prepare(chunk.text.as_bytes()) {
            Ok(card) => {
                if let Some(first) = seen.insert(card.uid.clone(), chunk.first_line) {
                    errors.push(line_error(
                        chunk.first_line,
                        format!("the same UID as the vCard in line {first}"),
                    ));
                }
                ready.push((chunk.first_line, card));
            }
            Err(ContactsError::InvalidData { line, message }) => {
                let at = chunk.first_line + line.map_or(0, |l| l.saturating_sub(1));
                errors.push(line_error(at, message));
            }
            Err(ContactsError::TooLarge { max }) => errors.push(line_error(
                chunk.first_line,
                format!("the vCard is too large: at most {max} bytes"),
            )),
            Err(other) => return Err(other),
        }
    }
    if ready.is_empty() && errors.is_empty() {
        errors.push(line_error(1, "the file holds no vCard"));
    }
    errors.sort_by_key(|e| e.line);
    Ok((ready, errors))
}

impl Platform {
    /// What importing `bytes` into the book would do, without storing anything.
    pub async fn contact_import_preview(
        &self,
        a: &Actor,
        book: AddressBookId,
        bytes: &[u8],
    ) -> Result<ImportPreview, ContactsError> {
        let mut c = self.db.read().await?;
        book_for(&mut c, a, book, BookOp::Write).await?;
        let (ready, errors) = analyse(bytes)?;
        let uids: Vec<String> = ready.iter().map(|(_, r)| r.uid.clone()).collect();
        let known: HashMap<String, String> =
            cards::hrefs_of_uids(&mut c, a.token.instance(), book, &uids)
                .await?
                .into_iter()
                .collect();
        let cards = ready
            .into_iter()
            .map(|(line, r)| PreviewCard {
                line,
                replaces: known.contains_key(&r.uid),
                display_name: r.indexed.display_name,
                emails: r.indexed.emails,
            })
            .collect();
        Ok(ImportPreview { cards, errors })
    }

    /// Imports `bytes` into the book: every card, or with any error none.
    pub async fn contact_import(
        &self,
        a: &Actor,
        book: AddressBookId,
        bytes: &[u8],
    ) -> Result<ImportReport, ContactsError> {
        let (ready, errors) = analyse(bytes)?;
        if !errors.is_empty() {
            return Ok(ImportReport {
                created: 0,
                updated: 0,
                errors,
            });
        }
        let instance = a.token.instance();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        book_for(&mut tx, a, book, BookOp::Write).await?;
        let uids: Vec<String> = ready.iter().map(|(_, r)| r.uid.clone()).collect();
        let known: HashMap<String, String> = cards::hrefs_of_uids(&mut tx, instance, book, &uids)
            .await?
            .into_iter()
            .collect();
        let (mut created, mut updated) = (0, 0);
        for (_, card) in &ready {
            let href = known.get(&card.uid).cloned().unwrap_or_else(new_href);
            let out = store(
                &mut tx,
                instance,
                book,
                &href,
                card,
                &Precondition::None,
                now,
            )
            .await?;
            if out.created {
                created += 1;
            } else {
                updated += 1;
            }
        }
        tx.commit().await?;
        Ok(ImportReport {
            created,
            updated,
            errors: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_named_by_its_line() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nFN:A\nUID:1\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:4.0\nEMAIL:x@y.de\nEND:VCARD\n\
                    Unsinn\n\
                    BEGIN:VCARD\nVERSION:4.0\nFN:B\nUID:1\nEND:VCARD\n";
        let (ready, errors) = analyse(file.as_bytes()).expect("analysed");
        assert_eq!(ready.len(), 2);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![6, 10, 11], "{errors:?}");
        let latin1 = b"BEGIN:VCARD\nVERSION:3.0\nFN:J\xfcrgen\nEND:VCARD\n";
        let (_, errors) = analyse(latin1).expect("analysed");
        assert_eq!(errors, vec![line_error(3, "the file is not UTF-8 text")]);
        assert!(matches!(
            analyse(&vec![b' '; MAX_IMPORT + 1]),
            Err(ContactsError::TooLarge { .. })
        ));
    }
}
