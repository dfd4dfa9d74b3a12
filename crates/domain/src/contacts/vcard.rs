//! vCard texts: read and checked with calcard (no parser of our own), the columns the store
//! indexes taken from them, and the few changes the platform makes to a text (a missing
//! UID, the fields of the web form). Line numbers count from 1 in the text as sent.

use calcard::vcard::{VCard, VCardEntry, VCardProperty, VCardValue, VCardVersion};
use calcard::{Entry, Parser};
use schulhof_types::name_sort_key;

use super::ContactsError;

/// What the store indexes of a card.
#[derive(Clone, Debug)]
pub(crate) struct Indexed {
    pub uid: Option<String>,
    pub display_name: String,
    pub sort_key: String,
    pub emails: Vec<String>,
    pub search_text: String,
}

/// The 1-based number of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let needle = needle.trim();
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn first_line_is_begin(text: &str) -> Result<(), ContactsError> {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty());
    match first {
        Some((_, l)) if l.trim().eq_ignore_ascii_case("BEGIN:VCARD") => Ok(()),
        Some((i, _)) => Err(ContactsError::invalid(Some(i + 1), "expected BEGIN:VCARD")),
        None => Err(ContactsError::invalid(None, "the vCard is empty")),
    }
}

/// What calcard's answer for a text that is not one good card means, by line.
fn entry_error(text: &str, e: Entry) -> ContactsError {
    match e {
        Entry::InvalidLine(l) => ContactsError::invalid(line_of(text, &l), "unreadable line"),
        Entry::UnterminatedComponent(_) => {
            ContactsError::invalid(Some(text.lines().count().max(1)), "END:VCARD is missing")
        }
        Entry::ICalendar(_) => ContactsError::invalid(Some(1), "this is iCalendar, not a vCard"),
        Entry::Eof => ContactsError::invalid(None, "the vCard is empty"),
        _ => ContactsError::invalid(None, "not a readable vCard"),
    }
}

/// Reads one vCard (3.0 or 4.0) and what the store indexes of it. Refused: anything but
/// exactly one card, another version, a card without any name.
pub(crate) fn read(text: &str) -> Result<(VCard, Indexed), ContactsError> {
    first_line_is_begin(text)?;
    let mut parser = Parser::new(text).strict();
    let card = match parser.entry() {
        Entry::VCard(c) => c,
        other => return Err(entry_error(text, other)),
    };
    match parser.entry() {
        Entry::Eof => {}
        Entry::VCard(_) => {
            let second = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
                .nth(1)
                .map(|(i, _)| i + 1);
            return Err(ContactsError::invalid(second, "more than one vCard"));
        }
        other => return Err(entry_error(text, other)),
    }
    match card.version() {
        Some(VCardVersion::V3_0 | VCardVersion::V4_0) => {}
        Some(_) => {
            return Err(ContactsError::invalid(
                line_of(text, "VERSION"),
                "only vCard 3.0 and 4.0 are supported",
            ));
        }
        None => return Err(ContactsError::invalid(Some(1), "VERSION is missing")),
    }
    let indexed = index(&card)
        .ok_or_else(|| ContactsError::invalid(Some(1), "the vCard has no name (FN, N or ORG)"))?;
    Ok((card, indexed))
}

