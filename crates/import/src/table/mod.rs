//! LOGINEO-style table import (format spec §7): one row per person, mandatory Quell-ID,
//! Nachname and Vorname, optional class, groups, mail and birthday. The account type is not
//! a column but chosen for the whole run.

mod book;
mod bounds;
mod sheet;

use std::collections::HashSet;

use chrono::NaiveDate;
use schulhof_types::{AccountType, GroupKind};

use crate::columns::{ColumnMap, FIELDS, Field, guess_columns};
use crate::model::{
    Conflict, ConflictKind, Group, ImportData, Person, Position, ReadError, Source,
};
use crate::text::{clean, missing_name, parse_table_date};
use sheet::{Cell, Row, Sheet};

/// The header names of the table, for the column-mapping step.
pub(crate) fn headers(bytes: &[u8]) -> Result<Vec<String>, ReadError> {
    let sheet = sheet::load(bytes)?;
    Ok(sheet
        .headers
        .into_iter()
        .filter(|h| !h.is_empty())
        .collect())
}

pub(crate) fn read(
    bytes: &[u8],
    account_type: AccountType,
    map: &ColumnMap,
) -> Result<ImportData, ReadError> {
    let sheet = sheet::load(bytes)?;
    let columns = Columns::resolve(&sheet, map)?;
    let mut build = Build {
        account_type,
        columns: &columns,
        comma_lists: sheet.comma_lists,
        data: ImportData {
            source: Source::Csv,
            school_number: None,
            school_year: None,
            persons: Vec::new(),
            groups: Vec::new(),
            conflicts: Vec::new(),
        },
        ids: HashSet::new(),
        group_ids: HashSet::new(),
    };
    for row in &sheet.rows {
        build.row(row);
    }
    Ok(build.data)
}

/// Column index and header name per field.
struct Columns {
    slots: Vec<(Field, usize, String)>,
}

impl Columns {
    /// The admin's choices first, then guesses for the rest; the mandatory fields must
    /// end up with a column.
    fn resolve(sheet: &Sheet, map: &ColumnMap) -> Result<Self, ReadError> {
        let mut slots = chosen(sheet, map)?;
        slots.extend(guessed(sheet, map, &slots));
        let missing: Vec<&str> = FIELDS
            .iter()
            .filter(|(f, _, _)| [Field::QuellId, Field::Nachname, Field::Vorname].contains(f))
            .filter(|(f, _, _)| !slots.iter().any(|s| s.0 == *f))
            .map(|(_, label, _)| *label)
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "the table has no column for {} (mandatory); columns found: {}",
                missing.join(", "),
                found(sheet)
            );
            return Err(header_error(sheet, message));
        }
        Ok(Self { slots })
    }

    fn get(&self, field: Field) -> Option<(usize, &str)> {
        self.slots
            .iter()
            .find(|s| s.0 == field)
            .map(|s| (s.1, s.2.as_str()))
    }
}

/// The columns the admin chose; a name that is not a header is an error.
fn chosen(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<(Field, usize, String)>, ReadError> {
    let mut slots = Vec::new();
    for (field, label, _) in FIELDS {
        let Some(name) = map.get(*field) else {
            continue;
        };
        let wanted = name.trim().to_lowercase();
        let Some(i) = sheet
            .headers
            .iter()
            .position(|h| h.to_lowercase() == wanted)
        else {
            let message = format!(
                "the column \"{name}\" chosen for {label} is not in the table; columns found: {}",
                found(sheet)
            );
            return Err(header_error(sheet, message));
        };
        slots.push((*field, i, sheet.headers[i].clone()));
    }
    Ok(slots)
}

/// Guesses for the fields the admin left open, among the headers not chosen already.
fn guessed(
    sheet: &Sheet,
    map: &ColumnMap,
    chosen: &[(Field, usize, String)],
) -> Vec<(Field, usize, String)> {
    let free: Vec<String> = sheet
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if chosen.iter().any(|s| s.1 == i) {
                String::new()
            } else {
                h.clone()
            }
        })
        .collect();
    let guess = guess_columns(&free);
    FIELDS
        .iter()
        .filter(|(field, _, _)| map.get(*field).is_none())
        .filter_map(|(field, _, _)| {
            let name = guess.get(*field)?;
            let i = free.iter().position(|h| h.trim() == name)?;
            Some((*field, i, sheet.headers[i].clone()))
        })
        .collect()
}

fn found(sheet: &Sheet) -> String {
    let names: Vec<&str> = sheet
        .headers
        .iter()
        .filter(|h| !h.is_empty())
        .map(String::as_str)
        .collect();
    names.join(", ")
}

