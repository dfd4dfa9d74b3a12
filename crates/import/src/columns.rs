//! Which table column holds which field: chosen by the admin in the mapping step, or
//! guessed from the header names.

use serde::{Deserialize, Serialize};

/// Header names per field, as the admin chose them. `None` = guess from the headers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    pub quell_id: Option<String>,
    pub nachname: Option<String>,
    pub vorname: Option<String>,
    pub klasse: Option<String>,
    pub gruppen: Option<String>,
    pub email: Option<String>,
    pub geburtsdatum: Option<String>,
}

/// The fields of a table import, with the header spellings we recognise (compared without
/// case, blanks, `-` and `_`), the preferred spelling first.
pub(crate) const FIELDS: &[(Field, &str, &[&str])] = &[
    (Field::QuellId, "Quell-ID", &["quellid", "schildid", "id"]),
    (
        Field::Nachname,
        "Nachname",
        &["nachname", "familienname", "lastname", "name"],
    ),
    (
        Field::Vorname,
        "Vorname",
        &["vorname", "rufname", "firstname"],
    ),
    (Field::Klasse, "Klasse", &["klasse", "class"]),
    (
        Field::Gruppen,
        "Gruppen",
        &["gruppen", "gruppe", "kurse", "groups"],
    ),
    (Field::Email, "E-Mail", &["email", "mail"]),
    (
        Field::Geburtsdatum,
        "Geburtsdatum",
        &["geburtsdatum", "geburtstag", "birthday"],
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    QuellId,
    Nachname,
    Vorname,
    Klasse,
    Gruppen,
    Email,
    Geburtsdatum,
}

impl ColumnMap {
    pub(crate) fn get(&self, field: Field) -> Option<&String> {
        match field {
            Field::QuellId => self.quell_id.as_ref(),
            Field::Nachname => self.nachname.as_ref(),
            Field::Vorname => self.vorname.as_ref(),
            Field::Klasse => self.klasse.as_ref(),
            Field::Gruppen => self.gruppen.as_ref(),
            Field::Email => self.email.as_ref(),
            Field::Geburtsdatum => self.geburtsdatum.as_ref(),
        }
    }

    fn set(&mut self, field: Field, header: String) {
        let slot = match field {
            Field::QuellId => &mut self.quell_id,
            Field::Nachname => &mut self.nachname,
            Field::Vorname => &mut self.vorname,
            Field::Klasse => &mut self.klasse,
            Field::Gruppen => &mut self.gruppen,
            Field::Email => &mut self.email,
            Field::Geburtsdatum => &mut self.geburtsdatum,
        };
        *slot = Some(header);
    }
}

/// `Quell-ID`, `quell_id`, `QuellID` → `quellid`.
pub(crate) fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Guesses the column of every field from the header names; a header is used for one field
/// at most, and the preferred spellings win (`Nachname` over `Name`).
pub fn guess_columns(headers: &[String]) -> ColumnMap {
    let normalized: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut map = ColumnMap::default();
    for (field, _, aliases) in FIELDS {
        let found = aliases
            .iter()
            .find_map(|alias| (0..headers.len()).find(|&i| !used[i] && normalized[i] == *alias));
        if let Some(i) = found {
            used[i] = true;
            map.set(*field, headers[i].trim().to_string());
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn guesses_german_and_english_headers() {
        let m = guess_columns(&headers(&[
            "ID",
            "Name",
            "Rufname",
            "class",
            "Kurse",
            "Mail",
            "Geburtstag",
        ]));
        assert_eq!(m.quell_id.as_deref(), Some("ID"));
        assert_eq!(m.nachname.as_deref(), Some("Name"));
        assert_eq!(m.vorname.as_deref(), Some("Rufname"));
        assert_eq!(m.klasse.as_deref(), Some("class"));
        assert_eq!(m.gruppen.as_deref(), Some("Kurse"));
        assert_eq!(m.email.as_deref(), Some("Mail"));
        assert_eq!(m.geburtsdatum.as_deref(), Some("Geburtstag"));
    }

    #[test]
    fn prefers_the_exact_spelling() {
        let m = guess_columns(&headers(&[
            "id",
            "quell_id",
            "Name",
            "NACHNAME",
            "first_name",
            "E-Mail",
        ]));
        assert_eq!(m.quell_id.as_deref(), Some("quell_id"));
        assert_eq!(m.nachname.as_deref(), Some("NACHNAME"));
        assert_eq!(m.vorname.as_deref(), Some("first_name"));
        assert_eq!(m.email.as_deref(), Some("E-Mail"));
        assert_eq!(m.klasse, None);
    }
}