pub(crate) fn text_of(e: &VCardEntry) -> String {
    e.values
        .iter()
        .filter_map(|v| match v {
            VCardValue::Component(parts) => Some(parts.join(" ")),
            other => other.as_text().map(str::to_owned),
        })
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// The first text of `prop`, if any.
pub(crate) fn first(card: &VCard, prop: &VCardProperty) -> Option<String> {
    card.properties(prop).map(text_of).find(|s| !s.is_empty())
}

/// Given and family name of N (its second and first part).
fn n_parts(card: &VCard) -> (String, String) {
    let Some(n) = card.property(&VCardProperty::N) else {
        return (String::new(), String::new());
    };
    let part = |i: usize| {
        n.values
            .get(i)
            .map(|v| match v {
                VCardValue::Component(p) => p.join(" "),
                other => other.as_text().unwrap_or("").to_owned(),
            })
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    (part(1), part(0))
}

/// The lower-case mail addresses of a card.
pub(crate) fn emails(card: &VCard) -> Vec<String> {
    let mut out: Vec<String> = card
        .properties(&VCardProperty::Email)
        .map(|e| text_of(e).to_lowercase())
        .filter(|m| m.contains('@') && !m.contains(char::is_whitespace))
        .collect();
    out.dedup();
    out
}

fn index(card: &VCard) -> Option<Indexed> {
    let (given, family) = n_parts(card);
    let from_n = format!("{given} {family}").trim().to_owned();
    let org = first(card, &VCardProperty::Org).unwrap_or_default();
    let display_name = first(card, &VCardProperty::Fn)
        .or_else(|| (!from_n.is_empty()).then(|| from_n.clone()))
        .or_else(|| (!org.is_empty()).then(|| org.clone()))?;
    let emails = emails(card);
    // Sorted by family name where N gives one, as an address book is.
    let sort_key = name_sort_key(&if family.is_empty() {
        display_name.clone()
    } else {
        format!("{family} {given}")
    });
    let nickname = first(card, &VCardProperty::Nickname).unwrap_or_default();
    let search_text = format!(
        "{display_name} {from_n} {nickname} {org} {}",
        emails.join(" ")
    )
    .to_lowercase();
    Some(Indexed {
        uid: card
            .uid()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned),
        display_name,
        sort_key,
        emails,
        search_text,
    })
}

/// The text with a `UID` line added before its `END:VCARD`, in the text's own line ending.
pub(crate) fn with_uid(text: &str, uid: &str) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lower = text.to_ascii_lowercase();
    match lower.rfind("end:vcard") {
        Some(at) => format!("{}UID:{uid}{eol}{}", &text[..at], &text[at..]),
        None => text.to_owned(),
    }
}

/// One card of an import file: where it starts and its exact text.
#[derive(Clone, Debug)]
pub(crate) struct Chunk<'a> {
    pub first_line: usize,
    pub text: &'a str,
}

/// Cuts a file into its cards at the `BEGIN:VCARD` and `END:VCARD` lines, keeping each
/// card's bytes; calcard reads each afterwards. Anything outside a card, and a card that
/// never ends, is an error by line.
pub(crate) fn split(text: &str) -> (Vec<Chunk<'_>>, Vec<(usize, String)>) {
    let mut chunks = Vec::new();
    let mut errors = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some((l, _)) = start {
                errors.push((l, "END:VCARD is missing".to_owned()));
            }
            start = Some((i + 1, offset));
        } else if trimmed.eq_ignore_ascii_case("END:VCARD") {
            match start.take() {
                Some((l, from)) => chunks.push(Chunk {
                    first_line: l,
                    text: &text[from..offset + line.len()],
                }),
                None => errors.push((i + 1, "END:VCARD without BEGIN:VCARD".to_owned())),
            }
        } else if start.is_none() && !trimmed.is_empty() {
            errors.push((i + 1, "text outside of a vCard".to_owned()));
        }
        offset += line.len();
    }
    if let Some((l, _)) = start {
        errors.push((l, "END:VCARD is missing".to_owned()));
    }
    (chunks, errors)
}

/// The fields of the web form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactForm {
    pub given_name: String,
    pub family_name: String,
    pub organisation: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub note: String,
}

impl ContactForm {
    /// The form filled from a stored card, for editing it.
    pub fn of(raw: &str) -> ContactForm {
        let Ok((card, _)) = read(raw) else {
            return ContactForm::default();
        };
        let (given_name, family_name) = n_parts(&card);
        let (given_name, family_name) = if given_name.is_empty() && family_name.is_empty() {
            (
                first(&card, &VCardProperty::Fn).unwrap_or_default(),
                String::new(),
            )
        } else {
            (given_name, family_name)
        };
        ContactForm {
            given_name,
            family_name,
            organisation: first(&card, &VCardProperty::Org).unwrap_or_default(),
            emails: card
                .properties(&VCardProperty::Email)
                .map(text_of)
                .collect(),
            phones: card.properties(&VCardProperty::Tel).map(text_of).collect(),
            note: first(&card, &VCardProperty::Note).unwrap_or_default(),
        }
    }

