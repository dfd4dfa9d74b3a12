//! addressbook-query (RFC 6352 §8.6): which cards of a book match a filter of property
//! tests. Each card is read with calcard; the comparison is the RFC's `i;unicode-casemap`
//! (case-insensitive) unless the client asks for `i;octet`.

use calcard::vcard::VCard;
use calcard::{Entry, Parser};
use schulhof_types::AddressBookId;

use super::vcard::text_of;
use super::{ContactsError, StoredContact};
use crate::Platform;
use crate::identity::Actor;

/// How a text-match compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardTextMatch {
    pub text: String,
    pub kind: MatchKind,
    pub case_sensitive: bool,
    pub negate: bool,
}

/// One `prop-filter`: a property by name (`FN`, `EMAIL`, …) and the tests on its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPropFilter {
    pub name: String,
    /// The card must not have the property at all.
    pub is_not_defined: bool,
    pub text_matches: Vec<CardTextMatch>,
    /// Every text-match must hold (`test="allof"`); default: any.
    pub all_of: bool,
}

/// The filter of an addressbook-query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardQuery {
    pub props: Vec<CardPropFilter>,
    /// Every prop-filter must match (`test="allof"`); default: any.
    pub all_of: bool,
}

fn text_holds(value: &str, m: &CardTextMatch) -> bool {
    let (v, t) = if m.case_sensitive {
        (value.to_owned(), m.text.clone())
    } else {
        (value.to_lowercase(), m.text.to_lowercase())
    };
    let hit = match m.kind {
        MatchKind::Equals => v == t,
        MatchKind::Contains => v.contains(&t),
        MatchKind::StartsWith => v.starts_with(&t),
        MatchKind::EndsWith => v.ends_with(&t),
    };
    hit != m.negate
}

fn prop_holds(card: &VCard, f: &CardPropFilter) -> bool {
    let values: Vec<String> = card
        .entries
        .iter()
        .filter(|e| e.name.as_str().eq_ignore_ascii_case(&f.name))
        .map(text_of)
        .collect();
    if f.is_not_defined {
        return values.is_empty();
    }
    if values.is_empty() {
        return false;
    }
    if f.text_matches.is_empty() {
        return true;
    }
    // A text-match holds when any value of the property satisfies it.
    let one = |m: &CardTextMatch| values.iter().any(|v| text_holds(v, m));
    if f.all_of {
        f.text_matches.iter().all(one)
    } else {
        f.text_matches.iter().any(one)
    }
}

/// Whether the vCard text matches the filter; an unreadable text matches nothing.
pub fn card_matches(raw: &str, q: &CardQuery) -> bool {
    if q.props.is_empty() {
        return true;
    }
    let Entry::VCard(card) = Parser::new(raw).entry() else {
        return false;
    };
    if q.all_of {
        q.props.iter().all(|f| prop_holds(&card, f))
    } else {
        q.props.iter().any(|f| prop_holds(&card, f))
    }
}

impl Platform {
    /// The contacts of a book matching `q`, at most `limit` (CardDAV addressbook-query).
    pub async fn contact_query(
        &self,
        a: &Actor,
        book: AddressBookId,
        q: &CardQuery,
        limit: Option<usize>,
    ) -> Result<Vec<StoredContact>, ContactsError> {
        let all = self.contact_all(a, book).await?;
        Ok(all
            .into_iter()
            .filter(|c| card_matches(&c.raw, q))
            .take(limit.unwrap_or(usize::MAX))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maria Muster\r\nN:Muster;Maria;;;\r\nEMAIL:maria@example.org\r\nUID:m-1\r\nEND:VCARD\r\n";

    fn filter(name: &str, text: &str, kind: MatchKind) -> CardQuery {
        CardQuery {
            props: vec![CardPropFilter {
                name: name.into(),
                is_not_defined: false,
                text_matches: vec![CardTextMatch {
                    text: text.into(),
                    kind,
                    case_sensitive: false,
                    negate: false,
                }],
                all_of: false,
            }],
            all_of: false,
        }
    }

    #[test]
    fn text_matches_compare_as_the_rfc_says() {
        assert!(card_matches(
            CARD,
            &filter("fn", "maria", MatchKind::StartsWith)
        ));
        assert!(card_matches(
            CARD,
            &filter("EMAIL", "EXAMPLE", MatchKind::Contains)
        ));
        assert!(!card_matches(
            CARD,
            &filter("FN", "muster", MatchKind::StartsWith)
        ));
        assert!(card_matches(
            CARD,
            &filter("FN", "MUSTER", MatchKind::EndsWith)
        ));
        assert!(!card_matches(
            CARD,
            &filter("TEL", "1", MatchKind::Contains)
        ));
        let mut q = filter("FN", "Maria Muster", MatchKind::Equals);
        q.props[0].text_matches[0].negate = true;
        assert!(!card_matches(CARD, &q));
        let missing = CardQuery {
            props: vec![CardPropFilter {
                name: "TEL".into(),
                is_not_defined: true,
                text_matches: vec![],
                all_of: false,
            }],
            all_of: false,
        };
        assert!(card_matches(CARD, &missing));
        assert!(!card_matches(
            "kaputt",
            &filter("FN", "m", MatchKind::Contains)
        ));
    }
}