fn header_error(sheet: &Sheet, message: String) -> ReadError {
    let position = Position {
        line: Some(sheet.header_line),
        ..Default::default()
    };
    ReadError::new(position, message)
}

struct Build<'a> {
    account_type: AccountType,
    columns: &'a Columns,
    comma_lists: bool,
    data: ImportData,
    ids: HashSet<String>,
    group_ids: HashSet<String>,
}

impl Build<'_> {
    fn value(&self, row: &Row, field: Field) -> String {
        self.columns
            .get(field)
            .and_then(|(i, _)| row.cells.get(i))
            .map(|c| c.text().into_owned())
            .unwrap_or_default()
    }

    fn at(&self, row: &Row, field: Field) -> Position {
        Position {
            line: Some(row.line),
            column: self.columns.get(field).map(|(_, h)| h.to_string()),
            path: None,
        }
    }

    fn conflict(
        &mut self,
        position: Position,
        id: Option<String>,
        kind: ConflictKind,
        message: String,
    ) {
        self.data.conflicts.push(Conflict {
            position,
            source_id: id,
            kind,
            message,
        });
    }

    fn row(&mut self, row: &Row) {
        let id = self.value(row, Field::QuellId);
        let last_name = clean(&self.value(row, Field::Nachname));
        let first_name = clean(&self.value(row, Field::Vorname));
        if id.is_empty() {
            let message = format!("the row of \"{first_name} {last_name}\" has no Quell-ID");
            let at = self.at(row, Field::QuellId);
            return self.conflict(at, None, ConflictKind::MissingSourceId, message);
        }
        if !self.ids.insert(id.clone()) {
            let message = format!("the Quell-ID {id} appears a second time; the first row is kept");
            let at = self.at(row, Field::QuellId);
            return self.conflict(at, Some(id), ConflictKind::DuplicateSourceId, message);
        }
        if last_name.is_empty() || first_name.is_empty() {
            let field = if last_name.is_empty() {
                Field::Nachname
            } else {
                Field::Vorname
            };
            let message = missing_name(
                &format!("the row with Quell-ID {id}"),
                &first_name,
                &last_name,
            );
            let at = self.at(row, field);
            return self.conflict(at, Some(id), ConflictKind::MissingName, message);
        }
        let birthday = self.birthday(row, &id);
        let class = Some(clean(&self.value(row, Field::Klasse))).filter(|c| !c.is_empty());
        let groups = self.groups(row, class.as_deref());
        let mail = Some(self.value(row, Field::Email)).filter(|m| !m.is_empty());
        self.data.persons.push(Person {
            source_id: id,
            first_name,
            last_name,
            account_type: self.account_type,
            mail,
            birthday,
            class,
            left: false,
            groups,
            consent_audio: None,
            consent_video: None,
            position: Position {
                line: Some(row.line),
                ..Default::default()
            },
        });
    }

    fn birthday(&mut self, row: &Row, id: &str) -> Option<NaiveDate> {
        let (i, _) = self.columns.get(Field::Geburtsdatum)?;
        let text = match row.cells.get(i)? {
            Cell::Date(d) => return Some(*d),
            Cell::Text(t) => t.trim(),
        };
        if text.is_empty() {
            return None;
        }
        let date = parse_table_date(text);
        if date.is_none() {
            let kind = ConflictKind::BadValue {
                field: "birthday".into(),
            };
            let message = format!(
                "the birthday \"{text}\" of Quell-ID {id} is no date (YYYY-MM-DD or DD.MM.YYYY)"
            );
            let at = self.at(row, Field::Geburtsdatum);
            self.conflict(at, Some(id.to_string()), kind, message);
        }
        date
    }

    /// The class first, then the listed groups; each group is created at its first mention.
    fn groups(&mut self, row: &Row, class: Option<&str>) -> Vec<String> {
        let mut ids = Vec::new();
        if let Some(class) = class {
            self.add_group(row, Field::Klasse, class, GroupKind::Klasse, &mut ids);
        }
        let list = self.value(row, Field::Gruppen);
        let comma = self.comma_lists;
        for name in list.split(|c| c == '|' || (comma && c == ',')) {
            let name = clean(name);
            if !name.is_empty() {
                self.add_group(row, Field::Gruppen, &name, GroupKind::Kurs, &mut ids);
            }
        }
        ids
    }

    fn add_group(
        &mut self,
        row: &Row,
        field: Field,
        name: &str,
        kind: GroupKind,
        ids: &mut Vec<String>,
    ) {
        if self.group_ids.insert(name.to_string()) {
            let position = self.at(row, field);
            self.data.groups.push(Group {
                source_id: name.to_string(),
                name: name.to_string(),
                kind,
                position,
            });
        }
        if !ids.iter().any(|g| g == name) {
            ids.push(name.to_string());
        }
    }
}