    fn clean(list: &[String]) -> Vec<String> {
        list.iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Refuses a form without any name, or with an address that is not one.
    pub(crate) fn check(&self) -> Result<(), ContactsError> {
        let name = format!(
            "{}{}{}",
            self.given_name, self.family_name, self.organisation
        );
        if name.trim().is_empty() {
            return Err(ContactsError::Domain(crate::DomainError::invalid(
                "name",
                "a contact needs a name or an organisation",
            )));
        }
        for m in Self::clean(&self.emails) {
            let ok = m.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !m.contains(char::is_whitespace)
            });
            if !ok {
                return Err(ContactsError::Domain(crate::DomainError::invalid(
                    "email",
                    "not a mail address",
                )));
            }
        }
        Ok(())
    }
}

fn text_entry(prop: VCardProperty, value: &str) -> VCardEntry {
    VCardEntry::new(prop).with_value(value.to_owned())
}

/// The card the form describes: a stored card keeps everything the form does not show
/// (photo, address, birthday, its version); a new one is vCard 4.0.
pub(crate) fn build(existing: Option<&str>, form: &ContactForm, uid: &str) -> String {
    let (mut card, version) = match existing.and_then(|raw| read(raw).ok()) {
        Some((card, _)) => {
            let v = card.version().unwrap_or(VCardVersion::V4_0);
            (card, v)
        }
        None => (VCard::default(), VCardVersion::V4_0),
    };
    let shown = [
        VCardProperty::Fn,
        VCardProperty::N,
        VCardProperty::Org,
        VCardProperty::Email,
        VCardProperty::Tel,
        VCardProperty::Note,
    ];
    card.entries.retain(|e| !shown.contains(&e.name));
    if card.uid().is_none() {
        card.entries.push(text_entry(VCardProperty::Uid, uid));
    }
    let (given, family) = (form.given_name.trim(), form.family_name.trim());
    let org = form.organisation.trim();
    let full = format!("{given} {family}").trim().to_owned();
    card.entries.push(text_entry(
        VCardProperty::Fn,
        if full.is_empty() { org } else { &full },
    ));
    card.entries
        .push(VCardEntry::new(VCardProperty::N).with_values(vec![
            VCardValue::Text(family.to_owned()),
            VCardValue::Text(given.to_owned()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
            VCardValue::Text(String::new()),
        ]));
    if !org.is_empty() {
        card.entries.push(text_entry(VCardProperty::Org, org));
    }
    for m in ContactForm::clean(&form.emails) {
        card.entries.push(text_entry(VCardProperty::Email, &m));
    }
    for t in ContactForm::clean(&form.phones) {
        card.entries.push(text_entry(VCardProperty::Tel, &t));
    }
    if !form.note.trim().is_empty() {
        card.entries
            .push(text_entry(VCardProperty::Note, form.note.trim()));
    }
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = card.write_to(&mut out, version);
    out
}

/// One line of the contact page: what it is, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    /// `email`, `tel`, `org`, `title`, `adr`, `url`, `bday`, `nickname`, `note`.
    pub kind: &'static str,
    pub value: String,
}

/// What the contact page shows of a card, in a fixed order.
pub fn details(raw: &str) -> Vec<Detail> {
    let Ok((card, _)) = read(raw) else {
        return Vec::new();
    };
    let kinds = [
        (VCardProperty::Nickname, "nickname"),
        (VCardProperty::Org, "org"),
        (VCardProperty::Title, "title"),
        (VCardProperty::Email, "email"),
        (VCardProperty::Tel, "tel"),
        (VCardProperty::Adr, "adr"),
        (VCardProperty::Url, "url"),
        (VCardProperty::Bday, "bday"),
        (VCardProperty::Note, "note"),
    ];
    let mut out = Vec::new();
    for (prop, kind) in kinds {
        for e in card.properties(&prop) {
            let value = match (&prop, e.values.first()) {
                (VCardProperty::Bday, Some(VCardValue::PartialDateTime(d))) => {
                    match (d.year, d.month, d.day) {
                        (Some(y), Some(m), Some(dd)) => format!("{dd:02}.{m:02}.{y}"),
                        (None, Some(m), Some(dd)) => format!("{dd:02}.{m:02}."),
                        _ => text_of(e),
                    }
                }
                _ => text_of(e),
            };
            if !value.is_empty() {
                out.push(Detail { kind, value });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Erika Mustermann\r\nN:Mustermann;Erika;;;\r\nEMAIL;TYPE=INTERNET:Erika@Example.org\r\nUID:abc-1\r\nEND:VCARD\r\n";

    #[test]
    fn reads_a_card_and_indexes_it() {
        let (_, i) = read(V3).expect("a card");
        assert_eq!(i.uid.as_deref(), Some("abc-1"));
        assert_eq!(i.display_name, "Erika Mustermann");
        assert_eq!(i.emails, vec!["erika@example.org"]);
        assert_eq!(i.sort_key, "mustermann erika");
        assert!(i.search_text.contains("erika@example.org"));
    }

    #[test]
    fn refuses_what_is_not_one_good_card_by_line() {
        let no_end = "BEGIN:VCARD\nVERSION:4.0\nFN:A\n";
        assert!(matches!(
            read(no_end),
            Err(ContactsError::InvalidData { .. })
        ));
        let junk = "hello\nBEGIN:VCARD\nVERSION:4.0\nFN:A\nEND:VCARD\n";
        assert!(matches!(
            read(junk),
            Err(ContactsError::InvalidData { line: Some(1), .. })
        ));
        let two = format!("{V3}{V3}");
        assert!(matches!(
            read(&two),
            Err(ContactsError::InvalidData { line: Some(8), .. })
        ));
        let v21 = "BEGIN:VCARD\nVERSION:2.1\nFN:A\nEND:VCARD\n";
        assert!(matches!(
            read(v21),
            Err(ContactsError::InvalidData { line: Some(2), .. })
        ));
        let nameless = "BEGIN:VCARD\nVERSION:4.0\nEMAIL:a@b.de\nEND:VCARD\n";
        assert!(read(nameless).is_err());
        let bad_line = "BEGIN:VCARD\nVERSION:4.0\nFN:A\nkein doppelpunkt\nEND:VCARD\n";
        assert!(matches!(
            read(bad_line),
            Err(ContactsError::InvalidData { line: Some(4), .. })
        ));
    }

    #[test]
    fn splits_a_file_keeping_each_cards_bytes() {
        let file = format!("{V3}\r\n{}", V3.replace("abc-1", "abc-2"));
        let (chunks, errors) = split(&file);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].text, V3);
        assert_eq!(chunks[1].first_line, 9);
        let (_, errors) = split("x\nBEGIN:VCARD\nFN:A\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, 1);
        assert_eq!(errors[1].0, 2);
    }

    #[test]
    fn adds_a_uid_in_the_texts_line_ending() {
        let t = "BEGIN:VCARD\nVERSION:4.0\nFN:A\nEND:VCARD\n";
        let u = with_uid(t, "x-1");
        assert_eq!(u, "BEGIN:VCARD\nVERSION:4.0\nFN:A\nUID:x-1\nEND:VCARD\n");
        assert_eq!(read(&u).expect("card").1.uid.as_deref(), Some("x-1"));
    }

    #[test]
    fn the_form_round_trips_and_keeps_what_it_does_not_show() {
        let form = ContactForm {
            given_name: "Lena".into(),
            family_name: "Lehmann".into(),
            organisation: "Stadtbibliothek".into(),
            emails: vec!["lena@example.org".into(), " ".into()],
            phones: vec!["+49 211 1234".into()],
            note: "Leihfristen; Ausweis".into(),
        };
        let text = build(None, &form, "u-1");
        let (_, i) = read(&text).expect("built card reads");
        assert_eq!(i.display_name, "Lena Lehmann");
        assert_eq!(i.uid.as_deref(), Some("u-1"));
        let mut back = ContactForm::of(&text);
        back.emails.retain(|e| !e.trim().is_empty());
        let mut want = form.clone();
        want.emails.truncate(1);
        assert_eq!(back, want);
        let with_bday = V3.replace("UID:abc-1", "UID:abc-1\r\nBDAY:1980-04-01");
        let edited = build(Some(&with_bday), &form, "ignored");
        assert!(edited.contains("VERSION:3.0"));
        assert!(edited.contains("BDAY"));
        assert!(edited.contains("UID:abc-1"));
        assert!(!edited.contains("Erika"));
    }
}
